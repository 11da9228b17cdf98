package kmsbackend

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBucketReserve(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newBucket(10, 2, t0) // 10/s, burst 2
	for _, tc := range []struct {
		at   time.Duration
		want time.Duration
	}{
		{0, 0},                      // burst token 1
		{0, 0},                      // burst token 2
		{0, 100 * time.Millisecond}, // next is due in 1/10 s
		{0, 200 * time.Millisecond}, // and the one after
		{250 * time.Millisecond, 50 * time.Millisecond},
		{time.Hour, 0}, // refilled, capped at burst
		{time.Hour, 0},
		{time.Hour, 100 * time.Millisecond},
	} {
		require.Equal(t, tc.want, b.reserve(t0.Add(tc.at)), "at %v", tc.at)
	}
}

func TestBucketRate(t *testing.T) {
	const rate = 500
	b := newBucket(rate, 1, time.Now())
	var n atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for b.wait(ctx) == nil {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	// 0.5 s at 500/s: about 250 tokens.
	require.InDelta(t, 250, n.Load(), 30)
}

func TestLimiterCancel(t *testing.T) {
	l := newLimiter(1, 10, 1) // one slot, a token every 100 ms
	require.NoError(t, l.acquire(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, l.acquire(ctx), context.DeadlineExceeded) // no slot
	l.release()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	require.ErrorIs(t, l.acquire(ctx2), context.DeadlineExceeded) // slot, but no token for 100 ms
	require.NoError(t, l.acquire(context.Background()), "the slot was released by the failed acquire")
	l.release()
}
