package cputime

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProcessAdvances(t *testing.T) {
	a, ok := Process()
	if !ok {
		t.Skip("process CPU time is not measured on this system")
	}
	h := sha256.Sum256(nil)
	for start := time.Now(); time.Since(start) < 30*time.Millisecond; {
		h = sha256.Sum256(h[:]) // busy: CPU time must advance
	}
	b, ok := Process()
	require.True(t, ok)
	require.Greater(t, b, a)
}

func BenchmarkMeter(b *testing.B) {
	defer Start().ReportPer(b, 4, "hash")
	var h [32]byte
	for b.Loop() {
		for range 4 {
			h = sha256.Sum256(h[:])
		}
	}
}
