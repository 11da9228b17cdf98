package p256

import (
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/cputime"
)

// BenchmarkVerifyBatch verifies batches of valid signatures. Besides the
// figures per batch it reports ns/sig and cpu-ns/sig, the cost of one
// signature, to set against BenchmarkVerify's cpu-ns/op.
func BenchmarkVerifyBatch(b *testing.B) {
	rnd := mrand.New(mrand.NewPCG(1, 1))
	bk := newBatchKey(b, nil)
	for _, n := range []int{16, 64, 256, 1024} {
		items := bk.batch(b, rnd, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var sc BatchScratch
			if !bk.k.VerifyBatch(&sc, items) {
				b.Fatal("rejected")
			}
			b.ReportAllocs()
			defer cputime.Start().ReportPer(b, n, "sig")
			for b.Loop() {
				if !bk.k.VerifyBatch(&sc, items) {
					b.Fatal("rejected")
				}
			}
		})
	}
}

// BenchmarkVerifyBatchVsVerify alternates one batch and the same items
// verified one by one with Verify, so that both see the same load on a
// shared machine, and reports the CPU time per signature of each and
// their ratio (verify/batch, how many times cheaper the batch is).
func BenchmarkVerifyBatchVsVerify(b *testing.B) {
	if _, ok := cputime.Process(); !ok {
		b.Skip("process CPU time not available here")
	}
	rnd := mrand.New(mrand.NewPCG(2, 2))
	bk := newBatchKey(b, nil)
	for _, n := range []int{16, 64, 256, 1024} {
		items := bk.batch(b, rnd, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var bsc BatchScratch
			var sc Scratch
			var inBatch, oneByOne time.Duration
			b.ReportAllocs()
			for b.Loop() {
				c0, _ := cputime.Process()
				if !bk.k.VerifyBatch(&bsc, items) {
					b.Fatal("batch rejected")
				}
				c1, _ := cputime.Process()
				for i := range items {
					if !bk.k.Verify(&sc, items[i].Digest[:], items[i].Sig[:]) {
						b.Fatal("rejected")
					}
				}
				c2, _ := cputime.Process()
				inBatch += c1 - c0
				oneByOne += c2 - c1
			}
			sigs := float64(b.N * n)
			b.ReportMetric(float64(inBatch)/sigs, "batch-cpu-ns/sig")
			b.ReportMetric(float64(oneByOne)/sigs, "verify-cpu-ns/sig")
			b.ReportMetric(float64(oneByOne)/float64(inBatch), "ratio")
		})
	}
}
