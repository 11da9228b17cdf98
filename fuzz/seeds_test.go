package fuzz

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the generated seed files in testdata/fuzz")

// seed is one generated seed corpus file: testdata/fuzz/<target>/<name>.
type seed struct {
	name   string
	values []any
}

// seedPrefix starts the name of every generated seed file; other files in
// the corpus directories are crashers found by fuzzing and are kept.
const seedPrefix = "seed-"

// TestSeedCorpus checks that the generated seed files of every target are
// in testdata/fuzz and up to date, or rewrites them with -update.
func TestSeedCorpus(t *testing.T) {
	targets := map[string][]seed{
		"FuzzSignValidate":      signValidateSeeds(t),
		"FuzzDifferentialMiekg": differentialSeeds(t),
		"FuzzRecords":           recordsSeeds(t),
		"FuzzZoneSign":          zoneSignSeeds(t),
		"FuzzRecordsResigned":   resignSeeds(t),
	}
	for target, seeds := range targets {
		t.Run(target, func(t *testing.T) {
			dir := filepath.Join("testdata", "fuzz", target)
			want := map[string][]byte{}
			for _, s := range seeds {
				name := seedPrefix + s.name
				_, dup := want[name]
				require.False(t, dup, "two seeds named %s", name)
				want[name] = marshalSeed(s.values...)
			}
			if *update {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				old, err := filepath.Glob(filepath.Join(dir, seedPrefix+"*"))
				require.NoError(t, err)
				for _, p := range old {
					require.NoError(t, os.Remove(p))
				}
				for name, data := range want {
					require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
				}
				return
			}
			for name, data := range want {
				got, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err, "run go test ./fuzz -run TestSeedCorpus -update")
				require.Equal(t, string(data), string(got), "%s is stale: run go test ./fuzz -run TestSeedCorpus -update", name)
			}
			have, err := filepath.Glob(filepath.Join(dir, seedPrefix+"*"))
			require.NoError(t, err)
			require.Len(t, have, len(want), "stale seed files: run go test ./fuzz -run TestSeedCorpus -update")
		})
	}
}

// marshalSeed writes values in the "go test fuzz v1" corpus file format
// (as internal/fuzz's marshalCorpusFile does for these types).
func marshalSeed(values ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, v := range values {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case byte:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		case uint16, uint32, uint64, int64, bool:
			fmt.Fprintf(&b, "%T(%v)\n", v, v)
		default:
			panic(fmt.Sprintf("marshalSeed: unsupported type %T", v))
		}
	}
	return b.Bytes()
}

// rrsetSeed is an RRset seed shared by FuzzSignValidate and
// FuzzDifferentialMiekg.
type rrsetSeed struct {
	name       string
	in         rrsetInput
	zoneLabels uint8
}

