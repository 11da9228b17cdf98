package validate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

var benchNames = flag.Int("zone-bench-names", 5000, "names in the generated zone of BenchmarkZone")

// benchZone is a generated zone signed with local P-256 keys.
type benchZone struct {
	text  []byte
	rrs   []dns.RR
	sigs  int
	now   time.Time
	stats zonesign.Stats
}

var benchZones sync.Map // "names/nsec3" -> *benchZone

// signedBenchZone generates a zone of names entries with zonegen and signs
// it with zonesign (a KSK and a ZSK, algorithm 13), once per process.
func signedBenchZone(tb testing.TB, names int, nsec3 bool) *benchZone {
	key := fmt.Sprintf("%d/%t", names, nsec3)
	if z, ok := benchZones.Load(key); ok {
		return z.(*benchZone)
	}
	var gen bytes.Buffer
	_, err := zonegen.Write(&gen, zonegen.Options{Names: names, Origin: "example.com.", Seed: 1})
	require.NoError(tb, err)
	z, err := zonesign.Parse(&gen, "gen", "example.com.")
	require.NoError(tb, err)
	keys := newZoneKeys(tb, "example.com.")
	now := time.Now().Truncate(time.Second)
	opts := zonesign.Options{Keys: []*signer.Key{keys.ksk.key, keys.zsk.key}, Now: now, SkipVerify: true}
	if nsec3 {
		opts.NSEC3 = &zonesign.NSEC3Params{}
	}
	var out bytes.Buffer
	stats, err := zonesign.Sign(context.Background(), z, opts, &out)
	require.NoError(tb, err)
	bz := &benchZone{text: out.Bytes(), now: now, stats: stats, sigs: stats.Signatures}
	bz.rrs, err = ParseZone(bytes.NewReader(bz.text), "")
	require.NoError(tb, err)
	benchZones.Store(key, bz)
	return bz
}

