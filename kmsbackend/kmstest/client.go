package kmstest

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// Config returns an aws.Config for the server: static test credentials,
// the server's region, BaseEndpoint set to the server's URL, the SDK's
// buildable HTTP client with room for 256 idle connections (so that
// concurrent signers reuse connections), and a standard retryer with 20
// attempts, at most 20 ms of backoff and no retry quota, so that
// injected throttling and 5xx faults are retried quickly (with 30 % of
// calls throttled, one call in 3·10¹⁰ fails every attempt).
//
// It never uses a bare http.Client: the SDK's buildable client honours
// settings such as AWS_CA_BUNDLE that a bare client would break.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region: s.region,
		Credentials: aws.CredentialsProviderFunc(func(_ context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDKMSTEST", SecretAccessKey: "kmstest-secret", Source: "kmstest"}, nil
		}),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns = 512
			tr.MaxIdleConnsPerHost = 256
		}),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 20
				o.MaxBackoff = 20 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// Client returns a real aws-sdk-go-v2 KMS client for the server, made from
// Config, with optFns applied last.
func (s *Server) Client(optFns ...func(*kms.Options)) *kms.Client {
	return kms.NewFromConfig(s.Config(), optFns...)
}
