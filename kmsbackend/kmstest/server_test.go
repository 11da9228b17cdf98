package kmstest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

func newServer(t *testing.T, o kmstest.Options) (*kmstest.Server, *kms.Client) {
	t.Helper()
	s := kmstest.NewServerWith(o)
	t.Cleanup(s.Close)
	return s, s.Client()
}

func createKey(t *testing.T, c *kms.Client, spec types.KeySpec, usage types.KeyUsageType) *types.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	require.NoError(t, err)
	require.NotNil(t, out.KeyMetadata)
	return out.KeyMetadata
}

func TestCreateAndDescribe(t *testing.T) {
	ctx := context.Background()
	_, c := newServer(t, kmstest.Options{})
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify,
		Description: aws.String("test key"), MultiRegion: aws.Bool(true),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("dns")}},
	})
	require.NoError(t, err)
	md := out.KeyMetadata
	require.True(t, strings.HasPrefix(aws.ToString(md.KeyId), "mrk-"))
	require.Equal(t, "arn:aws:kms:us-east-1:111122223333:key/"+aws.ToString(md.KeyId), aws.ToString(md.Arn))
	require.Equal(t, "111122223333", aws.ToString(md.AWSAccountId))
	require.Equal(t, types.KeySpecEccNistP256, md.KeySpec)
	require.Equal(t, types.KeyUsageTypeSignVerify, md.KeyUsage)
	require.Equal(t, types.KeyStateEnabled, md.KeyState)
	require.True(t, md.Enabled)
	require.True(t, aws.ToBool(md.MultiRegion))
	require.Equal(t, []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecEcdsaSha256}, md.SigningAlgorithms)
	require.Equal(t, "test key", aws.ToString(md.Description))
	require.WithinDuration(t, time.Now(), aws.ToTime(md.CreationDate), time.Minute)
	require.Equal(t, types.KeyManagerTypeCustomer, md.KeyManager)
	require.NotNil(t, md.MultiRegionConfiguration)
	require.Equal(t, types.MultiRegionKeyTypePrimary, md.MultiRegionConfiguration.MultiRegionKeyType)

	for _, ref := range []string{aws.ToString(md.KeyId), aws.ToString(md.Arn)} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		require.NoError(t, err, ref)
		require.Equal(t, md.Arn, d.KeyMetadata.Arn)
	}
}

func TestKeySpecs(t *testing.T) {
	ctx := context.Background()
	_, c := newServer(t, kmstest.Options{Region: "eu-west-1", Account: "444455556666"})
	for _, tc := range []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		algs  []types.SigningAlgorithmSpec
		err   string
	}{
		{spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeSignVerify, algs: []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}},
		{spec: types.KeySpecEccNistP384, usage: types.KeyUsageTypeSignVerify, algs: []types.SigningAlgorithmSpec{"ECDSA_SHA_384"}},
		{spec: types.KeySpecEccNistP521, usage: types.KeyUsageTypeSignVerify, algs: []types.SigningAlgorithmSpec{"ECDSA_SHA_512"}},
		{spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeKeyAgreement},
		{spec: types.KeySpecSymmetricDefault, usage: types.KeyUsageTypeEncryptDecrypt},
		{spec: types.KeySpecEccSecgP256k1, usage: types.KeyUsageTypeSignVerify, err: "UnsupportedOperationException"},
		{spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeEncryptDecrypt, err: "ValidationException"},
	} {
		t.Run(string(tc.spec)+"/"+string(tc.usage), func(t *testing.T) {
			out, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: tc.usage})
			if tc.err != "" {
				var api smithy.APIError
				require.ErrorAs(t, err, &api)
				require.Equal(t, tc.err, api.ErrorCode())
				return
			}
			require.NoError(t, err)
			md := out.KeyMetadata
			require.Equal(t, tc.spec, md.KeySpec)
			require.Equal(t, tc.usage, md.KeyUsage)
			require.Equal(t, tc.algs, md.SigningAlgorithms)
			require.True(t, strings.HasPrefix(aws.ToString(md.Arn), "arn:aws:kms:eu-west-1:444455556666:key/"))
		})
	}
}

