package canonical

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	require.NoError(t, err, s)
	require.NotNil(t, rr, s)
	return rr
}

// wire packs rr with miekg/dns, uncompressed, with the TTL replaced.
func wire(t testing.TB, rr dns.RR, ttl uint32) []byte {
	t.Helper()
	c := dns.Copy(rr)
	c.Header().Ttl = ttl
	buf := make([]byte, dns.Len(c)+64)
	n, err := dns.PackRR(c, buf, 0, nil, false)
	require.NoError(t, err)
	return buf[:n]
}

// TestAppendRRLowercasing checks RFC 4034 §6.2 as corrected by RFC 6840
// §5.1 at the wire level: in each case the canonical form of in must equal
// the plain packing of want, a record whose names are already lower-case
// where they must be and untouched where they must not be.
func TestAppendRRLowercasing(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// owner names
		{"owner", "WWW.Example.COM. 300 IN A 192.0.2.1", "www.example.com. 300 IN A 192.0.2.1"},
		{"owner escaped letter", `\065bc.example. 300 IN A 192.0.2.1`, "abc.example. 300 IN A 192.0.2.1"},
		{"owner escaped lower letter", `\097BC.example. 300 IN A 192.0.2.1`, "abc.example. 300 IN A 192.0.2.1"},
		{"owner escaped dot kept", `A\.B.example. 300 IN A 192.0.2.1`, `a\.b.example. 300 IN A 192.0.2.1`},
		{"owner non-ASCII kept", `\200\201X.example. 300 IN A 192.0.2.1`, `\200\201x.example. 300 IN A 192.0.2.1`},
		{"owner wildcard", "*.Example. 300 IN A 192.0.2.1", "*.example. 300 IN A 192.0.2.1"},

		// RDATA names that RFC 4034 §6.2 item 3 (as corrected) lower-cases
		{"NS", "example. 300 IN NS NS1.Example.", "example. 300 IN NS ns1.example."},
		{"NS escaped", `example. 300 IN NS \078S1.example.`, "example. 300 IN NS ns1.example."},
		{"MD", "example. 300 IN MD Host.Example.", "example. 300 IN MD host.example."},
		{"MF", "example. 300 IN MF Host.Example.", "example. 300 IN MF host.example."},
		{"CNAME", "www.example. 300 IN CNAME Target.EXAMPLE.", "www.example. 300 IN CNAME target.example."},
		{"CNAME escaped", `www.example. 300 IN CNAME \084arget.example.`, "www.example. 300 IN CNAME target.example."},
		{"SOA", "example. 300 IN SOA NS1.Example. HostMaster.Example. 1 2 3 4 5",
			"example. 300 IN SOA ns1.example. hostmaster.example. 1 2 3 4 5"},
		{"SOA escaped second name", `example. 300 IN SOA ns1.example. \072ost.example. 1 2 3 4 5`,
			"example. 300 IN SOA ns1.example. host.example. 1 2 3 4 5"},
		{"MB", "example. 300 IN MB Mail.Example.", "example. 300 IN MB mail.example."},
		{"MG", "example. 300 IN MG Mail.Example.", "example. 300 IN MG mail.example."},
		{"MR", "example. 300 IN MR Mail.Example.", "example. 300 IN MR mail.example."},
		{"PTR", "1.2.0.192.in-addr.arpa. 300 IN PTR Host.Example.", "1.2.0.192.in-addr.arpa. 300 IN PTR host.example."},
		{"MINFO", "example. 300 IN MINFO RMail.Example. EMail.Example.", "example. 300 IN MINFO rmail.example. email.example."},
		{"MX", "example. 300 IN MX 10 Mail.Example.", "example. 300 IN MX 10 mail.example."},
		{"MX escaped", `example. 300 IN MX 10 \077ail.example.`, "example. 300 IN MX 10 mail.example."},
		{"RP", "example. 300 IN RP Admin.Example. Info.Example.", "example. 300 IN RP admin.example. info.example."},
		{"AFSDB", "example. 300 IN AFSDB 1 AFS.Example.", "example. 300 IN AFSDB 1 afs.example."},
		{"RT", "example. 300 IN RT 10 Relay.Example.", "example. 300 IN RT 10 relay.example."},
		{"SIG", "example. 300 IN SIG A 13 1 300 20260101000000 20250101000000 1234 Example. AAAA",
			"example. 300 IN SIG A 13 1 300 20260101000000 20250101000000 1234 example. AAAA"},
		{"PX", "example. 300 IN PX 10 Map822.Example. MapX400.Example.", "example. 300 IN PX 10 map822.example. mapx400.example."},
		{"NXT", "example. 300 IN NXT Next.Example. A", "example. 300 IN NXT next.example. A"},
		{"NAPTR", `example. 300 IN NAPTR 100 10 "S" "SIP+D2U" "" _SIP._UDP.Example.`,
			`example. 300 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.`},
		{"KX", "example. 300 IN KX 10 KX.Example.", "example. 300 IN KX 10 kx.example."},
		{"SRV", "_sip._tcp.example. 300 IN SRV 0 5 5060 SIP.Example.", "_sip._tcp.example. 300 IN SRV 0 5 5060 sip.example."},
		{"DNAME", "example. 300 IN DNAME Target.Example.", "example. 300 IN DNAME target.example."},
		// A6 (RFC 2874), which miekg/dns does not know: prefix 0, a full
		// address and no name; prefix 64, 8 octets and the name "P.x.".
		{"A6 no name", `example. 300 IN TYPE38 \# 17 00 20010db8000000000000000000000001`,
			`example. 300 IN TYPE38 \# 17 00 20010db8000000000000000000000001`},
		{"A6 with name", `example. 300 IN TYPE38 \# 14 40 0000000000000001 01500178 00`,
			`example. 300 IN TYPE38 \# 14 40 0000000000000001 01700178 00`},
		{"RRSIG signer name (RFC 6840 §5.1)",
			"example. 300 IN RRSIG A 13 1 300 20260101000000 20250101000000 1234 Example. AAAA",
			"example. 300 IN RRSIG A 13 1 300 20260101000000 20250101000000 1234 example. AAAA"},

		// names or name-like data that must keep their case
		{"HINFO is not a name (RFC 6840 §5.1)", `example. 300 IN HINFO "Intel-X86" "LINUX"`, `example. 300 IN HINFO "Intel-X86" "LINUX"`},
		{"NSEC next name (RFC 6840 §5.1)", "example. 300 IN NSEC Next.Example. A NS SOA RRSIG NSEC",
			"example. 300 IN NSEC Next.Example. A NS SOA RRSIG NSEC"},
		{"HTTPS target (RFC 3597 §7)", "example. 300 IN HTTPS 1 Target.Example. alpn=h2", "example. 300 IN HTTPS 1 Target.Example. alpn=h2"},
		{"SVCB target", "_dns.example. 300 IN SVCB 1 DNS.Example. alpn=dot", "_dns.example. 300 IN SVCB 1 DNS.Example. alpn=dot"},
		{"TXT", `example. 300 IN TXT "Hello" "WORLD.Example."`, `example. 300 IN TXT "Hello" "WORLD.Example."`},
		{"CAA", `example. 300 IN CAA 0 issue "CA.Example.NET"`, `example. 300 IN CAA 0 issue "CA.Example.NET"`},
		{"unknown type", `example. 300 IN TYPE65280 \# 5 0341424300`, `example. 300 IN TYPE65280 \# 5 0341424300`},
		{"DNSKEY", "Example. 300 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
			"example. 300 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="},
	}
	var e Encoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustRR(t, tt.in)
			before := in.String()
			got, err := e.AppendRR([]byte("prefix"), in, 7200)
			require.NoError(t, err)
			require.Equal(t, "prefix", string(got[:6]), "AppendRR must append")
			require.Equal(t, hex.EncodeToString(wire(t, mustRR(t, tt.want), 7200)), hex.EncodeToString(got[6:]))
			require.Equal(t, before, in.String(), "input record modified")
		})
	}
}

