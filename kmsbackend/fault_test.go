package kmsbackend_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

// signMany signs n distinct messages with workers goroutines and returns
// the signatures by message index, and the errors.
func signMany(ctx context.Context, s *kmsbackend.Signer, n, workers int) ([][]byte, []error) {
	sigs := make([][]byte, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				sigs[i], errs[i] = s.Sign(ctx, message(i))
			}
		})
	}
	wg.Wait()
	return sigs, errs
}

func message(i int) []byte {
	return binary.BigEndian.AppendUint64([]byte("signed data #"), uint64(i))
}

func TestThrottled5000(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	e.srv.SetThrottleRate(0.3)
	e.srv.ResetCalls()
	n := 5000
	if testing.Short() {
		n = 500
	}
	start := time.Now()
	sigs, errs := signMany(context.Background(), s, n, 48)
	elapsed := time.Since(start)
	for i := range n {
		require.NoError(t, errs[i], "signature %d", i)
		checkSig(t, e.pub, message(i), sigs[i])
	}
	calls := e.srv.Calls("Sign")
	t.Logf("%d signatures in %v with 30%% throttling: %d Sign requests", n, elapsed.Round(time.Millisecond), calls)
	// About n/0.7 requests are expected; far fewer would mean no throttling.
	require.Greater(t, calls, int64(n*12/10))
	require.LessOrEqual(t, e.srv.InFlightPeak(), int64(kmsbackend.DefaultMaxInFlight))
}

func TestDisabledMidRun(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	e.srv.SetLatency(time.Millisecond)

	var ok, failed atomic.Int64
	var disabledAt atomic.Int64 // Unix nanoseconds once DisableKey returned
	var mu sync.Mutex
	var lateSuccess []time.Duration
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				data := message(w*1_000_000 + i)
				began := time.Now().UnixNano()
				sig, err := s.Sign(ctx, data)
				if err != nil {
					// A clean error: nothing returned with it, and the
					// SDK's DisabledException reachable.
					if sig != nil {
						t.Errorf("signature returned with error %v", err)
					}
					var de *types.DisabledException
					if !errors.As(err, &de) {
						t.Errorf("error %v does not wrap DisabledException", err)
					}
					failed.Add(1)
					continue
				}
				checkSig(t, e.pub, data, sig)
				ok.Add(1)
				if d := disabledAt.Load(); d != 0 && began > d {
					mu.Lock()
					lateSuccess = append(lateSuccess, time.Duration(began-d))
					mu.Unlock()
				}
			}
		})
	}
	require.Eventually(t, func() bool { return ok.Load() >= 200 }, 10*time.Second, time.Millisecond)
	_, err := e.client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(e.key.ID)})
	require.NoError(t, err)
	disabledAt.Store(time.Now().UnixNano())
	require.Eventually(t, func() bool { return failed.Load() >= 200 }, 10*time.Second, time.Millisecond)
	close(stop)
	wg.Wait()
	require.Empty(t, lateSuccess, "signatures started after the key was disabled")

	sig, err := s.Sign(ctx, []byte("after"))
	require.Nil(t, sig)
	require.ErrorContains(t, err, "key is disabled (DisabledException); enable it with `aws kms enable-key --key-id "+e.key.ARN+"`")
}

