package bench_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// harness runs run.sh with args and extra environment, returning its exit
// code, stdout and stderr.
func harness(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"run.sh"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "run.sh: %v", err)
		code = ee.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

func TestHarnessSyntax(t *testing.T) {
	out, err := exec.Command("bash", "-n", "run.sh").CombinedOutput()
	require.NoError(t, err, string(out))
}

func TestHarnessUsage(t *testing.T) {
	tests := []struct {
		name   string
		env    []string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "help", args: []string{"-h"}, stdout: "usage: run.sh"},
		{name: "unknown option", args: []string{"-bogus"}, code: 1, stderr: "unknown option -bogus"},
		{name: "missing value", args: []string{"-sizes"}, code: 1, stderr: "-sizes needs a value"},
		{name: "bad size", args: []string{"-sizes", "10k"}, code: 1, stderr: "bad size '10k'"},
		{name: "unknown tool", args: []string{"-tools", "nsd"}, code: 1, stderr: "unknown tool 'nsd'"},
		{name: "bad denial", env: []string{"DENIAL=nsec5"}, code: 1, stderr: "bad denial type 'nsec5'"},
		{name: "unknown verifier", args: []string{"-verifiers", "zonemaster"}, code: 1, stderr: "unknown verifier"},
		{name: "bad jobs", args: []string{"-jobs", "0"}, code: 1, stderr: "bad -jobs"},
		{name: "root zone", args: []string{"-origin", "."}, code: 1, stderr: "root zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := harness(t, tt.env, tt.args...)
			require.Equal(t, tt.code, code, stderr)
			require.Contains(t, stdout, tt.stdout)
			require.Contains(t, stderr, tt.stderr)
		})
	}
}

