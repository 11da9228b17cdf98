package kmsbackend_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

// TestWithBulkRetryer shows why the retry quota is switched off: under
// heavy sustained throttling (60 % here) the SDK's standard retryer with
// its default quota starts failing calls, while WithBulkRetryer's
// completes them all.
func TestWithBulkRetryer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kmstest.Options{})
	e.srv.SetThrottleRate(0.6)
	n := 600 // the default quota runs out after about 150 calls
	ctx := context.Background()

	t.Run("standard retryer, default quota", func(t *testing.T) {
		c := kms.NewFromConfig(e.srv.Config(), func(o *kms.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = 10
				so.MaxBackoff = time.Millisecond
			})
		})
		s, err := kmsbackend.New(ctx, c, e.key.ID, kmsbackend.Options{Zone: "example."})
		require.NoError(t, err)
		_, errs := signMany(ctx, s, n, 32)
		var quota error
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), "retry quota exceeded") {
				quota = err
				break
			}
		}
		require.Error(t, quota, "no call failed for want of retry quota")
		require.ErrorContains(t, quota, "WithBulkRetryer")
		require.ErrorContains(t, quota, "ThrottlingException")
	})
	t.Run("bulk retryer", func(t *testing.T) {
		c := kms.NewFromConfig(e.srv.Config(), kmsbackend.WithBulkRetryer(40, time.Millisecond))
		s, err := kmsbackend.New(ctx, c, e.key.ID, kmsbackend.Options{Zone: "example."})
		require.NoError(t, err)
		sigs, errs := signMany(ctx, s, n, 32)
		for i := range n {
			require.NoError(t, errs[i])
			checkSig(t, e.pub, message(i), sigs[i])
		}
	})
}

func TestWithBulkRetryerDefaults(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     int
	}{{0, kmsbackend.DefaultRetryAttempts}, {-1, kmsbackend.DefaultRetryAttempts}, {5, 5}} {
		t.Run(fmt.Sprint(tc.attempts), func(t *testing.T) {
			var o kms.Options
			kmsbackend.WithBulkRetryer(tc.attempts, 0)(&o)
			require.Equal(t, tc.want, o.Retryer.MaxAttempts())
			d, err := o.Retryer.RetryDelay(30, errors.New("x"))
			require.NoError(t, err)
			require.LessOrEqual(t, d, kmsbackend.DefaultRetryMaxBackoff)
		})
	}
}