func TestGetPublicKeySignVerify(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
		hash func([]byte) []byte
	}{
		{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256, func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }},
		{types.KeySpecEccNistP384, types.SigningAlgorithmSpecEcdsaSha384, func(b []byte) []byte { h := sha512.Sum384(b); return h[:] }},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			_, c := newServer(t, kmstest.Options{})
			md := createKey(t, c, tc.spec, types.KeyUsageTypeSignVerify)
			pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
			require.NoError(t, err)
			require.Equal(t, md.Arn, pk.KeyId)
			require.Equal(t, tc.spec, pk.KeySpec)
			require.Equal(t, []types.SigningAlgorithmSpec{tc.alg}, pk.SigningAlgorithms)
			pub, err := x509.ParsePKIXPublicKey(pk.PublicKey)
			require.NoError(t, err)
			ec := pub.(*ecdsa.PublicKey)

			msg := []byte("hello, dnssec")
			for _, mt := range []types.MessageType{types.MessageTypeRaw, types.MessageTypeDigest} {
				in := msg
				if mt == types.MessageTypeDigest {
					in = tc.hash(msg)
				}
				out, err := c.Sign(ctx, &kms.SignInput{KeyId: md.Arn, Message: in, MessageType: mt, SigningAlgorithm: tc.alg})
				require.NoError(t, err)
				require.Equal(t, tc.alg, out.SigningAlgorithm)
				require.True(t, ecdsa.VerifyASN1(ec, tc.hash(msg), out.Signature), "signature over %s verifies", mt)

				v, err := c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: in, MessageType: mt, Signature: out.Signature, SigningAlgorithm: tc.alg})
				require.NoError(t, err)
				require.True(t, v.SignatureValid)

				bad := append([]byte{}, in...)
				bad[0] ^= 1
				_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: bad, MessageType: mt, Signature: out.Signature, SigningAlgorithm: tc.alg})
				var inv *types.KMSInvalidSignatureException
				require.ErrorAs(t, err, &inv)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	ctx := context.Background()
	s, c := newServer(t, kmstest.Options{})
	p256 := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	agree := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	sym := createKey(t, c, types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt)
	digest := make([]byte, 32)
	sign := func(id *string, msg []byte, mt types.MessageType, alg types.SigningAlgorithmSpec) error {
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: id, Message: msg, MessageType: mt, SigningAlgorithm: alg})
		return err
	}
	var usage *types.InvalidKeyUsageException
	require.ErrorAs(t, sign(p256.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha384), &usage)
	require.ErrorAs(t, sign(agree.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &usage)
	require.ErrorAs(t, sign(sym.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &usage)

	var api smithy.APIError
	require.ErrorAs(t, sign(p256.KeyId, make([]byte, 31), types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &api)
	require.Equal(t, "ValidationException", api.ErrorCode())
	require.ErrorAs(t, sign(p256.KeyId, make([]byte, 4097), types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256), &api)
	require.Equal(t, "ValidationException", api.ErrorCode())

	var nf *types.NotFoundException
	require.ErrorAs(t, sign(aws.String("1234abcd-12ab-34cd-56ef-1234567890ab"), digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &nf)
	require.ErrorAs(t, sign(aws.String("alias/none"), digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &nf)
	require.ErrorAs(t, sign(aws.String(strings.Replace(aws.ToString(p256.Arn), "us-east-1", "us-west-2", 1)), digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &nf)

	_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: p256.KeyId})
	require.NoError(t, err)
	var dis *types.DisabledException
	require.ErrorAs(t, sign(p256.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &dis)
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: p256.KeyId})
	require.ErrorAs(t, err, &dis)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p256.KeyId})
	require.NoError(t, err)
	require.Equal(t, types.KeyStateDisabled, d.KeyMetadata.KeyState)
	require.False(t, d.KeyMetadata.Enabled)

	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: p256.KeyId})
	require.NoError(t, err)
	require.NoError(t, sign(p256.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256))

	sd, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: p256.KeyId, PendingWindowInDays: aws.Int32(7)})
	require.NoError(t, err)
	require.Equal(t, types.KeyStatePendingDeletion, sd.KeyState)
	require.Equal(t, int32(7), aws.ToInt32(sd.PendingWindowInDays))
	require.WithinDuration(t, time.Now().Add(7*24*time.Hour), aws.ToTime(sd.DeletionDate), time.Minute)
	var state *types.KMSInvalidStateException
	require.ErrorAs(t, sign(p256.KeyId, digest, types.MessageTypeDigest, types.SigningAlgorithmSpecEcdsaSha256), &state)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: p256.KeyId})
	require.ErrorAs(t, err, &state)
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: p256.KeyId})
	require.NoError(t, err)
	require.Equal(t, types.KeyStatePendingDeletion, d.KeyMetadata.KeyState)
	require.Equal(t, int32(7), aws.ToInt32(d.KeyMetadata.PendingDeletionWindowInDays))

	require.GreaterOrEqual(t, s.Calls("Sign"), int64(10))
}