func TestCancelStopsWithinASecond(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	// New does I/O; the latency is set once the Signer is made.
	slowSigner := func(t *testing.T, o kmsbackend.Options) *kmsbackend.Signer {
		e.srv.SetLatency(0)
		s := e.signer(t, o)
		e.srv.SetLatency(30 * time.Second)
		return s
	}
	for _, tc := range []struct {
		name string
		opts kmsbackend.Options
		busy int // calls already in flight, holding the slots
	}{
		{name: "in the request", opts: kmsbackend.Options{}},
		{name: "waiting for a slot", opts: kmsbackend.Options{MaxInFlight: 2}, busy: 2},
		{name: "waiting for a rate token", opts: kmsbackend.Options{RateLimit: 0.01, MaxInFlight: -1}, busy: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := slowSigner(t, tc.opts)
			bg, cancelBg := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range tc.busy {
				wg.Go(func() { _, _ = s.Sign(bg, []byte("busy")) })
			}
			time.Sleep(50 * time.Millisecond)

			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			sig, err := s.Sign(ctx, []byte("x"))
			elapsed := time.Since(start)
			require.Nil(t, sig)
			require.ErrorIs(t, err, context.Canceled)
			require.Less(t, elapsed, time.Second)
			require.Regexp(t, `^kmsbackend: `, err.Error())

			start = time.Now()
			cancelBg()
			wg.Wait()
			require.Less(t, time.Since(start), time.Second)
		})
	}
	t.Run("already cancelled", func(t *testing.T) {
		s := slowSigner(t, kmsbackend.Options{})
		e.srv.ResetCalls()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.Sign(ctx, []byte("x"))
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, e.srv.Calls("Sign"))
	})
	t.Run("deadline", func(t *testing.T) {
		s := slowSigner(t, kmsbackend.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.Sign(ctx, []byte("x"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), time.Second)
	})
}

// TestShortSignatures exercises DER signatures whose r or s has fewer than
// 32 bytes, which must be left-padded in the 64-byte r‖s.
func TestShortSignatures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	for _, tc := range []struct {
		name  string
		mode  kmstest.Short
		n     int
		check func(sig []byte) bool
	}{
		{"short r", kmstest.ShortR, 100, func(sig []byte) bool { return sig[0] == 0 }},
		{"short s", kmstest.ShortS, 200, func(sig []byte) bool { return sig[32] == 0 }},
		{"short r or s", kmstest.ShortEither, 1700, func(sig []byte) bool { return sig[0] == 0 || sig[32] == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() {
				tc.n /= 10
			}
			e.srv.SetShortSignatures(tc.mode)
			defer e.srv.SetShortSignatures(kmstest.ShortOff)
			before := e.srv.ShortSignatures()
			sigs, errs := signMany(context.Background(), s, tc.n, 4)
			for i := range tc.n {
				require.NoError(t, errs[i])
				require.True(t, tc.check(sigs[i]), "signature %d %x is not left-padded", i, sigs[i])
				checkSig(t, e.pub, message(i), sigs[i])
			}
			require.Equal(t, int64(tc.n), e.srv.ShortSignatures()-before)
		})
	}
}

