package zonegen_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func generate(t testing.TB, opts zonegen.Options) ([]byte, zonegen.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := zonegen.Write(&buf, opts)
	require.NoError(t, err)
	require.Equal(t, int64(buf.Len()), st.Bytes)
	return buf.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		opts zonegen.Options
	}{
		{"zero", zonegen.Options{}},
		{"small", zonegen.Options{Names: 50, Seed: 7}},
		{"large", zonegen.Options{Names: 20000, Seed: 42, Origin: "example.org"}},
		{"mixed", zonegen.Options{Names: 5000, Seed: 3, MixedCase: true}},
		{"root", zonegen.Options{Names: 500, Origin: "."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, sa := generate(t, tt.opts)
			b, sb := generate(t, tt.opts)
			require.Equal(t, a, b)
			require.Equal(t, sa, sb)

			other := tt.opts
			other.Seed++
			c, _ := generate(t, other)
			if tt.opts.Names > 0 {
				require.NotEqual(t, a, c, "another seed must give another zone")
			}
		})
	}
}

// TestPrefix checks that a smaller zone is a prefix of a larger one with the
// same seed: entries do not depend on Options.Names.
func TestPrefix(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		t.Run(fmt.Sprint("mixed=", mixed), func(t *testing.T) {
			small, _ := generate(t, zonegen.Options{Names: 1000, Seed: 11, MixedCase: mixed})
			large, _ := generate(t, zonegen.Options{Names: 3000, Seed: 11, MixedCase: mixed})
			require.True(t, bytes.HasPrefix(large, small))
		})
	}
}

// TestMixedCase checks that MixedCase changes only the case of letters.
func TestMixedCase(t *testing.T) {
	for _, seed := range []uint64{0, 1, 99} {
		t.Run(string(rune('a'+seed%26)), func(t *testing.T) {
			lower, sl := generate(t, zonegen.Options{Names: 3000, Seed: seed})
			mixed, sm := generate(t, zonegen.Options{Names: 3000, Seed: seed, MixedCase: true})
			require.NotEqual(t, lower, mixed)
			require.Equal(t, bytes.ToLower(lower), bytes.ToLower(mixed))
			require.Equal(t, sl, sm)
		})
	}
}

// zoneModel is what a parsed zone looks like, keyed by lower-case owner.
type zoneModel struct {
	types    map[string]map[uint16]int // owner -> type -> record count
	nsData   map[string][]string       // cut -> NS targets (lower-case)
	targets  []string                  // CNAME targets (lower-case)
	records  map[uint16]int
	total    int
	hasUpper bool
}

func parse(t *testing.T, zone []byte, origin string) zoneModel {
	t.Helper()
	m := zoneModel{types: map[string]map[uint16]int{}, nsData: map[string][]string{}, records: map[uint16]int{}}
	zp := dns.NewZoneParser(bytes.NewReader(zone), origin, "")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		for _, name := range domainNames(rr) {
			if strings.ToLower(name) != name {
				m.hasUpper = true
			}
		}
		owner := strings.ToLower(h.Name)
		require.True(t, dns.IsSubDomain(origin, owner), "%s outside %s", owner, origin)
		require.Equal(t, uint16(dns.ClassINET), h.Class)
		if m.types[owner] == nil {
			m.types[owner] = map[uint16]int{}
		}
		m.types[owner][h.Rrtype]++
		m.records[h.Rrtype]++
		m.total++
		switch v := rr.(type) {
		case *dns.NS:
			m.nsData[owner] = append(m.nsData[owner], strings.ToLower(v.Ns))
		case *dns.CNAME:
			m.targets = append(m.targets, strings.ToLower(v.Target))
		case *dns.DS:
			require.Equal(t, uint8(13), v.Algorithm)
			require.Equal(t, uint8(2), v.DigestType)
			require.Len(t, v.Digest, 64)
		}
	}
	require.NoError(t, zp.Err())
	return m
}

// domainNames returns the owner and the domain names in the RDATA of rr.
func domainNames(rr dns.RR) []string {
	names := []string{rr.Header().Name}
	switch v := rr.(type) {
	case *dns.NS:
		names = append(names, v.Ns)
	case *dns.MX:
		names = append(names, v.Mx)
	case *dns.CNAME:
		names = append(names, v.Target)
	case *dns.SOA:
		names = append(names, v.Ns, v.Mbox)
	}
	return names
}

