package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/stretchr/testify/require"
)

func TestVerifyZone(t *testing.T) {
	dir := t.TempDir()
	signed := filepath.Join(dir, "signed")
	code, _, errs := cli(t, "", "sign", "-zone", exampleZone, "-keydir", filepath.Join(dir, "keys"), "-o", signed, "-quiet")
	require.Equal(t, exitOK, code, errs)

	code, out, errs := cli(t, "", "verify", "-zone", signed)
	require.Equal(t, exitOK, code, "%s%s", out, errs)
	require.Contains(t, out, "example.com.: secure (NSEC")

	code, out, _ = cli(t, "", "verify", "-zone", signed, "-json")
	require.Equal(t, exitOK, code)
	require.Contains(t, out, `"status": "secure"`)

	// An anchor: the DS the first run printed is in the keys directory's
	// KSK; take it from "dnsseal ds".
	keys, _ := filepath.Glob(filepath.Join(dir, "keys", "*.key"))
	var dsLines []string
	for _, k := range keys {
		c, o, _ := cli(t, "", "ds", k)
		if c == exitOK {
			dsLines = append(dsLines, o)
		}
	}
	require.Len(t, dsLines, 1, "one KSK")
	anchor := writeFile(t, dir, "anchor", []byte(dsLines[0]))
	code, out, errs = cli(t, "", "verify", "-zone", signed, "-anchor", anchor)
	require.Equal(t, exitOK, code, "%s%s", out, errs)
	require.Contains(t, out, "anchored")

	// After the validity: bogus, exit 3, a line per finding.
	code, out, _ = cli(t, "", "verify", "-zone", signed, "-now", "20301231000000")
	require.Equal(t, exitInvalid, code)
	require.Contains(t, out, "error: ")
	require.Contains(t, out, "expired")
	require.Contains(t, out, ": bogus")

	// A record changed after signing.
	b, err := os.ReadFile(signed)
	require.NoError(t, err)
	tampered := strings.Replace(string(b), "192.0.2.25", "192.0.2.26", 1)
	require.NotEqual(t, string(b), tampered)
	p := writeFile(t, dir, "tampered", []byte(tampered))
	code, out, _ = cli(t, "", "verify", "-zone", p)
	require.Equal(t, exitInvalid, code)
	require.Contains(t, out, "mail.example.com. A")

	// The RFC 4035 Appendix A zone at a time inside its window.
	rfc := writeFile(t, dir, "rfc4035", testvectors.Raw("rfc4035-A.zone"))
	code, out, errs = cli(t, "", "verify", "-zone", rfc, "-origin", "example", "-now", "20040415000000")
	require.Equal(t, exitOK, code, "%s%s", out, errs)
	require.Contains(t, out, "example.: secure")

	code, _, errs = cli(t, "", "verify", "-zone", filepath.Join(dir, "missing"))
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "no such file")
}
