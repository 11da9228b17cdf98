package canonical

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// rfc4034Order is the example of RFC 4034 §6.1, in canonical order.
var rfc4034Order = []string{
	"example.",
	"a.example.",
	"yljkjljk.a.example.",
	"Z.a.example.",
	"zABC.a.EXAMPLE.",
	"z.example.",
	`\001.z.example.`,
	"*.z.example.",
	`\200.z.example.`,
}

func TestCompareRFC4034Example(t *testing.T) {
	rng := rand.New(rand.NewPCG(4034, 61))
	for i := range 50 {
		names := slices.Clone(rfc4034Order)
		rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		slices.SortStableFunc(names, Compare)
		require.Equal(t, rfc4034Order, names, "shuffle %d", i)
	}
	for i, a := range rfc4034Order {
		for j, b := range rfc4034Order {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			require.Equal(t, want, Compare(a, b), "%s vs %s", a, b)
			wa, wb := name(t, a), name(t, b)
			require.Equal(t, want, CompareWire(wa, wb), "wire %s vs %s", a, b)
		}
	}
}

// TestSortKeyOrder sorts the RFC 4034 §6.1 example, mixed-case and
// escaped names by their sort keys and requires CompareWire's order.
func TestSortKeyOrder(t *testing.T) {
	names := append(slices.Clone(rfc4034Order), "A.example.", `\000.z.example.`, `\001\000.z.example.`, `\000\001.z.example.`,
		"b.a.example.", "a.b.example.", "aa.example.", "a-.example.", `a\001.example.`, ".")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		byKey := slices.Clone(names)
		slices.SortStableFunc(byKey, func(a, b string) int {
			return bytes.Compare(AppendSortKey(nil, name(t, a)), AppendSortKey(nil, name(t, b)))
		})
		byWire := slices.Clone(names)
		slices.SortStableFunc(byWire, func(a, b string) int { return CompareWire(name(t, a), name(t, b)) })
		require.Equal(t, byWire, byKey)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"example.", "example.", 0},
		{"Example.", "eXAMPLE.", 0},
		{`\065.example.`, "a.example.", 0},
		{"example", "example.", 0}, // not fully qualified: made so
		{".", "example.", -1},
		{"example.", "a.example.", -1}, // a name sorts before its descendants
		{"b.example.", "a.b.example.", -1},
		{"a.example.", "b.example.", -1},
		{"a.example.", "aa.example.", -1},    // prefix label first
		{"z.example.", "a.b.example.", 1},    // rightmost labels first
		{"[.example.", "a.example.", -1},     // '[' (0x5b) < 'a' once 'A'..'Z' fold: '[' is not a letter
		{"_.example.", "A.example.", -1},     // '_' (0x5f) < 'a' (0x61) but > 'A' (0x41): letters fold first
		{`a\.b.example.`, "b.a.example.", 1}, // label "a.b" vs "a": the prefix "a" first
		{"a..b.", "example.", 1},             // invalid names sort last
		{"example.", "a..b.", -1},
		{"a..b.", "c..d.", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			require.Equal(t, tt.want, Compare(tt.a, tt.b))
			require.Equal(t, -tt.want, Compare(tt.b, tt.a))
			require.Equal(t, tt.want == 0, Equal(tt.a, tt.b))
		})
	}
}

func TestCompareWireMalformed(t *testing.T) {
	// Truncated and malformed names must not panic; they compare as far
	// as they can be read.
	inputs := [][]byte{nil, {}, {5, 'a'}, {0xc0, 0x0c}, {63}, {1, 'a', 1}, {200, 1, 2}}
	for _, a := range inputs {
		for _, b := range inputs {
			c := CompareWire(a, b)
			require.Contains(t, []int{-1, 0, 1}, c)
			require.Equal(t, -c, CompareWire(b, a))
			_ = IsSubdomainWire(a, b)
		}
		require.True(t, IsSubdomainWire(a, a))
		require.Equal(t, 0, CompareWire(a, a))
	}
}

func TestIsSubdomain(t *testing.T) {
	tests := []struct {
		parent, child string
		want          bool
	}{
		{"example.", "example.", true},
		{"example.", "www.example.", true},
		{"Example.", "a.b.EXAMPLE.", true},
		{".", "example.", true},
		{".", ".", true},
		{"tim.", "victim.", false},
		{"tim.", "vic.tim.", true},
		{"example.", "www.example.org.", false},
		{"www.example.", "example.", false},
		{`\065.example.`, "x.a.example.", true},
		{`a\.b.example.`, "x.b.example.", false},
		{"b.example.", `a\.b.example.`, false},
		{"example", "www.example", true},
		{"a..b.", "x.a..b.", false},
		{"example.", "x..example.", false},
	}
	for _, tt := range tests {
		t.Run(tt.parent+" "+tt.child, func(t *testing.T) {
			require.Equal(t, tt.want, IsSubdomain(tt.parent, tt.child))
		})
	}
}

// lowerWire returns the canonical wire form of the presentation name s.
func lowerWire(s string) ([]byte, bool) {
	b, err := AppendName(nil, dns.Fqdn(s))
	return b, err == nil
}

// FuzzCompare checks that Compare is a consistent order: antisymmetric,
// zero exactly for names equal in canonical wire form, in agreement with
// CompareWire, and with IsSubdomain implying parent ≤ child.
func FuzzCompare(f *testing.F) {
	for i, a := range rfc4034Order {
		f.Add(a, rfc4034Order[(i+3)%len(rfc4034Order)])
	}
	f.Add("tim.", "victim.")
	f.Add(`a\.b.example.`, "b.a.example.")
	f.Add(`\065.example.`, "a.EXAMPLE.")
	f.Fuzz(func(t *testing.T, a, b string) {
		c := Compare(a, b)
		if c < -1 || c > 1 || Compare(b, a) != -c {
			t.Fatalf("Compare(%q, %q) = %d, reverse %d", a, b, c, Compare(b, a))
		}
		wa, okA := lowerWire(a)
		wb, okB := lowerWire(b)
		if !okA || !okB {
			return
		}
		if (c == 0) != bytes.Equal(wa, wb) {
			t.Fatalf("Compare(%q, %q) = %d but wire forms %x and %x", a, b, c, wa, wb)
		}
		if cw := CompareWire(wa, wb); cw != c {
			t.Fatalf("CompareWire = %d, Compare = %d for %q %q", cw, c, a, b)
		}
		ka, kb := AppendSortKey(nil, wa), AppendSortKey(nil, wb)
		if ck := bytes.Compare(ka, kb); ck != c {
			t.Fatalf("sort keys compare %d, Compare = %d for %q %q", ck, c, a, b)
		}
		if IsSubdomain(a, b) != bytes.HasPrefix(kb, ka) {
			t.Fatalf("IsSubdomain(%q, %q) = %v but key prefix %v", a, b, IsSubdomain(a, b), bytes.HasPrefix(kb, ka))
		}
		if IsSubdomain(a, b) && c > 0 {
			t.Fatalf("%q is a parent of %q but sorts after it", a, b)
		}
		if IsSubdomain(a, b) && IsSubdomain(b, a) && c != 0 {
			t.Fatalf("%q and %q are parents of each other but differ", a, b)
		}
	})
}
