package validate

import (
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/miekg/dns"
)

// checkStructure runs the checks that need no signature verification: DS,
// CDS and CDNSKEY records, and the NSEC or NSEC3 chain (when signed). It
// returns the denial kind found.
func (c *zoneCheck) checkStructure(signed bool) string {
	c.checkDS()
	c.checkCDS()
	hasNSEC3 := c.apex.set(dns.TypeNSEC3PARAM) != nil
	hasNSEC := false
	for _, n := range c.sorted {
		if s := n.set(dns.TypeNSEC3); s != nil && len(s.rrs) > 0 {
			hasNSEC3 = true
		}
		if s := n.set(dns.TypeNSEC); s != nil && len(s.rrs) > 0 {
			hasNSEC = true
		}
	}
	// Denial records at glue, occluded names or names with no data.
	for _, n := range c.sorted {
		for _, s := range n.sets {
			if len(s.rrs) == 0 || (s.typ != dns.TypeNSEC && s.typ != dns.TypeNSEC3) {
				continue
			}
			switch {
			case n.kind == kindBelow:
				c.errf(n.name, s.typ, ReasonUnexpectedDenial, "%s at glue or occluded name", dns.Type(s.typ))
			case s.typ == dns.TypeNSEC && hasNSEC3:
				c.errf(n.name, s.typ, ReasonUnexpectedDenial, "NSEC in an NSEC3 zone")
			case s.typ == dns.TypeNSEC && (n.kind == kindNone || n.kind == kindENT):
				c.errf(n.name, s.typ, ReasonUnexpectedDenial, "NSEC at a name with no data")
			}
		}
	}
	switch {
	case !signed:
		if hasNSEC3 {
			return "NSEC3"
		}
		if hasNSEC {
			return "NSEC"
		}
		return ""
	case hasNSEC3:
		c.checkNSEC3()
		return "NSEC3"
	default:
		c.checkNSEC()
		return "NSEC"
	}
}