// rrsetSeeds are the RRsets of the signature test vectors (one per type and
// vector file) and hand-made corner cases of canonicalisation.
func rrsetSeeds(tb testing.TB) []rrsetSeed {
	var out []rrsetSeed
	seen := map[string]bool{}
	for _, v := range testvectors.Signatures() {
		h := v.RRset[0].Header()
		id := v.RFC + v.Section + dns.Type(h.Rrtype).String()
		if seen[id] {
			continue
		}
		seen[id] = true
		name := strings.ToLower(strings.NewReplacer(" ", "-", ".", "_").Replace(v.RFC + "-" + v.Section + "-" + dns.Type(h.Rrtype).String()))
		out = append(out, rrsetSeed{
			name:       name,
			in:         rrsetInput{owner: h.Name, rrtype: h.Rrtype, ttl: h.Ttl, rdatas: encodeRDATAs(tb, v.RRset...)},
			zoneLabels: uint8(dns.CountLabel(v.RRSIG.SignerName)),
		})
	}
	corner := []struct {
		name       string
		owner      string
		textOwner  bool
		zoneLabels uint8
		records    []string // RDATA in presentation form
		rrtype     uint16
	}{
		{"wildcard-mx-mixed-case", "*.Example.", false, 1, []string{"10 Mail.EXAMPLE.", "20 mx2.Example.", "10 mail.example."}, dns.TypeMX},
		{"star-label-not-wildcard", "*foo.example.", false, 1, []string{"192.0.2.1"}, dns.TypeA},
		{"escaped-wildcard", `\042.example.`, true, 1, []string{"192.0.2.2"}, dns.TypeA},
		{"escaped-letters-owner", `\065\066c.Example.`, true, 1, []string{`"text"`}, dns.TypeTXT},
		{"escaped-dot-owner", `a\.B.example.`, true, 1, []string{"ns.Example."}, dns.TypeNS},
		{"raw-utf8-owner", "caf\u00e9.example.", true, 1, []string{"192.0.2.3"}, dns.TypeA},
		{"root-ns", ".", false, 0, []string{"A.ROOT-SERVERS.NET.", "b.root-servers.net."}, dns.TypeNS},
		{"soa-upper", "Example.", false, 1, []string{"NS1.Example. Hostmaster.Example. 1 2 3 4 5"}, dns.TypeSOA},
		{"srv-upper", "_sip._tcp.Example.", false, 1, []string{"0 5 5060 SIP.Example."}, dns.TypeSRV},
		{"naptr-upper", "Example.", false, 1, []string{`100 10 "S" "SIP+D2U" "" _Sip._Udp.Example.`}, dns.TypeNAPTR},
		{"rp-upper", "Example.", false, 1, []string{"Admin.Example. TXT.Example."}, dns.TypeRP},
		{"px-upper", "Example.", false, 1, []string{"10 Net2.IT. PRMD-net2.ADMD-p400.C-it."}, dns.TypePX},
		{"kx-upper", "Example.", false, 1, []string{"10 KX.Example."}, dns.TypeKX},
		{"minfo-upper", "Example.", false, 1, []string{"RMail.Example. EMail.Example."}, dns.TypeMINFO},
		{"afsdb-upper", "Example.", false, 1, []string{"1 AFS.Example."}, dns.TypeAFSDB},
		{"rt-upper", "Example.", false, 1, []string{"10 Relay.Example."}, dns.TypeRT},
		{"dname-upper", "D.Example.", false, 1, []string{"Target.Example."}, dns.TypeDNAME},
		{"cname-upper", "C.Example.", false, 1, []string{"Target.Example."}, dns.TypeCNAME},
		{"ptr-upper", "1.2.0.192.in-addr.arpa.", false, 4, []string{"Host.Example."}, dns.TypePTR},
		{"hinfo-case-kept", "Example.", false, 1, []string{`"INTEL" "Linux"`}, dns.TypeHINFO},
		{"nsec-case-kept", "Example.", false, 1, []string{"A.Example. A NS SOA MX RRSIG NSEC"}, dns.TypeNSEC},
		{"svcb-case-kept", "_dns.Example.", false, 1, []string{`1 DNS.Example. alpn=dot`}, dns.TypeSVCB},
		{"nxt-upper", "Example.", false, 1, []string{"Next.Example. A NS"}, dns.TypeNXT},
		{"a6-upper", "Example.", false, 1, []string{`\# 10 40 0102030405060708 00`}, typeA6},
		{"a6-prefix-name", "Example.", false, 1, []string{`\# 14 40 0102030405060708 03414243 00`}, typeA6},
		{"sig-upper", "Example.", false, 1, []string{"A 13 1 3600 20300101000000 20200101000000 1 Signer.Example. AAAA"}, dns.TypeSIG},
		{"rrsig-refused", "Example.", false, 1, []string{"A 13 1 3600 20300101000000 20200101000000 1 Signer.Example. AAAA"}, dns.TypeRRSIG},
		{"duplicates", "dup.example.", false, 1, []string{"192.0.2.1", "192.0.2.1", "192.0.2.2"}, dns.TypeA},
		{"unknown-type", "Example.", false, 1, []string{`\# 6 414243646566`, `\# 0`}, 65280},
		{"dnskey", "example.", false, 1, []string{"256 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="}, dns.TypeDNSKEY},
		{"long-owner", strings.Repeat("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", 3) + "Z123456789012345678901234567890123456789012345678901234567890.", false, 2, []string{"192.0.2.4"}, dns.TypeA},
		{"txt-long", "t.example.", false, 1, []string{`"` + strings.Repeat("x", 255) + `" "` + strings.Repeat("Y", 255) + `"`}, dns.TypeTXT},
	}
	for _, c := range corner {
		var rrs []dns.RR
		owner := c.owner
		if c.textOwner {
			owner = "x.example." // the RDATA does not depend on it
		}
		for _, rd := range c.records {
			rr, err := dns.NewRR(fmt.Sprintf("%s 300 IN %s %s", owner, dns.Type(c.rrtype), rd))
			require.NoError(tb, err, c.name)
			rrs = append(rrs, rr)
		}
		out = append(out, rrsetSeed{
			name:       c.name,
			in:         rrsetInput{owner: c.owner, rrtype: c.rrtype, ttl: 300, rdatas: encodeRDATAs(tb, rrs...), textOwner: c.textOwner},
			zoneLabels: c.zoneLabels,
		})
	}
	return out
}