func TestLowerRDATANamesMalformed(t *testing.T) {
	tests := []struct {
		name string
		t    uint16
		rd   string // hex
	}{
		{"NS empty", dns.TypeNS, ""},
		{"NS unterminated", dns.TypeNS, "03616263"},
		{"NS label too long", dns.TypeNS, "40"},
		{"SOA one name", dns.TypeSOA, "00"},
		{"MX short", dns.TypeMX, "00"},
		{"MX no name", dns.TypeMX, "000a"},
		{"PX one name", dns.TypePX, "000a00"},
		{"SRV short", dns.TypeSRV, "0000000000"},
		{"SIG short", dns.TypeSIG, "0001"},
		{"RRSIG short", dns.TypeRRSIG, "00010d01"},
		{"NAPTR truncated strings", dns.TypeNAPTR, "0001000201"},
		{"NAPTR no name", dns.TypeNAPTR, "00010002000000"},
		{"A6 bad prefix", typeA6, "81"},
		{"A6 empty", typeA6, ""},
		{"A6 prefix 0 trailing", typeA6, "00" + strings.Repeat("00", 17)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := hex.DecodeString(tt.rd)
			require.NoError(t, err)
			require.False(t, LowerRDATANames(tt.t, rd))
		})
	}
	t.Run("types without names accept anything", func(t *testing.T) {
		for _, typ := range []uint16{dns.TypeA, dns.TypeHINFO, dns.TypeNSEC, dns.TypeTXT, 65280} {
			require.True(t, LowerRDATANames(typ, []byte{0x41, 0x42}))
		}
	})
}

