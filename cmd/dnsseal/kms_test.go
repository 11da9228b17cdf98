package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// useKMSTest points the SDK's default configuration chain (what the CLI
// uses) at srv.
func useKMSTest(t *testing.T, srv *kmstest.Server) {
	t.Setenv("AWS_ENDPOINT_URL_KMS", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDKMSTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "kmstest-secret")
	t.Setenv("AWS_REGION", srv.Region())
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestKMSCheckRoute53(t *testing.T) {
	srv := kmstest.NewServer()
	defer srv.Close()
	useKMSTest(t, srv)
	ctx := context.Background()

	good, err := kmsbackend.CreateKey(ctx, srv.Client(), kmsbackend.CreateOptions{Route53: true, Alias: "alias/good"})
	require.NoError(t, err)
	p384, err := srv.NewKey("ECC_NIST_P384", "SIGN_VERIFY")
	require.NoError(t, err)
	disabled, err := kmsbackend.CreateKey(ctx, srv.Client(), kmsbackend.CreateOptions{Route53: true})
	require.NoError(t, err)
	require.NoError(t, srv.SetKeyState(disabled.KeyID, "Disabled"))
	nopolicy, err := srv.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, err)

	eu := kmstest.NewServerWith(kmstest.Options{Region: "eu-west-1"})
	defer eu.Close()
	euKey, err := kmsbackend.CreateKey(ctx, eu.Client(), kmsbackend.CreateOptions{Route53: true})
	require.NoError(t, err)

	tests := []struct {
		name  string
		key   string
		srv   *kmstest.Server
		code  int
		codes []kmsbackend.ProblemCode
	}{
		{"correct key by ARN", good.ARN, srv, exitOK, nil},
		{"correct key by alias", "alias/good", srv, exitOK, nil},
		{"correct key with awskms prefix", "awskms:" + good.KeyID, srv, exitOK, nil},
		{"P-384", p384.ARN, srv, exitInvalid, []kmsbackend.ProblemCode{kmsbackend.ProblemKeySpec, kmsbackend.ProblemKeyPolicy}},
		{"disabled", disabled.ARN, srv, exitInvalid, []kmsbackend.ProblemCode{kmsbackend.ProblemKeyState}},
		{"outside us-east-1", euKey.ARN, eu, exitInvalid, []kmsbackend.ProblemCode{kmsbackend.ProblemRegion}},
		{"no Route 53 principal", nopolicy.ARN, srv, exitInvalid, []kmsbackend.ProblemCode{kmsbackend.ProblemKeyPolicy}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useKMSTest(t, tc.srv)
			if tc.srv == eu {
				// the region comes from the ARN, as for real keys
				t.Setenv("AWS_REGION", "us-east-1")
			}
			code, out, errs := cli(t, "", "kms", "check", "-route53", "-key", tc.key)
			require.Equal(t, tc.code, code, "stdout=%s stderr=%s", out, errs)
			for _, c := range tc.codes {
				require.Contains(t, out, string(c)+": ")
			}
			if tc.code == exitOK {
				require.Contains(t, out, ": ok")
			} else {
				require.Contains(t, errs, "problem(s)")
			}
		})
	}

	// Without -route53 only what signing needs is checked.
	code, out, errs := cli(t, "", "kms", "check", "-key", nopolicy.ARN)
	require.Equal(t, exitOK, code, "stdout=%s stderr=%s", out, errs)
	code, out, _ = cli(t, "", "kms", "check", "-key", p384.ARN)
	require.Equal(t, exitInvalid, code)
	require.Contains(t, out, "key-spec")
	require.NotContains(t, out, "key-policy")

	code, _, errs = cli(t, "", "kms", "check", "-key", "alias/missing")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "dnsseal: error: ")
}

func TestKMSCreateAndSign(t *testing.T) {
	srv := kmstest.NewServer()
	defer srv.Close()
	useKMSTest(t, srv)
	dir := t.TempDir()

	code, out, errs := cli(t, "", "kms", "create", "-alias", "alias/example-ksk", "-route53", "-origin", "example.com")
	require.Equal(t, exitOK, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	require.True(t, strings.HasPrefix(lines[0], "arn:aws:kms:us-east-1:111122223333:key/"), lines[0])
	require.Regexp(t, `^example\.com\.\s+3600\s+IN\s+DNSKEY\s+257 3 13 `, lines[1])
	require.Regexp(t, `IN\s+DS\s+\d+ 13 2 [0-9A-F]{64}$`, lines[2])

	code, _, errs = cli(t, "", "kms", "check", "-route53", "-key", "alias/example-ksk")
	require.Equal(t, exitOK, code, errs)

	// pubkey of the KMS key gives the same DNSKEY and DS.
	code, pub, errs := cli(t, "", "pubkey", "-key", "awskms:alias/example-ksk", "-origin", "example.com")
	require.Equal(t, exitOK, code, errs)
	require.Equal(t, lines[1]+"\n"+lines[2]+"\n", pub)

	// The Route 53 split: KMS KSK, local ZSK. KMS signs only the DNSKEY RRset.
	code, _, errs = cli(t, "", "keygen", "-origin", "example.com", "-dir", dir)
	require.Equal(t, exitOK, code, errs)
	zsk, _ := filepath.Glob(filepath.Join(dir, "Kexample.com.+013+*.key"))
	require.Len(t, zsk, 1)
	srv.ResetCalls()
	signed := filepath.Join(dir, "signed")
	code, _, errs = cli(t, "", "sign", "-zone", exampleZone, "-key", "awskms:alias/example-ksk", "-key", "file:"+zsk[0], "-o", signed)
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, errs, "using KSK")
	require.Equal(t, int64(1), srv.Calls("Sign"), "KMS signs the DNSKEY RRset only")

	b, err := os.ReadFile(signed)
	require.NoError(t, err)
	var rrs []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(string(b)), "", "")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	require.NoError(t, zp.Err())
	res := validate.Records(rrs, nil, validate.RecordsOptions{})
	require.NotEmpty(t, res)
	sigs := 0
	for _, r := range res {
		if _, ok := r.Record.(*dns.RRSIG); !ok {
			continue // the delegation's DS names the child's key, not ours
		}
		sigs++
		require.Equal(t, validate.StatusValid, r.Status, r.String())
	}
	require.Greater(t, sigs, 10)

	// A key disabled before signing: a clean error and no output.
	require.NoError(t, srv.SetKeyState(strings.TrimSpace(lines[0][strings.LastIndex(lines[0], "/")+1:]), "Disabled"))
	out2 := filepath.Join(dir, "signed2")
	code, _, errs = cli(t, "", "sign", "-zone", exampleZone, "-key", "awskms:alias/example-ksk", "-key", "file:"+zsk[0], "-o", out2)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "dnsseal: error: ")
	_, err = os.Stat(out2)
	require.True(t, os.IsNotExist(err))
}
