package online

import (
	"context"
	"expvar"
	"sync"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// verifyAll checks every RRSIG in the answer and authority sections of
// resp at now, and returns how many there were.
func verifyAll(t *testing.T, resp *dns.Msg, keys []*signer.Key, now time.Time) int {
	t.Helper()
	n := 0
	for _, sec := range [][]dns.RR{resp.Answer, resp.Ns} {
		for _, sig := range rrsigs(sec) {
			var key *dns.DNSKEY
			for _, k := range keys {
				if k.KeyTag() == sig.KeyTag {
					key = k.DNSKEY()
				}
			}
			require.NotNil(t, key)
			f := validate.VerifyRRSIG(sig, covered(sec, sig), key, validate.VerifyOptions{Now: now, CheckTTL: true})
			require.Nil(t, f, "%s: %v", sig, f)
			n++
		}
	}
	return n
}

func TestHandler(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.",
		"example.com. 3600 IN NS ns1.example.com.",
		"www.example.com. 300 IN A 192.0.2.1",
		"www.example.com. 300 IN A 192.0.2.2",
		"alias.example.com. 300 IN CNAME www.example.org.",
	)
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now})
	require.NoError(t, err)

	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		do        bool
		udp       bool
		rcode     int
		wantSigs  int
		wantNSECs int
	}{
		{"positive", "www.example.com.", dns.TypeA, true, true, dns.RcodeSuccess, 1, 0},
		{"positive case-insensitive", "WwW.ExAmPlE.CoM.", dns.TypeA, true, false, dns.RcodeSuccess, 1, 0},
		{"apex NS", "example.com.", dns.TypeNS, true, true, dns.RcodeSuccess, 1, 0},
		{"DNSKEY signed by KSK", "example.com.", dns.TypeDNSKEY, true, true, dns.RcodeSuccess, 1, 0},
		{"DNSKEY without DO", "example.com.", dns.TypeDNSKEY, false, true, dns.RcodeSuccess, 0, 0},
		{"NXDOMAIN white lies", "nope.example.com.", dns.TypeA, true, true, dns.RcodeNameError, 3, 2},
		{"NODATA", "www.example.com.", dns.TypeTXT, true, true, dns.RcodeSuccess, 2, 1},
		{"NODATA at apex", "example.com.", dns.TypeTXT, true, true, dns.RcodeSuccess, 2, 1},
		{"no DO", "www.example.com.", dns.TypeA, false, true, dns.RcodeSuccess, 0, 0},
		{"CNAME out of zone", "alias.example.com.", dns.TypeA, true, true, dns.RcodeSuccess, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := serve(t, m, newQuery(tc.qname, tc.qtype, tc.do), tc.udp)
			require.Equal(t, tc.rcode, resp.Rcode)
			require.False(t, resp.AuthenticatedData)
			require.Equal(t, tc.wantSigs, verifyAll(t, resp, keys, clock.Now()))
			n := 0
			for _, rr := range resp.Ns {
				if nsec, ok := rr.(*dns.NSEC); ok {
					n++
					require.Equal(t, uint32(300), nsec.Hdr.Ttl, "NSEC TTL = min(SOA TTL, MINIMUM)")
				}
			}
			require.Equal(t, tc.wantNSECs, n)
			if tc.do {
				require.True(t, resp.IsEdns0().Do(), "DO copied to the response")
			}
		})
	}

	t.Run("NODATA bitmap without ZoneInfo", func(t *testing.T) {
		resp := serve(t, m, newQuery("www.example.com.", dns.TypeTXT, true), true)
		var nsec *dns.NSEC
		for _, rr := range resp.Ns {
			if n, ok := rr.(*dns.NSEC); ok {
				nsec = n
			}
		}
		require.NotNil(t, nsec)
		require.NotContains(t, nsec.TypeBitMap, dns.TypeTXT)
		require.Contains(t, nsec.TypeBitMap, dns.TypeA, "unknown types are claimed present")
		require.NotContains(t, nsec.TypeBitMap, dns.TypeNS)
		require.NotContains(t, nsec.TypeBitMap, dns.TypeCNAME)
		require.Equal(t, `\000.www.example.com.`, nsec.NextDomain)
	})

	t.Run("NXDOMAIN NSECs cover only nonexistent names", func(t *testing.T) {
		resp := serve(t, m, newQuery("nope.example.com.", dns.TypeA, true), true)
		var ns []*dns.NSEC
		for _, rr := range resp.Ns {
			if n, ok := rr.(*dns.NSEC); ok {
				ns = append(ns, n)
			}
		}
		require.Len(t, ns, 2)
		cov := func(n *dns.NSEC, name string) bool {
			return canonical.Compare(n.Hdr.Name, name) < 0 && canonical.Compare(name, n.NextDomain) < 0
		}
		require.True(t, cov(ns[0], "nope.example.com."))
		require.True(t, cov(ns[0], "a.nope.example.com."))
		require.True(t, cov(ns[1], "*.example.com."))
		for _, n := range ns {
			for _, existing := range []string{"example.com.", "www.example.com.", "alias.example.com.", "nopd.example.com.", "nope0.example.com.", "nope-.example.com."} {
				require.False(t, cov(n, existing), "%s covers %s", n, existing)
			}
		}
	})

	t.Run("next's RRSIGs are replaced", func(t *testing.T) {
		z := newStaticZone(t, "example.com.", "x.example.com. 60 IN A 192.0.2.9",
			"x.example.com. 60 IN RRSIG A 13 3 60 20300101000000 20200101000000 1 example.com. AAAA")
		m2, err := New(z, keys, Options{Now: clock.Now})
		require.NoError(t, err)
		z.set(append(z.rrs[key("x.example.com.", dns.TypeA)], z.rrs[key("x.example.com.", dns.TypeRRSIG)]...)...)
		resp := serve(t, m2, newQuery("x.example.com.", dns.TypeA, true), true)
		require.Len(t, rrsigs(resp.Answer), 1)
		require.Equal(t, 1, verifyAll(t, resp, keys, clock.Now()))
	})

	t.Run("zone without keys passes through", func(t *testing.T) {
		z := newStaticZone(t, "example.org.", "www.example.org. 60 IN A 192.0.2.9")
		m2, err := New(z, keys, Options{Now: clock.Now})
		require.NoError(t, err)
		resp := serve(t, m2, newQuery("www.example.org.", dns.TypeA, true), true)
		require.Empty(t, rrsigs(resp.Answer))
		require.Len(t, resp.Answer, 1)
	})

	t.Run("NXNAME query", func(t *testing.T) {
		resp := serve(t, m, newQuery("www.example.com.", dns.TypeNXNAME, true), true)
		require.Equal(t, dns.RcodeFormatError, resp.Rcode)
	})

	t.Run("truncation on small UDP buffer", func(t *testing.T) {
		q := newQuery("nope.example.com.", dns.TypeA, true)
		q.IsEdns0().SetUDPSize(512)
		resp := serve(t, m, q, true)
		require.True(t, resp.Truncated)
		resp = serve(t, m, q, false)
		require.False(t, resp.Truncated)
		// The whole-response cache keys on the size limit.
		resp = serve(t, m, newQuery("nope.example.com.", dns.TypeA, true), true)
		require.False(t, resp.Truncated)
		resp = serve(t, m, q, true)
		require.True(t, resp.Truncated)
	})

	t.Run("whole responses are cached", func(t *testing.T) {
		z := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
		exp := NewExpvarMetrics(nil)
		m2, err := New(z, keys, Options{Now: clock.Now, Metrics: exp})
		require.NoError(t, err)
		for i := range 3 {
			resp := serve(t, m2, newQuery("www.example.com.", dns.TypeA, true), true)
			require.Equal(t, 1, verifyAll(t, resp, keys, clock.Now()))
			require.Equal(t, int64(i), exp.Hits.Value())
		}
		require.Equal(t, int64(2), m2.CacheStats().Entries, "one signature set, one response")
	})

	t.Run("responses that depend on ZoneInfo are not cached whole", func(t *testing.T) {
		z := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
		m2, err := New(z, keys, Options{Now: clock.Now, Zone: staticInfo{z}})
		require.NoError(t, err)
		for range 3 {
			resp := serve(t, m2, newQuery("www.example.com.", dns.TypeTXT, true), true)
			require.Equal(t, 2, verifyAll(t, resp, keys, clock.Now()))
		}
		require.Equal(t, int64(2), m2.CacheStats().Entries, "signatures of the SOA and the NSEC only")
	})
}