func TestLabels(t *testing.T) {
	tests := []struct {
		owner string
		want  uint8
	}{
		{".", 0},
		{"example.", 1},
		{"www.example.com.", 3},
		{"WWW.Example.COM.", 3},
		{"*.example.", 1},
		{"*.a.example.", 2},
		{"*.", 0},
		{"*foo.example.", 2}, // not a wildcard: the label is "*foo"
		{"foo*.example.", 2},
		{"a.*.example.", 3}, // "*" only counts as wildcard as the leftmost label
		{`\*.example.`, 1},  // same wire name as "*.example."
		{`\042.example.`, 1},
		{`a\.b.example.`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			got, err := Labels(tt.owner)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"", "a..b.", strings.Repeat("a", 64) + ".", strings.Repeat("abcdefg.", 40)} {
		t.Run("bad "+bad[:min(len(bad), 10)], func(t *testing.T) {
			_, err := Labels(bad)
			require.ErrorIs(t, err, ErrName)
		})
	}
}

func TestAppendName(t *testing.T) {
	got, err := AppendName([]byte{0xff}, `WwW.\069xample.`)
	require.NoError(t, err)
	require.Equal(t, "ff03777777076578616d706c6500", hex.EncodeToString(got))
	got, err = AppendName(nil, ".")
	require.NoError(t, err)
	require.Equal(t, []byte{0}, got)
	_, err = AppendName(nil, "")
	require.ErrorIs(t, err, ErrName)
}

// rrsetWire builds the expected canonical RRset: owner (wire, already
// canonical), then for each RDATA in order type, class, ttl, rdlength,
// rdata.
func rrsetWire(owner []byte, typ, class uint16, ttl uint32, rdatas ...[]byte) []byte {
	var b []byte
	for _, rd := range rdatas {
		b = append(b, owner...)
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint16(b, class)
		b = binary.BigEndian.AppendUint32(b, ttl)
		b = binary.BigEndian.AppendUint16(b, uint16(len(rd)))
		b = append(b, rd...)
	}
	return b
}

func name(t testing.TB, s string) []byte {
	b, err := AppendName(nil, s)
	require.NoError(t, err)
	return b
}

func TestAppendRRset(t *testing.T) {
	a1 := []byte{192, 0, 2, 1}
	a2 := []byte{192, 0, 2, 2}
	a10 := []byte{192, 0, 2, 10}
	tests := []struct {
		name    string
		rrs     []string
		origTTL uint32
		labels  uint8
		want    func(t *testing.T) []byte
	}{
		{
			name:    "single A, TTL replaced by OrigTTL",
			rrs:     []string{"www.example. 60 IN A 192.0.2.1"},
			origTTL: 3600, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "www.example."), dns.TypeA, dns.ClassINET, 3600, a1)
			},
		},
		{
			name:    "different TTLs all become OrigTTL",
			rrs:     []string{"www.example. 60 IN A 192.0.2.2", "www.example. 120 IN A 192.0.2.1"},
			origTTL: 90, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "www.example."), dns.TypeA, dns.ClassINET, 90, a1, a2)
			},
		},
		{
			name:    "sorted by RDATA octets",
			rrs:     []string{"www.example. 60 IN A 192.0.2.10", "www.example. 60 IN A 192.0.2.2", "www.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "www.example."), dns.TypeA, dns.ClassINET, 60, a1, a2, a10)
			},
		},
		{
			name:    "owner case differs: still one RRset, owner lower-cased",
			rrs:     []string{"WWW.example. 60 IN A 192.0.2.2", "www.EXAMPLE. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "www.example."), dns.TypeA, dns.ClassINET, 60, a1, a2)
			},
		},
		{
			name:    "exact duplicates removed",
			rrs:     []string{"www.example. 60 IN A 192.0.2.1", "www.example. 60 IN A 192.0.2.2", "www.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "www.example."), dns.TypeA, dns.ClassINET, 60, a1, a2)
			},
		},
		{
			name:    "duplicates after canonicalisation removed (case and TTL)",
			rrs:     []string{"example. 60 IN NS NS1.example.", "example. 300 IN NS ns1.EXAMPLE.", `example. 60 IN NS \078S1.example.`},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "example."), dns.TypeNS, dns.ClassINET, 60, name(t, "ns1.example."))
			},
		},
		{
			name:    "NSEC next names differing in case are not duplicates",
			rrs:     []string{"example. 60 IN NSEC a.example. A", "example. 60 IN NSEC A.example. A"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "example."), dns.TypeNSEC, dns.ClassINET, 60,
					append([]byte{1, 'A', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}, 0, 1, 0x40),
					append([]byte{1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}, 0, 1, 0x40))
			},
		},
		{
			// RDATA 0x0100 sorts before 0x02 as octet strings, although
			// its RDLENGTH is larger: RDLENGTH is not part of the key.
			name:    "sort excludes RDLENGTH",
			rrs:     []string{`example. 60 IN TYPE65280 \# 1 02`, `example. 60 IN TYPE65280 \# 2 0100`},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "example."), 65280, dns.ClassINET, 60, []byte{1, 0}, []byte{2})
			},
		},
		{
			name:    "shorter RDATA that is a prefix sorts first",
			rrs:     []string{`example. 60 IN TYPE65280 \# 3 010203`, `example. 60 IN TYPE65280 \# 2 0102`, `example. 60 IN TYPE65280 \# 0`},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "example."), 65280, dns.ClassINET, 60, []byte{}, []byte{1, 2}, []byte{1, 2, 3})
			},
		},
		{
			name:    "MX sorted after lower-casing",
			rrs:     []string{"example. 60 IN MX 10 B.example.", "example. 60 IN MX 10 a.example.", "example. 60 IN MX 5 Z.example."},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				mx := func(p uint16, n string) []byte { return append(binary.BigEndian.AppendUint16(nil, p), name(t, n)...) }
				return rrsetWire(name(t, "example."), dns.TypeMX, dns.ClassINET, 60,
					mx(5, "z.example."), mx(10, "a.example."), mx(10, "b.example."))
			},
		},
		{
			name:    "wildcard owner, labels from the owner",
			rrs:     []string{"*.Example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.example."), dns.TypeA, dns.ClassINET, 60, a1)
			},
		},
		{
			name:    "wildcard expansion a.b.example. labels 1 (RFC 4035 §5.3.2)",
			rrs:     []string{"a.B.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.example."), dns.TypeA, dns.ClassINET, 60, a1)
			},
		},
		{
			// every RR of the set gets the "*." owner, not only the first
			name:    "wildcard expansion of a 3-RR set",
			rrs:     []string{"a.B.example. 60 IN A 192.0.2.10", "a.b.example. 60 IN A 192.0.2.1", "A.b.example. 60 IN A 192.0.2.2"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.example."), dns.TypeA, dns.ClassINET, 60, a1, a2, a10)
			},
		},
		{
			name:    "wildcard owner set of 2",
			rrs:     []string{"*.example. 60 IN A 192.0.2.2", "*.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.example."), dns.TypeA, dns.ClassINET, 60, a1, a2)
			},
		},
		{
			name:    "wildcard expansion one level",
			rrs:     []string{"x.w.example. 60 IN MX 1 Mail.example."},
			origTTL: 60, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.w.example."), dns.TypeMX, dns.ClassINET, 60, append([]byte{0, 1}, name(t, "mail.example.")...))
			},
		},
		{
			name:    "wildcard owner expanded further",
			rrs:     []string{"*.a.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 1,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*.example."), dns.TypeA, dns.ClassINET, 60, a1)
			},
		},
		{
			name:    "*foo is not a wildcard",
			rrs:     []string{"*foo.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*foo.example."), dns.TypeA, dns.ClassINET, 60, a1)
			},
		},
		{
			name:    "labels 0: root wildcard",
			rrs:     []string{"a.example. 60 IN A 192.0.2.1"},
			origTTL: 60, labels: 0,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "*."), dns.TypeA, dns.ClassINET, 60, a1)
			},
		},
		{
			name:    "class other than IN",
			rrs:     []string{"version.bind. 0 CH TXT \"x\""},
			origTTL: 0, labels: 2,
			want: func(t *testing.T) []byte {
				return rrsetWire(name(t, "version.bind."), dns.TypeTXT, dns.ClassCHAOS, 0, []byte{1, 'x'})
			},
		},
	}
	var e Encoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rrs []dns.RR
			var before []string
			for _, s := range tt.rrs {
				rr := mustRR(t, s)
				rrs = append(rrs, rr)
				before = append(before, rr.String())
			}
			got, err := e.AppendRRset([]byte{0xAA}, rrs, tt.origTTL, tt.labels)
			require.NoError(t, err)
			require.Equal(t, byte(0xAA), got[0])
			require.Equal(t, hex.EncodeToString(tt.want(t)), hex.EncodeToString(got[1:]))
			for i, rr := range rrs {
				require.Equal(t, before[i], rr.String(), "record %d modified", i)
				require.Zero(t, rr.Header().Rdlength, "record %d header written", i)
			}
			// The order of the input does not matter.
			slices.Reverse(rrs)
			again, err := e.AppendRRset(nil, rrs, tt.origTTL, tt.labels)
			require.NoError(t, err)
			require.Equal(t, got[1:], again)
		})
	}
}

