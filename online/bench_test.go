package online

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/cputime"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// benchZone answers A queries for every name below example.com.
func benchZone(b testing.TB) *staticZone {
	z := newStaticZone(b, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	z.synthA = true
	return z
}

// BenchmarkServeUnsigned is the baseline: the wrapped handler answering a
// query without DO through the Middleware (which passes it through), the
// response packed by the fake writer.
func BenchmarkServeUnsigned(b *testing.B) {
	_, _, keys := testKeys(b, "example.com.", false)
	m, err := New(benchZone(b), keys, Options{})
	require.NoError(b, err)
	q := newQuery("www.example.com.", dns.TypeA, false)
	w := &fakeWriter{udp: true}
	b.ReportAllocs()
	for b.Loop() {
		m.ServeDNS(w, q)
	}
	b.ReportMetric(float64(w.size), "bytes/resp")
}

// BenchmarkServeHit answers a DO query whose signature is cached.
func BenchmarkServeHit(b *testing.B) {
	_, _, keys := testKeys(b, "example.com.", false)
	m, err := New(benchZone(b), keys, Options{})
	require.NoError(b, err)
	q := newQuery("www.example.com.", dns.TypeA, true)
	w := &fakeWriter{udp: true}
	m.ServeDNS(w, q)
	b.ReportAllocs()
	for b.Loop() {
		m.ServeDNS(w, q)
	}
	b.ReportMetric(float64(w.size), "bytes/resp")
}

// BenchmarkServeMiss answers DO queries for a new name each time, so every
// answer is signed with the local ECDSA P-256 ZSK.
func BenchmarkServeMiss(b *testing.B) {
	_, _, keys := testKeys(b, "example.com.", false)
	m, err := New(benchZone(b), keys, Options{})
	require.NoError(b, err)
	w := &fakeWriter{udp: true}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		m.ServeDNS(w, newQuery(fmt.Sprintf("h%d.example.com.", i), dns.TypeA, true))
	}
}

// BenchmarkServeNXDOMAIN answers a cached white-lies NXDOMAIN (SOA and two
// NSEC records, all signatures cached).
func BenchmarkServeNXDOMAIN(b *testing.B) {
	_, _, keys := testKeys(b, "example.com.", false)
	m, err := New(newStaticZone(b, "example.com."), keys, Options{})
	require.NoError(b, err)
	q := newQuery("nope.example.com.", dns.TypeA, true)
	w := &fakeWriter{udp: true}
	m.ServeDNS(w, q)
	b.ReportAllocs()
	for b.Loop() {
		m.ServeDNS(w, q)
	}
}

// staticInfo is a ZoneInfo for a staticZone.
type staticInfo struct{ z *staticZone }

func (i staticInfo) Types(name string) ([]uint16, bool) {
	name = dns.CanonicalName(name)
	if name == i.z.apex || i.z.names[name] {
		return []uint16{dns.TypeA}, true
	}
	return nil, false
}

func (staticInfo) Wildcard(string) string { return "" }

// BenchmarkServeNXDOMAINZoneInfo is BenchmarkServeNXDOMAIN with a ZoneInfo,
// whose answers are not cached whole: the NSEC records are made for each
// query and only their signatures come from the cache.
func BenchmarkServeNXDOMAINZoneInfo(b *testing.B) {
	_, _, keys := testKeys(b, "example.com.", false)
	z := newStaticZone(b, "example.com.")
	m, err := New(z, keys, Options{Zone: staticInfo{z}})
	require.NoError(b, err)
	q := newQuery("nope.example.com.", dns.TypeA, true)
	w := &fakeWriter{udp: true}
	m.ServeDNS(w, q)
	b.ReportAllocs()
	for b.Loop() {
		m.ServeDNS(w, q)
	}
}