// verifyFloorNs measures one crypto/ecdsa P-256 verification (SHA-256 of
// a 160-byte message, then VerifyASN1) on one core, in nanoseconds.
func verifyFloorNs(tb testing.TB) float64 {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(tb, err)
	msg := make([]byte, 160)
	d := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, priv, d[:])
	require.NoError(tb, err)
	n := 0
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond {
		h := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(&priv.PublicKey, h[:], sig) {
			tb.Fatal("floor: signature does not verify")
		}
		n++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// BenchmarkZone validates a generated signed zone (-zone-bench-names
// entries, default 5000; zonegen seed 1, signed by zonesign with P-256).
// "floor-x" is the time per validation over the raw verification floor:
// signatures × one crypto/ecdsa verification ÷ GOMAXPROCS, measured in
// the same run. The zone is parsed once, outside the loop.
func BenchmarkZone(b *testing.B) {
	for _, nsec3 := range []bool{false, true} {
		name := "NSEC"
		if nsec3 {
			name = "NSEC3"
		}
		b.Run(fmt.Sprintf("%s/%d", name, *benchNames), func(b *testing.B) {
			z := signedBenchZone(b, *benchNames, nsec3)
			floor := verifyFloorNs(b) * float64(z.sigs) / float64(runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := Zone(context.Background(), z.rrs, ZoneOptions{Now: z.now})
				if err != nil || res.Status != ZoneSecure {
					b.Fatal(err, res.Summary())
				}
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(z.sigs), "sigs")
			b.ReportMetric(perOp/float64(z.sigs), "ns/sig")
			b.ReportMetric(perOp/floor, "floor-x")
		})
	}
}

// TestZoneBenchHarness compares Zone with the reference verifiers on a
// generated zone. It runs only when DNSSEAL_ZONE_BENCH is set to the
// number of names (e.g. 100000); DNSSEAL_ZONE_BENCH_NSEC3=1 selects
// NSEC3. It prints a table: wall time and peak RSS of dnsseal (parse and
// validate, in this process: RSS is the test process's peak, zone
// generation and signing included, so an upper bound), of the raw floor,
// and of dnssec-verify, kzonecheck -d on and ldns-verify-zone when
// installed (measured with /usr/bin/time). DNSSEAL_ZONE_BENCH_OUT=FILE
// keeps the signed zone in FILE.
func TestZoneBenchHarness(t *testing.T) {
	names, _ := strconv.Atoi(os.Getenv("DNSSEAL_ZONE_BENCH"))
	if names <= 0 {
		t.Skip("set DNSSEAL_ZONE_BENCH=100000 to run")
	}
	nsec3 := os.Getenv("DNSSEAL_ZONE_BENCH_NSEC3") == "1"
	z := signedBenchZone(t, names, nsec3)
	file := filepath.Join(t.TempDir(), "example.com.zone")
	if keep := os.Getenv("DNSSEAL_ZONE_BENCH_OUT"); keep != "" {
		file = keep // keep the signed zone for later runs
	}
	require.NoError(t, os.WriteFile(file, z.text, 0o644))
	z.rrs = nil
	benchZones.Clear()
	runtime.GC()

	cores := runtime.GOMAXPROCS(0)
	floorNs := verifyFloorNs(t)
	floor := time.Duration(floorNs * float64(z.sigs) / float64(cores))
	var rows [][5]string
	add := func(name string, d time.Duration, rss string, ratio, cpu float64) {
		rows = append(rows, [5]string{name, fmt.Sprintf("%.2f s", d.Seconds()), fmt.Sprintf("%.2f s", cpu), rss,
			fmt.Sprintf("%.2f× dnsseal, %.2f× floor", ratio, d.Seconds()/floor.Seconds())})
	}
	rows = append(rows, [5]string{"tool", "wall", "CPU (user+sys)", "peak RSS", "wall ratio"})
	rows = append(rows, [5]string{fmt.Sprintf("floor (%.1f µs/verify)", floorNs/1e3), fmt.Sprintf("%.2f s", floor.Seconds()),
		fmt.Sprintf("%.2f s", floorNs*float64(z.sigs)/1e9), "", ""})

	// dnsseal in a process of its own (this test binary, running
	// TestZoneVerifyFile), under /usr/bin/time like the others.
	var refs []struct {
		name string
		cmd  []string
	}
	refs = append(refs, struct {
		name string
		cmd  []string
	}{"dnsseal (validate.ZoneReader)", []string{os.Args[0], "-test.run=^TestZoneVerifyFile$"}})
	for _, ref := range []struct {
		name string
		args []string
	}{
		{"dnssec-verify", []string{"-q", "-o", "example.com.", file}},
		{"kzonecheck", []string{"-o", "example.com.", "-d", "on", file}},
		{"ldns-verify-zone", []string{file}},
	} {
		if _, err := exec.LookPath(ref.name); err == nil {
			refs = append(refs, struct {
				name string
				cmd  []string
			}{ref.name, append([]string{ref.name}, ref.args...)})
		}
	}
	var dnsseal time.Duration
	for _, ref := range refs {
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%e %M %U %S"}, ref.cmd...)...)
		cmd.Env = append(os.Environ(), "DNSSEAL_VERIFY_FILE="+file, fmt.Sprintf("DNSSEAL_VERIFY_NOW=%d", z.now.Unix()))
		var stderr, stdout bytes.Buffer
		cmd.Stderr, cmd.Stdout = &stderr, &stdout
		require.NoError(t, cmd.Run(), "%s: %s %s", ref.name, stdout.String(), stderr.String())
		fields := strings.Fields(lastLine(stderr.String()))
		require.Len(t, fields, 4)
		secs, _ := strconv.ParseFloat(fields[0], 64)
		kb, _ := strconv.Atoi(fields[1])
		user, _ := strconv.ParseFloat(fields[2], 64)
		sys, _ := strconv.ParseFloat(fields[3], 64)
		d := time.Duration(secs * float64(time.Second))
		if dnsseal == 0 {
			dnsseal = d
			t.Logf("%s", strings.TrimSpace(stdout.String()))
		}
		add(ref.name, d, fmt.Sprintf("%d MiB", kb/1024), d.Seconds()/dnsseal.Seconds(), user+sys)
	}
	t.Logf("%s, %d names, %d signatures, %d cores", map[bool]string{false: "NSEC", true: "NSEC3"}[nsec3], names, z.sigs, cores)
	for _, r := range rows {
		t.Logf("| %-32s | %9s | %9s | %9s | %s |", r[0], r[1], r[2], r[3], r[4])
	}
}

// TestZoneVerifyFile validates the zone file named by DNSSEAL_VERIFY_FILE
// at DNSSEAL_VERIFY_NOW (unix seconds) and prints the summary and the time
// spent parsing and validating; TestZoneBenchHarness runs it in a process
// of its own.
func TestZoneVerifyFile(t *testing.T) {
	file := os.Getenv("DNSSEAL_VERIFY_FILE")
	if file == "" {
		t.Skip("DNSSEAL_VERIFY_FILE not set")
	}
	sec, _ := strconv.ParseInt(os.Getenv("DNSSEAL_VERIFY_NOW"), 10, 64)
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	start := time.Now()
	res, err := ZoneReader(context.Background(), bufio.NewReaderSize(f, 1<<20), ZoneOptions{Now: time.Unix(sec, 0)})
	require.NoError(t, err)
	fmt.Printf("%s\nZoneReader %.2f s\n", res.Summary(), time.Since(start).Seconds())
	require.Equal(t, ZoneSecure, res.Status)
}

// BenchmarkZoneStream feeds the records of the generated signed zone of
// BenchmarkZone to ZoneStream in wire form (packed once, outside the
// loop), without signature hints.
func BenchmarkZoneStream(b *testing.B) {
	for _, nsec3 := range []bool{false, true} {
		name := "NSEC"
		if nsec3 {
			name = "NSEC3"
		}
		b.Run(fmt.Sprintf("%s/%d", name, *benchNames), func(b *testing.B) {
			z := signedBenchZone(b, *benchNames, nsec3)
			recs, _ := toWire(b, z.rrs)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := streamZone(context.Background(), recs, ZoneOptions{Origin: z.rrs[0].Header().Name, Now: z.now})
				if err != nil || res.Status != ZoneSecure {
					b.Fatal(err, res.Summary())
				}
			}
			b.ReportMetric(float64(z.sigs), "sigs")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(z.sigs), "ns/sig")
		})
	}
}
