package kmsbackend

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// SigningClient is the part of the KMS API that New and Signer use. The
// real *kms.Client implements it; tests may substitute their own.
type SigningClient interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
}

// Client is every KMS operation this package uses: SigningClient plus
// what CheckRoute53 and CreateKey need. *kms.Client implements it.
type Client interface {
	SigningClient
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
	PutKeyPolicy(ctx context.Context, in *kms.PutKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error)
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, optFns ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
}

var _ Client = (*kms.Client)(nil)

// Defaults of WithBulkRetryer: with 30 % of calls throttled, one call in
// 2·10⁸ fails all 16 attempts.
const (
	DefaultRetryAttempts   = 16
	DefaultRetryMaxBackoff = 2 * time.Second
)

// WithBulkRetryer returns a kms.Options function that installs the
// retryer this package recommends for signing many records: the SDK's
// standard retryer (which retries ThrottlingException,
// LimitExceededException, 5xx responses and connection errors with
// exponential backoff and jitter) with maxAttempts attempts per call
// (zero means DefaultRetryAttempts), backoff capped at maxBackoff (zero
// means DefaultRetryMaxBackoff), and no client-side retry quota. The
// standard quota (500 tokens; 5 taken per retry and returned if the retry
// succeeds, 1 added per successful attempt) runs dry when more than about
// a third of calls are throttled for long, and then fails calls at once
// that a retry would have completed.
//
//	client := kms.NewFromConfig(cfg, kmsbackend.WithBulkRetryer(0, 0))
func WithBulkRetryer(maxAttempts int, maxBackoff time.Duration) func(*kms.Options) {
	if maxAttempts <= 0 {
		maxAttempts = DefaultRetryAttempts
	}
	if maxBackoff <= 0 {
		maxBackoff = DefaultRetryMaxBackoff
	}
	return func(o *kms.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			so.MaxBackoff = maxBackoff
			so.RateLimiter = ratelimit.None
		})
	}
}
