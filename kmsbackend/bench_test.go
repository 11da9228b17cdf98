package kmsbackend_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
)

// BenchmarkSignKMSTest measures signatures per second through the real SDK
// client and kmstest with 5 ms of latency per request, at 1, 16 and 64
// requests in flight (Options.MaxInFlight, with as many workers; also 4), and at
// 64 in flight under a 200/s rate limit. With latency dominating,
// throughput should grow about linearly with the requests in flight until
// the rate limit (or the CPU) caps it.
func BenchmarkSignKMSTest(b *testing.B) {
	for _, tc := range []struct {
		inFlight int
		rate     float64
	}{{1, 0}, {4, 0}, {16, 0}, {64, 0}, {64, 200}} {
		name := fmt.Sprintf("inflight=%d", tc.inFlight)
		if tc.rate > 0 {
			name += fmt.Sprintf("/rate=%g", tc.rate)
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, kmstest.Options{})
			s := e.signer(b, kmsbackend.Options{MaxInFlight: tc.inFlight, RateLimit: tc.rate})
			e.srv.SetLatency(5 * time.Millisecond)
			ctx := context.Background()
			data := []byte("RRSIG RDATA and canonical RRset")

			jobs := make(chan struct{})
			var failed atomic.Pointer[error]
			var wg sync.WaitGroup
			for range tc.inFlight {
				wg.Go(func() {
					for range jobs {
						if _, err := s.Sign(ctx, data); err != nil {
							failed.Store(&err)
						}
					}
				})
			}
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				jobs <- struct{}{}
				n++
			}
			close(jobs)
			wg.Wait()
			elapsed := time.Since(start)
			if err := failed.Load(); err != nil {
				b.Fatal(*err)
			}
			b.ReportMetric(float64(n)/elapsed.Seconds(), "sigs/s")
		})
	}
}