func signValidateSeeds(tb testing.TB) []seed {
	var out []seed
	for _, s := range rrsetSeeds(tb) {
		in := s.in
		out = append(out,
			seed{s.name, []any{in.owner, in.rrtype, in.ttl, in.rdatas, s.zoneLabels, in.textOwner, uint64(0), uint32(0)}},
			// every letter of the owner flipped, a change of case at
			// byte 7 of the first record's RDATA
			seed{s.name + "-flip", []any{in.owner, in.rrtype, in.ttl, in.rdatas, s.zoneLabels, in.textOwner, ^uint64(0), uint32(0x00000700)}},
		)
	}
	return out
}

func differentialSeeds(tb testing.TB) []seed {
	var out []seed
	for _, s := range rrsetSeeds(tb) {
		in := s.in
		out = append(out, seed{s.name, []any{in.owner, in.rrtype, in.ttl, in.rdatas, s.zoneLabels, in.textOwner}})
	}
	return out
}

// recordsSeeds are the zone files of the test vectors, each checked at an
// instant inside its validity window (or at the fixed now), and sets of
// records signed here with P-256: a small zone with its DS, a wildcard
// expansion, mixed-case owners and a broken signature.
func recordsSeeds(tb testing.TB) []seed {
	var out []seed
	for _, name := range testvectors.Files() {
		if !strings.HasSuffix(name, ".zone") {
			continue
		}
		text := withKeys(string(testvectors.Raw(name)))
		at := validAt(text)
		require.LessOrEqual(tb, len(text), maxRecordsText, name)
		out = append(out, seed{"vector-" + strings.TrimSuffix(name, ".zone"), []any{text, at.Unix()}})
	}
	ksk, _, err := newKey(tb, 0, "example.", signer.FlagsKSK)
	require.NoError(tb, err)
	zsk, _, err := newKey(tb, 1, "example.", signer.FlagsZSK)
	require.NoError(tb, err)
	ds, err := dsrecord.FromDNSKEY(ksk.DNSKEY(), dsrecord.SHA256)
	require.NoError(tb, err)
	sign := func(keys []*signer.Key, rrs ...dns.RR) string {
		sigs, err := signer.Sign(context.Background(), rrs, keys, signOpts)
		require.NoError(tb, err)
		var b strings.Builder
		for _, rr := range rrs {
			b.WriteString(rr.String() + "\n")
		}
		for _, s := range sigs {
			b.WriteString(s.String() + "\n")
		}
		return b.String()
	}
	mustRRs := func(lines ...string) []dns.RR {
		var rrs []dns.RR
		for _, l := range lines {
			rr, err := dns.NewRR(l)
			require.NoError(tb, err)
			rrs = append(rrs, rr)
		}
		return rrs
	}
	keys := []dns.RR{dns.Copy(ksk.DNSKEY()), dns.Copy(zsk.DNSKEY())}
	zone := sign([]*signer.Key{ksk}, keys...) +
		sign([]*signer.Key{zsk}, mustRRs("example. 300 IN SOA ns.example. h.example. 1 2 3 4 300")...) +
		sign([]*signer.Key{zsk}, mustRRs("www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.2")...) +
		sign([]*signer.Key{zsk}, mustRRs("example. 300 IN MX 10 Mail.Example.")...) +
		ds.String() + "\n"
	out = append(out, seed{"p256-zone", []any{zone, now.Unix()}})
	out = append(out, seed{"p256-zone-expired", []any{zone, expiration.Add(time.Hour).Unix()}})

	// A wildcard RRset signed at *.example., then answered for
	// a.b.example. with mixed-case owners.
	wild := mustRRs("*.example. 300 IN TXT \"wild\"", "*.example. 300 IN TXT \"card\"")
	sigs, err := signer.Sign(context.Background(), wild, []*signer.Key{zsk}, signOpts)
	require.NoError(tb, err)
	exp := sigs[0]
	exp.Hdr.Name = "a.B.example."
	expansion := keys[1].String() + "\n" + exp.String() + "\n" +
		"A.b.example. 250 IN TXT \"wild\"\na.B.EXAMPLE. 100 IN TXT \"card\"\n"
	out = append(out, seed{"p256-wildcard-expansion", []any{expansion, now.Unix()}})

	// A signature over other data, a DS without its key, an RRSIG without
	// its RRset, and $ORIGIN / $TTL directives with relative names.
	bad := strings.Replace(zone, "192.0.2.2", "192.0.2.3", 1)
	out = append(out, seed{"p256-bogus", []any{bad, now.Unix()}})
	misc := "$ORIGIN example.\n$TTL 300\n@ DS 1 13 2 " + strings.Repeat("ab", 32) +
		"\nsub DS 1 13 1 " + strings.Repeat("cd", 20) +
		"\nlost RRSIG A 13 2 300 20300101000000 20200101000000 1 example. " + strings.Repeat("A", 88) +
		"\n*foo RRSIG A 13 2 300 20300101000000 20200101000000 1 example. AAAA\n"
	out = append(out, seed{"misc", []any{misc, now.Unix()}})
	return out
}