// parent returns the parent of a fully qualified name; the root is its own
// parent.
func parent(name string) string {
	off, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[off:]
}

// cutAbove returns the closest delegation point strictly above name and
// below origin, or "".
func (m zoneModel) cutAbove(name, origin string) string {
	for n := name; n != origin && n != "."; {
		n = parent(n)
		if n != origin && m.types[n][dns.TypeNS] > 0 {
			return n
		}
	}
	return ""
}

func TestParses(t *testing.T) {
	tests := []struct {
		name string
		opts zonegen.Options
	}{
		{"apex only", zonegen.Options{}},
		{"one", zonegen.Options{Names: 1, Seed: 5}},
		{"default origin", zonegen.Options{Names: 20000, Seed: 1}},
		{"other origin", zonegen.Options{Names: 20000, Seed: 2, Origin: "Bench.Example.NET", TTL: 300}},
		{"mixed case", zonegen.Options{Names: 20000, Seed: 3, MixedCase: true}},
		{"root", zonegen.Options{Names: 2000, Seed: 4, Origin: "."}},
		{"underscore and hyphen", zonegen.Options{Names: 100, Origin: "_a-b.x_y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zone, st := generate(t, tt.opts)
			checkZone(t, tt.opts, zone, st)
		})
	}
}

// checkZone parses zone and checks it against opts and st: record counts,
// the apex, CNAME exclusivity, delegations holding only NS and DS, only
// glue below cuts, and every statistic recomputed from the parsed zone.
func checkZone(t *testing.T, opts zonegen.Options, zone []byte, st zonegen.Stats) {
	t.Helper()
	origin := opts.Origin
	if origin == "" {
		origin = "example."
	}
	origin = strings.ToLower(dns.Fqdn(origin))
	m := parse(t, zone, origin)

	if !opts.MixedCase {
		require.False(t, m.hasUpper, "upper case in names")
	} else if opts.Names >= 10 {
		// Hundreds of random-case letters: all lower case has odds of 2^-100.
		require.True(t, m.hasUpper, "no upper case in names")
	}
	require.Equal(t, st.TotalRecords, m.total)
	for typ, n := range m.records {
		require.Equal(t, n, st.Records[typ], "%s records", dns.TypeToString[typ])
	}
	require.Len(t, st.Records, len(m.records))

	// Apex: one SOA, two NS, each with in-zone glue.
	require.Equal(t, 1, m.records[dns.TypeSOA])
	require.Equal(t, 1, m.types[origin][dns.TypeSOA])
	require.Equal(t, 2, m.types[origin][dns.TypeNS])
	for _, ns := range m.nsData[origin] {
		require.Positive(t, m.types[ns][dns.TypeA], "glue for %s", ns)
		require.Positive(t, m.types[ns][dns.TypeAAAA], "glue for %s", ns)
	}

	var (
		cuts, secure, glued, glueRecords, wild int
		authRRsets, nsecOwners                 int
		ents                                   = map[string]bool{}
	)
	for owner, types := range m.types {
		if types[dns.TypeCNAME] > 0 {
			require.Len(t, types, 1, "CNAME and other data at %s", owner)
			require.Equal(t, 1, types[dns.TypeCNAME], "one CNAME at %s", owner)
		}
		if owner != origin && types[dns.TypeNS] > 0 {
			cuts++
			for typ := range types {
				require.Contains(t, []uint16{dns.TypeNS, dns.TypeDS}, typ, "delegation %s has %s", owner, dns.TypeToString[typ])
			}
			if types[dns.TypeDS] > 0 {
				secure++
			}
		}
		if types[dns.TypeDS] > 0 {
			require.Positive(t, types[dns.TypeNS], "DS without NS at %s", owner)
		}
		if cut := m.cutAbove(owner, origin); cut != "" {
			// Below a cut: only glue, named by the cut's NS RRset.
			for typ, n := range types {
				require.Contains(t, []uint16{dns.TypeA, dns.TypeAAAA}, typ, "non-glue %s below cut %s", dns.TypeToString[typ], cut)
				glueRecords += n
			}
			require.Contains(t, m.nsData[cut], owner, "glue %s not named by %s", owner, cut)
			continue
		}
		nsecOwners++
		for typ := range types {
			if typ == dns.TypeNS && owner != origin {
				continue
			}
			authRRsets++
		}
		if strings.HasPrefix(owner, "*.") {
			wild++
		}
		// Ancestors without data are empty non-terminals.
		for n := owner; n != origin && n != "."; {
			n = parent(n)
			if n != origin && m.types[n] == nil {
				ents[n] = true
			}
		}
	}
	for _, target := range m.targets {
		if dns.IsSubDomain(origin, target) && !strings.HasSuffix(target, ".example.net.") {
			require.NotNil(t, m.types[target], "CNAME target %s does not exist", target)
		}
	}
	for cut := range m.nsData {
		if cut == origin {
			continue
		}
		own := false
		for _, ns := range m.nsData[cut] {
			if dns.IsSubDomain(cut, ns) {
				own = true
				require.NotNil(t, m.types[ns], "missing glue %s", ns)
			}
		}
		if own {
			glued++
		}
	}

	require.Equal(t, st.Entries[zonegen.KindDelegation], cuts)
	require.Equal(t, st.SecureDelegations, secure)
	require.Equal(t, st.GluedDelegations, glued)
	require.Equal(t, st.GlueRecords, glueRecords)
	require.Equal(t, st.Entries[zonegen.KindWildcard], wild)
	require.Equal(t, st.Entries[zonegen.KindCNAME], m.records[dns.TypeCNAME])
	require.Equal(t, st.EmptyNonTerminals, len(ents))
	require.Equal(t, st.AuthRRsets, authRRsets)
	require.Equal(t, st.NSECOwners, nsecOwners)

	total := 0
	for _, n := range st.Entries {
		total += n
	}
	require.Equal(t, opts.Names, total)

	if opts.Names >= 20000 {
		n := float64(opts.Names)
		frac := func(k zonegen.Kind) float64 { return float64(st.Entries[k]) / n }
		require.InDelta(t, 0.10, frac(zonegen.KindDelegation), 0.01)
		require.InDelta(t, 0.05, frac(zonegen.KindCNAME), 0.01)
		require.InDelta(t, 0.03, frac(zonegen.KindWildcard), 0.007)
		require.InDelta(t, 0.07, frac(zonegen.KindDeep), 0.01)
		require.InDelta(t, 0.75, frac(zonegen.KindHost), 0.015)
		require.InDelta(t, 0.50, float64(secure)/float64(cuts), 0.05)
		require.InDelta(t, 0.40, float64(glued)/float64(cuts), 0.05)
		require.Positive(t, m.records[dns.TypeA])
		require.Positive(t, m.records[dns.TypeAAAA])
		require.Positive(t, m.records[dns.TypeMX])
		require.Positive(t, m.records[dns.TypeTXT])
	}
}

