package online

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// ErrNoKeys is returned by New when it is given no usable keys.
var ErrNoKeys = errors.New("online: no keys")

// zone holds the keys of one zone.
type zone struct {
	apex     string // canonical presentation form
	apexWire []byte
	id       uint16
	data     []*signer.Key // sign every RRset but the apex DNSKEY RRset
	ksk      []*signer.Key // sign the apex DNSKEY RRset
	dnskeys  []dns.RR      // the DNSKEY RRset
}

// Cache key kinds: the same RRset signed by the data keys or by the KSKs.
const (
	kindData   = 'Z'
	kindDNSKEY = 'K'
)

// Middleware is a dns.Handler that signs the responses of the handler it
// wraps. Make one with New; it is safe for concurrent use.
type Middleware struct {
	next  dns.Handler
	zones []*zone // longest apex first
	opts  Options
	cache *cache
	pool  sync.Pool
}

type scratch struct {
	enc  canonical.Encoder
	key  []byte
	data []byte
}

// New returns a Middleware that signs next's responses for the zones of
// keys (the owner names of their DNSKEYs).
//
// In each zone, keys with RoleZSK or RoleCSK sign every RRset except the
// apex DNSKEY RRset, which keys with RoleKSK or RoleCSK sign. A zone with
// only KSKs signs everything with them; one with only ZSKs signs its
// DNSKEY RRset with them. A KSK is thus called only to sign the DNSKEY
// RRset, whose signature is cached like any other: with a remote KSK
// (KMS) and a local ZSK, the remote key is called about once per
// Validity − RefreshMargin, never for other RRsets.
func New(next dns.Handler, keys []*signer.Key, opts Options) (*Middleware, error) {
	if next == nil {
		return nil, errors.New("online: nil next handler")
	}
	byApex := map[string]*zone{}
	var zones []*zone
	for i, k := range keys {
		if k == nil || k.Signer == nil || k.DNSKEY() == nil {
			return nil, fmt.Errorf("%w: key %d is nil (make keys with signer.NewKey)", ErrNoKeys, i)
		}
		if !dnscrypto.Supported(k.DNSKEY().Algorithm) {
			return nil, fmt.Errorf("online: key %d: algorithm %d: %w", k.KeyTag(), k.DNSKEY().Algorithm, dnscrypto.ErrUnsupported)
		}
		z := byApex[k.SignerName()]
		if z == nil {
			w, ok := wireName(k.SignerName())
			if !ok {
				return nil, fmt.Errorf("online: key %d: bad owner %q", k.KeyTag(), k.SignerName())
			}
			z = &zone{apex: k.SignerName(), apexWire: w, id: uint16(len(zones))}
			byApex[z.apex] = z
			zones = append(zones, z)
		}
		switch k.Role() {
		case signer.RoleZSK:
			z.data = append(z.data, k)
		case signer.RoleKSK:
			z.ksk = append(z.ksk, k)
		default:
			z.data = append(z.data, k)
			z.ksk = append(z.ksk, k)
		}
		rr := dns.Copy(k.DNSKEY()).(*dns.DNSKEY)
		rr.Hdr.Name = z.apex
		rr.Hdr.Class = dns.ClassINET
		z.dnskeys = append(z.dnskeys, rr)
	}
	if len(zones) == 0 {
		return nil, ErrNoKeys
	}
	if len(zones) > 1<<16 {
		return nil, errors.New("online: too many zones")
	}
	for _, z := range zones {
		if len(z.data) == 0 {
			z.data = z.ksk
		}
		if len(z.ksk) == 0 {
			z.ksk = z.data
		}
		// One TTL for the DNSKEY RRset: the smallest (RFC 2181 §5.2).
		ttl := z.dnskeys[0].Header().Ttl
		for _, rr := range z.dnskeys {
			ttl = min(ttl, rr.Header().Ttl)
		}
		for _, rr := range z.dnskeys {
			rr.Header().Ttl = ttl
		}
	}
	sort.SliceStable(zones, func(i, j int) bool { return len(zones[i].apexWire) > len(zones[j].apexWire) })
	m := &Middleware{next: next, zones: zones, opts: opts.normalize()}
	if m.opts.CacheBytes > 0 {
		m.cache = newCache(m.opts.CacheBytes, m.opts.Metrics)
	}
	m.pool.New = func() any { return new(scratch) }
	return m, nil
}

