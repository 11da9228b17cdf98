package online

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestCacheNeverServesExpired(t *testing.T) {
	ksk, zsk, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	clock := newClock()
	const margin = 2 * 24 * time.Hour
	m, err := New(zone, keys, Options{Now: clock.Now, Validity: 7 * 24 * time.Hour, RefreshMargin: margin})
	require.NoError(t, err)
	queries := []*dns.Msg{
		newQuery("www.example.com.", dns.TypeA, true),
		newQuery("nope.example.com.", dns.TypeA, true),
		newQuery("example.com.", dns.TypeDNSKEY, true),
	}
	// 60 days in steps of 50 minutes (not a divisor of anything).
	for step := 0; step < 60*24*60/50; step++ {
		now := clock.Now()
		for _, q := range queries {
			resp := serve(t, m, q, true)
			sigs := append(rrsigs(resp.Answer), rrsigs(resp.Ns)...)
			require.NotEmpty(t, sigs)
			for _, s := range sigs {
				inc := time.Unix(int64(s.Inception), 0)
				exp := time.Unix(int64(s.Expiration), 0)
				require.False(t, now.Before(inc), "step %d: not yet valid: %s", step, s)
				require.GreaterOrEqual(t, exp.Sub(now), margin, "step %d: served inside the refresh margin: %s", step, s)
			}
			if step%17 == 0 {
				verifyAll(t, resp, keys, now)
			}
		}
		clock.Advance(50 * time.Minute)
	}
	// 60 days with signatures reused for Validity - margin = 5 days: about
	// 12 signings per RRset, not one per query.
	require.LessOrEqual(t, ksk.calls.Load(), int64(13))
	require.LessOrEqual(t, zsk.calls.Load(), int64(4*13))
}

func TestCacheRefreshInsideMargin(t *testing.T) {
	_, zsk, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now, Validity: 10 * time.Hour, RefreshMargin: 3 * time.Hour})
	require.NoError(t, err)
	q := newQuery("www.example.com.", dns.TypeA, true)
	first := rrsigs(serve(t, m, q, true).Answer)[0]
	require.Equal(t, int64(1), zsk.calls.Load())
	start := clock.Now()

	steps := []struct {
		name   string
		at     time.Duration // since start
		resign bool
	}{
		{"well before the margin", 1 * time.Hour, false},
		{"one second before the margin", 7*time.Hour - time.Second, false},
		{"at the margin", 7 * time.Hour, true},
		{"after the refresh", 8 * time.Hour, false},
	}
	calls := int64(1)
	prev := first
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			clock.t = start.Add(s.at)
			sig := rrsigs(serve(t, m, q, true).Answer)[0]
			if s.resign {
				calls++
				require.NotEqual(t, prev.Signature, sig.Signature)
				require.Equal(t, uint32(clock.Now().Add(-InceptionSkew).Unix()), sig.Inception)
				require.Equal(t, uint32(clock.Now().Add(10*time.Hour).Unix()), sig.Expiration)
			} else {
				require.Equal(t, prev.Signature, sig.Signature)
			}
			require.Equal(t, calls, zsk.calls.Load())
			prev = sig
		})
	}

	t.Run("clock stepped back before inception", func(t *testing.T) {
		clock.t = start.Add(-2 * time.Hour)
		sig := rrsigs(serve(t, m, q, true).Answer)[0]
		require.Equal(t, calls+1, zsk.calls.Load())
		require.LessOrEqual(t, int64(sig.Inception), clock.Now().Unix())
	})
}

func TestChangedRRsetIsResigned(t *testing.T) {
	_, zsk, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now})
	require.NoError(t, err)
	q := newQuery("www.example.com.", dns.TypeA, true)
	a := func(ip string, ttl uint32) dns.RR {
		return &dns.A{Hdr: dns.RR_Header{Name: "www.example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl}, A: net.ParseIP(ip)}
	}

	steps := []struct {
		name  string
		rrset []dns.RR
		calls int64
	}{
		{"original", []dns.RR{a("192.0.2.1", 300)}, 1},
		{"new address", []dns.RR{a("192.0.2.2", 300)}, 2},
		{"another record", []dns.RR{a("192.0.2.2", 300), a("192.0.2.3", 300)}, 3},
		{"same records reordered", []dns.RR{a("192.0.2.3", 300), a("192.0.2.2", 300)}, 3},
		{"new TTL", []dns.RR{a("192.0.2.2", 60), a("192.0.2.3", 60)}, 4},
		{"back to the original", []dns.RR{a("192.0.2.1", 300)}, 4},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			zone.set(s.rrset...)
			resp := serve(t, m, q, true)
			require.Equal(t, 1, verifyAll(t, resp, keys, clock.Now()))
			require.Equal(t, s.calls, zsk.calls.Load())
			require.Equal(t, s.rrset[0].Header().Ttl, rrsigs(resp.Answer)[0].OrigTtl, "OrigTTL from the RRset")
		})
	}
}