// FuzzWrite generates zones from arbitrary options: Write must never panic,
// and whenever it succeeds the zone must pass checkZone.
func FuzzWrite(f *testing.F) {
	f.Add(uint16(0), "", uint64(0), uint32(0), false)
	f.Add(uint16(50), "example.com.", uint64(1), uint32(3600), false)
	f.Add(uint16(120), "Mixed.Example", uint64(7), uint32(60), true)
	f.Add(uint16(30), ".", uint64(99), uint32(1), true)
	f.Add(uint16(10), "a..b", uint64(2), uint32(0), false)
	f.Add(uint16(10), `a\.b."`, uint64(2), uint32(0), false)
	f.Fuzz(func(t *testing.T, names uint16, origin string, seed uint64, ttl uint32, mixed bool) {
		opts := zonegen.Options{Names: int(names % 400), Origin: origin, Seed: seed, TTL: ttl % (1 << 31), MixedCase: mixed}
		var buf bytes.Buffer
		st, err := zonegen.Write(&buf, opts)
		if err != nil {
			require.ErrorIs(t, err, zonegen.ErrOrigin)
			require.Zero(t, buf.Len())
			return
		}
		checkZone(t, opts, buf.Bytes(), st)
	})
}

func TestOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		opts zonegen.Options
		want error
	}{
		{"negative names", zonegen.Options{Names: -1}, zonegen.ErrNames},
		{"space in origin", zonegen.Options{Origin: "exa mple."}, zonegen.ErrOrigin},
		{"empty label", zonegen.Options{Origin: "a..b."}, zonegen.ErrOrigin},
		{"too long", zonegen.Options{Origin: strings.Repeat("abcdefghi.", 22)}, zonegen.ErrOrigin},
		{"escape", zonegen.Options{Origin: `a\.b.`}, zonegen.ErrOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := zonegen.Write(&buf, tt.opts)
			require.ErrorIs(t, err, tt.want)
			require.Zero(t, buf.Len())
		})
	}
}

type failWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errDiskFull
	}
	w.after--
	return len(p), nil
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		w    io.Writer
		want error
	}{
		{"first write", &failWriter{}, errDiskFull},
		{"later write", &failWriter{after: 2}, errDiskFull},
		{"short write", shortWriter{}, io.ErrShortWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := zonegen.Write(tt.w, zonegen.Options{Names: 10000})
			require.ErrorIs(t, err, tt.want)
			require.True(t, strings.HasPrefix(err.Error(), "zonegen: "))
		})
	}
}

func TestKindString(t *testing.T) {
	require.Equal(t, "delegation", zonegen.KindDelegation.String())
	require.Equal(t, "host", zonegen.KindHost.String())
	require.Equal(t, "Kind(9)", zonegen.Kind(9).String())
}

func BenchmarkWrite(b *testing.B) {
	const names = 100000
	b.ReportAllocs()
	var bytes int64
	for b.Loop() {
		st, err := zonegen.Write(io.Discard, zonegen.Options{Names: names, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		bytes = st.Bytes
	}
	b.SetBytes(bytes)
	b.ReportMetric(float64(names)*float64(b.N)/b.Elapsed().Seconds(), "names/s")
}

func Example() {
	st, err := zonegen.Write(os.Stdout, zonegen.Options{Names: 2, Origin: "example.com.", Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.TotalRecords, "records,", st.EmptyNonTerminals, "empty non-terminals,", st.Entries[zonegen.KindDelegation], "delegation")
	// Output:
	// $ORIGIN example.com.
	// $TTL 3600
	// example.com.	3600	IN	SOA	ns1.example.com. hostmaster.example.com. 2026010101 7200 3600 1209600 300
	// example.com.	3600	IN	NS	ns1.example.com.
	// example.com.	3600	IN	NS	ns2.example.com.
	// example.com.	3600	IN	MX	10 mail.example.com.
	// example.com.	3600	IN	TXT	"v=spf1 mx -all"
	// ns1.example.com.	3600	IN	A	10.205.140.193
	// ns1.example.com.	3600	IN	AAAA	2001:db8:a242:d4f4:9a:16e0:e42:81
	// ns2.example.com.	3600	IN	A	10.208.58.66
	// ns2.example.com.	3600	IN	AAAA	2001:db8:2ec9:f825:c6df:f778:267e:164
	// mail.example.com.	3600	IN	A	10.76.211.203
	// mail.example.com.	3600	IN	AAAA	2001:db8:bbc0:e3f7:15dc:bdc2:b77:1e1
	// lb.west.prod0.example.com.	3600	IN	A	10.85.75.119
	// lb.west.prod0.example.com.	3600	IN	A	10.195.165.154
	// lb.west.prod0.example.com.	3600	IN	AAAA	2001:db8:85ac:9870:1e53:8f03:9df1:d3
	// lb.west.prod0.example.com.	3600	IN	MX	10 mail.example.com.
	// lab1.example.com.	3600	IN	NS	ns1.lab1.example.com.
	// lab1.example.com.	3600	IN	NS	ns2.lab1.example.com.
	// ns1.lab1.example.com.	3600	IN	A	10.207.145.49
	// ns1.lab1.example.com.	3600	IN	AAAA	2001:db8:68a0:6f4d:a98d:abb5:b715:56
	// ns2.lab1.example.com.	3600	IN	A	10.203.103.72
	// 20 records, 2 empty non-terminals, 1 delegation
}