// TestExceptions checks that each KMS exception gives an error that says
// what happened and wraps the SDK's error.
func TestExceptions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	// Three quick attempts: retryable exceptions are returned sooner.
	quick := kms.NewFromConfig(e.srv.Config(), kmsbackend.WithBulkRetryer(3, time.Millisecond))
	s, err := kmsbackend.New(ctx, quick, e.key.ID, kmsbackend.Options{Zone: "example."})
	require.NoError(t, err)
	apiCode := func(code string) func(t *testing.T, err error) {
		return func(t *testing.T, err error) {
			var api smithy.APIError
			require.ErrorAs(t, err, &api)
			require.Equal(t, code, api.ErrorCode())
		}
	}
	as := func(target any) func(t *testing.T, err error) {
		return func(t *testing.T, err error) { require.ErrorAs(t, err, target) }
	}
	for _, tc := range []struct {
		code  string
		check func(t *testing.T, err error)
		says  string
	}{
		{"NotFoundException", as(new(*types.NotFoundException)), "key not found"},
		{"DisabledException", as(new(*types.DisabledException)), "key is disabled"},
		{"KMSInvalidStateException", as(new(*types.KMSInvalidStateException)), "not in a usable state"},
		{"InvalidKeyUsageException", as(new(*types.InvalidKeyUsageException)), "cannot be used for this operation"},
		{"AccessDeniedException", apiCode("AccessDeniedException"), "access denied (AccessDeniedException); allow the caller kms:Sign"},
		{"KeyUnavailableException", as(new(*types.KeyUnavailableException)), "temporarily unavailable"},
		{"ThrottlingException", apiCode("ThrottlingException"), "KMS throttled the requests, even after retries"},
		{"LimitExceededException", as(new(*types.LimitExceededException)), "limit exceeded"},
		{"DependencyTimeoutException", as(new(*types.DependencyTimeoutException)), "timed out"},
		{"KMSInternalException", as(new(*types.KMSInternalException)), "internal error"},
		{"InvalidArnException", as(new(*types.InvalidArnException)), "ARN is malformed"},
		{"UnrecognizedClientException", apiCode("UnrecognizedClientException"), "rejected the credentials"},
		{"SomethingNewException", apiCode("SomethingNewException"), "Sign " + e.key.ARN},
	} {
		t.Run(tc.code, func(t *testing.T) {
			e.srv.Fail("Sign", tc.code, 0)
			defer e.srv.ClearFailures()
			sig, err := s.Sign(ctx, []byte("x"))
			require.Nil(t, sig)
			require.Error(t, err)
			tc.check(t, err)
			require.Contains(t, err.Error(), tc.says)
			require.Regexp(t, `^kmsbackend: Sign `, err.Error())
		})
	}

	// The same mapping applies to New's DescribeKey and GetPublicKey.
	for _, op := range []string{"DescribeKey", "GetPublicKey"} {
		t.Run(op, func(t *testing.T) {
			e.srv.Fail(op, "AccessDeniedException", 1)
			_, err := kmsbackend.New(ctx, e.client, e.key.ID, kmsbackend.Options{Zone: "example."})
			require.ErrorContains(t, err, fmt.Sprintf("kmsbackend: %s %s: access denied (AccessDeniedException); allow the caller kms:%s", op, e.key.ID, op))
		})
	}

	// Real states rather than injected errors.
	t.Run("pending deletion", func(t *testing.T) {
		_, err := quick.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(e.key.ID), PendingWindowInDays: aws.Int32(7)})
		require.NoError(t, err)
		_, err = s.Sign(ctx, []byte("x"))
		var st *types.KMSInvalidStateException
		require.ErrorAs(t, err, &st)
		require.ErrorContains(t, err, "cancel-key-deletion")
	})
}

func TestTransientFaultsAreRetried(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	e.srv.SetInternalErrorRate(0.2)
	e.srv.SetThrottleRate(0.2)
	sigs, errs := signMany(context.Background(), s, 500, 16)
	for i := range sigs {
		require.NoError(t, errs[i])
		checkSig(t, e.pub, message(i), sigs[i])
	}
	e.srv.SetInternalErrorRate(0)
	e.srv.SetThrottleRate(0)
	e.srv.ResetCalls()
	e.srv.Fail("Sign", "KeyUnavailableException", 2)
	_, err := s.Sign(context.Background(), []byte("x"))
	require.NoError(t, err)
	require.Equal(t, int64(3), e.srv.Calls("Sign"))
}

func TestMaxInFlight(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	e.srv.SetLatency(10 * time.Millisecond)
	for _, limit := range []int{1, 4} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			s := e.signer(t, kmsbackend.Options{MaxInFlight: limit})
			e.srv.ResetCalls()
			_, errs := signMany(context.Background(), s, 40, 16)
			for _, err := range errs {
				require.NoError(t, err)
			}
			require.Equal(t, int64(limit), e.srv.InFlightPeak())
		})
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{RateLimit: 100})
	start := time.Now()
	_, errs := signMany(context.Background(), s, 51, 8)
	elapsed := time.Since(start)
	for _, err := range errs {
		require.NoError(t, err)
	}
	// 51 calls at 100/s with a burst of 1: the last starts 500 ms in.
	require.GreaterOrEqual(t, elapsed, 490*time.Millisecond)
	require.Less(t, elapsed, 3*time.Second)
	require.Equal(t, int64(51), e.srv.Calls("Sign"))
}