func TestAppendRRsetErrors(t *testing.T) {
	tests := []struct {
		name   string
		rrs    []dns.RR
		labels uint8
		want   error
	}{
		{"empty", nil, 0, ErrNotRRset},
		{"nil record", []dns.RR{nil}, 0, ErrNotRRset},
		{"nil second record", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1"), nil}, 2, ErrNotRRset},
		{"mixed owner", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1"), mustRR(t, "b.example. 60 IN A 192.0.2.1")}, 2, ErrNotRRset},
		{"owner is a suffix", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1"), mustRR(t, "example. 60 IN A 192.0.2.1")}, 1, ErrNotRRset},
		{"mixed type", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1"), mustRR(t, "a.example. 60 IN AAAA 2001:db8::1")}, 2, ErrNotRRset},
		{"mixed class", []dns.RR{mustRR(t, "a.example. 60 IN TXT x"), mustRR(t, "a.example. 60 CH TXT x")}, 2, ErrNotRRset},
		{"labels too large", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1")}, 3, ErrLabels},
		{"labels too large for wildcard", []dns.RR{mustRR(t, "*.example. 60 IN A 192.0.2.1")}, 2, ErrLabels},
		{"empty owner", []dns.RR{&dns.A{Hdr: dns.RR_Header{Rrtype: dns.TypeA, Class: dns.ClassINET}, A: []byte{1, 2, 3, 4}}}, 0, ErrName},
		{"owner not fully qualified", []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "www.example", Rrtype: dns.TypeA, Class: dns.ClassINET}}}, 0, nil},
		{"typed nil record", []dns.RR{(*dns.A)(nil)}, 0, nil},
		{"second record typed nil", []dns.RR{mustRR(t, "a.example. 60 IN A 192.0.2.1"), (*dns.MX)(nil)}, 0, nil},
		{"bad owner", []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "a..b.", Rrtype: dns.TypeA, Class: dns.ClassINET}}}, 0, nil},
		{"bad RDATA name", []dns.RR{&dns.NS{Hdr: dns.RR_Header{Name: "a.", Rrtype: dns.TypeNS, Class: dns.ClassINET}, Ns: "x..y."}}, 1, nil},
	}
	var e Encoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.AppendRRset([]byte("keep"), tt.rrs, 60, tt.labels)
			require.Error(t, err)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			}
			require.Equal(t, "keep", string(out), "dst must be returned unchanged on error")
		})
	}
}

