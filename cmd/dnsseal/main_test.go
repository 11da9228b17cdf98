package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/stretchr/testify/require"
)

// cli runs the CLI in-process and returns its exit code, stdout and stderr.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no command", nil, exitUsage, "Usage"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"help", []string{"help"}, exitOK, ""},
		{"command help", []string{"sign", "-h"}, exitOK, "Examples:"},
		{"unknown flag", []string{"keytag", "-bogus"}, exitUsage, "flag provided but not defined"},
		{"keygen without origin", []string{"keygen"}, exitUsage, "-origin is required"},
		{"keygen bad algorithm", []string{"keygen", "-origin", "example.", "-algorithm", "8"}, exitUsage, "unsupported algorithm"},
		{"pubkey without key", []string{"pubkey", "-origin", "example."}, exitUsage, "-key and -origin are required"},
		{"bad key ref", []string{"pubkey", "-origin", "example.", "-key", "file:"}, exitUsage, "bad key reference"},
		{"ds bad digest", []string{"ds", "-digest", "MD5"}, exitUsage, "unknown digest"},
		{"verify needs a mode", []string{"verify"}, exitUsage, "exactly one of -zone and -records"},
		{"verify bad time", []string{"verify", "-records", "x", "-now", "yesterday"}, exitUsage, "bad time"},
		{"sign without zone", []string{"sign"}, exitUsage, "-zone is required"},
		{"sign bad serial", []string{"sign", "-zone", "x", "-serial", "random"}, exitUsage, "bad -serial"},
		{"sign salt without nsec3", []string{"sign", "-zone", "x", "-nsec3-salt", "aabb"}, exitUsage, "need -nsec3"},
		{"sign bad jitter", []string{"sign", "-zone", "x", "-jitter", "soon"}, exitUsage, "bad duration"},
		{"kms without subcommand", []string{"kms"}, exitUsage, "subcommand"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, "", tc.args...)
			require.Equal(t, tc.code, code, "stdout=%s stderr=%s", out, errs)
			require.Contains(t, out+errs, tc.err)
			if code == exitUsage && tc.err != "" && !strings.HasPrefix(tc.err, "Usage") {
				require.Contains(t, errs, "dnsseal: error: ")
			}
		})
	}
}