// Handler is New for callers that want a dns.Handler in one expression. If
// New fails, the returned handler answers every query with SERVFAIL rather
// than serving the zone unsigned; call New to see the error.
func Handler(next dns.Handler, keys []*signer.Key, opts Options) dns.Handler {
	m, err := New(next, keys, opts)
	if err != nil {
		return dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			if r == nil {
				return
			}
			resp := new(dns.Msg)
			resp.SetRcode(r, dns.RcodeServerFailure)
			_ = w.WriteMsg(resp)
		})
	}
	return m
}

// CacheStats returns the state of the signature cache.
func (m *Middleware) CacheStats() CacheStats { return m.cache.stats() }

// isSub reports whether name is apex or below it, ignoring ASCII case.
func isSub(apex, name string) bool {
	if strings.IndexByte(name, '\\') >= 0 || strings.IndexByte(apex, '\\') >= 0 {
		return canonical.IsSubdomain(apex, name)
	}
	name = dns.Fqdn(name)
	if apex == "." {
		return true
	}
	if len(name) < len(apex) || !strings.EqualFold(name[len(name)-len(apex):], apex) {
		return false
	}
	return len(name) == len(apex) || name[len(name)-len(apex)-1] == '.'
}

// sameName reports whether a and b are the same name.
func sameName(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	if strings.IndexByte(a, '\\') < 0 && strings.IndexByte(b, '\\') < 0 {
		return false
	}
	return canonical.Equal(a, b)
}

func (m *Middleware) zoneFor(name string) *zone {
	for _, z := range m.zones {
		if isSub(z.apex, name) {
			return z
		}
	}
	return nil
}

// parentName returns the parent of a fully qualified name ("." for TLDs
// and the root).
func parentName(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end || i >= len(name) {
		return "."
	}
	return name[i:]
}

// zoneForParent is the zone of the parent side of name: the zone that
// holds the DS RRset and the delegation NSEC of name.
func (m *Middleware) zoneForParent(name string) *zone {
	if name == "." || name == "" {
		return m.zoneFor(".")
	}
	return m.zoneFor(parentName(name))
}

// stamp is the time of a query, and the window in which every signature
// put in its response may be served.
type stamp struct {
	t                    time.Time
	notBefore, refreshAt int64
	// derived is set when the response depends on more than the wrapped
	// handler's response (on Options.Zone), so it must not be cached whole.
	derived bool
}

func newStamp(t time.Time) *stamp { return &stamp{t: t, refreshAt: math.MaxInt64} }

// reqState holds the per-query buffers, pooled.
type reqState struct {
	stamp          stamp
	key, packed    []byte
	rec            recorder
	out            dns.Msg
	opt            dns.OPT
	answer, ns     []dns.RR
	extra          []dns.RR
	aGroup, nGroup grouper
}

var states = sync.Pool{New: func() any { return new(reqState) }}

func (st *reqState) release() {
	st.rec = recorder{}
	if cap(st.out.Answer) > cap(st.answer) {
		st.answer = st.out.Answer[:0]
	}
	if cap(st.out.Ns) > cap(st.ns) {
		st.ns = st.out.Ns[:0]
	}
	clear(st.answer[:cap(st.answer)])
	clear(st.ns[:cap(st.ns)])
	clear(st.extra[:cap(st.extra)])
	st.out = dns.Msg{}
	st.aGroup.release()
	st.nGroup.release()
	states.Put(st)
}

// recorder captures the response of the wrapped handler.
type recorder struct {
	dns.ResponseWriter
	msg *dns.Msg
	err error
}

func (r *recorder) WriteMsg(m *dns.Msg) error {
	if r.msg == nil {
		r.msg = m
	}
	return nil
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.msg == nil {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			r.err = err
			return 0, fmt.Errorf("online: unpack response: %w", err)
		}
		r.msg = m
	}
	return len(b), nil
}

