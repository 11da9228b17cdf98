package fuzz

import (
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// maxRecordsText bounds the zone text of FuzzRecords: enough for every
// test vector zone file but the two largest, whose seeds are cut.
const maxRecordsText = 2 * maxText

// FuzzRecords reads arbitrary text with the miekg/dns zone parser (origin
// "example.", records up to the first syntax error) and checks the records
// with validate.Records at the instant now (Unix seconds), with no trust
// anchors, with the input's DNSKEYs as anchors and with its DS records as
// anchors. Records must not panic and must return one result per RRSIG and
// DS record, in input order, each pointing at its record. Every valid
// result is confirmed by another path: validate.VerifyRRSIG over the
// RRset gathered here and miekg/dns's RRSIG.Verify and ValidityPeriod
// (outside knownMiekgDivergence) for an RRSIG, dsrecord.Match for a DS. A
// signature that Records calls a bad signature must not verify with
// miekg/dns under any DNSKEY of the input with its owner, algorithm and key
// tag. Anchors can only take validity away.
func FuzzRecords(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string, unix int64) {
		if len(text) > maxRecordsText {
			return
		}
		zp := dns.NewZoneParser(strings.NewReader(text), "example.", "fuzz.zone")
		var rrs []dns.RR
		for rr, ok := zp.Next(); ok && len(rrs) < 1024; rr, ok = zp.Next() {
			rrs = append(rrs, rr)
		}
		at := time.Unix(unix, 0)
		opts := validate.RecordsOptions{Now: at}

		plain := validate.Records(rrs, nil, opts)
		checkResults(t, rrs, plain, at)

		var keys, dss []dns.RR
		for _, rr := range rrs {
			switch rr.Header().Rrtype {
			case dns.TypeDNSKEY:
				keys = append(keys, rr)
			case dns.TypeDS:
				dss = append(dss, rr)
			}
		}
		for _, anchors := range [][]dns.RR{keys, dss} {
			if len(anchors) == 0 {
				continue
			}
			anchored := validate.Records(rrs, anchors, opts)
			checkResults(t, rrs, anchored, at)
			for i, r := range anchored {
				if r.Status == validate.StatusValid {
					require.Equal(t, validate.StatusValid, plain[i].Status,
						"valid with anchors but %v without: %v", plain[i].Status, r.Record)
				}
			}
		}
	})
}

// checkResults checks the results of validate.Records over rrs at the
// instant at.
func checkResults(t testing.TB, rrs []dns.RR, res []validate.RecordResult, at time.Time) {
	want := 0
	for _, rr := range rrs {
		if t := rr.Header().Rrtype; t == dns.TypeRRSIG || t == dns.TypeDS {
			want++
		}
	}
	require.Len(t, res, want, "one result per RRSIG and DS record")
	idx := newRRIndex(rrs)
	prev := -1
	for _, r := range res {
		require.Greater(t, r.Index, prev, "results in input order")
		prev = r.Index
		require.Less(t, r.Index, len(rrs))
		require.True(t, r.Record == rrs[r.Index], "Record is the input record at Index")
		require.Contains(t, []validate.Status{validate.StatusValid, validate.StatusBogus, validate.StatusIndeterminate}, r.Status)
		require.Equal(t, r.Status == validate.StatusValid, r.Reason == validate.ReasonNone, "%v", r)
		require.NotEmpty(t, r.String())

		switch rec := r.Record.(type) {
		case *dns.RRSIG:
			require.Equal(t, rec.TypeCovered, r.Type)
			require.Equal(t, rec.KeyTag, r.KeyTag)
			checkRRSIGResult(t, idx, rec, r, at)
		case *dns.DS:
			require.Equal(t, dns.TypeDS, r.Type)
			if r.Status == validate.StatusValid {
				require.NotNil(t, r.Key, "valid DS without a key")
				ok, err := dsrecord.Match(rec, r.Key)
				require.NoError(t, err)
				require.True(t, ok, "valid DS %v does not match %v", rec, r.Key)
			}
		default:
			t.Fatalf("result for a %T", r.Record)
		}
	}
}