func TestCompactDenial(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now, Denial: DenialCompact})
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		co    bool
		rcode int
	}{
		{"without CO the rcode is NOERROR", false, dns.RcodeSuccess},
		{"with CO the rcode is NXDOMAIN", true, dns.RcodeNameError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newQuery("nope.example.com.", dns.TypeA, true)
			q.IsEdns0().SetCo(tc.co)
			resp := serve(t, m, q, true)
			require.Equal(t, tc.rcode, resp.Rcode)
			require.Equal(t, tc.co, resp.IsEdns0().Co())
			require.Equal(t, 2, verifyAll(t, resp, keys, clock.Now()))
			var nsec *dns.NSEC
			for _, rr := range resp.Ns {
				if n, ok := rr.(*dns.NSEC); ok {
					nsec = n
				}
			}
			require.NotNil(t, nsec)
			require.Equal(t, "nope.example.com.", nsec.Hdr.Name)
			require.Equal(t, `\000.nope.example.com.`, nsec.NextDomain)
			require.Equal(t, []uint16{dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNXNAME}, nsec.TypeBitMap)
		})
	}
}

func TestNewErrors(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.")
	for _, tc := range []struct {
		name string
		next dns.Handler
		keys []*signer.Key
	}{
		{"no keys", zone, nil},
		{"nil key", zone, []*signer.Key{nil}},
		{"nil next", nil, keys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.next, tc.keys, Options{})
			require.Error(t, err)
			require.Contains(t, err.Error(), "online: ")
			if tc.next != nil {
				h := Handler(tc.next, tc.keys, Options{})
				resp := serve(t, h, newQuery("www.example.com.", dns.TypeA, true), true)
				require.Equal(t, dns.RcodeServerFailure, resp.Rcode)
			}
		})
	}
}