func TestPoliciesAndAliases(t *testing.T) {
	ctx := context.Background()
	s, c := newServer(t, kmstest.Options{})
	md := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)

	p, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	require.NoError(t, err)
	require.JSONEq(t, s.DefaultPolicy(), aws.ToString(p.Policy))
	require.Equal(t, "default", aws.ToString(p.PolicyName))

	newPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.Arn, Policy: aws.String(newPolicy), PolicyName: aws.String("default")})
	require.NoError(t, err)
	p, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.Arn, PolicyName: aws.String("default")})
	require.NoError(t, err)
	require.Equal(t, newPolicy, aws.ToString(p.Policy))

	var malformed *types.MalformedPolicyDocumentException
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.Arn, Policy: aws.String("not json")})
	require.ErrorAs(t, err, &malformed)
	var nf *types.NotFoundException
	_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("other")})
	require.ErrorAs(t, err, &nf)

	for i := range 5 {
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/k%d", i)), TargetKeyId: md.KeyId})
		require.NoError(t, err)
	}
	var exists *types.AlreadyExistsException
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/k0"), TargetKeyId: md.KeyId})
	require.ErrorAs(t, err, &exists)
	var badName *types.InvalidAliasNameException
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/x"), TargetKeyId: md.KeyId})
	require.ErrorAs(t, err, &badName)

	// Aliases work for DescribeKey and Sign, but not for key management.
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/k3")})
	require.NoError(t, err)
	require.Equal(t, md.Arn, d.KeyMetadata.Arn)
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:alias/k3")})
	require.NoError(t, err)
	require.Equal(t, md.Arn, d.KeyMetadata.Arn)
	_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("alias/k3")})
	require.ErrorAs(t, err, &nf)

	var names []string
	pg := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{KeyId: md.KeyId, Limit: aws.Int32(2)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(out.Aliases), 2)
		for _, a := range out.Aliases {
			require.Equal(t, md.KeyId, a.TargetKeyId)
			require.Equal(t, "arn:aws:kms:us-east-1:111122223333:"+aws.ToString(a.AliasName), aws.ToString(a.AliasArn))
			names = append(names, aws.ToString(a.AliasName))
		}
	}
	require.Equal(t, []string{"alias/k0", "alias/k1", "alias/k2", "alias/k3", "alias/k4"}, names)
}

