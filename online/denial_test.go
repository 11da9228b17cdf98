package online

import (
	"bytes"
	"testing"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/stretchr/testify/require"
)

func mustWire(t testing.TB, name string) []byte {
	t.Helper()
	w, ok := wireName(name)
	require.True(t, ok, name)
	return w
}

func noUpper(w []byte) bool {
	for i := 0; i < len(w) && w[i] != 0; i += int(w[i]) + 1 {
		for _, c := range w[i+1 : i+1+int(w[i])] {
			if c >= 'A' && c <= 'Z' {
				return false
			}
		}
	}
	return true
}

// checkCover checks that the NSEC range (predecessor(w), successorSibling(w))
// holds w and its descendants and excludes the names in outside.
func checkCover(t *testing.T, w []byte, outside ...[]byte) {
	t.Helper()
	p, ok := predecessor(w)
	require.True(t, ok)
	s, ok := successorSibling(w)
	require.True(t, ok)
	require.LessOrEqual(t, len(p), canonical.MaxNameLen)
	require.LessOrEqual(t, len(s), canonical.MaxNameLen)
	require.True(t, noUpper(p) && noUpper(s))
	require.Equal(t, -1, canonical.CompareWire(p, w), "predecessor < name")
	require.Equal(t, -1, canonical.CompareWire(w, s), "name < successor")
	child := append([]byte{3, 'z', 'z', 'z'}, w...)
	if len(child) <= canonical.MaxNameLen {
		require.Equal(t, -1, canonical.CompareWire(child, s), "descendants < successor")
	}
	require.True(t, bytes.Equal(parentWire(p)[len(parentWire(p))-len(parentWire(w)):], parentWire(w)))
	for _, o := range outside {
		inside := canonical.CompareWire(p, o) < 0 && canonical.CompareWire(o, s) < 0
		require.False(t, inside, "%q must not be covered", o)
	}
}

func TestPredecessorSuccessor(t *testing.T) {
	tests := []struct {
		name    string
		owner   string
		outside []string // neighbours that must stay outside the range
	}{
		{"simple", "b.example.", []string{"a.example.", "az.example.", "b0.example.", "ba.example.", "example.", "c.example."}},
		{"ends in a", "ba.example.", []string{"b.example.", "b`.example.", "bb.example."}},
		{"upper-case skipped", `b\091.example.`, []string{"bz.example.", `b\091\000.example.`}},
		{"ends in zero octet", `b\000.example.`, []string{"b.example.", `b\000\000.example.`}},
		{"wildcard", "*.example.", []string{")z.example.", "+.example.", "example."}},
		{"long label", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.", []string{"b.example."}},
		{"deep", "x.y.z.example.", []string{"y.z.example.", "w.y.z.example.", "x0.y.z.example."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out [][]byte
			for _, o := range tc.outside {
				out = append(out, mustWire(t, o))
			}
			checkCover(t, mustWire(t, tc.owner), out...)
		})
	}
	t.Run("single zero octet label has no predecessor", func(t *testing.T) {
		_, ok := predecessor(mustWire(t, `\000.example.`))
		require.False(t, ok)
	})
	t.Run("root", func(t *testing.T) {
		_, ok := predecessor([]byte{0})
		require.False(t, ok)
		_, ok = successorSibling([]byte{0})
		require.False(t, ok)
	})
	t.Run("successor", func(t *testing.T) {
		w := mustWire(t, "www.example.")
		s, ok := successor(w)
		require.True(t, ok)
		require.Equal(t, append([]byte{1, 0}, w...), s)
	})
}

func FuzzPredecessorSuccessor(f *testing.F) {
	f.Add([]byte("b"), []byte("example"))
	f.Add([]byte{0x5b}, []byte("x"))
	f.Add([]byte{0, 0}, []byte("x"))
	f.Add(bytes.Repeat([]byte{0xff}, 63), []byte("example"))
	f.Add([]byte("a"), bytes.Repeat([]byte("y"), 63))
	f.Fuzz(func(t *testing.T, label, parent []byte) {
		if len(label) == 0 || len(label) > 63 || len(parent) == 0 || len(parent) > 63 {
			return
		}
		w := append(append(append([]byte{byte(len(label))}, asciiLower(label)...), byte(len(parent))), parent...)
		w = append(w, 0)
		pw := w[1+len(label):]
		if p, ok := predecessor(w); ok {
			if len(p) > canonical.MaxNameLen || canonical.CompareWire(p, w) >= 0 || !noUpper(p[:len(p)-len(pw)]) {
				t.Fatalf("bad predecessor %q of %q", p, w)
			}
			if !canonical.IsSubdomainWire(pw, p) || canonical.CompareWire(p, pw) <= 0 {
				t.Fatalf("predecessor %q not below the parent of %q", p, w)
			}
		}
		if s, ok := successorSibling(w); ok {
			if len(s) > canonical.MaxNameLen || canonical.CompareWire(w, s) >= 0 || !noUpper(s[:len(s)-len(pw)]) {
				t.Fatalf("bad successor %q of %q", s, w)
			}
			child := append([]byte{1, 0xff}, w...)
			if canonical.CompareWire(child, s) >= 0 {
				t.Fatalf("successor %q does not follow the descendants of %q", s, w)
			}
		}
	})
}

func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}
