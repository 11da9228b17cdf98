package keytag_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/keytag"
)

// readZone parses a testdata zone file.
func readZone(tb testing.TB, name string) []dns.RR {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(tb, err)
	defer f.Close()
	zp := dns.NewZoneParser(f, "", name)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	require.NoError(tb, zp.Err(), name)
	return rrs
}

// dnskeys returns the DNSKEY records of a testdata zone file, in order.
func dnskeys(tb testing.TB, name string) []*dns.DNSKEY {
	tb.Helper()
	var keys []*dns.DNSKEY
	for _, rr := range readZone(tb, name) {
		if k, ok := rr.(*dns.DNSKEY); ok {
			keys = append(keys, k)
		}
	}
	require.NotEmpty(tb, keys, name)
	return keys
}

// refKeyTag is a literal transcription of the ANSI C reference code of
// RFC 4034 Appendix B, with a 64-bit accumulator.
func refKeyTag(key []byte) uint16 {
	var ac uint64
	for i := range key {
		if i&1 != 0 {
			ac += uint64(key[i])
		} else {
			ac += uint64(key[i]) << 8
		}
	}
	ac += (ac >> 16) & 0xFFFF
	return uint16(ac & 0xFFFF)
}

// rdata packs k with miekg/dns and returns its RDATA.
func rdata(tb testing.TB, k *dns.DNSKEY) []byte {
	tb.Helper()
	buf := make([]byte, dns.Len(k)+1)
	n, err := dns.PackRR(k, buf, 0, nil, false)
	require.NoError(tb, err)
	return buf[n-int(k.Hdr.Rdlength) : n]
}

// vectors lists every testdata zone file and the tags of its DNSKEYs, in
// file order.
var vectors = []struct {
	file string
	tags []uint16
}{
	{"rfc4034-2.3.zone", []uint16{2642}},
	{"rfc4034-5.4.zone", []uint16{60485}},
	{"rfc4509-2.3.zone", []uint16{60485}},
	{"rfc6605-6.1.zone", []uint16{55648}},
	{"rfc6605-6.2.zone", []uint16{10771}},
	{"rfc8080-6.1.zone", []uint16{3613, 35217}},
	{"rfc8080-6.2.zone", []uint16{9713, 38353}},
	{"rfc5702-6.1.zone", []uint16{9033}},
	{"rfc5702-6.2.zone", []uint16{3740}},
	{"rfc5155-A.zone", []uint16{40430, 12708}},
	{"rfc4035-A.zone", []uint16{38519, 9465}},
	{"rfc8976-A.4.zone", []uint16{37444, 30577, 12670}},
	{"dnspython-rsamd5.zone", []uint16{30239, 62992}},
	{"tag0.zone", []uint16{0, 0}},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(strings.TrimSuffix(v.file, ".zone"), func(t *testing.T) {
			rrs := readZone(t, v.file)
			var got []uint16
			for _, rr := range rrs {
				k, ok := rr.(*dns.DNSKEY)
				if !ok {
					continue
				}
				tag, err := keytag.Compute(k)
				require.NoError(t, err)
				got = append(got, tag)

				rd := rdata(t, k)
				require.Equal(t, tag, keytag.FromRDATA(rd), "FromRDATA of miekg-packed RDATA")
				if k.Algorithm != dns.RSAMD5 {
					require.Equal(t, refKeyTag(rd), tag, "RFC 4034 Appendix B reference code")
					require.Equal(t, k.KeyTag(), tag, "miekg/dns KeyTag")
				}
			}
			require.Equal(t, v.tags, got)

			// Every DS in the file names one of the file's keys.
			for _, rr := range rrs {
				if ds, ok := rr.(*dns.DS); ok {
					require.Contains(t, got, ds.KeyTag, "DS %s", ds)
				}
			}
		})
	}
}

// TestVectorsCoverTestdata makes sure no testdata zone file is forgotten.
func TestVectorsCoverTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.zone"))
	require.NoError(t, err)
	var listed []string
	for _, v := range vectors {
		listed = append(listed, filepath.Join("testdata", v.file))
	}
	slices.Sort(files)
	slices.Sort(listed)
	require.Equal(t, files, listed)
}

// TestAlgorithm1 checks the RFC 4034 Appendix B.1 rule, which miekg/dns
// v1.1.73 does not implement.
func TestAlgorithm1(t *testing.T) {
	t.Run("dnspython", func(t *testing.T) {
		keys := dnskeys(t, "dnspython-rsamd5.zone")
		require.Len(t, keys, 2)
		// The generic Appendix B sum gives other values; these are what
		// miekg/dns returns and what B.1 exists to replace.
		for i, generic := range []uint16{65160, 38849} {
			require.Equal(t, generic, refKeyTag(rdata(t, keys[i])))
			tag, err := keytag.Compute(keys[i])
			require.NoError(t, err)
			require.NotEqual(t, generic, tag)
		}
	})
	tests := []struct {
		name string
		key  []byte // public key field
		want uint16
	}{
		{"three octets", []byte{0xab, 0xcd, 0xef}, 0xabcd},
		{"exponent then modulus", []byte{0x01, 0x03, 0x12, 0x34, 0x56, 0x78, 0x9a}, 0x5678},
		{"high octets zero", []byte{0xff, 0xff, 0x00, 0x00, 0xff}, 0},
		{"two octets", []byte{0xab, 0xcd}, 0},
		{"one octet", []byte{0xab}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd := append([]byte{0x01, 0x01, 3, dns.RSAMD5}, tc.key...)
			require.Equal(t, tc.want, keytag.FromRDATA(rd))
			k := &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: dns.RSAMD5,
				PublicKey: base64.StdEncoding.EncodeToString(tc.key)}
			tag, err := keytag.Compute(k)
			require.NoError(t, err)
			require.Equal(t, tc.want, tag)
		})
	}
}

