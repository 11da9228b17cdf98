package online

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// fakeWriter is a dns.ResponseWriter that packs and keeps the response.
type fakeWriter struct {
	udp  bool
	msg  *dns.Msg
	buf  []byte
	size int
}

var (
	udpLocal  = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	udpRemote = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5300}
	tcpLocal  = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	tcpRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5300}
)

func (w *fakeWriter) LocalAddr() net.Addr {
	if w.udp {
		return udpLocal
	}
	return tcpLocal
}

func (w *fakeWriter) RemoteAddr() net.Addr {
	if w.udp {
		return udpRemote
	}
	return tcpRemote
}

func (w *fakeWriter) WriteMsg(m *dns.Msg) error {
	b, err := m.PackBuffer(w.buf[:cap(w.buf)])
	if err != nil {
		return err
	}
	w.buf, w.size, w.msg = b, len(b), nil
	return nil
}

// Write keeps a copy of the packed response, as a server would send it.
func (w *fakeWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf[:0], b...)
	w.size, w.msg = len(b), nil
	return len(b), nil
}

// response returns the last response, unpacked.
func (w *fakeWriter) response() (*dns.Msg, error) {
	if w.msg == nil && w.size > 0 {
		m := new(dns.Msg)
		if err := m.Unpack(w.buf[:w.size]); err != nil {
			return nil, err
		}
		w.msg = m
	}
	return w.msg, nil
}

func (*fakeWriter) Close() error        { return nil }
func (*fakeWriter) TsigStatus() error   { return nil }
func (*fakeWriter) TsigTimersOnly(bool) {}
func (*fakeWriter) Hijack()             {}

// countingSigner counts Sign calls and can be slowed down or made cheap.
type countingSigner struct {
	signer.Signer
	calls atomic.Int64
	delay time.Duration
	fake  bool // return a fixed signature instead of signing
}

func (c *countingSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	c.calls.Add(1)
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	if c.fake {
		var sig [64]byte
		copy(sig[:], data)
		return sig[:], nil
	}
	return c.Signer.Sign(ctx, data)
}

// testKeys makes a KSK and a ZSK for origin, wrapped in counters.
func testKeys(t testing.TB, origin string, fake bool) (ksk, zsk *countingSigner, keys []*signer.Key) {
	t.Helper()
	for _, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, origin, flags, localbackend.Options{})
		require.NoError(t, err)
		c := &countingSigner{Signer: s, fake: fake}
		k, err := signer.NewKey(c, 0)
		require.NoError(t, err)
		keys = append(keys, k)
		if flags == signer.FlagsKSK {
			ksk = c
		} else {
			zsk = c
		}
	}
	return ksk, zsk, keys
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// staticZone is a next handler serving a fixed set of records, with
// NXDOMAIN for unknown names and NODATA for unknown types at known names.
type staticZone struct {
	mu     sync.RWMutex
	apex   string
	soa    *dns.SOA
	rrs    map[string][]dns.RR // name/type -> RRset
	names  map[string]bool
	synthA bool // answer every name below apex with an A record (for load tests)
}

func newStaticZone(t testing.TB, apex string, records ...string) *staticZone {
	t.Helper()
	z := &staticZone{apex: apex, rrs: map[string][]dns.RR{}, names: map[string]bool{}}
	soa, err := dns.NewRR(apex + " 3600 IN SOA ns1." + apex + " hostmaster." + apex + " 1 7200 3600 1209600 300")
	require.NoError(t, err)
	z.soa = soa.(*dns.SOA)
	z.add(soa)
	for _, s := range records {
		rr, err := dns.NewRR(s)
		require.NoError(t, err)
		z.add(rr)
	}
	return z
}

func key(name string, t uint16) string { return dns.CanonicalName(name) + "/" + dns.Type(t).String() }

func (z *staticZone) add(rr dns.RR) {
	z.mu.Lock()
	defer z.mu.Unlock()
	h := rr.Header()
	z.rrs[key(h.Name, h.Rrtype)] = append(z.rrs[key(h.Name, h.Rrtype)], rr)
	z.names[dns.CanonicalName(h.Name)] = true
}

// set replaces an RRset.
func (z *staticZone) set(rrs ...dns.RR) {
	z.mu.Lock()
	defer z.mu.Unlock()
	h := rrs[0].Header()
	z.rrs[key(h.Name, h.Rrtype)] = rrs
}

func (z *staticZone) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	q := r.Question[0]
	resp := new(dns.Msg)
	resp.SetReply(r)
	resp.Authoritative = true
	resp.Compress = true
	z.mu.RLock()
	rrs := z.rrs[key(q.Name, q.Qtype)]
	if len(rrs) == 0 {
		rrs = z.rrs[key(q.Name, dns.TypeCNAME)]
	}
	exists := z.names[dns.CanonicalName(q.Name)]
	z.mu.RUnlock()
	switch {
	case len(rrs) > 0:
		resp.Answer = rrs
	case z.synthA && q.Qtype == dns.TypeA:
		resp.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: net.IPv4(192, 0, 2, 1)}}
	case exists:
		resp.Ns = []dns.RR{z.soa}
	default:
		resp.Rcode = dns.RcodeNameError
		resp.Ns = []dns.RR{z.soa}
	}
	if opt := r.IsEdns0(); opt != nil {
		resp.SetEdns0(opt.UDPSize(), opt.Do())
	}
	_ = w.WriteMsg(resp)
}

func newQuery(name string, qtype uint16, do bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, do)
	return m
}

// serve runs one query through h with a fake writer.
func serve(t testing.TB, h dns.Handler, q *dns.Msg, udp bool) *dns.Msg {
	t.Helper()
	w := &fakeWriter{udp: udp}
	h.ServeDNS(w, q)
	resp, err := w.response()
	require.NoError(t, err)
	require.NotNil(t, resp)
	require.Equal(t, q.Id, resp.Id)
	return resp
}

func rrsigs(rrs []dns.RR) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok {
			out = append(out, s)
		}
	}
	return out
}

// covered returns the RRset in rrs that sig covers.
func covered(rrs []dns.RR, sig *dns.RRSIG) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype == sig.TypeCovered && h.Class == sig.Hdr.Class && dns.CanonicalName(h.Name) == dns.CanonicalName(sig.Hdr.Name) {
			out = append(out, rr)
		}
	}
	return out
}
