package kmsbackend_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/signer/signertest"
	"github.com/stretchr/testify/require"
)

// TestIntegration runs the conformance suite against a KMS reached through
// the SDK's default configuration chain (profiles, environment):
//
//   - with DNSSEAL_TEST_KMS_KEY set, against that existing key (an
//     ECC_NIST_P256 SIGN_VERIFY key id, ARN or alias);
//   - else with AWS_ENDPOINT_URL_KMS set, against a key it creates there
//     (with a Route 53-ready policy) and schedules for deletion after 7
//     days when done.
func TestIntegration(t *testing.T) {
	key := os.Getenv("DNSSEAL_TEST_KMS_KEY")
	if key == "" && os.Getenv("AWS_ENDPOINT_URL_KMS") == "" {
		t.Skip("KMS integration test skipped: set DNSSEAL_TEST_KMS_KEY to an existing ECC_NIST_P256 SIGN_VERIFY key, " +
			"or AWS_ENDPOINT_URL_KMS to a KMS endpoint where a test key may be created (AWS credentials and region from the default chain)")
	}
	runIntegration(t, key, 50)
}

// TestIntegrationViaEnvironment runs TestIntegration's two paths against
// kmstest, with all configuration taken from the environment by
// config.LoadDefaultConfig, as the CLI does.
func TestIntegrationViaEnvironment(t *testing.T) {
	t.Run("AWS_ENDPOINT_URL_KMS", func(t *testing.T) {
		srv := envServer(t)
		// Cleanups run last-in first-out: these checks run after the
		// test key is scheduled for deletion, and before the server
		// closes.
		t.Cleanup(func() {
			require.Equal(t, int64(1), srv.Calls("CreateKey"))
			require.Equal(t, int64(1), srv.Calls("ScheduleKeyDeletion"))
			require.Greater(t, srv.Calls("Sign"), int64(100))
		})
		runIntegration(t, "", 1000)
	})
	t.Run("DNSSEAL_TEST_KMS_KEY", func(t *testing.T) {
		srv := envServer(t)
		k, err := srv.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
		require.NoError(t, err)
		t.Setenv("DNSSEAL_TEST_KMS_KEY", k.ARN)
		runIntegration(t, os.Getenv("DNSSEAL_TEST_KMS_KEY"), 1000)
		require.Zero(t, srv.Calls("CreateKey"))
		require.Greater(t, srv.Calls("Sign"), int64(100))
	})
}

// envServer starts a kmstest server and points the SDK's environment
// configuration at it, isolated from the user's AWS files.
func envServer(t *testing.T) *kmstest.Server {
	srv := kmstest.NewServer()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_KMS":        srv.URL,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"DNSSEAL_TEST_KMS_KEY":        "",
	} {
		t.Setenv(k, v)
	}
	return srv
}

// runIntegration signs at most rate times per second.
func runIntegration(t *testing.T, key string, rate float64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 8
			o.RateLimiter = ratelimit.None
		})
	}))
	require.NoError(t, err)
	client := kms.NewFromConfig(cfg)

	if key == "" {
		ck, err := kmsbackend.CreateKey(ctx, client, kmsbackend.CreateOptions{
			Description: "dnsseal integration test key (safe to delete)",
			Tags:        map[string]string{"dnsseal-test": "true"},
			Route53:     true,
		})
		if ck != nil {
			t.Cleanup(func() {
				_, err := client.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{
					KeyId: aws.String(ck.ARN), PendingWindowInDays: aws.Int32(7),
				})
				if err != nil {
					t.Errorf("schedule deletion of test key %s: %v", ck.ARN, err)
				}
			})
		}
		require.NoError(t, err)
		key = ck.ARN
		t.Logf("created test key %s", key)

		ps, err := kmsbackend.CheckRoute53(ctx, client, key)
		require.NoError(t, err)
		for _, p := range ps {
			// Only the region may differ from Route 53's: the endpoint is
			// the tester's choice.
			require.Equal(t, kmsbackend.ProblemRegion, p.Code, "%v", p)
		}
	}

	s, err := kmsbackend.New(ctx, client, key, kmsbackend.Options{Zone: "example.com.", RateLimit: rate, Burst: 10})
	require.NoError(t, err)
	t.Logf("key %s: %v", s.ARN(), s.DNSKEY())
	signertest.Run(t, func(t *testing.T) signer.Signer { return s })
}