func TestAppendRRSIGRDATA(t *testing.T) {
	sig := mustRR(t, "www.example. 3600 IN RRSIG A 13 2 3600 20260101000000 20250101000000 4242 ExAmple. AAAA").(*dns.RRSIG)
	got, err := AppendRRSIGRDATA([]byte{9}, sig)
	require.NoError(t, err)
	// The wire RDATA of the same record with the signer name lower-cased,
	// without the signature.
	want := wire(t, mustRR(t, "www.example. 3600 IN RRSIG A 13 2 3600 20260101000000 20250101000000 4242 example. AAAA"), 3600)
	n := len(name(t, "www.example.")) + 10
	want = want[n : len(want)-3] // header and the 3-byte signature "AAAA"
	require.Equal(t, append([]byte{9}, want...), got)

	sig.SignerName = "bad..name."
	_, err = AppendRRSIGRDATA(nil, sig)
	require.ErrorIs(t, err, ErrName)
}

// TestAppendRRsetLarge checks records whose RDATA fills the buffer and a
// set large enough for the sort path with more than 12 records.
func TestAppendRRsetLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var rrs []dns.RR
	var rdatas [][]byte
	for i := range 40 {
		rd := make([]byte, 1+rng.IntN(3000))
		for j := range rd {
			rd[j] = byte(rng.Uint32())
		}
		if i == 7 {
			rd = slices.Clone(rdatas[3]) // one duplicate
		} else {
			rdatas = append(rdatas, rd)
		}
		rrs = append(rrs, &dns.RFC3597{
			Hdr:   dns.RR_Header{Name: "big.example.", Rrtype: 65281, Class: dns.ClassINET, Ttl: 5},
			Rdata: hex.EncodeToString(rd),
		})
	}
	slices.SortFunc(rdatas, bytes.Compare)
	var e Encoder
	got, err := e.AppendRRset(nil, rrs, 5, 2)
	require.NoError(t, err)
	require.Equal(t, rrsetWire(name(t, "big.example."), 65281, dns.ClassINET, 5, rdatas...), got)
}

