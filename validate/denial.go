package validate

import (
	"bytes"
	"crypto/sha1"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/miekg/dns"
)

// checkStructure runs the checks that need no signature verification: DS,
// CDS and CDNSKEY records, and the NSEC or NSEC3 chain (when signed). It
// returns the denial kind found.
func (c *zoneCheck) checkStructure(signed bool) string {
	c.checkDS()
	c.checkCDS()
	hasNSEC3 := c.apex.has(dns.TypeNSEC3PARAM)
	hasNSEC := false
	for _, n := range c.sorted {
		if n.set(dns.TypeNSEC3).nrr > 0 {
			hasNSEC3 = true
		}
		if n.set(dns.TypeNSEC).nrr > 0 {
			hasNSEC = true
		}
	}
	// Denial records at glue, occluded names or names with no data.
	var buf []zset
	for _, n := range c.sorted {
		buf = n.sets(buf)
		for _, s := range buf {
			if s.nrr == 0 || (s.typ != dns.TypeNSEC && s.typ != dns.TypeNSEC3) {
				continue
			}
			switch {
			case n.kind == kindBelow:
				c.errf(c.name(n), s.typ, ReasonUnexpectedDenial, "%s at glue or occluded name", dns.Type(s.typ))
			case s.typ == dns.TypeNSEC && hasNSEC3:
				c.errf(c.name(n), s.typ, ReasonUnexpectedDenial, "NSEC in an NSEC3 zone")
			case s.typ == dns.TypeNSEC && (n.kind == kindNone || n.kind == kindENT):
				c.errf(c.name(n), s.typ, ReasonUnexpectedDenial, "NSEC at a name with no data")
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
// at n must list, sorted, in out's storage; sets is scratch space.
func expectedTypes(n *znode, nsec3 bool, out []uint16, sets *[]zset) []uint16 {
	out = out[:0]
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
		*sets = n.sets(*sets)
		for _, s := range *sets {
			switch s.typ {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			default:
				if s.nrr > 0 {
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

// first returns the RDATA of the first record of type t at n.
func first(n *znode, t uint16) ([]byte, bool) {
	for off := 0; off < len(n.rec); {
		r, next := recAt(n.rec, off)
		if r.typ == t {
			return r.rdata, true
		}
		off = next
	}
	return nil, false
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
	var types, exp []uint16
	var sets []zset
	for i, n := range names {
		s := n.set(dns.TypeNSEC)
		if s.nrr == 0 {
			c.errf(c.name(n), dns.TypeNSEC, ReasonNSECMissing, "")
			continue
		}
		if s.nrr > 1 {
			c.errf(c.name(n), dns.TypeNSEC, ReasonNSECChain, "%d NSEC records", s.nrr)
		}
		rd, _ := first(n, dns.TypeNSEC)
		nl := wireNameLen(rd)
		if nl < 0 {
			continue
		}
		var ok bool
		types, ok = appendBitmap(types[:0], rd[nl:])
		if !ok {
			continue
		}
		want := c.apex
		if i+1 < len(names) {
			want = names[i+1]
		}
		buf = lowerWire(buf[:0], rd[:nl])
		if string(buf) != want.wire {
			c.errf(c.name(n), dns.TypeNSEC, ReasonNSECChain, "next name %s, want %s", wireToName(rd[:nl]), c.name(want))
		}
		exp = expectedTypes(n, false, exp, &sets)
		if d := bitmapDiff(types, exp); d != "" {
			c.errf(c.name(n), dns.TypeNSEC, ReasonNSECBitmap, "%s", d)
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

var b32 = base32.HexEncoding.WithPadding(base32.NoPadding)

// nsec3Hash computes the RFC 5155 §5 hash of a canonical wire name.
func nsec3Hash(h hash.Hash, wire []byte, p *nsec3Params) [sha1.Size]byte {
	h.Reset()
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
	hash  [sha1.Size]byte
	node  *znode // the NSEC3 owner
	owner *znode // the name it hashes, nil if none
}

// rr returns the NSEC3 record of the entry (checked when it was listed).
func (e *nsec3Entry) rr() wireNSEC3 {
	rd, _ := first(e.node, dns.TypeNSEC3)
	r, _ := parseNSEC3(rd, false)
	return r
}

func compareHash(a, b *[sha1.Size]byte) int { return bytes.Compare(a[:], b[:]) }

// paramsOf returns the hash parameters of an NSEC3 or NSEC3PARAM record.
func paramsOf(r wireNSEC3) nsec3Params {
	return nsec3Params{alg: r.hash, iter: r.iter, salt: strings.ToUpper(hex.EncodeToString(r.salt))}
}

// checkNSEC3 checks the NSEC3PARAM record and the NSEC3 chain.
func (c *zoneCheck) checkNSEC3() {
	var params nsec3Params
	var salt []byte // params' salt
	have := false
	if s := c.apex.set(dns.TypeNSEC3PARAM); s.nrr > 0 {
		if s.nrr > 1 {
			c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "%d NSEC3PARAM records", s.nrr)
		}
		rd, _ := first(c.apex, dns.TypeNSEC3PARAM)
		if p, ok := parseNSEC3(rd, true); ok {
			params, salt = paramsOf(p), p.salt
			have = true
			if p.flags != 0 {
				c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "flags %d, want 0", p.flags)
			}
		}
	} else {
		c.errf(c.origin, dns.TypeNSEC3PARAM, ReasonNSEC3Params, "no NSEC3PARAM record at the apex")
	}
	// The chain: NSEC3 records at hash owners directly below the apex.
	count := 0
	for _, n := range c.sorted {
		if n.set(dns.TypeNSEC3).nrr > 0 {
			count++
		}
	}
	chain := make([]nsec3Entry, 0, count)
	for _, n := range c.sorted {
		s := n.set(dns.TypeNSEC3)
		if s.nrr == 0 || n.kind == kindBelow {
			continue
		}
		if s.nrr > 1 {
			c.errf(c.name(n), dns.TypeNSEC3, ReasonNSEC3Chain, "%d NSEC3 records", s.nrr)
		}
		rd, _ := first(n, dns.TypeNSEC3)
		rr, ok := parseNSEC3(rd, false)
		if !ok {
			continue
		}
		if !have {
			params, salt = paramsOf(rr), rr.salt
			have = true
		}
		if rr.hash != params.alg || rr.iter != params.iter || !bytes.Equal(rr.salt, salt) {
			c.errf(c.name(n), dns.TypeNSEC3, ReasonNSEC3Params, "NSEC3 %s, NSEC3PARAM %s", paramsOf(rr), params)
		}
		if rr.flags&^1 != 0 {
			c.errf(c.name(n), dns.TypeNSEC3, ReasonNSEC3Params, "unknown flags %d", rr.flags)
		}
		w := []byte(n.wire)
		var hash []byte
		if len(w) > 0 && int(w[0]) < len(w) && string(w[1+int(w[0]):]) == c.owire {
			hash, _ = b32.DecodeString(strings.ToUpper(string(w[1 : 1+int(w[0])])))
		}
		if len(hash) != sha1.Size {
			c.errf(c.name(n), dns.TypeNSEC3, ReasonNSEC3Hash, "owner is not a SHA-1 hash label directly below the apex")
			continue
		}
		e := nsec3Entry{node: n}
		copy(e.hash[:], hash)
		chain = append(chain, e)
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
	slices.SortFunc(chain, func(a, b nsec3Entry) int { return compareHash(&a.hash, &b.hash) })
	find := func(h *[sha1.Size]byte) (int, bool) {
		return slices.BinarySearchFunc(chain, h, func(e nsec3Entry, t *[sha1.Size]byte) int { return compareHash(&e.hash, t) })
	}
	hasher := sha1.New()
	// Every name with its NSEC3.
	var types, exp []uint16
	var sets []zset
	for _, n := range c.sorted {
		if n.kind != kindAuth && n.kind != kindCut && n.kind != kindENT {
			continue
		}
		h := nsec3Hash(hasher, []byte(n.wire), &params)
		i, ok := find(&h)
		if ok {
			chain[i].owner = n
			types, _ = appendBitmap(types[:0], chain[i].rr().types)
			exp = expectedTypes(n, true, exp, &sets)
			if d := bitmapDiff(types, exp); d != "" {
				c.errf(c.name(chain[i].node), dns.TypeNSEC3, ReasonNSECBitmap, "for %s: %s", c.name(n), d)
			}
			continue
		}
		insecure := (n.kind == kindCut && !n.ds) || (n.kind == kindENT && n.entOK)
		if insecure && len(chain) > 0 {
			// The covering NSEC3: the last hash before h, wrapping.
			j, _ := find(&h)
			cov := &chain[(j-1+len(chain))%len(chain)]
			if cov.rr().flags&1 != 0 {
				continue
			}
		}
		c.errf(c.name(n), dns.TypeNSEC3, ReasonNSEC3Missing, "no NSEC3 at %s.%s", strings.ToLower(b32.EncodeToString(h[:])), c.origin)
	}
	for i, e := range chain {
		if e.owner == nil {
			c.errf(c.name(e.node), dns.TypeNSEC3, ReasonNSEC3Hash, "")
		}
		next := &chain[(i+1)%len(chain)].hash
		if got := e.rr().next; !bytes.Equal(got, next[:]) {
			c.errf(c.name(e.node), dns.TypeNSEC3, ReasonNSEC3Chain, "next hashed owner %s, want %s", strings.ToLower(b32.EncodeToString(got)), strings.ToLower(b32.EncodeToString(next[:])))
		}
	}
}

// checkDS checks that DS RRsets are at delegations and well formed.
func (c *zoneCheck) checkDS() {
	for _, n := range c.sorted {
		if n.set(dns.TypeDS).nrr == 0 || n.kind == kindBelow {
			continue
		}
		if n.kind != kindCut {
			c.errf(c.name(n), dns.TypeDS, ReasonDSNotAtDelegation, "")
			continue
		}
		rrs, _ := c.decodeSet(n, dns.TypeDS)
		for _, rr := range rrs {
			ds, ok := rr.(*dns.DS)
			if !ok {
				continue
			}
			size := dsrecord.DigestSize(ds.DigestType)
			if size == 0 {
				c.add(ZoneFinding{Owner: c.name(n), Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonUnsupportedDigest, Severity: SeverityWarning,
					Detail: fmt.Sprintf("digest type %d", ds.DigestType)})
				continue
			}
			d, err := hex.DecodeString(ds.Digest)
			switch {
			case err != nil:
				c.add(ZoneFinding{Owner: c.name(n), Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonDSMalformed, Severity: SeverityError, Detail: "digest is not hex"})
			case len(d) != size:
				c.add(ZoneFinding{Owner: c.name(n), Type: dns.TypeDS, KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, Reason: ReasonDSMalformed, Severity: SeverityError,
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
			if n.set(t).nrr == 0 || n.kind == kindBelow {
				continue
			}
			if !n.apex {
				c.errf(c.name(n), t, ReasonCDSMismatch, "not at the apex")
				continue
			}
			rrs, _ := c.decodeSet(n, t)
			for _, rr := range rrs {
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
						c.add(ZoneFinding{Owner: c.name(n), Type: t, KeyTag: x.KeyTag, Algorithm: x.Algorithm, Reason: ReasonCDSMismatch, Severity: SeverityError})
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
						c.add(ZoneFinding{Owner: c.name(n), Type: t, KeyTag: tag, Algorithm: x.Algorithm, Reason: ReasonCDSMismatch, Severity: SeverityError})
					}
				}
			}
		}
	}
}