// TestHarnessRun runs the harness end to end on a tiny zone with the peers
// that are installed, and checks the table and the raw results.
func TestHarnessRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs external signers")
	}
	var tools []string
	for tool, bins := range map[string][]string{
		"ldns": {"ldns-signzone", "ldns-keygen"},
		"knot": {"kzonesign", "keymgr"},
	} {
		ok := true
		for _, b := range bins {
			if _, err := exec.LookPath(b); err != nil {
				ok = false
			}
		}
		if ok {
			tools = append(tools, tool)
		}
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil || len(tools) == 0 {
		t.Skip("needs /usr/bin/time and ldns-signzone or kzonesign")
	}
	dir := t.TempDir()
	code, stdout, stderr := harness(t, []string{"FLOOR_DURATION=50ms", "VERIFIERS=ldns-verify-zone"},
		"-sizes", "300", "-tools", strings.Join(tools, " "), "-no-install", "-verify-all", "-outdir", dir)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	require.Contains(t, stdout, "ECDSA P-256 floor")

	// ldns-signzone and kzonesign sign every RRset once, DNSKEY with the
	// KSK only: the count follows from the generator's statistics.
	stats, err := os.ReadFile(filepath.Join(dir, "300", "zone.stats"))
	require.NoError(t, err)
	stat := func(key string) int {
		m := regexp.MustCompile(`(?:^|\s)` + key + `=(\d+)`).FindSubmatch(stats)
		require.NotNil(t, m, "%s in %s", key, stats)
		n, err := strconv.Atoi(string(m[1]))
		require.NoError(t, err)
		return n
	}
	want := map[string]int{
		"nsec":  stat("auth-rrsets") + stat("nsec-owners") + 1,
		"nsec3": stat("auth-rrsets") + stat("nsec3-owners") + 2,
	}

	results, err := os.ReadFile(filepath.Join(dir, "results.tsv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(results)), "\n")
	require.Len(t, lines, 2*len(tools), "one row per tool and denial type")
	for _, line := range lines {
		f := strings.Split(line, "\t")
		require.Len(t, f, 9, line)
		require.Equal(t, "300", f[0])
		require.Equal(t, "ok", f[7], line)
		require.Equal(t, strconv.Itoa(want[f[1]]), f[6], "RRSIGs counted: %s", line)
		require.FileExists(t, f[8])
		require.Contains(t, stdout, f[2])
	}
	verify, err := os.ReadFile(filepath.Join(dir, "verify.tsv"))
	require.NoError(t, err)
	vlines := strings.Split(strings.TrimSpace(string(verify)), "\n")
	require.Len(t, vlines, 2*len(tools), "every output verified")
	for _, line := range vlines {
		require.True(t, strings.HasSuffix(line, "\tvalid"), line)
	}
}

// fakeDnsseal stands in for cmd/dnsseal: it accepts exactly the `dnsseal
// sign` flags the harness must pass (DESIGN.md's CLI contract) and signs
// with ldns-signzone, which reads BIND key pairs.
const fakeDnsseal = `#!/usr/bin/env bash
set -euo pipefail
[[ ${1:-} == sign ]] || { echo "fake dnsseal: want sign, got ${1:-}" >&2; exit 2; }
shift
zone="" origin="" out="" jobs="" verify=true nsec3=0 keys=()
while [[ $# -gt 0 ]]; do
	case $1 in
	-zone) zone=$2; shift ;;
	-origin) origin=$2; shift ;;
	-key) [[ $2 == file:* ]] || exit 2; keys+=("${2#file:}"); shift ;;
	-o) out=$2; shift ;;
	-jobs) jobs=$2; shift ;;
	-verify=false) verify=false ;;
	-nsec3) nsec3=1 ;;
	*) echo "fake dnsseal: unexpected argument $1" >&2; exit 2 ;;
	esac
	shift
done
[[ -f $zone && -n $origin && -n $out && ${#keys[@]} -eq 2 && $jobs =~ ^[0-9]+$ ]] || { echo "fake dnsseal: bad arguments" >&2; exit 2; }
n3=()
if [[ $nsec3 == 1 ]]; then n3=(-n -t 0); fi
exec ldns-signzone "${n3[@]}" -o "$origin" -f "$out" "$zone" "${keys[@]}"
`

// TestHarnessDnsseal runs the harness with a stand-in dnsseal binary
// (DNSSEAL=) and checks the command lines it gets and that the verifiers
// check dnsseal's output.
func TestHarnessDnsseal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs external signers")
	}
	for _, b := range []string{"ldns-signzone", "dnssec-keygen", "ldns-verify-zone", "/usr/bin/time"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("needs %s", b)
		}
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "dnsseal")
	require.NoError(t, os.WriteFile(fake, []byte(fakeDnsseal), 0o755))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := harness(t, []string{"DNSSEAL=" + fake, "FLOOR_DURATION=50ms", "VERIFIERS=ldns-verify-zone"},
		"-sizes", "200", "-tools", "dnsseal,dnsseal-verify", "-no-install", "-outdir", out)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	require.Contains(t, stderr, "using dnsseal binary")

	for _, tt := range []struct{ tool, denial, tail string }{
		{"dnsseal", "nsec", " -jobs 2 -verify=false"},
		{"dnsseal", "nsec3", " -jobs 2 -verify=false -nsec3"},
		{"dnsseal-verify", "nsec", " -jobs 2"},
		{"dnsseal-verify", "nsec3", " -jobs 2 -nsec3"},
	} {
		t.Run(tt.tool+" "+tt.denial, func(t *testing.T) {
			cmd, err := os.ReadFile(filepath.Join(out, "200", tt.tool+"."+tt.denial+".log.cmd"))
			require.NoError(t, err)
			signed := filepath.Join(out, "200", tt.tool+"."+tt.denial+".signed")
			require.Regexp(t, regexp.MustCompile(`^\S+/dnsseal sign -zone \S+/zone.db -origin example\.com\. `+
				`-key file:\S+/keys/bind/Kexample\.com\.\+013\+\d{5} -key file:\S+/keys/bind/Kexample\.com\.\+013\+\d{5} `+
				`-o `+regexp.QuoteMeta(signed)+regexp.QuoteMeta(tt.tail)+`\n$`), string(cmd))
			require.FileExists(t, signed)
		})
	}
	require.Regexp(t, regexp.MustCompile(`(?m)^200 +nsec +dnsseal +.* ok$`), stdout)
	verify, err := os.ReadFile(filepath.Join(out, "verify.tsv"))
	require.NoError(t, err)
	require.Equal(t, "200\tnsec\tldns-verify-zone\tdnsseal\t", string(verify)[:len("200\tnsec\tldns-verify-zone\tdnsseal\t")])
	require.Equal(t, 2, strings.Count(string(verify), "\tdnsseal\t"))
	require.Equal(t, 2, strings.Count(string(verify), "\tvalid\n"))
}
