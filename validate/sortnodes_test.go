package validate

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/stretchr/testify/require"
)

// sortNodes orders shallow names with CompareWire and deep ones by sort
// keys; both must give the canonical order.
func TestSortNodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	for _, depth := range []int{2, 4, 20, 100} {
		var c zoneCheck
		for i := range 300 {
			labels := []string{"example"}
			for range 1 + rng.IntN(depth) {
				labels = append([]string{string([]byte{"aAb\x01\x00-*"[rng.IntN(7)]})}, labels...)
			}
			if i%3 == 0 {
				labels = append([]string{"x" + strings.Repeat("y", rng.IntN(5))}, labels...)
			}
			var w []byte
			for _, l := range labels {
				w = append(append(w, byte(len(l))), l...)
			}
			w = append(w, 0)
			c.sorted = append(c.sorted, &znode{wire: string(lowerWire(nil, w))})
		}
		c.sortNodes()
		require.True(t, slices.IsSortedFunc(c.sorted, func(a, b *znode) int {
			return canonical.CompareWire([]byte(a.wire), []byte(b.wire))
		}), "depth %d", depth)
	}
}
