package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const exampleZone = "../../examples/example.com.zone"

func TestSignDefaultKeydir(t *testing.T) {
	dir := t.TempDir()
	keydir := filepath.Join(dir, "keys")
	out := filepath.Join(dir, "example.com.signed")

	// First run: no keys, so a KSK and a ZSK are generated and the DS is
	// printed.
	code, stdout, errs := cli(t, "", "sign", "-zone", exampleZone, "-keydir", keydir, "-o", out)
	require.Equal(t, exitOK, code, errs)
	require.Empty(t, stdout)
	require.Contains(t, errs, "generated KSK")
	require.Contains(t, errs, "generated ZSK")
	require.Regexp(t, `publish this DS record at the parent of example\.com\.:\nexample\.com\.\s+3600\s+IN\s+DS\s+\d+ 13 2 [0-9A-F]{64}\n`, errs)
	keys, err := filepath.Glob(filepath.Join(keydir, "Kexample.com.+013+*.key"))
	require.NoError(t, err)
	require.Len(t, keys, 2)
	signed, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(signed), "RRSIG\tDNSKEY 13 2 3600")
	require.Contains(t, string(signed), "NSEC\t")

	// Second run: the same keys are used, nothing generated.
	code, _, errs = cli(t, "", "sign", "-zone", exampleZone, "-keydir", keydir, "-o", out, "-nsec3")
	require.Equal(t, exitOK, code, errs)
	require.NotContains(t, errs, "generated")
	require.Contains(t, errs, "using KSK")
	require.Contains(t, errs, "using ZSK")
	signed, err = os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(signed), "NSEC3PARAM\t1 0 0 -")

	// Explicit keys, to standard output, quiet.
	args := []string{"sign", "-zone", exampleZone, "-quiet", "-now", "20261123000000"}
	for _, k := range keys {
		args = append(args, "-key", "file:"+k)
	}
	code, stdout, errs = cli(t, "", args...)
	require.Equal(t, exitOK, code, errs)
	require.Empty(t, errs)
	require.Contains(t, stdout, "RRSIG\tSOA 13 2 3600 ")
	// -now 2026-11-23: inception one hour earlier
	require.Contains(t, stdout, " 20261122230000 ")
}

func TestSignFailuresLeaveNoOutput(t *testing.T) {
	dir := t.TempDir()
	keydir := filepath.Join(dir, "keys")
	out := filepath.Join(dir, "out.signed")
	bad := writeFile(t, dir, "bad.zone", []byte("$ORIGIN example.com.\n@ 3600 IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\nbroken IN A not-an-address\n"))
	code, _, errs := cli(t, "", "sign", "-zone", bad, "-keydir", keydir, "-o", out)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "bad.zone")
	require.Contains(t, errs, "line: 5")
	_, err := os.Stat(out)
	require.True(t, os.IsNotExist(err), "no output after a parse error")

	// An existing output stays untouched when signing fails.
	require.NoError(t, os.WriteFile(out, []byte("old\n"), 0o644))
	code, _, _ = cli(t, "", "sign", "-zone", bad, "-keydir", keydir, "-o", out)
	require.Equal(t, exitError, code)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "old\n", string(b))

	// A key for another zone is refused.
	code, _, errs = cli(t, "", "keygen", "-origin", "example.org", "-dir", dir)
	require.Equal(t, exitOK, code, errs)
	other, _ := filepath.Glob(filepath.Join(dir, "Kexample.org.+013+*.key"))
	require.Len(t, other, 1)
	code, _, errs = cli(t, "", "sign", "-zone", exampleZone, "-key", "file:"+other[0], "-o", out)
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "belongs to example.org.")
}

// TestSignedZoneInterop checks CLI output with the reference verifiers
// when they are installed.
func TestSignedZoneInterop(t *testing.T) {
	dir := t.TempDir()
	keydir := filepath.Join(dir, "keys")
	for _, mode := range [][]string{nil, {"-nsec3"}, {"-nsec3", "-nsec3-optout", "-origin", "example.com"}} {
		name := "nsec"
		if mode != nil {
			name = strings.Join(mode, "")
		}
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name+".signed")
			args := append([]string{"sign", "-zone", exampleZone, "-keydir", keydir, "-o", out, "-quiet"}, mode...)
			code, _, errs := cli(t, "", args...)
			require.Equal(t, exitOK, code, errs)
			ran := 0
			for _, tool := range [][]string{
				{"dnssec-verify", "-o", "example.com", out},
				{"ldns-verify-zone", out},
				{"kzonecheck", "-o", "example.com", "-d", "on", out},
			} {
				if _, err := exec.LookPath(tool[0]); err != nil {
					continue
				}
				ran++
				b, err := exec.Command(tool[0], tool[1:]...).CombinedOutput()
				require.NoError(t, err, "%s rejects our zone:\n%s", tool[0], b)
			}
			if ran == 0 {
				t.Skip("none of dnssec-verify, ldns-verify-zone, kzonecheck is installed")
			}
		})
	}
}

// TestSignReproducible: local keys sign with RFC 6979, so the same input,
// keys and times give the same signed zone, byte for byte.
func TestSignReproducible(t *testing.T) {
	dir := t.TempDir()
	keydir := filepath.Join(dir, "keys")
	var outs []string
	for i := range 2 {
		out := filepath.Join(dir, "signed"+string(rune('0'+i)))
		code, _, errs := cli(t, "", "sign", "-zone", exampleZone, "-keydir", keydir, "-o", out, "-quiet",
			"-inception", "20261101000000", "-expiration", "20261201000000", "-nsec3")
		require.Equal(t, exitOK, code, errs)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		outs = append(outs, string(b))
	}
	require.Equal(t, outs[0], outs[1])
}
