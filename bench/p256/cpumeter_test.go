package p256

import (
	"testing"
	"time"
)

// cpuMeter adds a cpu-ns/op metric to a benchmark: process CPU time (all
// threads, so garbage collection is included) per operation. On a shared
// or loaded machine wall-clock ns/op also counts time spent waiting for a
// core; cpu-ns/op does not, and for parallel benchmarks it is the cost of
// one operation on one core, the figure the zone-signing floor is built on.
// getrusage counts in microseconds, so the metric needs a run of some
// milliseconds (the default -benchtime) to mean anything.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

// startCPU reads the process CPU clock. Benchmarks call
//
//	defer startCPU().report(b)
//
// right before the timed loop: the clock is read there, the metric added
// when the benchmark function returns.
func startCPU() cpuMeter {
	t, ok := processCPU()
	return cpuMeter{start: t, ok: ok}
}

// report adds cpu-ns/op for the b.N operations run since startCPU.
func (m cpuMeter) report(b *testing.B) {
	end, ok := processCPU()
	if !m.ok || !ok || b.N == 0 {
		return
	}
	b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
}

func TestCPUMeter(t *testing.T) {
	start, ok := processCPU()
	if !ok {
		t.Skip("process CPU time not available here")
	}
	// Burn a little CPU; the clock must move forward and not backwards.
	x := uint64(1)
	deadline := time.Now().Add(20 * time.Millisecond)
	for time.Now().Before(deadline) {
		for i := range 1000 {
			x = x*6364136223846793005 + uint64(i)
		}
	}
	end, ok := processCPU()
	if !ok || end <= start {
		t.Fatalf("process CPU clock did not advance: %v -> %v (x=%d)", start, end, x)
	}
}
