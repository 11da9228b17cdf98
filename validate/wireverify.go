package validate

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/miekg/dns"
)

// nodeScratch is the scratch space of one worker checking nodes.
type nodeScratch struct {
	refs  []recRef
	rrs   []int
	sigs  []int
	want  []uint16
	sets  []zset
	rds   [][]byte
	buf   []byte
	slow  []dns.RR // the RRset decoded, for the exact findings of Verify
	slowN int      // rrs offset of the RRset in slow, -1 if none

	// early checks: hinted signatures are queued in batch (nil: none)
	// for node
	batch *batcher
	node  *znode
}

// recRef is one stored record of a node: its RRset type, whether it is an
// RRSIG, and its offset in the node's rec.
type recRef struct {
	key uint16
	sig bool
	off int
}

// verifyNode checks the signatures of the RRsets stored in rec (a node's
// records) whose types are in want, or, when want is nil, of every RRset
// with records and RRSIGs, and returns the findings per RRset and the
// number of verifications made.
func (c *zoneCheck) verifyNode(v *Verifier, sc *nodeScratch, n *znode, rec []byte, want []uint16) ([]typedFindings, int) {
	refs := sc.refs[:0]
	for off := 0; off < len(rec); {
		r, next := recAt(rec, off)
		k, sig := setKey(r)
		refs = append(refs, recRef{key: k, sig: sig, off: off})
		off = next
	}
	sc.refs = refs
	slices.SortStableFunc(refs, func(a, b recRef) int { return int(a.key) - int(b.key) })
	var out []typedFindings
	count := 0
	for i := 0; i < len(refs); {
		j := i
		for j < len(refs) && refs[j].key == refs[i].key {
			j++
		}
		rrs, sigs := sc.rrs[:0], sc.sigs[:0]
		for _, r := range refs[i:j] {
			if r.sig {
				sigs = append(sigs, r.off)
			} else {
				rrs = append(rrs, r.off)
			}
		}
		sc.rrs, sc.sigs = rrs, sigs
		typ := refs[i].key
		i = j
		if want == nil && (len(rrs) == 0 || len(sigs) == 0) || want != nil && !slices.Contains(want, typ) {
			continue
		}
		if fs := c.verifySetWire(v, sc, n, rec, typ, rrs, sigs, &count); len(fs) > 0 {
			out = append(out, typedFindings{typ: typ, fs: fs})
		}
	}
	return out, count
}

// verifySetWire verifies the RRSIGs (offsets sigs in rec) over one RRset
// (offsets rrs, not empty) of node n and returns the findings, adding
// the number of verifications made to *count. It only reads c's key
// tables.
func (c *zoneCheck) verifySetWire(v *Verifier, sc *nodeScratch, n *znode, rec []byte, typ uint16, rrs, sigs []int, count *int) []ZoneFinding {
	var out []ZoneFinding
	ownerName := ""
	owner := func() string {
		if ownerName == "" {
			ownerName = c.name(n)
		}
		return ownerName
	}
	var ttl uint32
	for i, off := range rrs {
		r, _ := recAt(rec, off)
		if i == 0 || r.ttl > ttl {
			ttl = r.ttl
		}
	}
	if len(sigs) == 0 {
		if len(c.algs) > 0 {
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, Reason: ReasonMissingSignature, Severity: SeverityError, Detail: "no RRSIG"})
		}
		return out
	}
	sc.slowN = -1
	var good []uint8
	vopts := VerifyOptions{Now: c.now, CheckTTL: true}
	checked := 0
	ttlWarned := false
	for _, soff := range sigs {
		sr, _ := recAt(rec, soff)
		sig, _ := parseSig(sr.rdata)
		if !equalFold(sig.signer, []byte(c.owire)) {
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonSignerMismatch, Severity: SeverityError,
				Detail: fmt.Sprintf("signer %s is not the apex %s", wireToName(sig.signer), c.origin)})
			continue
		}
		keys := c.byTag[uint32(sig.alg)<<16|uint32(sig.tag)]
		if len(keys) == 0 {
			if dnscrypto.Supported(sig.alg) {
				out = append(out, ZoneFinding{Owner: owner(), Type: typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonNoKey, Severity: SeverityWarning,
					Detail: "no zone key with this tag and algorithm in the apex DNSKEY RRset"})
			}
			continue
		}
		if checked++; checked > c.opts.MaxSigsPerRRset {
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, Reason: ReasonTooManySignatures, Severity: SeverityWarning,
				Detail: fmt.Sprintf("%d RRSIGs; only %d checked", len(sigs), c.opts.MaxSigsPerRRset)})
			break
		}
		var first *Finding
		ok := false
		for _, k := range keys {
			*count++
			var f *Finding
			if !v.verifyWire(sc, []byte(n.wire), rec, rrs, sr, &sig, k, c.now) {
				f = c.slowVerify(v, sc, n, rec, rrs, sr, k, vopts)
			}
			if f == nil || f.Reason == ReasonTTL {
				ok = true
				first = f
				break
			}
			if first == nil {
				first = f
			}
		}
		if first != nil {
			sev := SeverityError
			if first.Reason == ReasonUnsupportedAlgorithm {
				sev = SeverityWarning
			}
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: first.Reason, Severity: sev, Detail: first.Detail})
		}
		if !ok {
			continue
		}
		if !slices.Contains(good, sig.alg) {
			good = append(good, sig.alg)
		}
		if m := c.opts.ExpiryWarning; m > 0 {
			left := time.Duration(int32(sig.exp-uint32(c.now.Unix()))) * time.Second
			if left < m {
				out = append(out, ZoneFinding{Owner: owner(), Type: typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonExpiringSoon, Severity: SeverityWarning,
					Detail: fmt.Sprintf("expiration %s, in %s", sigTime(sig.exp), left)})
			}
		}
		if sr.ttl != ttl && !ttlWarned {
			ttlWarned = true
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonSigTTL, Severity: SeverityWarning,
				Detail: fmt.Sprintf("RRSIG TTL %d, RRset TTL %d", sr.ttl, ttl)})
		}
	}
	for _, a := range c.algs {
		if !slices.Contains(good, a) {
			out = append(out, ZoneFinding{Owner: owner(), Type: typ, Algorithm: a, Reason: ReasonMissingSignature, Severity: SeverityError,
				Detail: fmt.Sprintf("no valid RRSIG with algorithm %d", a)})
		}
	}
	return out
}