func TestNextWritesBytes(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	next := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		resp := new(dns.Msg)
		resp.SetReply(r)
		resp.Authoritative = true
		rr, _ := dns.NewRR("www.example.com. 60 IN A 192.0.2.1")
		resp.Answer = []dns.RR{rr}
		b, _ := resp.Pack()
		_, _ = w.Write(b)
	})
	clock := newClock()
	m, err := New(next, keys, Options{Now: clock.Now})
	require.NoError(t, err)
	resp := serve(t, m, newQuery("www.example.com.", dns.TypeA, true), true)
	require.Equal(t, 1, verifyAll(t, resp, keys, clock.Now()))
}

func TestSignErrorIsServfail(t *testing.T) {
	_, zsk, keys := testKeys(t, "example.com.", false)
	zsk.Signer = badSigner{zsk.Signer}
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	exp := NewExpvarMetrics(new(expvar.Map).Init())
	m, err := New(zone, keys, Options{Metrics: exp})
	require.NoError(t, err)
	resp := serve(t, m, newQuery("www.example.com.", dns.TypeA, true), true)
	require.Equal(t, dns.RcodeServerFailure, resp.Rcode)
	require.Equal(t, int64(1), exp.SignErrors.Value())
}

type badSigner struct{ signer.Signer }

func (badSigner) Sign(context.Context, []byte) ([]byte, error) {
	return []byte{1, 2, 3}, nil
}

func TestExpvarMetrics(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	vars := new(expvar.Map).Init()
	exp := NewExpvarMetrics(vars)
	m, err := New(zone, keys, Options{Metrics: exp})
	require.NoError(t, err)
	for range 3 {
		serve(t, m, newQuery("www.example.com.", dns.TypeA, true), true)
	}
	require.Equal(t, int64(1), exp.Misses.Value())
	require.Equal(t, int64(2), exp.Hits.Value())
	require.Equal(t, int64(1), exp.Signatures.Value())
	require.Positive(t, exp.SignNanos.Value())
	require.Equal(t, "2", vars.Get("hits").String())
}

func TestConcurrentServe(t *testing.T) {
	_, _, keys := testKeys(t, "example.com.", false)
	zone := newStaticZone(t, "example.com.", "www.example.com. 300 IN A 192.0.2.1")
	zone.synthA = true
	m, err := New(zone, keys, Options{CacheBytes: 64 << 10})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				name := dns.Fqdn(string(rune('a'+g)) + string(rune('a'+i%26)) + ".example.com")
				resp := serve(t, m, newQuery(name, dns.TypeA, true), true)
				if len(rrsigs(resp.Answer)) != 1 {
					t.Errorf("%s: unsigned", name)
				}
			}
		})
	}
	wg.Wait()
	require.LessOrEqual(t, m.CacheStats().Bytes, m.CacheStats().Limit)
}
