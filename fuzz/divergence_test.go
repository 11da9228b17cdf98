package fuzz

import (
	"context"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestKnownMiekgDivergences pins down each divergence of miekg/dns v1.1.73
// that FuzzDifferentialMiekg skips (knownMiekgDivergence): for each, package
// validate accepts our signature while miekg's RRSIG.Verify refuses it, or
// miekg's RRSIG.Sign makes an RRSIG that differs from ours (Labels) or that
// package validate refuses. The control cases are RRsets where the two
// agree, although they look risky. If an upgrade of miekg/dns fixes a
// divergence, its case fails here and the filter can go.
func TestKnownMiekgDivergences(t *testing.T) {
	mustRR := func(s string) dns.RR {
		rr, err := dns.NewRR(s)
		require.NoError(t, err, s)
		return rr
	}
	a := func(owner string) dns.RR {
		return &dns.A{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 1}}
	}
	a6 := &dns.RFC3597{Hdr: dns.RR_Header{Name: "x.example.", Rrtype: typeA6, Class: dns.ClassINET, Ttl: 300},
		Rdata: "40" + "0102030405060708" + "03414243076578616d706c6500"} // prefix 64, suffix, "ABC.example."
	tests := []struct {
		name    string
		rrset   []dns.RR
		zone    string
		ourSide bool // miekg refuses our signature
		labels  bool // miekg's Labels differ from ours
		bogus   validate.Reason
		noSign  bool // miekg's RRSIG.Sign fails
		control bool // no divergence: the two agree
		// conservative: a control case that knownMiekgDivergence
		// skips all the same (it does not tell escapes below the
		// signer name from those in it)
		conservative bool
	}{
		{name: "escaped letter in owner", rrset: []dns.RR{a(`\065bc.example.`)}, zone: "example.", ourSide: true},
		{name: "escaped letter in MX exchange", rrset: []dns.RR{mustRR(`x.example. 300 IN MX 10 \077ail.example.`)}, zone: "example.", ourSide: true},
		{name: "invalid UTF-8 in owner", rrset: []dns.RR{a("\xffa.example.")}, zone: "example.", ourSide: true},
		{name: "NXT next name", rrset: []dns.RR{mustRR("x.example. 300 IN NXT Next.Example. A NS")}, zone: "example.", ourSide: true},
		{name: "A6 prefix name", rrset: []dns.RR{a6}, zone: "example.", ourSide: true},
		{name: "owner in two cases", rrset: []dns.RR{a("www.example."), mustRR("WWW.example. 300 IN A 192.0.2.2")}, zone: "example.", ourSide: true},
		{name: "label starting with star", rrset: []dns.RR{a("*foo.example.")}, zone: "example.", labels: true},
		{name: "wildcard below the root", rrset: []dns.RR{a("*.")}, zone: ".", ourSide: true, noSign: true},
		{name: "escaped wildcard label", rrset: []dns.RR{a(`\042.example.`)}, zone: "example.", bogus: validate.ReasonLabels},
		{name: "control: unknown type with letters", rrset: []dns.RR{mustRR(`x.Example. 300 IN TYPE65280 \# 4 41424344`)}, zone: "example.", control: true},
		{name: "control: valid UTF-8 in owner", rrset: []dns.RR{a("caf\u00c9.example.")}, zone: "example.", control: true, conservative: true},
		{name: "control: HINFO keeps case", rrset: []dns.RR{mustRR(`x.example. 300 IN HINFO "INTEL" "Linux"`)}, zone: "example.", control: true},
		{name: "control: NSEC next name keeps case", rrset: []dns.RR{mustRR("x.example. 300 IN NSEC Next.Example. A NS")}, zone: "example.", control: true},
		{name: "control: wildcard owner", rrset: []dns.RR{mustRR("*.Example. 300 IN MX 10 Mail.Example.")}, zone: "example.", control: true},
		{name: "control: escaped dot", rrset: []dns.RR{a(`a\.B.example.`)}, zone: "example.", control: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, local, err := newKey(t, 0, tc.zone, signer.FlagsZSK)
			require.NoError(t, err)
			dnskey := key.DNSKEY()
			sigs, err := signer.Sign(context.Background(), tc.rrset, []*signer.Key{key}, signOpts)
			require.NoError(t, err)
			ours := sigs[0]
			require.Nil(t, validate.VerifyRRSIG(ours, tc.rrset, dnskey, validate.VerifyOptions{Now: now}))
			theirs := &dns.RRSIG{Algorithm: dnskey.Algorithm, SignerName: dnskey.Hdr.Name, KeyTag: dnskey.KeyTag(),
				OrigTtl: ours.OrigTtl, Inception: ours.Inception, Expiration: ours.Expiration}
			miekgErr := ours.Verify(dnskey, tc.rrset)
			if tc.noSign {
				require.Error(t, theirs.Sign(local.CryptoSigner(), tc.rrset), "miekg signs: divergence fixed?")
				require.Error(t, miekgErr, "miekg accepts our signature: divergence fixed?")
				require.NotEmpty(t, knownMiekgDivergence(tc.rrset, true), "not filtered")
				return
			}
			require.NoError(t, theirs.Sign(local.CryptoSigner(), tc.rrset))
			theirFinding := validate.VerifyRRSIG(theirs, tc.rrset, dnskey, validate.VerifyOptions{Now: now})

			if tc.control {
				require.NoError(t, miekgErr)
				require.Equal(t, ours.Labels, theirs.Labels)
				require.Nil(t, theirFinding)
				if !tc.conservative {
					require.Empty(t, knownMiekgDivergence(tc.rrset, true))
					require.Empty(t, knownMiekgDivergence(tc.rrset, false))
				}
				return
			}
			if tc.ourSide {
				require.Error(t, miekgErr, "miekg accepts our signature: divergence fixed?")
				require.NotEmpty(t, knownMiekgDivergence(tc.rrset, true), "not filtered")
			}
			if tc.labels {
				require.NotEqual(t, ours.Labels, theirs.Labels, "miekg's Labels: divergence fixed?")
				require.NotEmpty(t, knownMiekgDivergence(tc.rrset, false), "not filtered")
			}
			if tc.bogus != validate.ReasonNone {
				require.NotNil(t, theirFinding, "validate accepts miekg's signature: divergence fixed?")
				require.Equal(t, tc.bogus, theirFinding.Reason)
				require.NotEmpty(t, knownMiekgDivergence(tc.rrset, false), "not filtered")
			}
		})
	}
}
