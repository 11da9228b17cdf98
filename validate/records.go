package validate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/miekg/dns"
)

// RecordsOptions are the options of Records. The zero value checks at
// the current time.
type RecordsOptions struct {
	// Now is the time at which validity windows are checked. Zero means
	// time.Now().
	Now time.Time
}

// Status is the outcome of checking one RRSIG or DS record.
type Status int

// Statuses. The zero value is not a status.
const (
	// StatusValid: the RRSIG verifies with a DNSKEY (a trusted one when
	// anchors are given), or the DS matches a DNSKEY.
	StatusValid Status = iota + 1
	// StatusBogus: a matching DNSKEY is there but the check failed; the
	// Reason says why.
	StatusBogus
	// StatusIndeterminate: the check could not be made (no matching
	// DNSKEY, key not authenticated, RRset not present, unsupported
	// algorithm or DS digest); the Reason says which.
	StatusIndeterminate
)

// String returns "valid", "bogus" or "indeterminate".
func (s Status) String() string {
	switch s {
	case StatusValid:
		return "valid"
	case StatusBogus:
		return "bogus"
	case StatusIndeterminate:
		return "indeterminate"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// RecordResult is the outcome for one RRSIG or DS record of the input to
// Records.
type RecordResult struct {
	// Record is the RRSIG or DS record checked, from the input.
	Record dns.RR
	// Index is the position of Record in the input.
	Index int
	// Owner is the owner name of Record.
	Owner string
	// Type is the RRSIG's Type Covered, or dns.TypeDS for a DS record.
	Type uint16
	// KeyTag and Algorithm are the record's key tag and algorithm fields.
	KeyTag    uint16
	Algorithm uint8
	// Status is the outcome; Reason (ReasonNone when valid) and Detail
	// say more.
	Status Status
	Reason Reason
	Detail string
	// Key is the DNSKEY that the RRSIG verified with or that the DS
	// matches, when there is one.
	Key *dns.DNSKEY
	// Wildcard is set for an RRSIG whose Labels field is less than its
	// owner's label count: the RRset was synthesised from a wildcard.
	Wildcard bool
}

// String formats r on one line, for example
// "www.example.net. A RRSIG 13 55648: valid" or
// "example.net. DS 55648 13 2: indeterminate: no matching DNSKEY".
func (r RecordResult) String() string {
	var b strings.Builder
	ds, isDS := r.Record.(*dns.DS)
	if isDS {
		fmt.Fprintf(&b, "%s DS %d %d %d: %s", r.Owner, ds.KeyTag, ds.Algorithm, ds.DigestType, r.Status)
	} else {
		fmt.Fprintf(&b, "%s %s RRSIG %d %d: %s", r.Owner, dns.Type(r.Type), r.Algorithm, r.KeyTag, r.Status)
	}
	if r.Wildcard {
		b.WriteString(" (wildcard expansion)")
	}
	if isDS && r.Status == StatusValid && r.Key != nil {
		fmt.Fprintf(&b, ": matches DNSKEY %d", r.KeyTag)
	}
	if r.Reason != ReasonNone {
		b.WriteString(": ")
		b.WriteString(r.Reason.String())
	}
	if r.Detail != "" {
		b.WriteString(" (")
		b.WriteString(r.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// rrsetID identifies an RRset: canonical (lower-case wire) owner, class
// and type.
type rrsetID struct {
	owner string
	class uint16
	typ   uint16
}

func newRRsetID(name string, class, typ uint16) (rrsetID, bool) {
	var buf [canonical.MaxNameLen]byte
	w, err := canonical.AppendName(buf[:0], name)
	if err != nil {
		return rrsetID{}, false
	}
	return rrsetID{owner: string(w), class: class, typ: typ}, true
}

// records holds the input of Records, indexed.
type records struct {
	rrsets map[rrsetID][]dns.RR
	keys   []*dns.DNSKEY // every DNSKEY of the input
	sigs   []int         // input indexes of the RRSIGs
}

// Records checks every RRSIG and every DS record in rrs, a set of records
// such as the output of dig +dnssec, and returns one result per RRSIG and
// per DS, in input order.
//
// The other records of rrs are grouped into RRsets by owner (compared
// case-insensitively), class and type; their TTLs may differ (resolvers
// count them down), since the signed data is built with each RRSIG's
// Original TTL. An RRSIG whose Labels field is less than its owner's label
// count covers a wildcard expansion and is checked as such.
//
// With no anchors, an RRSIG is checked against the DNSKEYs of rrs with its
// signer name, algorithm and key tag: valid if one of them verifies it,
// bogus with the first key's Reason if none does, indeterminate if there
// is no such key or its algorithm is not supported (RFC 4035 §5.2).
// With anchors (DNSKEY or DS records; other types are ignored, but a
// non-empty anchors list never falls back to untrusted keys), only
// authenticated keys count: the anchor DNSKEYs, the DNSKEYs of rrs that
// match a DS anchor, and, repeatedly, every DNSKEY of a DNSKEY RRset of
// rrs signed by an authenticated key and every DNSKEY of rrs that matches
// a DS of a DS RRset of rrs signed by an authenticated key. That follows a
// chain of trust from the anchors down through rrs.
//
// A DS record is matched against the DNSKEYs of rrs with its owner,
// algorithm and key tag by recomputing the digest (RFC 4034 §5.1.4; SHA-1,
// SHA-256, SHA-384) with package dsrecord; a DS matching a key without the
// zone key flag or with a protocol other than 3 is bogus.
func Records(rrs []dns.RR, anchors []dns.RR, opts RecordsOptions) []RecordResult {
	in := records{rrsets: make(map[rrsetID][]dns.RR)}
	for i, rr := range rrs {
		if rr == nil {
			continue
		}
		h := rr.Header()
		switch x := rr.(type) {
		case *dns.RRSIG:
			in.sigs = append(in.sigs, i)
			continue
		case *dns.DNSKEY:
			in.keys = append(in.keys, x)
		}
		if id, ok := newRRsetID(h.Name, h.Class, h.Rrtype); ok {
			in.rrsets[id] = append(in.rrsets[id], rr)
		}
	}

	c := &checker{in: &in, rrs: rrs, opts: VerifyOptions{Now: opts.Now}, memo: make(map[memoKey]*Finding)}
	pool := in.keys
	anchored := len(anchors) > 0
	if anchored {
		pool = c.trusted(anchors)
	}

	var out []RecordResult
	for i, rr := range rrs {
		switch x := rr.(type) {
		case *dns.RRSIG:
			out = append(out, c.checkSig(i, x, pool, anchored))
		case *dns.DS:
			out = append(out, checkDS(i, x, in.keys))
		}
	}
	return out
}

type memoKey struct {
	sig int
	key *dns.DNSKEY
}

type checker struct {
	in   *records
	rrs  []dns.RR
	opts VerifyOptions
	v    Verifier
	memo map[memoKey]*Finding
}

// verify checks the RRSIG at input index i with key, remembering results.
func (c *checker) verify(i int, key *dns.DNSKEY) *Finding {
	mk := memoKey{i, key}
	if f, ok := c.memo[mk]; ok {
		return f
	}
	sig := c.rrs[i].(*dns.RRSIG)
	id, _ := newRRsetID(sig.Hdr.Name, sig.Hdr.Class, sig.TypeCovered)
	f := c.v.Verify(sig, c.in.rrsets[id], key, c.opts)
	c.memo[mk] = f
	return f
}

// candidates returns the keys of pool that sig names: signer name,
// algorithm and key tag.
func (c *checker) candidates(sig *dns.RRSIG, pool []*dns.DNSKEY) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, k := range pool {
		if k.Algorithm != sig.Algorithm || !sameName(k.Hdr.Name, sig.SignerName) {
			continue
		}
		if pk := c.v.parse(k); pk.nob64 || pk.tag != sig.KeyTag {
			continue
		}
		out = append(out, k)
	}
	return out
}

// trusted returns the keys authenticated by the anchors, following signed
// DNSKEY and DS RRsets of the input to a fixed point.
func (c *checker) trusted(anchors []dns.RR) []*dns.DNSKEY {
	var pool []*dns.DNSKEY
	seen := make(map[*dns.DNSKEY]bool)
	add := func(k *dns.DNSKEY) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		pool = append(pool, k)
		return true
	}
	// addMatching trusts the input DNSKEYs that ds matches.
	addMatching := func(ds *dns.DS) bool {
		added := false
		for _, k := range c.in.keys {
			if dsMatches(ds, k) && add(k) {
				added = true
			}
		}
		return added
	}
	for _, a := range anchors {
		switch x := a.(type) {
		case *dns.DNSKEY:
			add(x)
		case *dns.DS:
			addMatching(x)
		}
	}
	used := make(map[int]bool) // RRSIGs that already extended the pool
	for changed := true; changed; {
		changed = false
		for _, i := range c.in.sigs {
			sig := c.rrs[i].(*dns.RRSIG)
			if used[i] || (sig.TypeCovered != dns.TypeDNSKEY && sig.TypeCovered != dns.TypeDS) {
				continue
			}
			ok := false
			for _, k := range c.candidates(sig, pool) {
				if c.verify(i, k) == nil {
					ok = true
					break
				}
			}
			if !ok {
				continue
			}
			used[i] = true
			id, _ := newRRsetID(sig.Hdr.Name, sig.Hdr.Class, sig.TypeCovered)
			for _, rr := range c.in.rrsets[id] {
				switch x := rr.(type) {
				case *dns.DNSKEY:
					if add(x) {
						changed = true
					}
				case *dns.DS:
					if addMatching(x) {
						changed = true
					}
				}
			}
		}
	}
	return pool
}

func (c *checker) checkSig(i int, sig *dns.RRSIG, pool []*dns.DNSKEY, anchored bool) RecordResult {
	res := RecordResult{
		Record:    sig,
		Index:     i,
		Owner:     sig.Hdr.Name,
		Type:      sig.TypeCovered,
		KeyTag:    sig.KeyTag,
		Algorithm: sig.Algorithm,
	}
	if l, err := canonical.Labels(sig.Hdr.Name); err == nil && sig.Labels < l {
		res.Wildcard = true
	}
	id, ok := newRRsetID(sig.Hdr.Name, sig.Hdr.Class, sig.TypeCovered)
	if !ok {
		res.Status, res.Reason, res.Detail = StatusBogus, ReasonMalformed, fmt.Sprintf("bad owner name %q", sig.Hdr.Name)
		return res
	}
	if len(c.in.rrsets[id]) == 0 {
		res.Status, res.Reason = StatusIndeterminate, ReasonNoRRset
		return res
	}
	cands := c.candidates(sig, pool)
	if len(cands) == 0 {
		res.Status, res.Reason = StatusIndeterminate, ReasonNoKey
		if anchored && len(c.candidates(sig, c.in.keys)) > 0 {
			res.Reason = ReasonKeyNotTrusted
		}
		return res
	}
	var first *Finding
	for _, k := range cands {
		f := c.verify(i, k)
		if f == nil {
			res.Status, res.Key = StatusValid, k
			return res
		}
		if first == nil {
			first = f
		}
	}
	res.Status, res.Reason, res.Detail = StatusBogus, first.Reason, first.Detail
	if first.Reason == ReasonUnsupportedAlgorithm {
		// RFC 4035 §5.2: what cannot be checked is not bogus.
		res.Status = StatusIndeterminate
	}
	return res
}

func checkDS(i int, ds *dns.DS, keys []*dns.DNSKEY) RecordResult {
	res := RecordResult{
		Record:    ds,
		Index:     i,
		Owner:     ds.Hdr.Name,
		Type:      dns.TypeDS,
		KeyTag:    ds.KeyTag,
		Algorithm: ds.Algorithm,
	}
	if dsrecord.DigestSize(ds.DigestType) == 0 {
		res.Status, res.Reason, res.Detail = StatusIndeterminate, ReasonUnsupportedDigest, fmt.Sprintf("digest type %d", ds.DigestType)
		return res
	}
	// A bogus result needs a key with the DS's owner, key tag and
	// algorithm that fails a later check; otherwise there is no key.
	res.Status, res.Reason = StatusIndeterminate, ReasonNoKey
	for _, k := range keys {
		err := dsrecord.Check(ds, k)
		if err == nil {
			res.Status, res.Reason, res.Detail, res.Key = StatusValid, ReasonNone, "", k
			return res
		}
		var me *dsrecord.MismatchError
		switch {
		case errors.As(err, &me):
			var r Reason
			switch me.Field {
			case dsrecord.FieldOwner, dsrecord.FieldKeyTag, dsrecord.FieldAlgorithm:
				continue
			case dsrecord.FieldFlags:
				r = ReasonNotZoneKey
			case dsrecord.FieldProtocol:
				r = ReasonBadProtocol
			default:
				r = ReasonDigestMismatch
			}
			if res.Status == StatusIndeterminate {
				res.Status, res.Reason, res.Key = StatusBogus, r, k
				if r != ReasonDigestMismatch {
					res.Detail = me.Error()
				}
			}
		case errors.Is(err, dsrecord.ErrDigest):
			res.Status, res.Reason, res.Detail, res.Key = StatusBogus, ReasonMalformed, "digest is not hex", nil
			return res
		}
	}
	return res
}

// dsMatches reports whether ds is a DS record of k (RFC 4034 §5.1.4).
func dsMatches(ds *dns.DS, k *dns.DNSKEY) bool {
	return ds != nil && k != nil && dsrecord.Check(ds, k) == nil
}
