package kmsbackend_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

func TestCreateKey(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	defer srv.Close()
	c := srv.Client()

	for _, tc := range []struct {
		name       string
		opts       kmsbackend.CreateOptions
		alias      string
		route53    bool
		putPolicy  int64
		createdPol bool
	}{
		{name: "plain", opts: kmsbackend.CreateOptions{}},
		{name: "alias without prefix", opts: kmsbackend.CreateOptions{Alias: "dnssec/example-com"}, alias: "alias/dnssec/example-com"},
		{name: "alias with prefix", opts: kmsbackend.CreateOptions{Alias: "alias/ksk-2026"}, alias: "alias/ksk-2026"},
		{name: "route53 with account", opts: kmsbackend.CreateOptions{Route53: true, AccountID: "111122223333"}, route53: true, createdPol: true},
		{name: "route53, account from ARN", opts: kmsbackend.CreateOptions{Route53: true, MultiRegion: true}, route53: true, putPolicy: 1},
		{name: "with signer", opts: kmsbackend.CreateOptions{Zone: "example.net", SignerOptions: kmsbackend.Options{Flags: 256}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetCalls()
			tc.opts.Tags = map[string]string{"zone": "example.com", "owner": "dns"}
			k, err := kmsbackend.CreateKey(ctx, c, tc.opts)
			require.NoError(t, err)
			require.Equal(t, "arn:aws:kms:us-east-1:111122223333:key/"+k.KeyID, k.ARN)
			require.Equal(t, tc.alias, k.Alias)
			md := k.Metadata
			require.Equal(t, types.KeySpecEccNistP256, md.KeySpec)
			require.Equal(t, types.KeyUsageTypeSignVerify, md.KeyUsage)
			require.Equal(t, kmsbackend.DefaultDescription, aws.ToString(md.Description))
			require.Equal(t, tc.opts.MultiRegion, aws.ToBool(md.MultiRegion))
			require.Equal(t, tc.putPolicy, srv.Calls("PutKeyPolicy"))

			pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(k.KeyID)})
			require.NoError(t, err)
			if tc.route53 {
				require.Equal(t, k.Policy, aws.ToString(pol.Policy))
				want, err := kmsbackend.Route53Policy("aws", "111122223333")
				require.NoError(t, err)
				require.JSONEq(t, want, k.Policy)
			} else {
				require.Empty(t, k.Policy)
				require.JSONEq(t, srv.DefaultPolicy(), aws.ToString(pol.Policy))
			}
			ps, err := kmsbackend.CheckRoute53(ctx, c, k.ARN)
			require.NoError(t, err)
			if tc.route53 {
				require.Empty(t, ps)
			} else {
				require.Equal(t, []kmsbackend.ProblemCode{kmsbackend.ProblemKeyPolicy}, codes(ps))
			}
			if tc.alias != "" {
				d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.alias)})
				require.NoError(t, err)
				require.Equal(t, k.ARN, aws.ToString(d.KeyMetadata.Arn))
			}
			if tc.opts.Zone != "" {
				require.NotNil(t, k.Signer)
				require.Equal(t, "example.net.", k.Signer.DNSKEY().Hdr.Name)
				require.Equal(t, uint16(256), k.Signer.DNSKEY().Flags)
				sig, err := k.Signer.Sign(ctx, []byte("x"))
				require.NoError(t, err)
				require.Len(t, sig, 64)
			} else {
				require.Nil(t, k.Signer)
			}
		})
	}
}

func TestCreateKeyTagsAndDescription(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	defer srv.Close()
	rc := &createRecorder{Client: srv.Client()}
	_, err := kmsbackend.CreateKey(ctx, rc, kmsbackend.CreateOptions{
		Description: "KSK for example.com",
		Tags:        map[string]string{"b": "2", "a": "1"},
	})
	require.NoError(t, err)
	require.Equal(t, "KSK for example.com", aws.ToString(rc.in.Description))
	require.Equal(t, []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("b"), TagValue: aws.String("2")}}, rc.in.Tags)
	require.Nil(t, rc.in.Policy)
}

