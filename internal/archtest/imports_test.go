package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/dnsseal/dnsseal"

// listImports returns, for every package of the module, its imports
// (non-test ones: test files may use what they like).
func listImports(t *testing.T) map[string][]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), errb.String())
	m := map[string][]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		m[f[0]] = f[1:]
	}
	require.NotEmpty(t, m)
	return m
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func TestOnlyKMSBackendAndCLIImportAWS(t *testing.T) {
	allowed := func(pkg string) bool {
		r := rel(pkg)
		return r == "kmsbackend" || r == "cmd/dnsseal" || strings.HasPrefix(r, "kmsbackend/")
	}
	for pkg, imps := range listImports(t) {
		if allowed(pkg) {
			continue
		}
		for _, imp := range imps {
			require.False(t, strings.HasPrefix(imp, "github.com/aws/"), "%s imports %s: only kmsbackend and cmd/dnsseal may import the AWS SDK", rel(pkg), imp)
		}
	}
}

func TestLibraryDoesNotImportCommands(t *testing.T) {
	for pkg, imps := range listImports(t) {
		if strings.HasPrefix(rel(pkg), "cmd/") || strings.Contains(pkg, "/examples/") || strings.HasPrefix(rel(pkg), "bench/cmd/") {
			continue
		}
		for _, imp := range imps {
			require.False(t, strings.HasPrefix(imp, module+"/cmd/"), "%s imports %s", rel(pkg), imp)
		}
	}
}

// TestLeafPackages checks the packages that the package map restricts to
// the standard library and miekg/dns (plus the named exceptions).
func TestLeafPackages(t *testing.T) {
	leaf := map[string][]string{
		"testvectors":        {"github.com/miekg/dns"},
		"keytag":             {"github.com/miekg/dns"},
		"internal/canonical": {"github.com/miekg/dns"},
		"internal/rawsig":    {"golang.org/x/crypto/cryptobyte"},
	}
	all := listImports(t)
	for p, extra := range leaf {
		imps, ok := all[module+"/"+p]
		if !ok {
			continue
		}
		for _, imp := range imps {
			if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				continue // standard library
			}
			ok := false
			for _, e := range extra {
				ok = ok || imp == e || strings.HasPrefix(imp, e+"/")
			}
			require.True(t, ok, "%s may import only the standard library and %v, but imports %s", p, extra, imp)
		}
	}
}
