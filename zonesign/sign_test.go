package zonesign

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func parseCorner(t testing.TB) *Zone {
	z, err := ParseFile("testdata/corner.zone", "example.")
	require.NoError(t, err)
	return z
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden string
		nsec3        *NSEC3Params
	}{
		{"NSEC", "corner.signed.golden", nil},
		{"NSEC3 opt-out", "corner.nsec3.signed.golden", &NSEC3Params{OptOut: true, Iterations: 1, Salt: []byte{0xca, 0xfe}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := baseOptions(t, "example.")
			opts.NSEC3 = tc.nsec3
			opts.PublishCDS = true
			opts.Serial = SerialIncrement
			out, _ := signString(t, parseCorner(t), opts)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), out, "run with -update to regenerate")
			checkSigned(t, out, "example.", opts.Keys, tc.nsec3)
		})
	}
}

func TestDeterministicAcrossConcurrency(t *testing.T) {
	z := genZone(t, 200, true)
	opts := baseOptions(t, "example.")
	opts.NSEC3 = &NSEC3Params{}
	var outs []string
	for _, c := range []int{1, 2, 7} {
		opts.Concurrency = c
		out, _ := signString(t, z, opts)
		outs = append(outs, out)
	}
	require.Equal(t, outs[0], outs[1])
	require.Equal(t, outs[0], outs[2])
}

func TestSignedZonesCheck(t *testing.T) {
	corner := parseCorner(t)
	gen := genZone(t, 400, true)
	for _, zc := range []struct {
		name string
		z    *Zone
	}{{"corner", corner}, {"generated", gen}} {
		for _, mode := range denialModes {
			t.Run(zc.name+"/"+mode.name, func(t *testing.T) {
				opts := baseOptions(t, "example.")
				opts.NSEC3 = mode.nsec3
				out, st := signString(t, zc.z, opts)
				checkSigned(t, out, "example.", opts.Keys, mode.nsec3)
				require.Positive(t, st.Signatures)
				require.Equal(t, strings.Count(out, "\tRRSIG\t"), st.Signatures)
				require.Equal(t, strings.Count(out, "\n"), st.Records)
			})
		}
	}
}

var denialModes = []struct {
	name  string
	nsec3 *NSEC3Params
}{
	{"NSEC", nil},
	{"NSEC3", &NSEC3Params{}},
	{"NSEC3 salted", &NSEC3Params{Iterations: 3, Salt: []byte{1, 2, 3, 4}}},
	{"NSEC3 opt-out", &NSEC3Params{OptOut: true}},
}

// TestInterop runs the validators of BIND, ldns and Knot on signed zones.
func TestInterop(t *testing.T) {
	tools := []struct {
		bin  string
		args func(origin, file string) []string
	}{
		{"dnssec-verify", func(o, f string) []string { return []string{"-o", o, f} }},
		{"ldns-verify-zone", func(o, f string) []string { return []string{f} }},
		{"kzonecheck", func(o, f string) []string { return []string{"-o", o, "-d", "on", f} }},
	}
	corner := parseCorner(t)
	gen := genZone(t, 300, true)
	dir := t.TempDir()
	for _, tool := range tools {
		t.Run(tool.bin, func(t *testing.T) {
			bin, err := exec.LookPath(tool.bin)
			if err != nil {
				t.Skipf("%s not installed", tool.bin)
			}
			for _, zc := range []struct {
				name string
				z    *Zone
			}{{"corner", corner}, {"generated", gen}} {
				for _, mode := range denialModes {
					t.Run(zc.name+"/"+mode.name, func(t *testing.T) {
						opts := baseOptions(t, "example.")
						opts.Now, opts.Inception, opts.Expiration = time.Now(), time.Time{}, time.Time{}
						opts.NSEC3 = mode.nsec3
						opts.PublishCDS = true
						file := filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_").Replace(tool.bin+zc.name+mode.name)+".zone")
						_, err := WriteFile(context.Background(), zc.z, file, opts)
						require.NoError(t, err)
						cmd := exec.Command(bin, tool.args("example.", file)...)
						var outb bytes.Buffer
						cmd.Stdout, cmd.Stderr = &outb, &outb
						require.NoError(t, cmd.Run(), "%s:\n%s", tool.bin, outb.String())
					})
				}
			}
		})
	}
}

// TestSignFileSpeculates checks that SignFile signs while it parses and
// that the output is the same as signing after parsing.
func TestSignFileSpeculates(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("speculative signing needs two cores")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.zone")
	f, err := os.Create(in)
	require.NoError(t, err)
	_, err = zonegen.Write(f, zonegen.Options{Names: 500, Origin: "example.", Seed: 7, MixedCase: true})
	require.NoError(t, err)
	require.NoError(t, f.Close())
	for _, mode := range denialModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			opts := baseOptions(t, "example.")
			opts.NSEC3 = mode.nsec3
			out := filepath.Join(dir, "out.zone")
			st, err := SignFile(context.Background(), in, out, opts)
			require.NoError(t, err)
			t.Logf("%d of %d signatures made while parsing", st.Presigned, st.Signatures)
			got, err := os.ReadFile(out)
			require.NoError(t, err)
			z, err := ParseFile(in, "")
			require.NoError(t, err)
			want, st2 := signString(t, z, opts)
			require.Zero(t, st2.Presigned)
			require.True(t, want == string(got), "SignFile output differs from Sign's")
			require.Equal(t, st.Signatures, st2.Signatures)
			require.LessOrEqual(t, st.Presigned, st.Signatures)
		})
	}
}

// TestSpeculationCache feeds every owner to the speculative signers and
// checks that signing uses what they made and writes the same zone.
func TestSpeculationCache(t *testing.T) {
	opts := baseOptions(t, "example.")
	opts.Concurrency = 2
	opts.Now = testNow
	z0 := parseCorner(t)
	want, _ := signString(t, z0, opts)

	s := startSpeculation(context.Background(), &opts)
	if s == nil {
		t.Skip("no spare core for speculative signing")
	}
	f, err := os.Open("testdata/corner.zone")
	require.NoError(t, err)
	defer f.Close()
	z, err := parse(context.Background(), f, "corner.zone", "example.", false, s.feed)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(s.runs) == 0 }, 10*time.Second, time.Millisecond)
	cache := s.stop()
	var buf bytes.Buffer
	st, err := sign(context.Background(), z, &opts, &buf, cache)
	require.NoError(t, err)
	require.Positive(t, st.Presigned)
	require.Less(t, st.Presigned, st.Signatures, "the apex, NSEC and the last owner are signed afterwards")
	require.Equal(t, want, buf.String())

	// a stale cache (other validity) is never used
	opts.Inception = opts.Inception.Add(time.Second)
	buf.Reset()
	st, err = sign(context.Background(), z, &opts, &buf, cache)
	require.NoError(t, err)
	require.Zero(t, st.Presigned)
	checkSigned(t, buf.String(), "example.", opts.Keys, nil)
}