// ServeDNS implements dns.Handler.
func (m *Middleware) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if r == nil {
		return
	}
	if r.Response || r.Opcode != dns.OpcodeQuery || len(r.Question) != 1 {
		m.next.ServeDNS(w, r)
		return
	}
	q := r.Question[0]
	opt := r.IsEdns0()
	do := opt != nil && opt.Do()
	if !do && q.Qtype != dns.TypeDNSKEY && q.Qtype != dns.TypeNXNAME {
		m.next.ServeDNS(w, r)
		return
	}
	z := m.zoneFor(q.Name)
	if q.Qtype == dns.TypeDS && q.Name != "." {
		if pz := m.zoneForParent(q.Name); pz != nil {
			z = pz
		}
	}
	if z == nil {
		m.next.ServeDNS(w, r)
		return
	}
	switch {
	case q.Qtype == dns.TypeNXNAME:
		// RFC 9824 §3.5: explicit queries for NXNAME get FORMERR.
		resp := new(dns.Msg)
		resp.SetRcode(r, dns.RcodeFormatError)
		m.write(w, r, resp, false)
		return
	case q.Qtype == dns.TypeDNSKEY && sameName(q.Name, z.apex):
		m.serveDNSKEY(w, r, z, do)
		return
	case !do:
		m.next.ServeDNS(w, r)
		return
	}
	st := states.Get().(*reqState)
	defer st.release()
	st.rec = recorder{ResponseWriter: w}
	m.next.ServeDNS(&st.rec, r)
	if st.rec.msg == nil {
		if st.rec.err != nil { // next wrote bytes that are not a message
			resp := new(dns.Msg)
			resp.SetRcode(r, dns.RcodeServerFailure)
			m.write(w, r, resp, false)
		}
		return
	}
	now := m.opts.Now()
	// The whole signed response is cached too, keyed by the wrapped
	// handler's response: a hit then costs little more than the unsigned
	// answer. Its entry expires with the first of its signatures.
	key := m.responseKey(st, w, r, z)
	if key != nil {
		if e := m.cache.lookup(key, now.UnixNano()); e != nil {
			m.opts.Metrics.CacheHit()
			bp := packBufs.Get().(*[]byte)
			b := append((*bp)[:0], e.wire...)
			b[0], b[1] = byte(r.Id>>8), byte(r.Id)
			_, _ = w.Write(b)
			*bp = b
			packBufs.Put(bp)
			return
		}
	}
	st.stamp = stamp{t: now, refreshAt: math.MaxInt64}
	out, co, err := m.sign(st, st.rec.msg, r, z, &st.stamp)
	if err != nil {
		resp := new(dns.Msg)
		resp.SetRcode(r, dns.RcodeServerFailure)
		m.write(w, r, resp, false)
		return
	}
	bp := packBufs.Get().(*[]byte)
	defer packBufs.Put(bp)
	b := m.writeState(st, w, r, out, co, bp)
	if key != nil && b != nil && !st.stamp.derived {
		m.cache.put(key, &entry{wire: slices.Clone(b), notBefore: st.stamp.notBefore, refreshAt: st.stamp.refreshAt})
	}
}

// serveDNSKEY answers a DNSKEY query at a zone apex from the keys.
func (m *Middleware) serveDNSKEY(w dns.ResponseWriter, r *dns.Msg, z *zone, do bool) {
	resp := new(dns.Msg)
	resp.SetReply(r)
	resp.Authoritative = true
	resp.Answer = append(resp.Answer, z.dnskeys...)
	if do {
		var err error
		resp.Answer, err = m.sigsFor(resp.Answer, z.ksk, z.id, kindDNSKEY, z.dnskeys, 0, newStamp(m.opts.Now()))
		if err != nil {
			resp.SetRcode(r, dns.RcodeServerFailure)
			resp.Answer = nil
		}
	}
	m.write(w, r, resp, false)
}

// write sets the OPT record of resp after the query's, truncates it to the
// client's UDP size and sends it.
func (m *Middleware) write(w dns.ResponseWriter, r, resp *dns.Msg, co bool) {
	st := states.Get().(*reqState)
	defer st.release()
	bp := packBufs.Get().(*[]byte)
	defer packBufs.Put(bp)
	m.writeState(st, w, r, resp, co, bp)
}

// sizeLimit returns the largest response the client takes.
func (m *Middleware) sizeLimit(w dns.ResponseWriter, r *dns.Msg) int {
	if _, udp := w.RemoteAddr().(*net.UDPAddr); !udp {
		return dns.MaxMsgSize
	}
	if qopt := r.IsEdns0(); qopt != nil {
		return int(min(max(qopt.UDPSize(), dns.MinMsgSize), m.opts.MaxUDPSize))
	}
	return dns.MinMsgSize
}