func TestSingleFlight(t *testing.T) {
	_, zsk, keys := testKeys(t, "example.com.", false)
	zsk.delay = 50 * time.Millisecond
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	m, err := New(zone, keys, Options{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 32 {
		wg.Go(func() {
			<-start
			resp := serve(t, m, newQuery("www.example.com.", dns.TypeA, true), true)
			if len(rrsigs(resp.Answer)) != 1 {
				t.Error("unsigned answer")
			}
		})
	}
	close(start)
	wg.Wait()
	require.Equal(t, int64(1), zsk.calls.Load())
}

func TestKSKOnlyForDNSKEY(t *testing.T) {
	ksk, zsk, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1", "example.com. 3600 IN NS ns1.example.com.")
	zone.synthA = true
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now, Validity: 24 * time.Hour, RefreshMargin: 6 * time.Hour})
	require.NoError(t, err)
	for i := range 200 {
		for _, q := range []*dns.Msg{
			newQuery(fmt.Sprintf("h%d.example.com.", i), dns.TypeA, true),
			newQuery("example.com.", dns.TypeNS, true),
			newQuery("example.com.", dns.TypeSOA, true),
			newQuery(fmt.Sprintf("h%d.example.com.", i), dns.TypeTXT, true),
		} {
			serve(t, m, q, true)
		}
	}
	require.Zero(t, ksk.calls.Load(), "the KSK is not called for RRsets other than DNSKEY")
	require.Positive(t, zsk.calls.Load())

	zskCalls := zsk.calls.Load()
	for range 50 {
		resp := serve(t, m, newQuery("example.com.", dns.TypeDNSKEY, true), true)
		sigs := rrsigs(resp.Answer)
		require.Len(t, sigs, 1)
		require.Equal(t, keys[0].KeyTag(), sigs[0].KeyTag)
		clock.Advance(time.Minute)
	}
	require.Equal(t, int64(1), ksk.calls.Load(), "one KSK signature per validity period")
	require.Equal(t, zskCalls, zsk.calls.Load())
	clock.Advance(18 * time.Hour) // into the refresh margin
	serve(t, m, newQuery("example.com.", dns.TypeDNSKEY, true), true)
	require.Equal(t, int64(2), ksk.calls.Load())
}

func TestCacheMemoryBound(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	_, _, keys := testKeys(t, "example.com.", true)
	const bound = 16 << 20
	m, err := New(newStaticZone(t, "example.com."), keys, Options{CacheBytes: bound})
	require.NoError(t, err)
	now := time.Now()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rrset := []dns.RR{&dns.A{Hdr: dns.RR_Header{Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: net.IPv4(192, 0, 2, 1)}}
	a := rrset[0].(*dns.A)
	z := m.zones[0]
	var nb []byte
	for i := range n {
		nb = strconv.AppendInt(append(nb[:0], "host-"...), int64(i), 10)
		a.Hdr.Name = string(append(nb, ".example.com."...))
		_, err := m.sigsFor(nil, z.data, z.id, kindData, rrset, 0, newStamp(now))
		if err != nil {
			require.NoError(t, err)
		}
		if i%100_000 == 0 {
			st := m.CacheStats()
			require.LessOrEqual(t, st.Bytes, st.Limit)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := m.CacheStats()
	require.LessOrEqual(t, st.Bytes, int64(bound))
	require.Greater(t, st.Bytes, int64(bound*9/10), "the cache fills up to its bound")
	live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	inuse := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d RRsets: %d entries, accounted %d bytes (bound %d); after GC: HeapAlloc delta %d bytes (%.2f× accounted), HeapInuse delta %d bytes (%.2f×)",
		n, st.Entries, st.Bytes, st.Limit, live, float64(live)/float64(st.Bytes), inuse, float64(inuse)/float64(st.Bytes))
	// The accounting tracks the live heap closely; spans that the
	// allocator keeps for freed objects (fragmentation from eviction
	// churn) can add as much again.
	require.Less(t, live, int64(bound*5/4), "live heap within 1.25× the bound")
	require.Less(t, inuse, int64(bound*5/2), "heap spans within 2.5× the bound")
	runtime.KeepAlive(m)
}

func TestCacheLRU(t *testing.T) {
	c := newCache(numShards*600, nopMetrics{})
	mk := func() (*entry, error) {
		return &entry{sigs: make([]dns.RRSIG, 1), notBefore: 0, refreshAt: 100}, nil
	}
	// Keys that land in one shard.
	var keys [][]byte
	for i := 0; len(keys) < 4; i++ {
		k := []byte(fmt.Sprintf("key-%d", i))
		if &c.shards[0] == c.shardOf(k) {
			keys = append(keys, k)
		}
	}
	perEntry := allocSize(len(keys[0])) + perEntryOverhead + allocSize(rrsigSize)
	require.Less(t, 2*perEntry, 600)
	require.Greater(t, 3*perEntry, 600, "two entries fit in a shard, three do not")
	for _, k := range keys[:2] {
		_, hit, err := c.get(k, 1, mk)
		require.NoError(t, err)
		require.False(t, hit)
	}
	_, hit, _ := c.get(keys[0], 1, mk) // keys[0] is now the most recent
	require.True(t, hit)
	_, _, _ = c.get(keys[2], 1, mk) // evicts keys[1]
	_, hit, _ = c.get(keys[0], 1, mk)
	require.True(t, hit)
	_, hit, _ = c.get(keys[1], 1, mk)
	require.False(t, hit, "least recently used entry was evicted")
	_, hit, _ = c.get(keys[0], 100, mk)
	require.False(t, hit, "entries are not served at or after refreshAt")
}
