package kmsbackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

func codes(ps []kmsbackend.Problem) []kmsbackend.ProblemCode {
	out := []kmsbackend.ProblemCode{}
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestCheckRoute53(t *testing.T) {
	ctx := context.Background()
	east := kmstest.NewServer()
	defer east.Close()
	west := kmstest.NewServerWith(kmstest.Options{Region: "eu-west-1", Account: "444455556666"})
	defer west.Close()
	ec, wc := east.Client(), west.Client()

	route53Key := func(c *kms.Client, account string) string {
		k, err := kmsbackend.CreateKey(ctx, c, kmsbackend.CreateOptions{Route53: true, AccountID: account})
		require.NoError(t, err)
		return k.KeyID
	}
	// withPolicy makes a key of the given spec with the Route 53 policy.
	withPolicy := func(srv *kmstest.Server, spec string) string {
		k, err := srv.NewKey(spec, "SIGN_VERIFY")
		require.NoError(t, err)
		p, err := kmsbackend.Route53Policy("", srv.Account())
		require.NoError(t, err)
		_, err = srv.Client().PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(k.ID), Policy: aws.String(p)})
		require.NoError(t, err)
		return k.ID
	}
	p384 := withPolicy(east, "ECC_NIST_P384")
	disabled := route53Key(ec, "")
	require.NoError(t, east.SetKeyState(disabled, "Disabled"))
	pending := route53Key(ec, "111122223333")
	require.NoError(t, east.SetKeyState(pending, "PendingDeletion"))
	noPrincipal, err := east.NewKey("ECC_NIST_P256", "SIGN_VERIFY") // default policy
	require.NoError(t, err)
	kaKey, err := east.NewKey("ECC_NIST_P256", "KEY_AGREEMENT")
	require.NoError(t, err)
	everythingWrong, err := west.NewKey("ECC_NIST_P384", "SIGN_VERIFY")
	require.NoError(t, err)
	require.NoError(t, west.SetKeyState(everythingWrong.ID, "Disabled"))
	aliased := route53Key(ec, "")
	_, err = ec.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/route53-ksk"), TargetKeyId: aws.String(aliased)})
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		client *kms.Client
		key    string
		want   []kmsbackend.ProblemCode
		says   []string
	}{
		{name: "correct key, account given", client: ec, key: route53Key(ec, "111122223333"), want: []kmsbackend.ProblemCode{}},
		{name: "correct key, account from ARN", client: ec, key: route53Key(ec, ""), want: []kmsbackend.ProblemCode{}},
		{name: "correct key by alias", client: ec, key: "alias/route53-ksk", want: []kmsbackend.ProblemCode{}},
		{name: "P-384", client: ec, key: p384, want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeySpec},
			says: []string{"key-spec: key spec is ECC_NIST_P384, want ECC_NIST_P256"}},
		{name: "disabled", client: ec, key: disabled, want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyState},
			says: []string{"key-state: key state is Disabled, want Enabled (fix: enable the key: aws kms enable-key --key-id " + disabled + ")"}},
		{name: "pending deletion", client: ec, key: pending, want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyState},
			says: []string{"cancel-key-deletion"}},
		{name: "outside us-east-1", client: wc, key: route53Key(wc, ""), want: []kmsbackend.ProblemCode{kmsbackend.ProblemRegion},
			says: []string{`region: key is in region "eu-west-1", but Route 53 uses only keys in us-east-1`}},
		{name: "policy without the Route 53 principal", client: ec, key: noPrincipal.ID, want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyPolicy},
			says: []string{"key-policy: key policy does not allow the Route 53 DNSSEC service principal dnssec-route53.amazonaws.com to call kms:DescribeKey, kms:GetPublicKey, kms:Sign"}},
		{name: "key agreement usage", client: ec, key: kaKey.ID, want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyUsage, kmsbackend.ProblemKeyPolicy}},
		{name: "everything wrong", client: wc, key: everythingWrong.ARN, want: []kmsbackend.ProblemCode{
			kmsbackend.ProblemRegion, kmsbackend.ProblemKeySpec, kmsbackend.ProblemKeyState, kmsbackend.ProblemKeyPolicy}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := kmsbackend.CheckRoute53(ctx, tc.client, tc.key)
			require.NoError(t, err)
			require.Equal(t, tc.want, codes(ps), "%v", ps)
			var lines []string
			for _, p := range ps {
				require.NotEmpty(t, p.Message)
				require.NotEmpty(t, p.Fix)
				lines = append(lines, p.String())
			}
			for _, s := range tc.says {
				require.Contains(t, strings.Join(lines, "\n"), s)
			}
		})
	}
}