func TestAuthorization(t *testing.T) {
	ctx := context.Background()
	s, _ := newServer(t, kmstest.Options{Region: "eu-west-1"})
	cfg := s.Config()
	cfg.Region = "us-east-1" // scope does not match the server's region
	_, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("x")})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	require.Equal(t, "InvalidSignatureException", api.ErrorCode())

	resp, err := http.Post(s.URL, "application/x-amz-json-1.1", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	s, c := newServer(t, kmstest.Options{})
	md := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	digest := sha256.Sum256([]byte("x"))
	in := &kms.SignInput{KeyId: md.KeyId, Message: digest[:], MessageType: types.MessageTypeDigest, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
	once := func(o *kms.Options) { o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) }

	t.Run("throttle", func(t *testing.T) {
		s.SetThrottleRate(1)
		defer s.SetThrottleRate(0)
		_, err := c.Sign(ctx, in, once)
		var api smithy.APIError
		require.ErrorAs(t, err, &api)
		require.Equal(t, "ThrottlingException", api.ErrorCode())
		require.True(t, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool())
	})
	t.Run("internal", func(t *testing.T) {
		s.SetInternalErrorRate(1)
		defer s.SetInternalErrorRate(0)
		_, err := c.Sign(ctx, in, once)
		var ie *types.KMSInternalException
		require.ErrorAs(t, err, &ie)
	})
	t.Run("retried", func(t *testing.T) {
		s.ResetCalls()
		s.Fail("Sign", "DependencyTimeoutException", 3)
		_, err := c.Sign(ctx, in)
		require.NoError(t, err)
		require.Equal(t, int64(4), s.Calls("Sign"))
	})
	t.Run("fail", func(t *testing.T) {
		s.Fail("Sign", "AccessDeniedException", 0)
		defer s.ClearFailures()
		for range 2 {
			_, err := c.Sign(ctx, in)
			var api smithy.APIError
			require.ErrorAs(t, err, &api)
			require.Equal(t, "AccessDeniedException", api.ErrorCode())
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		s.SetBadSignatureRate(1)
		defer s.SetBadSignatureRate(0)
		out, err := c.Sign(ctx, in)
		require.NoError(t, err)
		pub, err := s.PublicKey(aws.ToString(md.KeyId))
		require.NoError(t, err)
		require.False(t, ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], out.Signature))
	})
	t.Run("latency", func(t *testing.T) {
		s.SetLatency(50 * time.Millisecond)
		defer s.SetLatency(0)
		start := time.Now()
		_, err := c.Sign(ctx, in)
		require.NoError(t, err)
		require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

		s.SetLatency(time.Hour)
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		_, err = c.Sign(cctx, in)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), time.Second)
	})
	t.Run("short", func(t *testing.T) {
		pub, err := s.PublicKey(aws.ToString(md.Arn))
		require.NoError(t, err)
		for _, m := range []kmstest.Short{kmstest.ShortR, kmstest.ShortS, kmstest.ShortEither} {
			s.SetShortSignatures(m)
			for range 20 {
				out, err := c.Sign(ctx, in)
				require.NoError(t, err)
				require.True(t, ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), digest[:], out.Signature))
				r, sv, err := kmstest.SignatureValues(out.Signature)
				require.NoError(t, err)
				rs, ss := r.BitLen() <= 248, sv.BitLen() <= 248
				switch m {
				case kmstest.ShortR:
					require.True(t, rs)
				case kmstest.ShortS:
					require.True(t, ss)
				default:
					require.True(t, rs || ss)
				}
			}
		}
		s.SetShortSignatures(kmstest.ShortOff)
		require.Equal(t, int64(60), s.ShortSignatures())
	})
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s, c := newServer(t, kmstest.Options{})
	md := createKey(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	s.SetThrottleRate(0.3)
	digest := sha256.Sum256([]byte("x"))
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			if i%10 == 0 {
				s.SetLatency(time.Duration(i%3) * time.Millisecond)
			}
			_, err := c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: digest[:], MessageType: types.MessageTypeDigest, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Greater(t, s.Calls("Sign"), int64(200), "some calls were throttled and retried")
}

func TestNewKeyHelpers(t *testing.T) {
	s := kmstest.NewServer()
	defer s.Close()
	k, err := s.NewKey("ECC_NIST_P384", "SIGN_VERIFY")
	require.NoError(t, err)
	require.Equal(t, "arn:aws:kms:us-east-1:111122223333:key/"+k.ID, k.ARN)
	require.NoError(t, s.SetKeyState(k.ID, "Disabled"))
	require.Error(t, s.SetKeyState(k.ID, "Bogus"))
	require.Error(t, s.SetKeyState("nope", "Enabled"))
	_, err = s.NewKey("RSA_2048", "SIGN_VERIFY")
	require.Error(t, err)
	_, err = s.PublicKey("nope")
	require.Error(t, err)
}