// TestAppendRRsetConcurrent canonicalises the same records from several
// goroutines; run with -race it shows that the records are not written.
func TestAppendRRsetConcurrent(t *testing.T) {
	rrs := []dns.RR{
		mustRR(t, "Example. 60 IN MX 10 Mail.Example."),
		mustRR(t, "Example. 60 IN MX 20 Mail2.Example."),
	}
	var e0 Encoder
	want, err := e0.AppendRRset(nil, rrs, 60, 1)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			var e Encoder
			for range 200 {
				got, err := e.AppendRRset(nil, rrs, 60, 1)
				if err == nil && !bytes.Equal(got, want) {
					err = fmt.Errorf("got %x, want %x", got, want)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestAllocs guards the allocation budget of the canonicaliser: with a
// reused Encoder and buffer, canonicalising an RRset allocates nothing.
func TestAllocs(t *testing.T) {
	sets := map[string][]dns.RR{
		"1 A": {mustRR(t, "www.Example.com. 300 IN A 192.0.2.1")},
		"4 A": {
			mustRR(t, "www.Example.com. 300 IN A 192.0.2.4"), mustRR(t, "www.Example.com. 300 IN A 192.0.2.3"),
			mustRR(t, "www.Example.com. 300 IN A 192.0.2.2"), mustRR(t, "www.Example.com. 300 IN A 192.0.2.1"),
		},
		"1 MX": {mustRR(t, "Example.com. 300 IN MX 10 Mail.Example.com.")},
		"4 MX": {
			mustRR(t, "Example.com. 300 IN MX 40 Mail4.Example.com."), mustRR(t, "Example.com. 300 IN MX 30 Mail3.Example.com."),
			mustRR(t, "Example.com. 300 IN MX 20 Mail2.Example.com."), mustRR(t, "Example.com. 300 IN MX 10 Mail.Example.com."),
		},
		"wildcard expansion": {mustRR(t, "a.b.Example.com. 300 IN A 192.0.2.1")},
	}
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			var e Encoder
			var buf []byte
			var err error
			labels, err := Labels(set[0].Header().Name)
			require.NoError(t, err)
			labels = min(labels, 2)
			allocs := testing.AllocsPerRun(200, func() {
				buf, err = e.AppendRRset(buf[:0], set, 300, labels)
			})
			require.NoError(t, err)
			require.Zero(t, allocs, "AppendRRset allocates")
		})
	}
	t.Run("Labels", func(t *testing.T) {
		require.Zero(t, testing.AllocsPerRun(200, func() { _, _ = Labels("www.example.com.") }))
	})
	t.Run("Compare", func(t *testing.T) {
		require.Zero(t, testing.AllocsPerRun(200, func() { _ = Compare("www.example.com.", "WWW.example.org.") }))
	})
}
