package kmsbackend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// DefaultDescription is the description CreateKey gives a key when
// CreateOptions.Description is empty.
const DefaultDescription = "DNSSEC key-signing key (ECC_NIST_P256) created by dnsseal"

// CreateOptions configure CreateKey. The zero value creates a
// single-Region key with the default key policy and no alias.
type CreateOptions struct {
	// Alias is an alias for the key: alias/NAME or just NAME. Empty
	// means none.
	Alias string

	// Description of the key. Empty means DefaultDescription.
	Description string

	// Tags are attached to the key, in key order.
	Tags map[string]string

	// MultiRegion creates a multi-Region primary key.
	MultiRegion bool

	// Route53 attaches Route53Policy(AccountID) as the key policy, so
	// that Route 53 can use the key as a key-signing key.
	Route53 bool

	// AccountID is the AWS account that owns the key, for the key policy.
	// Empty means it is taken from the new key's ARN, and the Route 53
	// policy is attached with PutKeyPolicy after the key is created
	// (KMS gives a new key a default policy that lets the account
	// administer it).
	AccountID string

	// Zone, when not empty, makes CreateKey also return a Signer for the
	// new key, with SignerOptions (whose Zone is set to this one).
	Zone          string
	SignerOptions Options
}

// CreatedKey describes a key made by CreateKey.
type CreatedKey struct {
	KeyID    string
	ARN      string
	Alias    string // alias/NAME, or empty
	Metadata *types.KeyMetadata
	Policy   string  // the key policy attached by CreateKey; empty for KMS's default
	Signer   *Signer // nil unless CreateOptions.Zone was set
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	aliasRE   = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// Route53Policy returns a key policy for a Route 53 key-signing key owned
// by account (a 12-digit AWS account ID), in the form the Route 53
// documentation gives: the account's root principal administers the key
// (so IAM policies in the account apply), and the Route 53 DNSSEC service
// principal may call kms:DescribeKey, kms:GetPublicKey and kms:Sign for
// hosted zones of the account (aws:SourceAccount, and an aws:SourceArn of
// a hosted zone), and may create grants for AWS resources. partition is
// the ARN partition; empty means "aws".
func Route53Policy(partition, account string) (string, error) {
	if !accountRE.MatchString(account) {
		return "", fmt.Errorf("kmsbackend: account ID %q is not 12 digits", account)
	}
	if partition == "" {
		partition = "aws"
	}
	type stmt struct {
		Sid       string         `json:"Sid"`
		Effect    string         `json:"Effect"`
		Principal map[string]any `json:"Principal"`
		Action    any            `json:"Action"`
		Resource  string         `json:"Resource"`
		Condition map[string]any `json:"Condition,omitempty"`
	}
	doc := struct {
		Version   string `json:"Version"`
		ID        string `json:"Id"`
		Statement []stmt `json:"Statement"`
	}{
		Version: "2012-10-17",
		ID:      "dnsseal-route53-dnssec",
		Statement: []stmt{{
			Sid:       "Enable IAM User Permissions",
			Effect:    "Allow",
			Principal: map[string]any{"AWS": "arn:" + partition + ":iam::" + account + ":root"},
			Action:    "kms:*",
			Resource:  "*",
		}, {
			Sid:       "Allow Route 53 DNSSEC Service",
			Effect:    "Allow",
			Principal: map[string]any{"Service": Route53Principal},
			Action:    route53Actions,
			Resource:  "*",
			Condition: map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": account},
				"ArnLike":      map[string]any{"aws:SourceArn": "arn:" + partition + ":route53:::hostedzone/*"},
			},
		}, {
			Sid:       "Allow Route 53 DNSSEC to CreateGrant",
			Effect:    "Allow",
			Principal: map[string]any{"Service": Route53Principal},
			Action:    "kms:CreateGrant",
			Resource:  "*",
			Condition: map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": true}},
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("kmsbackend: %w", err)
	}
	return string(b), nil
}

// CreateKey creates an ECC_NIST_P256 SIGN_VERIFY KMS key, optionally with
// an alias, tags, as a multi-Region key and with a Route 53-ready key
// policy (see CreateOptions). If a step after CreateKey fails
// (PutKeyPolicy, CreateAlias, New), the key exists: CreateKey returns the
// CreatedKey so far together with the error.
func CreateKey(ctx context.Context, client Client, o CreateOptions) (*CreatedKey, error) {
	if client == nil {
		return nil, errors.New("kmsbackend: nil client")
	}
	alias := o.Alias
	if alias != "" && !strings.HasPrefix(alias, "alias/") {
		alias = "alias/" + alias
	}
	if alias != "" && (!aliasRE.MatchString(alias) || strings.HasPrefix(alias, "alias/aws/")) {
		return nil, fmt.Errorf("kmsbackend: alias %q: want alias/NAME with letters, digits, /, _ and -, not under alias/aws/", o.Alias)
	}
	if o.AccountID != "" && !accountRE.MatchString(o.AccountID) {
		return nil, fmt.Errorf("kmsbackend: account ID %q is not 12 digits", o.AccountID)
	}
	if o.Zone != "" {
		if _, err := ownerName(o.Zone); err != nil {
			return nil, err
		}
	}
	desc := o.Description
	if desc == "" {
		desc = DefaultDescription
	}
	in := &kms.CreateKeyInput{
		KeySpec:     types.KeySpecEccNistP256,
		KeyUsage:    types.KeyUsageTypeSignVerify,
		Description: aws.String(desc),
	}
	if o.MultiRegion {
		in.MultiRegion = aws.Bool(true)
	}
	keys := make([]string, 0, len(o.Tags))
	for k := range o.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{TagKey: aws.String(k), TagValue: aws.String(o.Tags[k])})
	}
	var policy string
	if o.Route53 && o.AccountID != "" {
		p, err := Route53Policy("", o.AccountID)
		if err != nil {
			return nil, err
		}
		policy = p
		in.Policy = aws.String(p)
	}
	out, err := client.CreateKey(ctx, in)
	if err != nil {
		return nil, explain("CreateKey", "(new key)", err)
	}
	md := out.KeyMetadata
	if md == nil || aws.ToString(md.Arn) == "" {
		return nil, errors.New("kmsbackend: CreateKey: response has no key metadata or ARN")
	}
	ck := &CreatedKey{KeyID: aws.ToString(md.KeyId), ARN: aws.ToString(md.Arn), Metadata: md, Policy: policy}
	if o.Route53 && policy == "" {
		acct := arnAccount(ck.ARN)
		p, err := Route53Policy(arnPartition(ck.ARN), acct)
		if err != nil {
			return ck, fmt.Errorf("kmsbackend: key %s created, but its ARN gives no account for the Route 53 policy: %w", ck.ARN, err)
		}
		if _, err := client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{
			KeyId: aws.String(ck.ARN), Policy: aws.String(p), PolicyName: aws.String("default"),
		}); err != nil {
			return ck, explain("PutKeyPolicy", ck.ARN, err)
		}
		ck.Policy = p
	}
	if alias != "" {
		if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(ck.KeyID)}); err != nil {
			return ck, fmt.Errorf("kmsbackend: alias %s: %w", alias, explain("CreateAlias", ck.ARN, err))
		}
		ck.Alias = alias
	}
	if o.Zone != "" {
		so := o.SignerOptions
		so.Zone = o.Zone
		s, err := New(ctx, client, ck.ARN, so)
		if err != nil {
			return ck, err
		}
		ck.Signer = s
	}
	return ck, nil
}
