package fuzz

import (
	"context"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzRecordsResigned reads arbitrary text with the miekg/dns zone parser
// (origin "example."), drops its RRSIGs, groups the other records into
// RRsets the way a resolver would (owner compared case-insensitively,
// class, type; TTLs may differ), signs every RRset with package signer and
// a P-256 key of the root zone, and gives everything, with the key's
// DNSKEY, to validate.Records. Every new RRSIG must be valid when its
// RRset is of class IN and bogus with ReasonClassMismatch otherwise (the
// DNSKEY is of class IN); the checks of FuzzRecords apply to all results.
// Signing may fail only for records signer.Sign must refuse
// (signErrorAllowed). It links the zone parser, package signer's
// canonical form and the RRset grouping of validate.Records on the same
// data, where FuzzRecords rarely reaches a valid signature.
func FuzzRecordsResigned(f *testing.F) {
	key, _, err := newKey(f, 0, ".", signer.FlagsZSK)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > maxRecordsText {
			return
		}
		zp := dns.NewZoneParser(strings.NewReader(text), "example.", "fuzz.zone")
		var rrs []dns.RR
		for rr, ok := zp.Next(); ok && len(rrs) < 256; rr, ok = zp.Next() {
			if rr.Header().Rrtype != dns.TypeRRSIG {
				rrs = append(rrs, rr)
			}
		}
		rrs = append([]dns.RR{dns.Copy(key.DNSKEY())}, rrs...) // it joins a "." DNSKEY RRset
		type setKey struct {
			owner       string
			class, kind uint16
		}
		sets := map[setKey][]dns.RR{}
		var order []setKey
		for _, rr := range rrs {
			h := rr.Header()
			k := setKey{lowerASCII(plainName(h.Name)), h.Class, h.Rrtype}
			if _, ok := sets[k]; !ok {
				order = append(order, k)
			}
			sets[k] = append(sets[k], rr)
		}
		all := append([]dns.RR(nil), rrs...)
		ours := map[dns.RR]uint16{} // our RRSIGs and the class of their RRset
		for _, k := range order {
			sigs, err := signer.Sign(context.Background(), sets[k], []*signer.Key{key}, signOpts)
			if err != nil {
				require.True(t, signErrorAllowed(sets[k]), "sign %v: %v", sets[k], err)
				continue
			}
			all = append(all, sigs[0])
			ours[sigs[0]] = k.class
		}
		res := validate.Records(all, nil, validate.RecordsOptions{Now: now})
		checkResults(t, all, res, now)
		seen := 0
		for _, r := range res {
			class, mine := ours[r.Record]
			if !mine {
				continue
			}
			seen++
			if class == dns.ClassINET {
				require.Equal(t, validate.StatusValid, r.Status, "%v\nRRSIG %v\nRRset %v", r, r.Record, rrsetOf(all, r.Record.(*dns.RRSIG)))
			} else {
				require.Equal(t, validate.ReasonClassMismatch, r.Reason, "%v", r)
			}
		}
		require.Equal(t, len(ours), seen)
	})
}