// TestHitCostRatio checks the budget: answering a DO query from the
// signature cache costs no more than twice answering the same query
// unsigned, both through the Middleware with the fake writer that packs the
// response, as in BenchmarkServeHit and BenchmarkServeUnsigned. It compares
// process CPU time per query, the best of several interleaved rounds.
func TestHitCostRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	if _, ok := cputime.Process(); !ok {
		t.Skip("process CPU time not available")
	}
	_, _, keys := testKeys(t, "example.com.", false)
	m, err := New(benchZone(t), keys, Options{})
	require.NoError(t, err)
	unsigned := newQuery("www.example.com.", dns.TypeA, false)
	signed := newQuery("www.example.com.", dns.TypeA, true)
	w := &fakeWriter{udp: true}
	m.ServeDNS(w, signed)
	const n = 20000
	measure := func(q *dns.Msg) time.Duration {
		start, _ := cputime.Process()
		for range n {
			m.ServeDNS(w, q)
		}
		end, _ := cputime.Process()
		return (end - start) / n
	}
	bestU, bestH := time.Hour, time.Hour
	for range 9 {
		bestU = min(bestU, measure(unsigned))
		bestH = min(bestH, measure(signed))
	}
	ratio := float64(bestH) / float64(bestU)
	t.Logf("CPU per query: unsigned %v, cache hit %v, ratio %.2f", bestU, bestH, ratio)
	require.LessOrEqual(t, ratio, 2.0)
}

// TestLoadLoopback runs the Middleware behind a real miekg/dns UDP server
// on loopback and measures queries per second and latency for a hot set of
// names (cache hits) and for random names (a signature each), bounded in
// time and count.
func TestLoadLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	_, _, keys := testKeys(t, "example.com.", false)
	m, err := New(benchZone(t), keys, Options{})
	require.NoError(t, err)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &dns.Server{PacketConn: pc, Handler: m}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	addr := pc.LocalAddr().String()

	var seq atomic.Int64
	for _, tc := range []struct {
		name string
		do   bool
		qn   func(r *rand.Rand) string
	}{
		{"unsigned", false, func(r *rand.Rand) string { return fmt.Sprintf("hot%d.example.com.", r.IntN(100)) }},
		{"hot", true, func(r *rand.Rand) string { return fmt.Sprintf("hot%d.example.com.", r.IntN(100)) }},
		{"random", true, func(*rand.Rand) string { return fmt.Sprintf("r%d.example.com.", seq.Add(1)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const workers, maxQueries, maxTime = 4, 20000, time.Second
			for i := range 100 { // warm the hot set
				c := &dns.Client{Net: "udp"}
				_, _, _ = c.Exchange(newQuery(fmt.Sprintf("hot%d.example.com.", i), dns.TypeA, true), addr)
			}
			var mu sync.Mutex
			var lat []time.Duration
			var count atomic.Int64
			deadline := time.Now().Add(maxTime)
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(w), 1))
					conn, err := net.Dial("udp", addr)
					if err != nil {
						t.Error(err)
						return
					}
					defer conn.Close()
					co := &dns.Conn{Conn: conn}
					local := make([]time.Duration, 0, maxQueries/workers)
					for time.Now().Before(deadline) && count.Add(1) <= maxQueries {
						q := newQuery(tc.qn(r), dns.TypeA, tc.do)
						t0 := time.Now()
						_ = conn.SetDeadline(t0.Add(2 * time.Second))
						if err := co.WriteMsg(q); err != nil {
							t.Error(err)
							return
						}
						resp, err := co.ReadMsg()
						if err != nil {
							t.Error(err)
							return
						}
						local = append(local, time.Since(t0))
						if tc.do && len(rrsigs(resp.Answer)) != 1 {
							t.Errorf("unsigned answer %v", resp)
							return
						}
					}
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			require.NotEmpty(t, lat)
			slices.Sort(lat)
			pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
			t.Logf("%s: %d queries in %v: %.0f qps, p50 %v, p90 %v, p99 %v, max %v (cache %+v)",
				tc.name, len(lat), elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(),
				pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1], m.CacheStats())
		})
	}
}