// withKeys appends to the zone text the DNSKEYs of the test vectors that
// its RRSIGs name and that it lacks (the RFC 5155 Appendix B responses
// hold no DNSKEY).
func withKeys(text string) string {
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	have := map[string]bool{}
	need := map[string]bool{}
	id := func(owner string, alg uint8, tag uint16) string {
		return fmt.Sprintf("%s/%d/%d", strings.ToLower(dns.Fqdn(owner)), alg, tag)
	}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		switch rr := rr.(type) {
		case *dns.DNSKEY:
			have[id(rr.Hdr.Name, rr.Algorithm, rr.KeyTag())] = true
		case *dns.RRSIG:
			need[id(rr.SignerName, rr.Algorithm, rr.KeyTag)] = true
		}
	}
	for _, k := range testvectors.Keys() {
		kid := id(k.DNSKEY.Hdr.Name, k.DNSKEY.Algorithm, k.KeyTag)
		if need[kid] && !have[kid] {
			text += k.DNSKEY.String() + "\n"
			have[kid] = true
		}
	}
	return text
}

// resignSeeds are the texts of the FuzzRecords seeds, and records of
// other classes and with mixed-case owners and TTLs.
func resignSeeds(tb testing.TB) []seed {
	var out []seed
	for _, s := range recordsSeeds(tb) {
		out = append(out, seed{s.name, []any{s.values[0]}})
	}
	out = append(out, seed{"classes-case-ttl", []any{"$ORIGIN example.\n" +
		"www 300 IN A 192.0.2.1\nWWW 200 IN A 192.0.2.2\nwWw 100 IN A 192.0.2.1\n" +
		"version.bind. 0 CH TXT \"x\"\n*.Example. 60 IN MX 10 Mail.Example.\n" +
		"*foo 60 IN TXT star\n\\065bc 60 IN TXT escaped\nabc 60 IN TXT plain\n" +
		". 60 IN NS a.root-servers.net.\n"}})
	return out
}

// validAt returns an instant at which the RRSIGs of the zone text are
// valid: the middle of the intersection of their windows, or of the first
// window if they do not intersect, or now if there are none.
func validAt(text string) time.Time {
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	var first *dns.RRSIG
	var from, to uint32 = 0, ^uint32(0)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		s, isSig := rr.(*dns.RRSIG)
		if !isSig {
			continue
		}
		if first == nil {
			first = s
		}
		from, to = max(from, s.Inception), min(to, s.Expiration)
	}
	if first == nil {
		return now
	}
	if from >= to {
		from, to = first.Inception, first.Expiration
	}
	return time.Unix(int64(from)+int64(to-from)/2, 0).UTC()
}

