package fuzz

import (
	"bytes"
	"context"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzSignValidate signs an RRset built from fuzzed fields with package
// signer and a deterministic P-256 key, and checks the result with package
// validate:
//
//   - the RRSIG has the fields RFC 4034 §3 asks for (Labels counted here
//     independently, Original TTL, signer name, validity);
//   - validate.VerifyRRSIG accepts it, in zone mode (CheckTTL);
//   - it still verifies when the records spell their owner in other
//     cases, and when the RRSIG's owner and signer name are upper-cased
//     (RFC 4343; RFC 4034 §6.2 canonicalises names to lower case);
//   - after one byte of one record's RDATA is changed, it verifies if and
//     only if the canonical form of the RRset is unchanged, computed with
//     refCanonicalSet, a reference written in this package (so a change
//     of case in a name that RFC 6840 §5.1 lower-cases keeps it valid, and
//     every other change makes it bogus with ReasonBadSignature).
//
// The key is owned by the rightmost zoneLabels labels of the owner; RRSIG
// RRsets must be refused with signer.ErrInput. Nothing may panic.
func FuzzSignValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, owner string, rrtype uint16, ttl uint32, rdatas []byte,
		zoneLabels uint8, textOwner bool, caseMask uint64, flip uint32) {
		signValidate(t, rrsetInput{owner: owner, rrtype: rrtype, ttl: ttl, rdatas: rdatas, textOwner: textOwner},
			zoneLabels, caseMask, flip)
	})
}

// flipOutcome says what checkFlip found.
type flipOutcome int

const (
	flipNone      flipOutcome = iota // nothing signed, or nothing changed
	flipSame                         // canonical RRset unchanged: still valid
	flipChanged                      // canonical RRset changed: bad signature
	flipMalformed                    // the changed record cannot be canonicalised
)

// signValidate is the body of FuzzSignValidate.
func signValidate(t *testing.T, in rrsetInput, zoneLabels uint8, caseMask uint64, flip uint32) flipOutcome {
	ctx := context.Background()
	b, ok := in.build()
	if !ok {
		return flipNone
	}
	zone, err := zoneName(b.ownerWire, int(zoneLabels))
	require.NoError(t, err)
	key, _, err := newKey(t, 0, zone, signer.FlagsZSK)
	require.NoError(t, err, "a key for zone %q", zone)

	// Each record spells the owner in its own mix of cases.
	rrs := b.rrs
	for i, rr := range rrs {
		rr.Header().Name = mixCase(rr.Header().Name, caseMask<<(i%64)|caseMask>>(64-i%64))
	}

	sigs, err := signer.Sign(ctx, rrs, []*signer.Key{key}, signOpts)
	if in.rrtype == dns.TypeRRSIG {
		require.ErrorIs(t, err, signer.ErrInput)
		return flipNone
	}
	if err != nil && signErrorAllowed(rrs) {
		return flipNone
	}
	require.NoError(t, err, "sign %v", rrs)
	require.Len(t, sigs, 1)
	sig := sigs[0]

	// The RRSIG fields (RFC 4034 §3.1).
	require.Equal(t, in.rrtype, sig.TypeCovered)
	require.Equal(t, uint8(13), sig.Algorithm)
	require.Equal(t, wireLabels(b.ownerWire), sig.Labels, "Labels of %q", rrs[0].Header().Name)
	require.Equal(t, in.ttl, sig.OrigTtl)
	require.Equal(t, in.ttl, sig.Hdr.Ttl)
	require.Equal(t, key.KeyTag(), sig.KeyTag)
	require.Equal(t, key.DNSKEY().KeyTag(), sig.KeyTag, "miekg key tag") // algorithm 13: miekg is right
	require.True(t, dns.CanonicalName(sig.SignerName) == sig.SignerName, "signer name %q is not lower case", sig.SignerName)
	require.Equal(t, uint32(inception.Unix()), sig.Inception)
	require.Equal(t, uint32(expiration.Unix()), sig.Expiration)

	vopts := validate.VerifyOptions{Now: now, CheckTTL: true}
	dnskey := key.DNSKEY()
	if f := validate.VerifyRRSIG(sig, rrs, dnskey, vopts); f != nil {
		t.Fatalf("own signature rejected: %v\nRRSIG %v\nRRset %v", f, sig, rrs)
	}

	// Other spellings of the same names.
	upper := copyRRs(rrs)
	for _, rr := range upper {
		rr.Header().Name = mixCase(rr.Header().Name, ^caseMask)
	}
	usig := dns.Copy(sig).(*dns.RRSIG)
	usig.Hdr.Name = mixCase(sig.Hdr.Name, ^uint64(0))
	usig.SignerName = mixCase(sig.SignerName, ^uint64(0))
	if f := validate.VerifyRRSIG(usig, upper, dnskey, vopts); f != nil {
		t.Fatalf("signature rejected after a change of case: %v\nRRSIG %v\nRRset %v", f, usig, upper)
	}

	// Outside the validity window the same signature is not valid.
	late := vopts
	late.Now = expiration.Add(1e9)
	f := validate.VerifyRRSIG(sig, rrs, dnskey, late)
	require.NotNil(t, f)
	require.Equal(t, validate.ReasonExpired, f.Reason)

	return checkFlip(t, b, rrs, sig, dnskey, flip)
}