func checkRRSIGResult(t testing.TB, idx *rrIndex, sig *dns.RRSIG, r validate.RecordResult, at time.Time) {
	rrset := idx.rrsetOf(sig)
	switch {
	case r.Status == validate.StatusValid:
		require.NotNil(t, r.Key, "valid RRSIG without a key")
		require.NotEmpty(t, rrset, "valid RRSIG without records")
		if f := validate.VerifyRRSIG(sig, rrset, r.Key, validate.VerifyOptions{Now: at}); f != nil {
			t.Fatalf("Records says valid, VerifyRRSIG says %v\nRRSIG %v\nRRset %v", f, sig, rrset)
		}
		if miekgComparable(sig, rrset) && knownMiekgDivergence([]dns.RR{r.Key}, true) == "" {
			if err := sig.Verify(r.Key, rrset); err != nil {
				t.Fatalf("Records says valid, miekg RRSIG.Verify says %v\nRRSIG %v\nDNSKEY %v\nRRset %v", err, sig, r.Key, rrset)
			}
			require.True(t, sig.ValidityPeriod(at), "valid outside its window: %v at %v", sig, at)
		}
	case r.Reason == validate.ReasonBadSignature && len(rrset) > 0:
		if !miekgComparable(sig, rrset) {
			return
		}
		for _, k := range idx.dnskeys(sig.SignerName) {
			if k.Algorithm != sig.Algorithm || k.KeyTag() != sig.KeyTag || k.Flags&dns.REVOKE != 0 ||
				knownMiekgDivergence([]dns.RR{k}, true) != "" {
				continue
			}
			if sig.Verify(k, rrset) == nil {
				t.Fatalf("Records says bad signature, miekg RRSIG.Verify accepts it with %v\nRRSIG %v\nRRset %v", k, sig, rrset)
			}
		}
	}
}

// miekgComparable reports whether miekg/dns's RRSIG.Verify is expected to
// agree with package validate on sig over rrset: no known divergence
// (knownMiekgDivergence), and not an expansion of the wildcard "*." (sig
// Labels 0 over an owner below the root, divergence 6).
func miekgComparable(sig *dns.RRSIG, rrset []dns.RR) bool {
	if sig.Labels == 0 && plainName(sig.Hdr.Name) != "." {
		return false
	}
	return knownMiekgDivergence(rrset, true) == "" && knownMiekgDivergence([]dns.RR{sig}, true) == ""
}

// rrsetOf returns the records of rrs that sig covers (see rrIndex.rrsetOf).
func rrsetOf(rrs []dns.RR, sig *dns.RRSIG) []dns.RR {
	return newRRIndex(rrs).rrsetOf(sig)
}

// rrIndex looks up the RRsets and the DNSKEY records of a list of records
// by owner name, so that checking every RRSIG of a zone takes time linear
// in its size rather than a scan of the list per RRSIG.
type rrIndex struct {
	rrs  []dns.RR
	sets map[rrsetKey][]int // records other than RRSIG, in input order
	keys map[string][]*dns.DNSKEY
}

// rrsetKey is an owner name as wireKey gives it, a class and a type.
type rrsetKey struct {
	name       string
	class, typ uint16
}

func newRRIndex(rrs []dns.RR) *rrIndex {
	idx := &rrIndex{rrs: rrs, sets: map[rrsetKey][]int{}, keys: map[string][]*dns.DNSKEY{}}
	for i, rr := range rrs {
		h := rr.Header()
		name, ok := wireKey(h.Name)
		if !ok || h.Rrtype == dns.TypeRRSIG {
			continue
		}
		k := rrsetKey{name, h.Class, h.Rrtype}
		idx.sets[k] = append(idx.sets[k], i)
		if key, isKey := rr.(*dns.DNSKEY); isKey {
			idx.keys[name] = append(idx.keys[name], key)
		}
	}
	return idx
}

// rrsetOf returns the records that sig covers: same owner (compared in
// canonical wire form), class and type, in input order, copied and all
// given the owner spelling of the first one (miekg's IsRRset compares
// owner strings as they are).
func (idx *rrIndex) rrsetOf(sig *dns.RRSIG) []dns.RR {
	name, ok := wireKey(sig.Hdr.Name)
	if !ok || sig.TypeCovered == dns.TypeRRSIG {
		return nil
	}
	var out []dns.RR
	for _, i := range idx.sets[rrsetKey{name, sig.Hdr.Class, sig.TypeCovered}] {
		c := dns.Copy(idx.rrs[i])
		if len(out) > 0 {
			c.Header().Name = out[0].Header().Name
		}
		out = append(out, c)
	}
	return out
}

// dnskeys returns the DNSKEY records (of any class) owned by name, compared
// in canonical wire form, in input order.
func (idx *rrIndex) dnskeys(name string) []*dns.DNSKEY {
	k, ok := wireKey(name)
	if !ok {
		return nil
	}
	return idx.keys[k]
}

// wireKey returns the lower-cased wire form of a presentation-form name
// (made fully qualified), and false if it does not pack: two names that
// pack are the same name exactly when their keys are equal.
func wireKey(name string) (string, bool) {
	var b [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), b[:], 0, nil, false)
	if err != nil {
		return "", false
	}
	lowerWireName(b[:n])
	return string(b[:n]), true
}
