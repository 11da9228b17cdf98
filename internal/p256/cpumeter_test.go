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