// responseKey returns the key of the whole-response cache entry for the
// wrapped handler's response in st: the size limit and the query's CO flag
// (which change the signed response), then the wire form of the response
// without its ID. It returns nil when there is no cache or the query is
// signed with TSIG.
func (m *Middleware) responseKey(st *reqState, w dns.ResponseWriter, r *dns.Msg, z *zone) []byte {
	if m.cache == nil || r.IsTsig() != nil {
		return nil
	}
	size := m.sizeLimit(w, r)
	co := byte(0)
	if o := r.IsEdns0(); o != nil && o.Co() {
		co = 1
	}
	b, err := st.rec.msg.PackBuffer(st.packed[:cap(st.packed)])
	if err != nil || len(b) < 2 {
		return nil
	}
	st.packed = b
	st.key = append(st.key[:0], byte(z.id>>8), byte(z.id), 'R', byte(size>>8), byte(size), co)
	n := len(st.key)
	st.key = append(st.key, b...)
	st.key[n], st.key[n+1] = 0, 0 // ID
	return st.key
}

// writeState sends resp and returns its wire form (in *bp), or nil if it
// was truncated or could not be packed.
func (m *Middleware) writeState(st *reqState, w dns.ResponseWriter, r, resp *dns.Msg, co bool, bp *[]byte) []byte {
	resp.AuthenticatedData = false
	size := m.sizeLimit(w, r)
	if qopt := r.IsEdns0(); qopt != nil {
		extra := st.extra[:0]
		for _, rr := range resp.Extra {
			if rr.Header().Rrtype != dns.TypeOPT {
				extra = append(extra, rr)
			}
		}
		st.opt = dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT, Class: m.opts.MaxUDPSize}}
		st.opt.SetDo(qopt.Do())
		if co {
			st.opt.SetCo(true)
		}
		resp.Extra = append(extra, &st.opt)
		st.extra = resp.Extra
	}
	// Signed responses repeat owner names in RRSIGs: always compress.
	resp.Compress = true
	if r.IsTsig() == nil {
		// Pack once; truncate (and pack again) only if it does not fit.
		b, err := resp.PackBuffer((*bp)[:cap(*bp)])
		if err == nil && len(b) <= size {
			*bp = b
			_, _ = w.Write(b)
			return b
		}
	}
	resp.Truncate(size)
	_ = w.WriteMsg(resp)
	return nil
}

var packBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// grouper splits records into RRsets, reusing its buffers.
type grouper struct {
	heads []dns.RR // first record of each RRset
	ids   []int    // RRset index of each record, -1 for dropped ones
	buf   []dns.RR // records ordered by RRset
	sets  [][]dns.RR
}

// group splits rrs into RRsets (same owner, type and class), in order of
// first appearance, leaving out RRSIG, NSEC and NSEC3 records, which the
// Middleware makes itself. The result is valid until the next call.
func (g *grouper) group(rrs []dns.RR) [][]dns.RR {
	g.heads, g.ids, g.buf, g.sets = g.heads[:0], g.ids[:0], g.buf[:0], g.sets[:0]
	for _, rr := range rrs {
		id := -1
		if rr != nil {
			h := rr.Header()
			switch h.Rrtype {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeOPT:
			default:
				for i := len(g.heads) - 1; i >= 0; i-- {
					s := g.heads[i].Header()
					if s.Rrtype == h.Rrtype && s.Class == h.Class && sameName(s.Name, h.Name) {
						id = i
						break
					}
				}
				if id < 0 {
					id = len(g.heads)
					g.heads = append(g.heads, rr)
				}
			}
		}
		g.ids = append(g.ids, id)
	}
	for id := range g.heads {
		start := len(g.buf)
		for i, rr := range rrs {
			if g.ids[i] == id {
				g.buf = append(g.buf, rr)
			}
		}
		g.sets = append(g.sets, g.buf[start:len(g.buf):len(g.buf)])
	}
	return g.sets
}

func (g *grouper) release() {
	clear(g.heads)
	clear(g.buf[:cap(g.buf)])
	clear(g.sets[:cap(g.sets)])
}

