package fuzz

import (
	"context"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzDifferentialMiekg checks package signer and package validate against
// miekg/dns v1.1.73 on the RRsets of FuzzSignValidate (all records
// spelling the owner the same way):
//
//   - an RRSIG made by signer.Sign verifies with miekg's RRSIG.Verify, and
//     its ValidityPeriod holds at the fixed now;
//   - an RRSIG made by miekg's RRSIG.Sign with the same private key, the
//     same validity and Original TTL verifies with validate.VerifyRRSIG,
//     and has the same Labels, key tag and signer name as ours;
//
// unless the RRset hits one of the divergences of miekg/dns listed at
// knownMiekgDivergence (escaped letters, raw non-ASCII bytes, NXT, A6 and
// RRSIG RDATA, '*'-prefixed labels). miekg refusing to sign is not a
// failure (it is not under test), but it is not expected either: inputs
// are skipped only for the listed reasons.
func FuzzDifferentialMiekg(f *testing.F) {
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, owner string, rrtype uint16, ttl uint32, rdatas []byte, zoneLabels uint8, textOwner bool) {
		in := rrsetInput{owner: owner, rrtype: rrtype, ttl: ttl, rdatas: rdatas, textOwner: textOwner}
		b, ok := in.build()
		if !ok || rrtype == dns.TypeRRSIG {
			return
		}
		zone, err := zoneName(b.ownerWire, int(zoneLabels))
		require.NoError(t, err)
		key, local, err := newKey(t, 0, zone, signer.FlagsZSK)
		require.NoError(t, err, "a key for zone %q", zone)
		dnskey := key.DNSKEY()
		rrs := b.rrs

		// Ours, verified by miekg.
		sigs, err := signer.Sign(ctx, rrs, []*signer.Key{key}, signOpts)
		if err != nil && signErrorAllowed(rrs) {
			return
		}
		require.NoError(t, err, "sign %v", rrs)
		ours := sigs[0]
		if why := knownMiekgDivergence(rrs, true); why == "" {
			if err := ours.Verify(dnskey, rrs); err != nil {
				t.Fatalf("miekg RRSIG.Verify rejects our signature: %v\nRRSIG %v\nDNSKEY %v\nRRset %v", err, ours, dnskey, rrs)
			}
			require.True(t, ours.ValidityPeriod(now), "miekg ValidityPeriod")
		}

		// miekg's, verified by us.
		theirs := &dns.RRSIG{
			Algorithm:  dnskey.Algorithm,
			SignerName: dnskey.Hdr.Name,
			KeyTag:     dnskey.KeyTag(),
			OrigTtl:    ttl,
			Inception:  ours.Inception,
			Expiration: ours.Expiration,
		}
		theirs.Hdr.Ttl = ttl
		if err := theirs.Sign(local.CryptoSigner(), copyRRs(rrs)); err != nil {
			t.Logf("miekg RRSIG.Sign refuses %v: %v", rrs, err)
			return
		}
		why := knownMiekgDivergence(rrs, false)
		if why != "" {
			return
		}
		require.Equal(t, ours.Labels, theirs.Labels, "Labels")
		require.Equal(t, ours.KeyTag, theirs.KeyTag, "key tag")
		require.Equal(t, ours.OrigTtl, theirs.OrigTtl, "Original TTL")
		require.True(t, dns.CanonicalName(ours.SignerName) == dns.CanonicalName(theirs.SignerName), "signer name")
		if f := validate.VerifyRRSIG(theirs, rrs, dnskey, validate.VerifyOptions{Now: now, CheckTTL: true}); f != nil {
			t.Fatalf("validate rejects miekg's signature: %v\nRRSIG %v\nDNSKEY %v\nRRset %v", f, theirs, dnskey, rrs)
		}
	})
}
