package zonesign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/dnsseal/dnsseal/internal/cputime"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// genZone parses a zonegen zone of n names.
func genZone(tb testing.TB, n int, mixed bool) *Zone {
	tb.Helper()
	var buf bytes.Buffer
	_, err := zonegen.Write(&buf, zonegen.Options{Names: n, Origin: "example.", Seed: 1, MixedCase: mixed})
	require.NoError(tb, err)
	z, err := Parse(&buf, "gen.zone", "example.")
	require.NoError(tb, err)
	return z
}

// randomKeys are ordinary (randomised) ECDSA keys, as in production.
func randomKeys(tb testing.TB, origin string) []*signer.Key {
	var keys []*signer.Key
	for _, f := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(tb, err)
		s, err := signer.FromCryptoSigner(priv, origin, f)
		require.NoError(tb, err)
		k, err := signer.NewKey(s, 0)
		require.NoError(tb, err)
		keys = append(keys, k)
	}
	return keys
}

// floorPerSig measures the single-core CPU cost of one ecdsa.SignASN1 over a
// SHA-256 digest.
func floorPerSig(tb testing.TB) time.Duration {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(tb, err)
	h := sha256.Sum256([]byte("floor"))
	const n = 2000
	start, _ := cputime.Process()
	for range n {
		_, err := ecdsa.SignASN1(rand.Reader, priv, h[:])
		require.NoError(tb, err)
	}
	end, _ := cputime.Process()
	return (end - start) / n
}

// benchNames is the size of the benchmark zones: ZONESIGN_BENCH_NAMES or
// 10000.
func benchNames() int {
	if n, err := strconv.Atoi(os.Getenv("ZONESIGN_BENCH_NAMES")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// batchKeysLocal are localbackend RFC 6979 P-256 keys, which sign in
// batches (signer.BatchSigner), as the CLI's keys do.
func batchKeysLocal(tb testing.TB, origin string) []*signer.Key {
	var keys []*signer.Key
	for _, f := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		s, err := localbackend.Generate(dns.ECDSAP256SHA256, origin, f, localbackend.Options{Deterministic: true})
		require.NoError(tb, err)
		k, err := signer.NewKey(s, 0)
		require.NoError(tb, err)
		keys = append(keys, k)
	}
	return keys
}

func benchmarkSign(b *testing.B, nsec3 *NSEC3Params, verify bool) {
	benchmarkSignKeys(b, nsec3, verify, randomKeys(b, "example."))
}

func benchmarkSignKeys(b *testing.B, nsec3 *NSEC3Params, verify bool, keys []*signer.Key) {
	z := genZone(b, benchNames(), false)
	opts := Options{Keys: keys, Now: testNow, NSEC3: nsec3, SkipVerify: !verify}
	per := floorPerSig(b)
	var st Stats
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu0, _ := cputime.Process()
	for b.Loop() {
		var err error
		st, err = Sign(context.Background(), z, opts, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	cpu1, _ := cputime.Process()
	cpu := cpu1 - cpu0
	b.StopTimer()
	// CPU per signature over the floor's: overhead that does not depend
	// on the load of the machine
	b.ReportMetric(float64(cpu)/(float64(st.Signatures)*float64(b.N))/float64(per), "cpu-x-floor")
	sigs := float64(st.Signatures) * float64(b.N)
	b.ReportMetric(sigs/el.Seconds(), "sigs/s")
	floor := float64(runtime.GOMAXPROCS(0)) / per.Seconds()
	b.ReportMetric(floor, "floor-sigs/s")
	b.ReportMetric(floor/(sigs/el.Seconds()), "x-floor")
}

// BenchmarkSignNSEC signs a generated 10k-name zone with NSEC (verification
// off) and reports signatures per second against the raw ECDSA floor
// (single-core ecdsa.SignASN1 rate × GOMAXPROCS); x-floor is wall time over
// the floor's.
func BenchmarkSignNSEC(b *testing.B) { benchmarkSign(b, nil, false) }

// BenchmarkSignNSEC3 is BenchmarkSignNSEC with NSEC3 (RFC 9276 defaults).
func BenchmarkSignNSEC3(b *testing.B) { benchmarkSign(b, &NSEC3Params{}, false) }

// BenchmarkSignNSECVerify is BenchmarkSignNSEC with every signature
// verified after it is made (the default).
func BenchmarkSignNSECVerify(b *testing.B) { benchmarkSign(b, nil, true) }

// BenchmarkSignNSECBatch is BenchmarkSignNSEC with localbackend's RFC
// 6979 keys, which sign a chunk's RRsets in one batch.
func BenchmarkSignNSECBatch(b *testing.B) {
	benchmarkSignKeys(b, nil, false, batchKeysLocal(b, "example."))
}

// BenchmarkSignNSECBatchVerify is BenchmarkSignNSECBatch with every
// signature verified, in batches with the signatures' R hints.
func BenchmarkSignNSECBatchVerify(b *testing.B) {
	benchmarkSignKeys(b, nil, true, batchKeysLocal(b, "example."))
}

// BenchmarkSignFile is the whole batch job: parse a generated zone file,
// sign it (NSEC, verification off) and write it atomically. Set
// ZONESIGN_BENCH_NAMES for the 100k and 1M-name zones.
func BenchmarkSignFile(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.zone")
	f, err := os.Create(in)
	require.NoError(b, err)
	_, err = zonegen.Write(f, zonegen.Options{Names: benchNames(), Origin: "example.", Seed: 1})
	require.NoError(b, err)
	require.NoError(b, f.Close())
	opts := Options{Keys: randomKeys(b, "example."), SkipVerify: true}
	if os.Getenv("ZONESIGN_BENCH_NSEC3") != "" {
		opts.NSEC3 = &NSEC3Params{}
	}
	per := floorPerSig(b)
	var st Stats
	b.ReportAllocs()
	start := time.Now()
	cpu0, _ := cputime.Process()
	for b.Loop() {
		st, err = SignFile(context.Background(), in, filepath.Join(dir, "out.zone"), opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	cpu1, _ := cputime.Process()
	cpu := cpu1 - cpu0
	sigs := float64(st.Signatures) * float64(b.N)
	b.ReportMetric(sigs/el.Seconds(), "sigs/s")
	b.ReportMetric(float64(cpu)/sigs/float64(per), "cpu-x-floor")
	b.ReportMetric(el.Seconds()/(sigs*per.Seconds()/float64(runtime.GOMAXPROCS(0))), "x-floor")
	b.ReportMetric(float64(st.Presigned)/float64(st.Signatures), "presigned")
}

// BenchmarkParse parses a generated zone (ZONESIGN_BENCH_NAMES names): the
// part of a signing run that is not parallel.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	zst, err := zonegen.Write(&buf, zonegen.Options{Names: benchNames(), Origin: "example.", Seed: 1})
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		z, err := Parse(bytes.NewReader(buf.Bytes()), "gen.zone", "example.")
		if err != nil {
			b.Fatal(err)
		}
		z.prepare()
	}
	b.ReportMetric(float64(zst.TotalRecords), "records")
}