// expectedTypes returns the types an NSEC (nsec3 false) or NSEC3 bitmap
// at n must list, sorted.
func expectedTypes(n *znode, nsec3 bool) []uint16 {
	var out []uint16
	switch n.kind {
	case kindENT, kindNone:
		return nil
	case kindCut:
		out = append(out, dns.TypeNS)
		if n.ds {
			out = append(out, dns.TypeDS, dns.TypeRRSIG)
		} else if !nsec3 {
			out = append(out, dns.TypeRRSIG)
		}
	default:
		for _, s := range n.sets {
			switch s.typ {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			default:
				if len(s.rrs) > 0 {
					out = append(out, s.typ)
				}
			}
		}
		out = append(out, dns.TypeRRSIG)
	}
	if !nsec3 {
		out = append(out, dns.TypeNSEC)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// bitmapDiff describes how got differs from want, "" if it does not.
func bitmapDiff(got, want []uint16) string {
	g := slices.Compact(slices.Sorted(slices.Values(got)))
	if slices.Equal(g, want) {
		return ""
	}
	var missing, extra []string
	for _, t := range want {
		if _, ok := slices.BinarySearch(g, t); !ok {
			missing = append(missing, dns.Type(t).String())
		}
	}
	for _, t := range g {
		if _, ok := slices.BinarySearch(want, t); !ok {
			extra = append(extra, dns.Type(t).String())
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+strings.Join(missing, " "))
	}
	if len(extra) > 0 {
		parts = append(parts, "extra "+strings.Join(extra, " "))
	}
	return strings.Join(parts, "; ")
}

// checkNSEC checks the NSEC chain.
func (c *zoneCheck) checkNSEC() {
	var names []*znode
	for _, n := range c.sorted {
		if n.kind == kindAuth || n.kind == kindCut {
			names = append(names, n)
		}
	}
	var buf []byte
	for i, n := range names {
		s := n.set(dns.TypeNSEC)
		if s == nil || len(s.rrs) == 0 {
			c.errf(n.name, dns.TypeNSEC, ReasonNSECMissing, "")
			continue
		}
		if len(s.rrs) > 1 {
			c.errf(n.name, dns.TypeNSEC, ReasonNSECChain, "%d NSEC records", len(s.rrs))
		}
		nsec, ok := s.rrs[0].(*dns.NSEC)
		if !ok {
			continue
		}
		want := c.apex
		if i+1 < len(names) {
			want = names[i+1]
		}
		var err error
		buf, err = canonical.AppendName(buf[:0], nsec.NextDomain)
		if err != nil || string(buf) != want.wire {
			c.errf(n.name, dns.TypeNSEC, ReasonNSECChain, "next name %s, want %s", nsec.NextDomain, want.name)
		}
		if d := bitmapDiff(nsec.TypeBitMap, expectedTypes(n, false)); d != "" {
			c.errf(n.name, dns.TypeNSEC, ReasonNSECBitmap, "%s", d)
		}
	}
}

// nsec3Params are the hash parameters of a chain.
type nsec3Params struct {
	alg   uint8
	iter  uint16
	salt  string // hex, upper case
	rsalt []byte
}

func (p nsec3Params) String() string {
	salt := p.salt
	if salt == "" {
		salt = "-"
	}
	return fmt.Sprintf("%d %d %s", p.alg, p.iter, salt)
}

func normSalt(s string) string {
	if s == "-" {
		return ""
	}
	return strings.ToUpper(s)
}

var b32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// nsec3Hash computes the RFC 5155 §5 hash of a canonical wire name.
func nsec3Hash(wire []byte, p *nsec3Params) [sha1.Size]byte {
	h := sha1.New()
	h.Write(wire)
	h.Write(p.rsalt)
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	for range p.iter {
		h.Reset()
		h.Write(sum[:])
		h.Write(p.rsalt)
		h.Sum(sum[:0])
	}
	return sum
}

type nsec3Entry struct {
	hash  string // raw hash
	node  *znode // the NSEC3 owner
	rr    *dns.NSEC3
	owner *znode // the name it hashes, nil if none
}

// checkNSEC3 checks the NSEC3PARAM record and the NSEC3 chain.
func (c *zoneCheck) checkNSEC3() {
	var params nsec3Params
	have := false
	if s := c.apex.set(dns.TypeNSEC3PARAM); s != nil && len(s.rrs) > 0 {
		if len(s.rrs) > 1 {
			c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "%d NSEC3PARAM records", len(s.rrs))
		}
		if p, ok := s.rrs[0].(*dns.NSEC3PARAM); ok {
			params = nsec3Params{alg: p.Hash, iter: p.Iterations, salt: normSalt(p.Salt)}
			have = true
			if p.Flags != 0 {
				c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "flags %d, want 0", p.Flags)
			}
		}
	} else {
		c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "no NSEC3PARAM record at the apex")
	}
	// The chain: NSEC3 records at hash owners directly below the apex.
	var chain []nsec3Entry
	for _, n := range c.sorted {
		s := n.set(dns.TypeNSEC3)
		if s == nil || len(s.rrs) == 0 || n.kind == kindBelow {
			continue
		}
		if len(s.rrs) > 1 {
			c.errf(n.name, dns.TypeNSEC3, ReasonNSEC3Chain, "%d NSEC3 records", len(s.rrs))
		}
		rr, ok := s.rrs[0].(*dns.NSEC3)
		if !ok {
			continue
		}
		if !have {
			params = nsec3Params{alg: rr.Hash, iter: rr.Iterations, salt: normSalt(rr.Salt)}
			have = true
		}
		if p := (nsec3Params{alg: rr.Hash, iter: rr.Iterations, salt: normSalt(rr.Salt)}); p.alg != params.alg || p.iter != params.iter || p.salt != params.salt {
			c.errf(n.name, dns.TypeNSEC3, ReasonNSEC3Params, "NSEC3 %s, NSEC3PARAM %s", p, params)
		}
		if rr.Flags&^1 != 0 {
			c.errf(n.name, dns.TypeNSEC3, ReasonNSEC3Params, "unknown flags %d", rr.Flags)
		}
		w := []byte(n.wire)
		var hash []byte
		if len(w) > 0 && int(w[0]) < len(w) && string(w[1+int(w[0]):]) == c.owire {
			hash, _ = b32.DecodeString(strings.ToUpper(string(w[1 : 1+int(w[0])])))
		}
		if len(hash) != sha1.Size {
			c.errf(n.name, dns.TypeNSEC3, ReasonNSEC3Hash, "owner is not a SHA-1 hash label directly below the apex")
			continue
		}
		chain = append(chain, nsec3Entry{hash: string(hash), node: n, rr: rr})
	}
	if !have {
		return
	}
	if params.alg != dns.SHA1 {
		c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "unknown hash algorithm %d", params.alg)
		return
	}
	if int(params.iter) > c.opts.MaxNSEC3Iterations {
		c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Iterations, "%d iterations, limit %d; hashes not checked", params.iter, c.opts.MaxNSEC3Iterations)
		return
	}
	if params.iter > 0 {
		c.warnf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Iterations, "%d iterations; RFC 9276 recommends 0", params.iter)
	}
	var err error
	params.rsalt, err = hex.DecodeString(params.salt)
	if err != nil {
		c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "salt is not hex")
		return
	}
	slices.SortFunc(chain, func(a, b nsec3Entry) int { return strings.Compare(a.hash, b.hash) })
	byHash := make(map[string]int, len(chain))
	for i, e := range chain {
		byHash[e.hash] = i
	}
	// Every name with its NSEC3.
	for _, n := range c.sorted {
		if n.kind != kindAuth && n.kind != kindCut && n.kind != kindENT {
			continue
		}
		h := nsec3Hash([]byte(n.wire), &params)
		i, ok := byHash[string(h[:])]
		if ok {
			chain[i].owner = n
			if d := bitmapDiff(chain[i].rr.TypeBitMap, expectedTypes(n, true)); d != "" {
				c.errf(chain[i].node.name, dns.TypeNSEC3, ReasonNSECBitmap, "for %s: %s", n.name, d)
			}
			continue
		}
		insecure := (n.kind == kindCut && !n.ds) || (n.kind == kindENT && n.entOK)
		if insecure && len(chain) > 0 {
			// The covering NSEC3: the last hash before h, wrapping.
			j, _ := slices.BinarySearchFunc(chain, string(h[:]), func(e nsec3Entry, t string) int { return strings.Compare(e.hash, t) })
			cov := chain[(j-1+len(chain))%len(chain)]
			if cov.rr.Flags&1 != 0 {
				continue
			}
		}
		c.errf(n.name, dns.TypeNSEC3, ReasonNSEC3Missing, "no NSEC3 at %s.%s", strings.ToLower(b32.EncodeToString(h[:])), c.origin)
	}
	for i, e := range chain {
		if e.owner == nil {
			c.errf(e.node.name, dns.TypeNSEC3, ReasonNSEC3Hash, "")
		}
		next := chain[(i+1)%len(chain)].hash
		got, err := b32.DecodeString(strings.ToUpper(e.rr.NextDomain))
		if err != nil || string(got) != next {
			c.errf(e.node.name, dns.TypeNSEC3, ReasonNSEC3Chain, "next hashed owner %s, want %s", e.rr.NextDomain, strings.ToLower(b32.EncodeToString([]byte(next))))
		}
	}
}