func TestKeytagAndDSOnRFCVectors(t *testing.T) {
	dir := t.TempDir()
	p6605 := writeFile(t, dir, "6605.txt", testvectors.Raw("rfc6605-6.1.zone"))
	p4509 := writeFile(t, dir, "4509.txt", testvectors.Raw("rfc4509-2.3.zone"))

	code, out, _ := cli(t, "", "keytag", p6605)
	require.Equal(t, exitOK, code)
	require.Equal(t, "55648 example.net.\n", out)

	// from standard input
	code, out, _ = cli(t, string(testvectors.Raw("rfc4509-2.3.zone")), "keytag", "-")
	require.Equal(t, exitOK, code)
	require.Equal(t, "60485 dskey.example.com.\n", out)

	code, out, _ = cli(t, "", "ds", p6605)
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?i)^example\.net\.\s+3600\s+IN\s+DS\s+55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17\n$`, out)

	// RFC 4509's key is a ZSK (256): only -all prints it.
	code, _, errs := cli(t, "", "ds", p4509)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "use -all")
	code, out, _ = cli(t, "", "ds", "-all", p4509)
	require.Equal(t, exitOK, code)
	require.Regexp(t, `DS\s+60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A\n$`, out)

	code, out, errs = cli(t, "", "ds", "-all", "-digest", "SHA-1", p4509)
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")
	require.Contains(t, errs, "warning: SHA-1")

	code, out, _ = cli(t, "", "ds", "-digest", "SHA-384", p6605)
	require.Equal(t, exitOK, code)
	require.Contains(t, strings.ToLower(out), "55648 13 4 3be4b980b34443e569255f4a347d4c8e8e18de755fb8072d7b355c44c56b50a61e8050ae636041b9664a04f05aef2680")

	code, _, errs = cli(t, "www.example.net. 3600 IN A 192.0.2.1\n", "keytag")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "no DNSKEY records")

	code, _, errs = cli(t, "this is not a record\n", "keytag")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "dnsseal: error: ")
}

func TestVerifyRecordsRFC6605(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "6605.txt", testvectors.Raw("rfc6605-6.1.zone"))

	code, out, errs := cli(t, "", "verify", "-records", p, "-now", "20100826100439")
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, "www.example.net. A RRSIG 13 55648: valid")
	require.Contains(t, out, "example.net. DS 55648 13 2: valid")
	require.Contains(t, out, "2 valid, 0 bogus, 0 indeterminate")

	// other time formats
	for _, now := range []string{"2010-08-26T10:04:39Z", "1282817079"} {
		code, _, errs = cli(t, "", "verify", "-records", p, "-now", now)
		require.Equal(t, exitOK, code, errs)
	}

	// after expiration: exit 3
	code, out, _ = cli(t, "", "verify", "-records", p, "-now", "20100910000000")
	require.Equal(t, exitInvalid, code)
	require.Contains(t, out, "bogus")
	require.Contains(t, out, "expired")

	code, out, _ = cli(t, "", "verify", "-json", "-records", p, "-now", "20100826100439")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, `"status": "valid"`)

	// a DS anchor that matches, and one that does not
	anchor := writeFile(t, dir, "anchor", []byte("example.net. 3600 IN DS 55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17\n"))
	code, _, errs = cli(t, "", "verify", "-records", p, "-anchor", anchor, "-now", "20100826100439")
	require.Equal(t, exitOK, code, errs)
	bad := writeFile(t, dir, "bad", []byte("example.net. 3600 IN DS 55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D18\n"))
	code, _, _ = cli(t, "", "verify", "-records", p, "-anchor", bad, "-now", "20100826100439")
	require.Equal(t, exitInvalid, code)
}

func TestKeygenPubkey(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := cli(t, "", "keygen", "-origin", "Example.COM", "-ksk", "-dir", dir)
	require.Equal(t, exitOK, code, errs)
	require.Regexp(t, `^example\.com\.\s+3600\s+IN\s+DNSKEY\s+257 3 13 \S+\n$`, out)
	keys, err := filepath.Glob(filepath.Join(dir, "Kexample.com.+013+*.key"))
	require.NoError(t, err)
	require.Len(t, keys, 1)
	priv := strings.TrimSuffix(keys[0], ".key") + ".private"
	fi, err := os.Stat(priv)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	code, tags, _ := cli(t, "", "keytag", keys[0])
	require.Equal(t, exitOK, code)
	tag := strings.Fields(tags)[0]
	require.Contains(t, keys[0], "+"+strings.Repeat("0", 5-len(tag))+tag+".key")

	code, pub, errs := cli(t, "", "pubkey", "-key", "file:"+keys[0], "-origin", "example.com")
	require.Equal(t, exitOK, code, errs)
	lines := strings.Split(strings.TrimSpace(pub), "\n")
	require.Len(t, lines, 2)
	require.Equal(t, strings.TrimSpace(out), lines[0])
	require.Regexp(t, `IN\s+DS\s+`+tag+` 13 2 [0-9A-F]{64}$`, lines[1])

	// the key belongs to example.com, not example.org
	code, _, errs = cli(t, "", "pubkey", "-key", "file:"+keys[0], "-origin", "example.org")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "belongs to example.com.")

	// a ZSK and Ed25519
	code, out, errs = cli(t, "", "keygen", "-origin", "example.com", "-algorithm", "ED25519", "-dir", dir)
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, "DNSKEY\t256 3 15 ")

	code, _, errs = cli(t, "", "pubkey", "-key", "file:"+filepath.Join(dir, "missing"), "-origin", "example.com")
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "no such file")
}
