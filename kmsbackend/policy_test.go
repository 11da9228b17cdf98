package kmsbackend

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const testARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func TestPolicyProblems(t *testing.T) {
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	admin := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`
	r53 := func(action string) string {
		return `{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":` + action + `,"Resource":"*"}`
	}
	for _, tc := range []struct {
		name    string
		policy  string
		missing string // the actions named in the key-policy problem
		denied  string // the actions named in the key-policy-deny problem
		err     string
	}{
		{name: "list of actions", policy: stmt(admin + "," + r53(`["kms:DescribeKey","kms:GetPublicKey","kms:Sign"]`))},
		{name: "route53 policy with conditions", policy: mustRoute53Policy(t)},
		{name: "kms:*", policy: stmt(r53(`"kms:*"`))},
		{name: "*", policy: stmt(r53(`"*"`))},
		{name: "case-insensitive action", policy: stmt(r53(`["KMS:describekey","kms:getpublickey","Kms:SIGN"]`))},
		{name: "kms:Get* lacks Sign and DescribeKey", policy: stmt(r53(`"kms:Get*"`)), missing: "kms:DescribeKey, kms:Sign"},
		{name: "single action string", policy: stmt(r53(`"kms:Sign"`)), missing: "kms:DescribeKey, kms:GetPublicKey"},
		{name: "? wildcard", policy: stmt(r53(`["kms:Describe???","kms:GetPublicKey","kms:Si?n"]`))},
		{name: "statement object, not list", policy: `{"Statement":` + r53(`"kms:*"`) + `}`},
		{name: "service list", policy: stmt(`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","dnssec-route53.amazonaws.com"]},"Action":"kms:*","Resource":"*"}`)},
		{name: "principal *", policy: stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`)},
		{name: "AWS *", policy: stmt(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}`)},
		{name: "account root only", policy: stmt(admin), missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "other service", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":"kms:*","Resource":"*"}`),
			missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "NotAction", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"NotAction":"kms:Sign","Resource":"*"}`), missing: "kms:Sign"},
		{name: "NotPrincipal", policy: stmt(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"kms:*","Resource":"*"}`)},
		{name: "NotPrincipal naming the service", policy: stmt(`{"Effect":"Allow","NotPrincipal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"*"}`),
			missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "Effect Deny wins", policy: stmt(r53(`"kms:*"`) + `,{"Effect":"Deny","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:Sign","Resource":"*"}`), denied: "kms:Sign"},
		{name: "conditional Deny still wins", policy: stmt(r53(`"kms:*"`) + `,{"Effect":"Deny","Principal":"*","Action":["kms:Sign","kms:DescribeKey"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), denied: "kms:DescribeKey, kms:Sign"},
		{name: "Deny for another principal", policy: stmt(r53(`"kms:*"`) + `,{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/x"},"Action":"kms:*","Resource":"*"}`)},
		{name: "resource is the key", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"` + testARN + `"}`)},
		{name: "resource pattern", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}`)},
		{name: "another resource", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/other"}`),
			missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "NotResource excluding the key", policy: stmt(`{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","NotResource":"` + testARN + `"}`),
			missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "no principal", policy: stmt(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`), missing: "kms:DescribeKey, kms:GetPublicKey, kms:Sign"},
		{name: "not JSON", policy: "{", err: "not a JSON object"},
		{name: "no statement", policy: `{"Version":"2012-10-17"}`, err: "no Statement"},
		{name: "bad effect", policy: stmt(`{"Effect":"Maybe","Principal":"*","Action":"*"}`), err: "neither Allow nor Deny"},
		{name: "bad principal string", policy: stmt(`{"Effect":"Allow","Principal":"someone","Action":"*"}`), err: "Principal"},
		{name: "bad action type", policy: stmt(`{"Effect":"Allow","Principal":"*","Action":7}`), err: "Action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := policyProblems(tc.policy, testARN)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var missing, denied string
			for _, p := range ps {
				switch p.Code {
				case ProblemKeyPolicy:
					missing = p.Message[strings.LastIndex(p.Message, " to call ")+len(" to call "):]
				case ProblemKeyPolicyDeny:
					denied = p.Message[strings.Index(p.Message, "kms:"):]
				default:
					t.Fatalf("unexpected problem %v", p)
				}
			}
			require.Equal(t, tc.missing, missing, "%v", ps)
			require.Equal(t, tc.denied, denied, "%v", ps)
		})
	}
}

func mustRoute53Policy(t *testing.T) string {
	t.Helper()
	p, err := Route53Policy("aws", "111122223333")
	require.NoError(t, err)
	return p
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*", "anything", true},
		{"kms:*", "kms:sign", true},
		{"kms:get*", "kms:getpublickey", true},
		{"kms:get*", "kms:sign", false},
		{"kms:*key", "kms:describekey", true},
		{"kms:*key", "kms:describekeys", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"**", "x", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
	} {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			require.Equal(t, tc.want, globMatch(tc.pattern, tc.s))
		})
	}
}

func FuzzPolicyProblems(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"dnssec-route53.amazonaws.com"},"Action":"kms:*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotPrincipal":"*","NotAction":["a"],"NotResource":"*","Condition":{}}}`)
	f.Add(`{"Statement":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		ps, err := policyProblems(doc, testARN)
		if err != nil && ps != nil {
			t.Fatalf("problems %v with error %v", ps, err)
		}
	})
}

func FuzzGlobMatch(f *testing.F) {
	f.Add("kms:*", "kms:Sign")
	f.Add("a?*b", "axyb")
	f.Fuzz(func(t *testing.T, p, s string) {
		if globMatch(p, s) && !strings.ContainsAny(p, "*?") && p != s {
			t.Fatalf("%q matched %q without wildcards", p, s)
		}
		if !globMatch(strings.ReplaceAll(s, "*", "?"), s) {
			t.Fatalf("%q does not match itself with * as ?", s)
		}
	})
}