// checkFlip changes one byte of one record's RDATA (record, offset and xor
// mask from flip; a zero mask means 0x20, a change of case) and checks that
// sig verifies over the changed RRset exactly when its reference canonical
// form is unchanged.
func checkFlip(t *testing.T, b builtRRset, rrs []dns.RR, sig *dns.RRSIG, dnskey *dns.DNSKEY, flip uint32) flipOutcome {
	idx := int(flip&0xff) % len(rrs)
	rd := b.rdata[idx]
	if len(rd) == 0 {
		return flipNone
	}
	pos := int(flip>>8&0xffff) % len(rd)
	mask := byte(flip >> 24)
	if mask == 0 {
		mask = 0x20
	}
	mut := bytes.Clone(rd)
	mut[pos] ^= mask
	rr, ok := decodeRR(b.ownerWire, rrs[idx].Header().Rrtype, rrs[idx].Header().Ttl, mut)
	if !ok {
		return flipNone // no longer a record
	}
	rr.Header().Name = rrs[idx].Header().Name
	changed := copyRRs(rrs)
	changed[idx] = rr

	finding := validate.VerifyRRSIG(sig, changed, dnskey, validate.VerifyOptions{Now: now, CheckTTL: true})
	if _, err := signer.SignedData(nil, sig, changed); err != nil {
		// Package canonical cannot canonicalise the changed record (see
		// signErrorAllowed): it can be neither signed nor validated.
		require.True(t, signErrorAllowed(changed), "canonical refuses %v: %v", rr, err)
		require.NotNil(t, finding, "changed record %v cannot be canonicalised (%v) but the RRset verifies", rr, err)
		require.Equal(t, validate.ReasonMalformed, finding.Reason, "%v", finding)
		return flipMalformed
	}
	before, err := refCanonicalSet(rrs, sig.OrigTtl)
	require.NoError(t, err)
	after, err := refCanonicalSet(changed, sig.OrigTtl)
	if err != nil {
		// The changed record does not pack again (a miekg/dns
		// asymmetry): it cannot be part of a valid RRset.
		require.NotNil(t, finding, "changed record %v does not pack (%v) but the RRset verifies", rr, err)
		return flipMalformed
	}
	if bytes.Equal(before, after) {
		require.Nil(t, finding, "byte %d of record %d ^ %#02x leaves the canonical RRset as it was,"+
			" yet the signature fails\nbefore %v\nafter  %v", pos, idx, mask, rrs[idx], rr)
		return flipSame
	}
	require.NotNil(t, finding, "byte %d of record %d ^ %#02x changes the canonical RRset,"+
		" yet the signature verifies\nbefore %v\nafter  %v", pos, idx, mask, rrs[idx], rr)
	require.Equal(t, validate.ReasonBadSignature, finding.Reason, "%v", finding)
	return flipChanged
}