// zoneSignSeeds are small zones: every kind of name zonesign classifies,
// case and escape corner cases, and a few that must be refused.
func zoneSignSeeds(tb testing.TB) []seed {
	const soa = "$ORIGIN example.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n"
	zones := []struct{ name, text string }{
		{"minimal", soa},
		{"records", soa + "www A 192.0.2.2\nwww AAAA 2001:db8::2\n@ MX 10 Mail\nmail A 192.0.2.3\n@ TXT \"v=spf1 -all\"\n"},
		{"delegation-glue", soa + "sub NS ns.sub\nns.sub A 192.0.2.9\nsub DS 12345 13 2 " + strings.Repeat("ab", 32) + "\ninsecure NS ns.other.\n"},
		{"occluded", soa + "sub NS ns.other.\ndeep.below.sub TXT occluded\n"},
		{"ent-wildcard", soa + "a.b.c TXT deep\n*.w TXT wild\n*foo TXT notwild\n"},
		{"dname", soa + "d DNAME target.other.\nx.d A 192.0.2.4\n"},
		{"mixed-case", "$ORIGIN Example.\n@ 300 SOA NS1 HostMaster 1 2 3 4 300\n@ NS NS1.example.\nNS1 A 192.0.2.1\nWWW.Example. A 192.0.2.5\nwww.EXAMPLE. A 192.0.2.6\n"},
		{"escapes", soa + "\\065bc TXT escaped\nabc TXT plain\na\\.b TXT dot\n\\\\ TXT backslash\n"},
		{"ttl-mismatch", soa + "www 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n"},
		{"cname", soa + "alias CNAME www\nwww A 192.0.2.1\n"},
		{"apex-keys-cds", soa + "@ DNSKEY 256 3 13 WGdNG89ZwZTH4eXm6wY0PaOXQfztRWfBfWBYG2kLwh6RlwYmNGkhvl8qu/pnionL506S7636/9CKv9n4nOKZog==\n@ CDS 0 0 0 00\n"},
		{"signed-input", soa + "@ RRSIG SOA 13 1 300 20300101000000 20200101000000 1 example. AAAA\n@ NSEC example. SOA\n@ NSEC3PARAM 1 0 0 -\n"},
		{"types", soa + "_sip._tcp SRV 0 5 5060 SIP\n@ NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp\n@ HINFO \"INTEL\" \"Linux\"\n@ CAA 0 issue \"ca.example\"\n@ TYPE65280 \\# 2 abcd\n_dns SVCB 1 Dns alpn=dot\n"},
		{"refuse-cname-and-data", soa + "x CNAME www\nx A 192.0.2.1\n"},
		{"refuse-out-of-zone", soa + "www.other. A 192.0.2.1\n"},
		{"refuse-no-soa", "$ORIGIN example.\n@ 300 NS ns1\nns1 300 A 192.0.2.1\n"},
		{"refuse-ds-apex", soa + "@ DS 1 13 2 " + strings.Repeat("ab", 32) + "\n"},
		{"generate", soa + "$GENERATE 1-10 h$ A 192.0.2.$\n$GENERATE 0-30/10 p${0,3,x}.rev PTR host$\n$GENERATE 1-4 d$ NS ns.d$\n"},
		// Zones that made one execution take minutes: one $GENERATE
		// line makes 65536 records, 8 KiB of such lines 14 million
		// (refused by ParseOptions.MaxRecords); 2 KiB make 4 GiB of TXT
		// records (refused by ParseOptions.MaxGeneratedSize); 500
		// records 110 labels deep make 55,000 empty non-terminals, each
		// with a signed NSEC3 record (skipped by maxZoneNames).
		{"refuse-generate-range", soa + "$GENERATE 0-65535 g$ A 192.0.2.1\n"},
		{"refuse-generate-lines", soa + generateLines(maxText-len(soa))},
		{"refuse-generate-txt", soa + "$GENERATE 0-65535 t$ TXT \"" + strings.Repeat("${0,250}", 250) + "\"\n"},
		{"refuse-generate-ents", soa + "$GENERATE 1-500 " + strings.Repeat("e.", 110) + "$ A 192.0.2.1\n"},
	}
	// The unsigned data of the RFC 4035 Appendix A zone.
	var b strings.Builder
	for _, rr := range testvectors.RFC4035Zone().Records {
		switch rr.Header().Rrtype {
		case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeDNSKEY:
			continue
		}
		b.WriteString(rr.String() + "\n")
	}
	zones = append(zones, struct{ name, text string }{"rfc4035-unsigned", b.String()})
	var out []seed
	for _, z := range zones {
		require.LessOrEqual(tb, len(z.text), maxText, z.name)
		out = append(out,
			seed{z.name + "-nsec", []any{z.text, false, byte(0)}},
			seed{z.name + "-nsec3", []any{z.text, true, byte(3)}},
		)
	}
	slices.SortFunc(out, func(a, b seed) int { return strings.Compare(a.name, b.name) })
	return out
}

// generateLines returns zone text of at most size bytes made of $GENERATE
// lines of 65536 records each.
func generateLines(size int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		line := fmt.Sprintf("$GENERATE 0-65535 g%d-$ A 192.0.2.1\n", i)
		if b.Len()+len(line) > size {
			return b.String()
		}
		b.WriteString(line)
	}
}