func TestCheckRoute53Errors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	_, err := kmsbackend.CheckRoute53(ctx, e.client, "alias/missing")
	require.ErrorContains(t, err, "kmsbackend: DescribeKey alias/missing: key not found")

	_, err = kmsbackend.CheckRoute53(ctx, nil, e.key.ID)
	require.Error(t, err)

	// A caller that may not read the policy gets the other problems
	// and an error saying what could not be checked.
	require.NoError(t, e.srv.SetKeyState(e.key.ID, "Disabled"))
	e.srv.Fail("GetKeyPolicy", "AccessDeniedException", 1)
	ps, err := kmsbackend.CheckRoute53(ctx, e.client, e.key.ID)
	require.ErrorContains(t, err, "kmsbackend: GetKeyPolicy "+e.key.ID+": access denied (AccessDeniedException); allow the caller kms:GetKeyPolicy")
	require.Equal(t, []kmsbackend.ProblemCode{kmsbackend.ProblemKeyState}, codes(ps))
}

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    kmsbackend.Problem
		want string
	}{
		{kmsbackend.Problem{Code: kmsbackend.ProblemRegion, Message: "m", Fix: "f"}, "region: m (fix: f)"},
		{kmsbackend.Problem{Code: kmsbackend.ProblemKeySpec, Message: "m"}, "key-spec: m"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.p.String())
		})
	}
}

// metadataClient edits DescribeKey's answer, for key shapes kmstest does
// not make.
type metadataClient struct {
	*kms.Client
	edit func(*types.KeyMetadata)
}

func (m metadataClient) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	out, err := m.Client.DescribeKey(ctx, in, optFns...)
	if err == nil {
		m.edit(out.KeyMetadata)
	}
	return out, err
}

func TestMetadataProblems(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	defer srv.Close()
	k, err := kmsbackend.CreateKey(ctx, srv.Client(), kmsbackend.CreateOptions{Route53: true})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		edit func(*types.KeyMetadata)
		want []kmsbackend.ProblemCode
		says string
	}{
		{name: "no ECDSA_SHA_256", edit: func(md *types.KeyMetadata) { md.SigningAlgorithms = []types.SigningAlgorithmSpec{"ECDSA_SHA_384"} },
			want: []kmsbackend.ProblemCode{kmsbackend.ProblemSigningAlgorithm}, says: "it offers ECDSA_SHA_384"},
		{name: "no algorithms", edit: func(md *types.KeyMetadata) { md.SigningAlgorithms = nil },
			want: []kmsbackend.ProblemCode{kmsbackend.ProblemSigningAlgorithm}, says: "it offers none"},
		{name: "AWS managed", edit: func(md *types.KeyMetadata) { md.KeyManager = types.KeyManagerTypeAws },
			want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyManager}, says: "AWS managed key"},
		{name: "pending import", edit: func(md *types.KeyMetadata) { md.KeyState = types.KeyStatePendingImport; md.Enabled = false },
			want: []kmsbackend.ProblemCode{kmsbackend.ProblemKeyState}, says: "import the key material"},
		{name: "only CustomerMasterKeySpec", edit: func(md *types.KeyMetadata) { md.KeySpec = "" }, want: []kmsbackend.ProblemCode{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := metadataClient{Client: srv.Client(), edit: tc.edit}
			ps, err := kmsbackend.CheckRoute53(ctx, c, k.ARN)
			require.NoError(t, err)
			require.Equal(t, tc.want, codes(ps))
			if tc.says != "" {
				require.Contains(t, ps[0].String(), tc.says)
			}
			_, err = kmsbackend.New(ctx, c, k.ARN, kmsbackend.Options{Zone: "example."})
			if len(tc.want) == 0 || tc.want[0] == kmsbackend.ProblemKeyManager {
				require.NoError(t, err) // New signs with what it is given
			} else {
				require.ErrorIs(t, err, kmsbackend.ErrUnsuitableKey)
				require.ErrorContains(t, err, tc.says)
			}
		})
	}
}
