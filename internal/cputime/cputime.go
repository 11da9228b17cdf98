// Package cputime reads the CPU time the process has used, for benchmarks
// that report what an operation costs rather than how long it waited: on
// a shared or loaded machine wall-clock ns/op also counts time spent
// waiting for a core, process CPU time does not, and it includes the
// garbage collector's work on other threads. For a parallel benchmark it
// is the cost of one operation on one core. getrusage counts in
// microseconds, so a measurement needs a run of some milliseconds (the
// default -benchtime).
package cputime

import (
	"testing"
	"time"
)

// Meter measures a benchmark's timed loop. Benchmarks call
//
//	defer cputime.Start().Report(b)
//
// right before the loop: the clocks are read there, the metrics added
// when the benchmark function returns.
type Meter struct {
	cpu  time.Duration
	wall time.Time
	ok   bool
}

// Start reads the process CPU clock and the wall clock.
func Start() Meter {
	t, ok := Process()
	return Meter{cpu: t, wall: time.Now(), ok: ok}
}

// Report adds cpu-ns/op for the b.N operations run since Start.
func (m Meter) Report(b *testing.B) {
	m.ReportPer(b, 0, "")
}

// ReportPer adds cpu-ns/op and, when perOp > 0, ns/unit and cpu-ns/unit:
// wall-clock and CPU time per item, for operations of perOp items each
// (signatures per batch, say), the figures to compare across batch sizes.
func (m Meter) ReportPer(b *testing.B, perOp int, unit string) {
	if b.N == 0 {
		return
	}
	items := float64(b.N * perOp)
	if perOp > 0 {
		b.ReportMetric(float64(time.Since(m.wall))/items, "ns/"+unit)
	}
	end, ok := Process()
	if !m.ok || !ok {
		return
	}
	b.ReportMetric(float64(end-m.cpu)/float64(b.N), "cpu-ns/op")
	if perOp > 0 {
		b.ReportMetric(float64(end-m.cpu)/items, "cpu-ns/"+unit)
	}
}