func minTTL(rrset []dns.RR) uint32 {
	t := rrset[0].Header().Ttl
	for _, rr := range rrset[1:] {
		t = min(t, rr.Header().Ttl)
	}
	return t
}

// fastLabels returns the RRSIG Labels value of a fully qualified name:
// its label count, not counting the root or a leading "*" label.
func fastLabels(name string) (uint8, error) {
	if strings.IndexByte(name, '\\') >= 0 {
		return canonical.Labels(dns.Fqdn(name))
	}
	if name == "." || name == "" {
		return 0, nil
	}
	n := strings.Count(name, ".")
	if !strings.HasSuffix(name, ".") {
		n++
	}
	if strings.HasPrefix(name, "*.") {
		n--
	}
	if n > 127 {
		return 0, fmt.Errorf("online: name %q has too many labels", name)
	}
	return uint8(n), nil
}

// sigsFor appends to dst the RRSIGs of keys over rrset with the given
// Labels (0 meaning the owner's label count), from the cache or freshly
// made.
func (m *Middleware) sigsFor(dst []dns.RR, keys []*signer.Key, zoneID uint16, kind byte, rrset []dns.RR, labels uint8, now *stamp) ([]dns.RR, error) {
	h := rrset[0].Header()
	if labels == 0 {
		l, err := fastLabels(h.Name)
		if err != nil {
			return dst, err
		}
		labels = l
	}
	ttl := minTTL(rrset)
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	var err error
	sc.key = append(sc.key[:0], byte(zoneID>>8), byte(zoneID), kind)
	sc.key, err = sc.enc.AppendRRset(sc.key, rrset, ttl, labels)
	if err != nil {
		return dst, fmt.Errorf("online: %w", err)
	}
	var e *entry
	if m.cache != nil {
		e = m.cache.lookup(sc.key, now.t.UnixNano())
	}
	if e != nil {
		m.opts.Metrics.CacheHit()
	} else {
		fill := func() (*entry, error) {
			return m.signSet(sc, keys, h, labels, ttl, sc.key[3:], now)
		}
		m.opts.Metrics.CacheMiss()
		if m.cache != nil {
			e, _, err = m.cache.get(sc.key, now.t.UnixNano(), fill)
		} else {
			e, err = fill()
		}
		if err != nil {
			return dst, err
		}
	}
	now.notBefore = max(now.notBefore, e.notBefore)
	now.refreshAt = min(now.refreshAt, e.refreshAt)
	for i := range e.sigs {
		if e.sigs[i].Hdr.Name == h.Name {
			// Cached RRSIGs are never modified, so responses may share them.
			dst = append(dst, &e.sigs[i])
			continue
		}
		s := e.sigs[i]
		s.Hdr.Name = h.Name
		dst = append(dst, &s)
	}
	return dst, nil
}

