package kmsbackend

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Route 53 requirements for a key-signing key's KMS key.
const (
	// Route53Region is the only region Route 53 takes KSK keys from.
	Route53Region = "us-east-1"
	// Route53Principal is the service principal Route 53 DNSSEC signing
	// uses to call KMS.
	Route53Principal = "dnssec-route53.amazonaws.com"
)

// route53Actions are the KMS actions the key policy must allow
// Route53Principal.
var route53Actions = []string{"kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"}

// ProblemCode names a kind of Problem; it is stable, for scripts.
type ProblemCode string

// Problem codes.
const (
	ProblemRegion           ProblemCode = "region"            // key is not in us-east-1
	ProblemKeySpec          ProblemCode = "key-spec"          // not ECC_NIST_P256
	ProblemKeyUsage         ProblemCode = "key-usage"         // not SIGN_VERIFY
	ProblemKeyState         ProblemCode = "key-state"         // not Enabled
	ProblemSigningAlgorithm ProblemCode = "signing-algorithm" // ECDSA_SHA_256 not offered
	ProblemKeyManager       ProblemCode = "key-manager"       // an AWS managed key
	ProblemKeyPolicy        ProblemCode = "key-policy"        // Route 53 not allowed the actions
	ProblemKeyPolicyDeny    ProblemCode = "key-policy-deny"   // an explicit Deny applies to Route 53
)

// Problem is one reason a KMS key cannot serve as a Route 53 key-signing
// key (or, from New, as a DNSSEC signer): what is wrong and how to fix it.
type Problem struct {
	Code    ProblemCode
	Message string
	Fix     string
}

// String returns "code: message (fix: …)".
func (p Problem) String() string {
	s := string(p.Code) + ": " + p.Message
	if p.Fix != "" {
		s += " (fix: " + p.Fix + ")"
	}
	return s
}

func specProblem(spec string) Problem {
	return Problem{ProblemKeySpec,
		fmt.Sprintf("key spec is %s, want ECC_NIST_P256", spec),
		"create a new key with key spec ECC_NIST_P256 and key usage SIGN_VERIFY; a key's spec cannot be changed"}
}

func usageProblem(usage string) Problem {
	return Problem{ProblemKeyUsage,
		fmt.Sprintf("key usage is %s, want SIGN_VERIFY", usage),
		"create a new key with key spec ECC_NIST_P256 and key usage SIGN_VERIFY; a key's usage cannot be changed"}
}

func algorithmProblem(algs []types.SigningAlgorithmSpec) Problem {
	list := "none"
	if len(algs) > 0 {
		s := make([]string, len(algs))
		for i, a := range algs {
			s[i] = string(a)
		}
		list = strings.Join(s, ", ")
	}
	return Problem{ProblemSigningAlgorithm,
		"key does not offer signing algorithm ECDSA_SHA_256 (it offers " + list + ")",
		"use an ECC_NIST_P256 SIGN_VERIFY key"}
}

// keyProblems checks the key metadata: spec, usage, state and algorithms.
func keyProblems(md *types.KeyMetadata) []Problem {
	var ps []Problem
	spec := string(md.KeySpec)
	if spec == "" {
		spec = string(md.CustomerMasterKeySpec)
	}
	if spec != string(types.KeySpecEccNistP256) {
		ps = append(ps, specProblem(spec))
	}
	if md.KeyUsage != types.KeyUsageTypeSignVerify {
		ps = append(ps, usageProblem(string(md.KeyUsage)))
	}
	specOrUsageWrong := len(ps) > 0
	if md.KeyState != types.KeyStateEnabled || !md.Enabled {
		p := Problem{Code: ProblemKeyState, Message: fmt.Sprintf("key state is %s, want Enabled", md.KeyState)}
		switch md.KeyState {
		case types.KeyStateDisabled:
			p.Fix = "enable the key: aws kms enable-key --key-id " + aws.ToString(md.KeyId)
		case types.KeyStatePendingDeletion, types.KeyStatePendingReplicaDeletion:
			p.Fix = "cancel the deletion and enable the key: aws kms cancel-key-deletion --key-id " + aws.ToString(md.KeyId) + ", then aws kms enable-key"
		case types.KeyStatePendingImport:
			p.Fix = "import the key material"
		default:
			p.Fix = "wait for the key to become Enabled, or enable it"
		}
		ps = append(ps, p)
	}
	// A key of another spec or usage has other algorithms; say so only once.
	if !specOrUsageWrong && !slices.Contains(md.SigningAlgorithms, types.SigningAlgorithmSpecEcdsaSha256) {
		ps = append(ps, algorithmProblem(md.SigningAlgorithms))
	}
	return ps
}

