package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Zone is a tiny authoritative server for one zone held in memory: exact
// matches, wildcard synthesis (RFC 4592), CNAME chasing inside the zone,
// referrals with glue at delegations, DS answered from the parent side,
// and NXDOMAIN/NODATA with the SOA in the authority section. It also
// implements online.ZoneInfo, so the signing middleware knows the types
// at each name, the empty non-terminals and the wildcards.
//
// Names are compared lower-cased in presentation form, which is enough for
// the zones of this example (no escaped letters).
type Zone struct {
	origin string
	soa    *dns.SOA
	nodes  map[string]map[uint16][]dns.RR
	exists map[string]bool // names with RRsets and empty non-terminals
	cuts   map[string]bool // delegation points
	// Signed makes Types list DNSKEY at the apex (the middleware serves
	// the DNSKEY RRset).
	Signed bool
}

// LoadZone parses a zone file. origin may be "" to take $ORIGIN or the
// SOA owner from the file.
func LoadZone(r io.Reader, origin, file string) (*Zone, error) {
	zp := dns.NewZoneParser(r, dns.Fqdn(origin), file)
	zp.SetIncludeAllowed(false)
	z := &Zone{nodes: map[string]map[uint16][]dns.RR{}, exists: map[string]bool{}, cuts: map[string]bool{}}
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if soa, isSOA := rr.(*dns.SOA); isSOA {
			if z.soa != nil {
				return nil, fmt.Errorf("onlineserver: %s: more than one SOA", file)
			}
			z.soa = soa
			z.origin = lower(soa.Hdr.Name)
		}
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("onlineserver: %w", err)
	}
	if z.soa == nil {
		return nil, fmt.Errorf("onlineserver: %s: no SOA record", file)
	}
	if origin != "" && lower(dns.Fqdn(origin)) != z.origin {
		return nil, fmt.Errorf("onlineserver: %s: SOA owner %s is not the origin %s", file, z.origin, origin)
	}
	for _, rr := range rrs {
		h := rr.Header()
		name := lower(h.Name)
		if !dns.IsSubDomain(z.origin, name) {
			return nil, fmt.Errorf("onlineserver: %s: %s is outside the zone %s", file, h.Name, z.origin)
		}
		switch h.Rrtype {
		case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM, dns.TypeDNSKEY:
			continue // the middleware makes these
		}
		n := z.nodes[name]
		if n == nil {
			n = map[uint16][]dns.RR{}
			z.nodes[name] = n
		}
		n[h.Rrtype] = append(n[h.Rrtype], rr)
		if h.Rrtype == dns.TypeNS && name != z.origin {
			z.cuts[name] = true
		}
		for a := name; ; a = parent(a) {
			z.exists[a] = true
			if a == z.origin || a == "." {
				break
			}
		}
	}
	return z, nil
}

// Origin returns the zone's apex.
func (z *Zone) Origin() string { return z.origin }

func lower(s string) string { return strings.ToLower(dns.Fqdn(s)) }

func parent(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[i:]
}

// cutAbove returns the highest delegation point at or above name (below
// the apex), or "".
func (z *Zone) cutAbove(name string) string {
	labels := dns.SplitDomainName(name)
	originLabels := dns.CountLabel(z.origin)
	for i := len(labels) - originLabels - 1; i >= 0; i-- {
		a := dns.Fqdn(strings.Join(labels[i:], "."))
		if z.cuts[a] {
			return a
		}
	}
	return ""
}

// Types implements online.ZoneInfo.
func (z *Zone) Types(name string) ([]uint16, bool) {
	name = lower(name)
	if !z.exists[name] || !dns.IsSubDomain(z.origin, name) {
		return nil, false
	}
	if c := z.cutAbove(name); c != "" && c != name {
		return nil, false // occluded
	}
	var types []uint16
	for t := range z.nodes[name] {
		types = append(types, t)
	}
	if name == z.origin && z.Signed {
		types = append(types, dns.TypeDNSKEY)
	}
	slices.Sort(types)
	return types, true
}

// closestEncloser returns the longest existing ancestor of name.
func (z *Zone) closestEncloser(name string) string {
	for a := name; ; a = parent(a) {
		if z.exists[a] || a == z.origin || a == "." {
			return a
		}
	}
}