func TestFromRDATA(t *testing.T) {
	tests := []struct {
		name  string
		rdata []byte
		want  uint16
	}{
		{"empty", nil, 0},
		{"one octet", []byte{0x12}, 0x1200},
		{"two octets", []byte{0x12, 0x34}, 0x1234},
		{"odd length", []byte{0x12, 0x34, 0x56}, 0x1234 + 0x5600},
		// 0xffff + 0xffff = 0x1fffe; fold the carry: 0xfffe + 1.
		{"carry folded", []byte{0xff, 0xff, 0xff, 0xff}, 0xffff},
		// 0xffff + 0xffff + 0x0001 = 0x1ffff; one fold: 0x1ffff + 1 =
		// 0x20000, low 16 bits 0. An Internet (ones' complement) checksum
		// would fold again and give 1: RFC 4034 Appendix B warns that
		// the two differ.
		{"fold to zero", []byte{0xff, 0xff, 0xff, 0xff, 0x00, 0x01}, 0},
		// Four header octets with algorithm 1 but no key at all.
		{"algorithm 1 without key", []byte{0x01, 0x00, 3, 1}, 0},
		// Algorithm 1 only applies once the algorithm octet exists.
		{"three octets", []byte{0x00, 0x00, 0x01}, 0x0100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, keytag.FromRDATA(tc.rdata))
			if len(tc.rdata) < 4 || tc.rdata[3] != dns.RSAMD5 {
				require.Equal(t, refKeyTag(tc.rdata), tc.want)
			}
		})
	}
	t.Run("maximum RDLENGTH", func(t *testing.T) {
		rd := bytes.Repeat([]byte{0xff}, 65535)
		rd[3] = dns.ED25519
		require.Equal(t, refKeyTag(rd), keytag.FromRDATA(rd))
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		key  *dns.DNSKEY
	}{
		{"nil", nil},
		{"empty key", &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: 13}},
		{"newline only", &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: 13, PublicKey: "\r\n"}},
		{"not base64", &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: 13, PublicKey: "!!!!"}},
		{"bad padding", &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: 13, PublicKey: "AAA"}},
		{"space inside", &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: 13, PublicKey: "AAAA AAAA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tag, err := keytag.Compute(tc.key)
			require.ErrorIs(t, err, keytag.ErrNoKey)
			require.Zero(t, tag)
			require.True(t, strings.HasPrefix(err.Error(), "keytag: "), err.Error())

			prefix := []byte("prefix")
			b, err := keytag.AppendRDATA(prefix, tc.key)
			require.ErrorIs(t, err, keytag.ErrNoKey)
			require.Equal(t, []byte("prefix"), b)
		})
	}
}

func TestAppendRDATA(t *testing.T) {
	for _, v := range vectors {
		t.Run(strings.TrimSuffix(v.file, ".zone"), func(t *testing.T) {
			for _, k := range dnskeys(t, v.file) {
				b, err := keytag.AppendRDATA([]byte{0xde, 0xad}, k)
				require.NoError(t, err)
				require.Equal(t, append([]byte{0xde, 0xad}, rdata(t, k)...), b)
			}
		})
	}
	t.Run("newlines ignored", func(t *testing.T) {
		k := &dns.DNSKEY{Flags: 256, Protocol: 3, Algorithm: 15, PublicKey: "AAEC\r\nAwQF"}
		b, err := keytag.AppendRDATA(nil, k)
		require.NoError(t, err)
		require.Equal(t, []byte{1, 0, 3, 15, 0, 1, 2, 3, 4, 5}, b)
	})
}

func TestComputeAllocs(t *testing.T) {
	rsa4096 := &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: dns.RSASHA256,
		PublicKey: base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, 1+3+512))}
	keys := []*dns.DNSKEY{rsa4096}
	for _, v := range vectors {
		keys = append(keys, dnskeys(t, v.file)...)
	}
	for _, k := range keys {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := keytag.Compute(k); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, "algorithm %d, %d base64 characters", k.Algorithm, len(k.PublicKey))
	}

	// Keys longer than the stack buffer still work.
	huge := make([]byte, 5000)
	for i := range huge {
		huge[i] = byte(i * 7)
	}
	k := &dns.DNSKEY{Flags: 257, Protocol: 3, Algorithm: dns.RSASHA256,
		PublicKey: base64.StdEncoding.EncodeToString(huge)}
	tag, err := keytag.Compute(k)
	require.NoError(t, err)
	require.Equal(t, refKeyTag(append([]byte{1, 1, 3, dns.RSASHA256}, huge...)), tag)
}

func BenchmarkKeyTag(b *testing.B) {
	k := dnskeys(b, "rfc6605-6.1.zone")[0]
	b.Run("dnsseal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := keytag.Compute(k); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miekg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.KeyTag()
		}
	})
}

func BenchmarkKeyTagRSA2048(b *testing.B) {
	k := dnskeys(b, "rfc8976-A.4.zone")[1]
	b.Run("dnsseal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := keytag.Compute(k); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miekg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.KeyTag()
		}
	})
}