// arnRegion returns the region field of an ARN.
func arnRegion(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" {
		return ""
	}
	return f[3]
}

// arnAccount returns the account field of an ARN.
func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" {
		return ""
	}
	return f[4]
}

func arnPartition(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 || f[0] != "arn" || f[1] == "" {
		return "aws"
	}
	return f[1]
}

// CheckRoute53 returns every reason the KMS key keyID cannot be used as a
// Route 53 key-signing key: its region (from the ARN) is not us-east-1;
// its spec, usage, state or signing algorithms are wrong; it is an AWS
// managed key; or its key policy (GetKeyPolicy, policy "default") does
// not allow Route53Principal kms:DescribeKey, kms:GetPublicKey and
// kms:Sign, or explicitly denies them. No problems means the key is fit.
//
// The key policy is evaluated as IAM would for this one question: an
// action is allowed when a statement with Effect Allow matches the
// service principal (Principal "*", {"AWS": "*"} or {"Service": …} as a
// string or list; or a NotPrincipal that does not name it), the action
// (Action or NotAction, a string or list, with * and ? wildcards such as
// kms:* and kms:Get*) and the key (Resource), and no Deny statement
// matches. A matching Deny wins whatever its Condition; the Conditions of
// Allow statements are not evaluated (Route 53 supplies aws:SourceAccount
// and aws:SourceArn, which a Route 53-ready policy checks).
//
// An error means the check could not be done: DescribeKey failed, or
// GetKeyPolicy failed (then the problems found so far are returned too).
func CheckRoute53(ctx context.Context, client Client, keyID string) ([]Problem, error) {
	if client == nil {
		return nil, fmt.Errorf("kmsbackend: nil client")
	}
	d, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return nil, explain("DescribeKey", keyID, err)
	}
	md := d.KeyMetadata
	if md == nil {
		return nil, fmt.Errorf("kmsbackend: DescribeKey %s: response has no key metadata", keyID)
	}
	arn := aws.ToString(md.Arn)
	var ps []Problem
	if r := arnRegion(arn); r != Route53Region {
		ps = append(ps, Problem{ProblemRegion,
			fmt.Sprintf("key is in region %q, but Route 53 uses only keys in %s", r, Route53Region),
			"create the key in us-east-1 (a multi-Region key needs its primary or a replica there)"})
	}
	ps = append(ps, keyProblems(md)...)
	if md.KeyManager == types.KeyManagerTypeAws {
		ps = append(ps, Problem{ProblemKeyManager,
			"key is an AWS managed key, whose policy cannot be changed",
			"create a customer managed key"})
	}
	id := arn
	if id == "" {
		id = aws.ToString(md.KeyId)
	}
	pol, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		return ps, explain("GetKeyPolicy", keyID, err)
	}
	pp, err := policyProblems(aws.ToString(pol.Policy), arn)
	if err != nil {
		return ps, fmt.Errorf("kmsbackend: key policy of %s: %w", keyID, err)
	}
	return append(ps, pp...), nil
}

// policyProblems evaluates a key policy for Route53Principal.
func policyProblems(doc, keyARN string) ([]Problem, error) {
	p, err := parsePolicy(doc)
	if err != nil {
		return nil, err
	}
	var missing, denied []string
	for _, a := range route53Actions {
		switch p.decide(servicePrincipal(Route53Principal), a, keyARN) {
		case decisionDeny:
			denied = append(denied, a)
		case decisionImplicitDeny:
			missing = append(missing, a)
		}
	}
	var ps []Problem
	if len(missing) > 0 {
		ps = append(ps, Problem{ProblemKeyPolicy,
			fmt.Sprintf("key policy does not allow the Route 53 DNSSEC service principal %s to call %s", Route53Principal, strings.Join(missing, ", ")),
			"add a statement allowing Principal {\"Service\": \"" + Route53Principal + "\"} the actions kms:DescribeKey, kms:GetPublicKey and kms:Sign (see Route53Policy)"})
	}
	if len(denied) > 0 {
		ps = append(ps, Problem{ProblemKeyPolicyDeny,
			fmt.Sprintf("key policy explicitly denies %s %s", Route53Principal, strings.Join(denied, ", ")),
			"remove or narrow the Deny statement that matches " + Route53Principal})
	}
	return ps, nil
}