type createRecorder struct {
	*kms.Client
	in *kms.CreateKeyInput
}

func (r *createRecorder) CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error) {
	r.in = in
	return r.Client.CreateKey(ctx, in, optFns...)
}

func TestCreateKeyErrors(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	defer srv.Close()
	c := srv.Client()

	for _, tc := range []struct {
		name string
		opts kmsbackend.CreateOptions
		msg  string
	}{
		{name: "reserved alias", opts: kmsbackend.CreateOptions{Alias: "alias/aws/route53"}, msg: "not under alias/aws/"},
		{name: "bad alias", opts: kmsbackend.CreateOptions{Alias: "a b"}, msg: "alias"},
		{name: "bad account", opts: kmsbackend.CreateOptions{Route53: true, AccountID: "12345"}, msg: "not 12 digits"},
		{name: "bad zone", opts: kmsbackend.CreateOptions{Zone: "a..b"}, msg: "not a domain name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetCalls()
			k, err := kmsbackend.CreateKey(ctx, c, tc.opts)
			require.ErrorContains(t, err, tc.msg)
			require.Nil(t, k)
			require.Zero(t, srv.Calls("CreateKey"), "nothing is created for invalid options")
		})
	}

	t.Run("create denied", func(t *testing.T) {
		srv.Fail("CreateKey", "AccessDeniedException", 1)
		k, err := kmsbackend.CreateKey(ctx, c, kmsbackend.CreateOptions{})
		require.ErrorContains(t, err, "allow the caller kms:CreateKey")
		require.Nil(t, k)
	})
	t.Run("alias taken: key returned with the error", func(t *testing.T) {
		_, err := kmsbackend.CreateKey(ctx, c, kmsbackend.CreateOptions{Alias: "taken"})
		require.NoError(t, err)
		k, err := kmsbackend.CreateKey(ctx, c, kmsbackend.CreateOptions{Alias: "taken"})
		var exists *types.AlreadyExistsException
		require.ErrorAs(t, err, &exists)
		require.ErrorContains(t, err, "alias alias/taken")
		require.NotNil(t, k)
		require.NotEmpty(t, k.ARN)
		require.Empty(t, k.Alias)
	})
	t.Run("policy denied: key returned with the error", func(t *testing.T) {
		srv.Fail("PutKeyPolicy", "AccessDeniedException", 1)
		k, err := kmsbackend.CreateKey(ctx, c, kmsbackend.CreateOptions{Route53: true})
		require.ErrorContains(t, err, "PutKeyPolicy")
		require.NotNil(t, k)
		require.Empty(t, k.Policy)
	})
}

func TestRoute53Policy(t *testing.T) {
	p, err := kmsbackend.Route53Policy("", "111122223333")
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal map[string]string
			Action    any
			Resource  string
			Condition map[string]map[string]any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(p), &doc))
	require.Len(t, doc.Statement, 3)
	admin, r53, grant := doc.Statement[0], doc.Statement[1], doc.Statement[2]
	require.Equal(t, "arn:aws:iam::111122223333:root", admin.Principal["AWS"])
	require.Equal(t, "kms:*", admin.Action)
	require.Equal(t, "dnssec-route53.amazonaws.com", r53.Principal["Service"])
	require.Equal(t, []any{"kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"}, r53.Action)
	require.Equal(t, "111122223333", r53.Condition["StringEquals"]["aws:SourceAccount"])
	require.Equal(t, "arn:aws:route53:::hostedzone/*", r53.Condition["ArnLike"]["aws:SourceArn"])
	require.Equal(t, "kms:CreateGrant", grant.Action)
	require.Equal(t, true, grant.Condition["Bool"]["kms:GrantIsForAWSResource"])

	_, err = kmsbackend.Route53Policy("aws", "not-an-account")
	require.Error(t, err)
	cn, err := kmsbackend.Route53Policy("aws-cn", "111122223333")
	require.NoError(t, err)
	require.Contains(t, cn, "arn:aws-cn:iam::111122223333:root")
}