// checkDS checks that DS RRsets are at delegations and well formed.
func (c *zoneCheck) checkDS() {
	for _, n := range c.sorted {
		s := n.set(dns.TypeDS)
		if s == nil || len(s.rrs) == 0 || n.kind == kindBelow {
			continue
		}
		if n.kind != kindCut {
			c.errf(n.name, dns.TypeDS, ReasonDSNotAtDelegation, "")
			continue
		}
		for _, rr := range s.rrs {
			ds, ok := rr.(*dns.DS)
			if !ok {
				continue
			}
			size := dsrecord.DigestSize(ds.DigestType)
			if size == 0 {
				c.add(ZoneFinding{Owner: n.name, Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonUnsupportedDigest, Severity: SeverityWarning,
					Detail: fmt.Sprintf("digest type %d", ds.DigestType)})
				continue
			}
			d, err := hex.DecodeString(ds.Digest)
			switch {
			case err != nil:
				c.add(ZoneFinding{Owner: n.name, Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonDSMalformed, Severity: SeverityError, Detail: "digest is not hex"})
			case len(d) != size:
				c.add(ZoneFinding{Owner: n.name, Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonDSMalformed, Severity: SeverityError,
					Detail: fmt.Sprintf("digest of %d octets for digest type %d, want %d", len(d), ds.DigestType, size)})
			}
		}
	}
}

// checkCDS checks CDS and CDNSKEY records against the apex DNSKEYs (RFC
// 7344 §4.1, RFC 8078 §4 for the delete form).
func (c *zoneCheck) checkCDS() {
	for _, n := range c.sorted {
		for _, t := range []uint16{dns.TypeCDS, dns.TypeCDNSKEY} {
			s := n.set(t)
			if s == nil || len(s.rrs) == 0 || n.kind == kindBelow {
				continue
			}
			if !n.apex {
				c.errf(n.name, t, ReasonCDSMismatch, "not at the apex")
				continue
			}
			for _, rr := range s.rrs {
				switch x := rr.(type) {
				case *dns.CDS:
					if x.Algorithm == 0 && x.KeyTag == 0 && x.DigestType == 0 {
						continue // delete
					}
					ok := false
					for _, k := range c.keys {
						if dsMatches(&x.DS, k) {
							ok = true
						}
					}
					if !ok {
						c.add(ZoneFinding{Owner: n.name, Type: t, KeyTag: x.KeyTag, Algorithm: x.Algorithm, Reason: ReasonCDSMismatch, Severity: SeverityError})
					}
				case *dns.CDNSKEY:
					if x.Algorithm == 0 && x.Flags == 0 {
						continue // delete
					}
					ok := false
					for _, k := range c.keys {
						if sameKey(&x.DNSKEY, k) {
							ok = true
						}
					}
					if !ok {
						tag, _ := keytag.Compute(&x.DNSKEY)
						c.add(ZoneFinding{Owner: n.name, Type: t, KeyTag: tag, Algorithm: x.Algorithm, Reason: ReasonCDSMismatch, Severity: SeverityError})
					}
				}
			}
		}
	}
}
