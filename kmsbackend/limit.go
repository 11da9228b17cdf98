package kmsbackend

import (
	"context"
	"sync"
	"time"
)

// limiter bounds the KMS calls in flight and the calls started per second.
type limiter struct {
	sem    chan struct{} // nil: no bound on calls in flight
	bucket *bucket       // nil: no rate limit
}

func newLimiter(maxInFlight int, rate float64, burst int) *limiter {
	l := &limiter{}
	if maxInFlight > 0 {
		l.sem = make(chan struct{}, maxInFlight)
	}
	if rate > 0 {
		l.bucket = newBucket(rate, burst, time.Now())
	}
	return l
}

// acquire waits for a slot and a token, or for ctx to be done. On success
// the caller must call release.
func (l *limiter) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if l.bucket != nil {
		if err := l.bucket.wait(ctx); err != nil {
			l.release()
			return err
		}
	}
	return nil
}

func (l *limiter) release() {
	if l.sem != nil {
		<-l.sem
	}
}

// bucket is a token bucket: rate tokens per second, holding at most burst.
// Waiters reserve a token (the count may go negative) and sleep until it
// is due, so they are served in order.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// reserve takes a token at time now and returns how long to wait for it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// cancel returns a token reserved by a waiter that gave up.
func (b *bucket) cancel() {
	b.mu.Lock()
	b.tokens = min(b.burst, b.tokens+1)
	b.mu.Unlock()
}

func (b *bucket) wait(ctx context.Context) error {
	d := b.reserve(time.Now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		b.cancel()
		return ctx.Err()
	}
}