// slowVerify decodes the RRset and the RRSIG and checks them with Verify,
// for the exact finding when verifyWire could not declare the signature
// valid.
func (c *zoneCheck) slowVerify(v *Verifier, sc *nodeScratch, n *znode, rec []byte, rrs []int, sr recView, k *dns.DNSKEY, vopts VerifyOptions) *Finding {
	w := []byte(n.wire)
	if sc.slowN != rrs[0] {
		sc.slow = sc.slow[:0]
		for _, off := range rrs {
			r, _ := recAt(rec, off)
			rr, b, err := decodeRR(sc.buf, w, r)
			sc.buf = b
			if err != nil {
				sc.slowN = -1
				return &Finding{Reason: ReasonMalformed, Detail: fmt.Sprintf("%s record does not decode: %v", dns.Type(r.typ), err)}
			}
			sc.slow = append(sc.slow, rr)
		}
		sc.slowN = rrs[0]
	}
	rr, b, err := decodeRR(sc.buf, w, sr)
	sc.buf = b
	sig, ok := rr.(*dns.RRSIG)
	if err != nil || !ok {
		return &Finding{Reason: ReasonMalformed, Detail: "RRSIG record does not decode"}
	}
	return v.Verify(sig, sc.slow, k, vopts)
}

// verifyWire reports whether the RRSIG sr (parsed as sig) is a valid
// signature by key over the RRset at offsets rrs of rec, owned by the
// canonical wire name owner, with no finding at all (TTLs within the
// Original TTL, key not revoked). false means that Verify must give the
// exact answer; the checks it makes first are the same, so a true answer
// is exactly a nil Finding from Verify.
func (v *Verifier) verifyWire(sc *nodeScratch, owner, rec []byte, rrs []int, sr recView, sig *wireSig, key *dns.DNSKEY, now time.Time) bool {
	if sr.class != key.Hdr.Class || sig.alg != key.Algorithm || key.Protocol != 3 ||
		key.Flags&flagZone == 0 || key.Flags&flagRevoke != 0 || !dnscrypto.Supported(key.Algorithm) {
		return false
	}
	nl := canonical.WireLabels(owner)
	if sig.labels > nl || len(sig.sig) == 0 {
		return false
	}
	if want := dnscrypto.SignatureSize(sig.alg); want != 0 && len(sig.sig) != want {
		return false
	}
	t := uint32(now.Unix())
	if int32(sig.incep-t) > 0 || int32(sig.exp-t) < 0 {
		return false
	}
	sw := lowerWire(sc.buf[:0], sig.signer)
	sc.buf = sw
	if !canonical.IsSubdomainWire(sw, owner) {
		return false
	}
	pk := v.parse(key)
	if pk.nob64 || pk.err != nil || pk.tag != sig.tag {
		return false
	}
	rds := sc.rds[:0]
	for _, off := range rrs {
		r, _ := recAt(rec, off)
		if r.class != sr.class || r.ttl > sig.origTTL {
			return false
		}
		rds = append(rds, r.rdata)
	}
	sc.rds = rds
	slices.SortFunc(rds, bytes.Compare)
	wild := nl > sig.labels
	o := owner
	if wild {
		skip := int(nl - sig.labels)
		if o[0] == 1 && o[1] == '*' {
			skip++
		}
		i := 0
		for range skip {
			i += int(o[i]) + 1
		}
		o = o[i:]
	}
	d := append(v.data[:0], sig.prefix[:18]...)
	d = append(d, sw...)
	var fixed [8]byte
	binary.BigEndian.PutUint16(fixed[:], sig.covered)
	binary.BigEndian.PutUint16(fixed[2:], sr.class)
	binary.BigEndian.PutUint32(fixed[4:], sig.origTTL)
	for i, rd := range rds {
		if i > 0 && bytes.Equal(rd, rds[i-1]) {
			continue // RFC 4034 §6.3: duplicates removed
		}
		if wild {
			d = append(d, 1, '*')
		}
		d = append(d, o...)
		d = append(d, fixed[:]...)
		d = binary.BigEndian.AppendUint16(d, uint16(len(rd)))
		d = append(d, rd...)
	}
	v.data = d
	if sc.batch != nil && sr.hint != nil && pk.raw != nil && len(sig.sig) == 64 {
		if fast := v.fastKey(pk); fast != nil {
			h := sha256.Sum256(d)
			sc.batch.add(v, fast, sc.node, &h, sig.sig, sr.hint)
			return true
		}
	}
	v.sig = append(v.sig[:0], sig.sig...)
	return v.checkSignature(pk) == nil
}

// fastKey returns the precomputed P-256 key of pk, making it if this
// Verifier may have one more.
func (v *Verifier) fastKey(pk *parsedKey) *p256.PublicKey {
	if pk.fast == nil && pk.raw != nil && v.tables < maxTables {
		if fast, err := p256.NewPublicKey(pk.raw); err == nil {
			pk.fast = fast
			v.tables++
		}
	}
	return pk.fast
}