// Wildcard implements online.ZoneInfo.
func (z *Zone) Wildcard(name string) string {
	name = lower(name)
	if z.exists[name] || !dns.IsSubDomain(z.origin, name) || z.cutAbove(name) != "" {
		return ""
	}
	wc := "*." + z.closestEncloser(name)
	if z.exists[wc] {
		return wc
	}
	return ""
}

// negativeSOA is the SOA for the authority section of negative answers,
// with the TTL of RFC 2308 §3: min(SOA TTL, MINIMUM).
func (z *Zone) negativeSOA() dns.RR {
	soa := dns.Copy(z.soa).(*dns.SOA)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return soa
}

func withOwner(rrs []dns.RR, owner string) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		c := dns.Copy(rr)
		c.Header().Name = owner
		out[i] = c
	}
	return out
}

// ServeDNS implements dns.Handler.
func (z *Zone) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	resp := new(dns.Msg)
	if len(r.Question) != 1 || r.Opcode != dns.OpcodeQuery {
		resp.SetRcode(r, dns.RcodeNotImplemented)
		_ = w.WriteMsg(resp)
		return
	}
	resp.SetReply(r)
	q := r.Question[0]
	if q.Qclass != dns.ClassINET || !dns.IsSubDomain(z.origin, lower(q.Name)) {
		resp.SetRcode(r, dns.RcodeRefused)
		_ = w.WriteMsg(resp)
		return
	}
	do := false
	if opt := r.IsEdns0(); opt != nil {
		do = opt.Do()
		resp.SetEdns0(opt.UDPSize(), do)
	}
	resp.Authoritative = true
	z.answer(resp, q.Name, q.Qtype, do, 0)
	_ = w.WriteMsg(resp)
}

// answer resolves name/qtype into resp, following CNAMEs up to 8 deep.
func (z *Zone) answer(resp *dns.Msg, qname string, qtype uint16, do bool, depth int) {
	name := lower(qname)
	if !dns.IsSubDomain(z.origin, name) {
		return // a CNAME out of the zone: the resolver follows it
	}
	if c := z.cutAbove(name); c != "" {
		ds := z.nodes[c][dns.TypeDS]
		if c == name && qtype == dns.TypeDS {
			// DS is answered from the parent side of the cut.
			if len(ds) > 0 {
				resp.Answer = append(resp.Answer, ds...)
			} else {
				resp.Ns = append(resp.Ns, z.negativeSOA())
			}
			return
		}
		if depth > 0 {
			return
		}
		// Referral: the child's NS RRset (not authoritative), DS when
		// asked for DNSSEC, and glue for name servers inside the zone.
		resp.Authoritative = false
		resp.Ns = append(resp.Ns, z.nodes[c][dns.TypeNS]...)
		if do {
			resp.Ns = append(resp.Ns, ds...)
		}
		for _, rr := range z.nodes[c][dns.TypeNS] {
			target := lower(rr.(*dns.NS).Ns)
			if dns.IsSubDomain(z.origin, target) {
				resp.Extra = append(resp.Extra, z.nodes[target][dns.TypeA]...)
				resp.Extra = append(resp.Extra, z.nodes[target][dns.TypeAAAA]...)
			}
		}
		return
	}
	node, owner := z.nodes[name], qname
	if !z.exists[name] {
		wc := z.Wildcard(name)
		if wc == "" {
			resp.Rcode = dns.RcodeNameError
			resp.Ns = append(resp.Ns, z.negativeSOA())
			return
		}
		node = z.nodes[wc]
	}
	if cn := node[dns.TypeCNAME]; len(cn) > 0 && qtype != dns.TypeCNAME {
		resp.Answer = append(resp.Answer, withOwner(cn, owner)...)
		if depth < 8 {
			z.answer(resp, cn[0].(*dns.CNAME).Target, qtype, do, depth+1)
		}
		return
	}
	if rrs := node[qtype]; len(rrs) > 0 {
		if z.exists[name] {
			resp.Answer = append(resp.Answer, rrs...)
		} else {
			resp.Answer = append(resp.Answer, withOwner(rrs, owner)...)
		}
		return
	}
	resp.Ns = append(resp.Ns, z.negativeSOA())
}