// signSet signs the canonical RRset set with each key.
func (m *Middleware) signSet(sc *scratch, keys []*signer.Key, h *dns.RR_Header, labels uint8, ttl uint32, set []byte, now *stamp) (*entry, error) {
	inception := now.t.Add(-InceptionSkew)
	expiration := now.t.Add(m.opts.Validity)
	e := &entry{
		sigs:      make([]dns.RRSIG, 0, len(keys)),
		notBefore: inception.UnixNano(),
		refreshAt: expiration.Add(-m.opts.RefreshMargin).UnixNano(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.SignTimeout)
	defer cancel()
	start := time.Now()
	for _, k := range keys {
		sig := dns.RRSIG{
			Hdr:         dns.RR_Header{Name: h.Name, Rrtype: dns.TypeRRSIG, Class: h.Class, Ttl: ttl},
			TypeCovered: h.Rrtype,
			Algorithm:   k.DNSKEY().Algorithm,
			Labels:      labels,
			OrigTtl:     ttl,
			Expiration:  uint32(expiration.Unix()),
			Inception:   uint32(inception.Unix()),
			KeyTag:      k.KeyTag(),
			SignerName:  k.SignerName(),
		}
		var err error
		sc.data, err = canonical.AppendRRSIGRDATA(sc.data[:0], &sig)
		if err == nil {
			sc.data = append(sc.data, set...)
			var raw []byte
			raw, err = k.Sign(ctx, sc.data)
			if err == nil {
				if n := dnscrypto.SignatureSize(sig.Algorithm); len(raw) == 0 || (n != 0 && len(raw) != n) {
					err = fmt.Errorf("%w: %d bytes for algorithm %d", signer.ErrBadSignature, len(raw), sig.Algorithm)
				}
			}
			sig.Signature = base64.StdEncoding.EncodeToString(raw)
		}
		if err != nil {
			err = fmt.Errorf("online: sign %s/%s with key %d: %w", h.Name, dns.Type(h.Rrtype), k.KeyTag(), err)
			m.opts.Metrics.Signed(time.Since(start), err)
			return nil, err
		}
		e.sigs = append(e.sigs, sig)
	}
	m.opts.Metrics.Signed(time.Since(start), nil)
	return e, nil
}

// signAppend appends rrset and its RRSIGs (if it is to be signed) to dst.
func (m *Middleware) signAppend(dst []dns.RR, rrset []dns.RR, labels uint8, now *stamp) ([]dns.RR, error) {
	dst = append(dst, rrset...)
	h := rrset[0].Header()
	if h.Class != dns.ClassINET {
		return dst, nil // the keys' DNSKEYs are class IN
	}
	var z *zone
	if h.Rrtype == dns.TypeDS {
		z = m.zoneForParent(h.Name)
	} else {
		z = m.zoneFor(h.Name)
	}
	if z == nil {
		return dst, nil
	}
	keys, kind := z.data, byte(kindData)
	if h.Rrtype == dns.TypeDNSKEY && sameName(h.Name, z.apex) {
		keys, kind = z.ksk, kindDNSKEY
	}
	return m.sigsFor(dst, keys, z.id, kind, rrset, labels, now)
}

// nsecAppend appends a signed NSEC record to dst.
func (m *Middleware) nsecAppend(dst []dns.RR, z *zone, owner, next []byte, types []uint16, ttl uint32, labels uint8, now *stamp) ([]dns.RR, error) {
	o, ok1 := presentation(owner)
	n, ok2 := presentation(next)
	if !ok1 || !ok2 {
		return dst, errors.New("online: cannot build NSEC names")
	}
	if m.opts.Zone != nil {
		now.derived = true // bitmaps and names may come from Options.Zone
	}
	nsec := &dns.NSEC{
		Hdr:        dns.RR_Header{Name: o, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: ttl},
		NextDomain: n,
		TypeBitMap: bitmap(append(append(make([]uint16, 0, len(types)+2), types...), dns.TypeRRSIG, dns.TypeNSEC)...),
	}
	dst = append(dst, nsec)
	if labels == 0 {
		labels = canonical.WireLabels(owner)
	}
	return m.sigsFor(dst, z.data, z.id, kindData, []dns.RR{nsec}, labels, now)
}

// coverAppend appends a signed NSEC that covers the name w and its
// descendants and nothing else: from the predecessor of w to its successor
// sibling.
func (m *Middleware) coverAppend(dst []dns.RR, z *zone, w []byte, ttl uint32, now *stamp) ([]dns.RR, bool, error) {
	p, ok1 := predecessor(w)
	s, ok2 := successorSibling(w)
	if !ok1 || !ok2 || !canonical.IsSubdomainWire(z.apexWire, p) || !canonical.IsSubdomainWire(z.apexWire, s) {
		return dst, false, nil
	}
	dst, err := m.nsecAppend(dst, z, p, s, nil, ttl, 0, now)
	return dst, true, err
}

// sign returns the signed form of resp, the response of next to req. It
// does not modify resp or its records. co reports a compact NXDOMAIN kept
// as NXDOMAIN because the query set CO.
func (m *Middleware) sign(st *reqState, resp, req *dns.Msg, z *zone, now *stamp) (out *dns.Msg, co bool, err error) {
	q := req.Question[0]
	out = &st.out
	out.MsgHdr = resp.MsgHdr
	out.Compress = resp.Compress
	out.Question = resp.Question
	out.Extra = resp.Extra

	answer := st.aGroup.group(resp.Answer)
	authority := st.nGroup.group(resp.Ns)

	// A referral: no answer, not authoritative, NS below the zone apex in
	// the authority section. Its NS RRset is the child's and stays
	// unsigned; a DS RRset, or an NSEC proving there is none, goes with it.
	var delegations []string
	if !resp.Authoritative && resp.Rcode == dns.RcodeSuccess {
		for _, s := range authority {
			if h := s[0].Header(); h.Rrtype == dns.TypeNS && !sameName(h.Name, z.apex) {
				delegations = append(delegations, h.Name)
			}
		}
	}

	// Follow CNAMEs from the query name to the name a denial is about.
	sname := q.Name
	for range 16 {
		moved := false
		for _, s := range answer {
			if c, ok := s[0].(*dns.CNAME); ok && q.Qtype != dns.TypeCNAME && sameName(c.Hdr.Name, sname) {
				sname, moved = c.Target, true
				break
			}
		}
		if !moved {
			break
		}
	}

	// Answer section.
	out.Answer = st.answer[:0]
	var proofs [][]byte // next closer names of wildcard expansions
	for _, s := range answer {
		h := s[0].Header()
		if h.Rrtype == dns.TypeNS {
			if nz := m.zoneFor(h.Name); nz == nil || !sameName(h.Name, nz.apex) {
				out.Answer = append(out.Answer, s...) // delegation NS: never signed
				continue
			}
		}
		var labels uint8
		if m.opts.Zone != nil {
			if wc := m.opts.Zone.Wildcard(h.Name); wc != "" {
				// The wildcard, not the response, decides the Labels.
				now.derived = true
				if l, err := canonical.Labels(dns.Fqdn(wc)); err == nil {
					if ow, ok := wireName(h.Name); ok && l < canonical.WireLabels(ow) {
						labels = l
						proofs = append(proofs, ancestorWithLabels(ow, int(l)+1))
					}
				}
			}
		}
		if out.Answer, err = m.signAppend(out.Answer, s, labels, now); err != nil {
			return nil, false, err
		}
	}

	// Authority section.
	out.Ns = st.ns[:0]
	negTTL := uint32(DefaultNegativeTTL)
	for _, s := range authority {
		h := s[0].Header()
		if soa, ok := s[0].(*dns.SOA); ok {
			negTTL = min(soa.Hdr.Ttl, soa.Minttl)
		}
		if h.Rrtype == dns.TypeNS {
			nz := m.zoneFor(h.Name)
			if len(delegations) > 0 || nz == nil || !sameName(h.Name, nz.apex) {
				out.Ns = append(out.Ns, s...)
				continue
			}
		}
		if out.Ns, err = m.signAppend(out.Ns, s, 0, now); err != nil {
			return nil, false, err
		}
	}

	// Proof that no DS exists at a delegation without one.
	for _, d := range delegations {
		hasDS := false
		for _, s := range authority {
			if h := s[0].Header(); h.Rrtype == dns.TypeDS && sameName(h.Name, d) {
				hasDS = true
			}
		}
		pz := m.zoneForParent(d)
		dw, ok := wireName(d)
		if hasDS || pz == nil || !ok {
			continue
		}
		next, ok := successor(dw)
		if !ok {
			continue
		}
		types := []uint16{dns.TypeNS}
		if m.opts.Zone != nil {
			if t, ok := m.opts.Zone.Types(d); ok {
				types = append(types, t...)
			}
		}
		types = slices.DeleteFunc(types, func(t uint16) bool { return t == dns.TypeDS || t == dns.TypeSOA })
		ttl := negTTL
		for _, s := range authority {
			if h := s[0].Header(); h.Rrtype == dns.TypeNS && sameName(h.Name, d) {
				ttl = min(ttl, h.Ttl)
			}
		}
		if out.Ns, err = m.nsecAppend(out.Ns, pz, dw, next, types, ttl, 0, now); err != nil {
			return nil, false, err
		}
	}

	// Wildcard expansions: prove the next closer name does not exist.
	for i, nc := range proofs {
		if slices.ContainsFunc(proofs[:i], func(p []byte) bool { return canonical.CompareWire(p, nc) == 0 }) {
			continue
		}
		if out.Ns, _, err = m.coverAppend(out.Ns, z, nc, negTTL, now); err != nil {
			return nil, false, err
		}
	}

	// Denial of existence for sname.
	dz := m.zoneFor(sname)
	if q.Qtype == dns.TypeDS && sameName(sname, q.Name) {
		dz = z
	}
	if dz == nil || len(delegations) > 0 {
		return out, false, nil
	}
	nameExists := false
	for _, s := range answer {
		if sameName(s[0].Header().Name, sname) {
			nameExists = true
		}
	}
	switch {
	case resp.Rcode == dns.RcodeNameError:
		co, err = m.nxdomain(out, req, dz, sname, negTTL, now)
	case resp.Rcode == dns.RcodeSuccess && !nameExists:
		err = m.nodata(out, dz, sname, q.Qtype, negTTL, now)
	}
	if err != nil {
		return nil, false, err
	}
	return out, co, nil
}

// nxdomain adds the proof that sname does not exist.
func (m *Middleware) nxdomain(out, req *dns.Msg, z *zone, sname string, ttl uint32, now *stamp) (co bool, err error) {
	qw, ok := wireName(sname)
	if !ok {
		return false, errors.New("online: bad query name")
	}
	if m.opts.Denial == DenialWhiteLies && len(qw) > len(z.apexWire) {
		ce := parentWire(qw)
		if m.opts.Zone != nil {
			for len(ce) > len(z.apexWire) {
				name, _ := presentation(ce)
				if _, ok := m.opts.Zone.Types(name); ok {
					break
				}
				ce = parentWire(ce)
			}
		}
		nc := ancestorWithLabels(qw, int(canonical.WireLabels(ce))+1)
		start := len(out.Ns)
		ns, ok, err := m.coverAppend(out.Ns, z, nc, ttl, now)
		if err != nil {
			return false, err
		}
		if ok {
			wc := wildcardOf(ce)
			if canonical.CompareWire(wc, nc) != 0 {
				ns, ok, err = m.coverAppend(ns, z, wc, ttl, now)
				if err != nil {
					return false, err
				}
			}
		}
		if ok {
			out.Ns = ns
			return false, nil
		}
		out.Ns = out.Ns[:start]
	}
	// RFC 9824 compact denial (also the fallback for names whose
	// predecessor cannot be formed).
	next, ok := successor(qw)
	if !ok {
		return false, errors.New("online: query name has no successor")
	}
	if out.Ns, err = m.nsecAppend(out.Ns, z, qw, next, []uint16{dns.TypeNXNAME}, ttl, 0, now); err != nil {
		return false, err
	}
	if o := req.IsEdns0(); o != nil && o.Co() {
		return true, nil
	}
	out.Rcode = dns.RcodeSuccess
	return false, nil
}

// nodata adds the proof that sname has no RRset of type qtype.
func (m *Middleware) nodata(out *dns.Msg, z *zone, sname string, qtype uint16, ttl uint32, now *stamp) error {
	qw, ok := wireName(sname)
	if !ok {
		return errors.New("online: bad query name")
	}
	owner, labels := qw, uint8(0)
	var types []uint16
	known := false
	if m.opts.Zone != nil {
		if t, ok := m.opts.Zone.Types(sname); ok {
			types, known = slices.Clone(t), true
		} else if wc := m.opts.Zone.Wildcard(sname); wc != "" {
			t, _ := m.opts.Zone.Types(wc)
			types, known = slices.Clone(t), true
			if ww, ok := wireName(wc); ok && m.opts.Denial == DenialWhiteLies {
				// RFC 4035 §3.1.3.4: the next closer name does not exist
				// and the wildcard has no RRset of the type.
				l := canonical.WireLabels(ww)
				var err error
				if out.Ns, _, err = m.coverAppend(out.Ns, z, ancestorWithLabels(qw, int(l)+1), ttl, now); err != nil {
					return err
				}
				owner, labels = ww, l
			}
		}
	}
	if !known {
		types = slices.Clone(defaultTypes)
		if sameName(sname, z.apex) {
			types = append(types, dns.TypeSOA, dns.TypeNS, dns.TypeDNSKEY)
		}
	}
	types = slices.DeleteFunc(types, func(t uint16) bool { return t == qtype })
	next, ok := successor(owner)
	if !ok {
		return errors.New("online: query name has no successor")
	}
	var err error
	out.Ns, err = m.nsecAppend(out.Ns, z, owner, next, types, ttl, labels, now)
	return err
}
