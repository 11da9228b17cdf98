package validate

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestZoneCases checks findings that the mutation test does not: each case
// changes a valid signed zone (re-signing what it changes) and expects a
// verdict and, unless ReasonNone, a finding with the given reason and
// severity.
func TestZoneCases(t *testing.T) {
	bases := map[bool]baseZone{false: oursBase(t, false), true: oursBase(t, true)}
	for _, tc := range []struct {
		name   string
		nsec3  bool
		status ZoneStatus
		want   Reason
		sev    Severity
		apply  func(m *mzone)
	}{
		{name: "DS at a name that is not a delegation", status: ZoneBogus, want: ReasonDSNotAtDelegation, sev: SeverityError, apply: func(m *mzone) {
			ds, _ := dns.NewRR("mail.example. 3600 IN DS 1 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")
			m.rrs = append(m.rrs, ds)
			m.sign([]dns.RR{ds}, m.b.zsk, time.Time{}, time.Time{})
			m.bitmap("mail.example.", func(ts []uint16) []uint16 { return append(ts, dns.TypeDS) })
		}},
		{name: "DS with an unknown digest type", status: ZoneSecure, want: ReasonUnsupportedDigest, sev: SeverityWarning, apply: func(m *mzone) {
			m.get("sec.example.", dns.TypeDS)[0].(*dns.DS).DigestType = 200
			m.resign("sec.example.", dns.TypeDS, m.b.zsk, time.Time{}, time.Time{})
		}},
		{name: "CDS and CDNSKEY delete forms", status: ZoneSecure, apply: func(m *mzone) {
			m.remove(func(rr dns.RR) bool {
				t := rr.Header().Rrtype
				return t == dns.TypeCDS || t == dns.TypeCDNSKEY
			})
			cds, _ := dns.NewRR("example. 3600 IN CDS 0 0 0 00")
			cdk, _ := dns.NewRR("example. 3600 IN CDNSKEY 0 3 0 AA==")
			m.rrs = append(m.rrs, cds, cdk)
			m.resign(mOrigin, dns.TypeCDS, m.b.ksk, time.Time{}, time.Time{})
			m.resign(mOrigin, dns.TypeCDNSKEY, m.b.ksk, time.Time{}, time.Time{})
		}},
		{name: "CDS away from the apex", status: ZoneBogus, want: ReasonCDSMismatch, sev: SeverityError, apply: func(m *mzone) {
			cds := dns.Copy(m.get(mOrigin, dns.TypeCDS)[0])
			cds.Header().Name = "mail.example."
			m.rrs = append(m.rrs, cds)
			m.sign([]dns.RR{cds}, m.b.zsk, time.Time{}, time.Time{})
			m.bitmap("mail.example.", func(ts []uint16) []uint16 { return append(ts, dns.TypeCDS) })
		}},
		{name: "record outside the zone", status: ZoneSecure, want: ReasonOutOfZone, sev: SeverityWarning, apply: func(m *mzone) {
			a, _ := dns.NewRR("www.example.net. 300 IN A 192.0.2.1")
			m.rrs = append(m.rrs, a)
		}},
		{name: "two SOA records", status: ZoneBogus, want: ReasonNoSOA, sev: SeverityError, apply: func(m *mzone) {
			soa := dns.Copy(m.get(mOrigin, dns.TypeSOA)[0]).(*dns.SOA)
			soa.Serial++
			m.rrs = append(m.rrs, soa)
			m.resign(mOrigin, dns.TypeSOA, m.b.zsk, time.Time{}, time.Time{})
		}},
		{name: "RRSIG by another signer", status: ZoneBogus, want: ReasonSignerMismatch, sev: SeverityError, apply: func(m *mzone) {
			m.sigs("mail.example.", dns.TypeA)[0].SignerName = "net."
		}},
		{name: "RRSIG without its RRset", status: ZoneBogus, want: ReasonNoRRset, sev: SeverityError, apply: func(m *mzone) {
			sig := dns.Copy(m.sigs("mail.example.", dns.TypeA)[0]).(*dns.RRSIG)
			sig.TypeCovered = dns.TypeHINFO
			m.rrs = append(m.rrs, sig)
		}},
		{name: "RRSIG TTL differs", status: ZoneSecure, want: ReasonSigTTL, sev: SeverityWarning, apply: func(m *mzone) {
			m.sigs("mail.example.", dns.TypeA)[0].Hdr.Ttl = 60
		}},
		{name: "key with an unsupported algorithm", status: ZoneSecure, want: ReasonUnsupportedAlgorithm, sev: SeverityWarning, apply: func(m *mzone) {
			k, _ := dns.NewRR("example. 3600 IN DNSKEY 256 3 3 AQPJ////4Q==")
			m.rrs = append(m.rrs, k)
			m.resign(mOrigin, dns.TypeDNSKEY, m.b.ksk, time.Time{}, time.Time{})
		}},
		{name: "second ZSK algorithm signing nothing", status: ZoneBogus, want: ReasonMissingSignature, sev: SeverityError, apply: func(m *mzone) {
			// An Ed25519 key in the DNSKEY RRset: every RRset now
			// lacks an Ed25519 signature (RFC 4035 §2.2).
			k, _ := dns.NewRR("example. 3600 IN DNSKEY 256 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")
			m.rrs = append(m.rrs, k)
			m.resign(mOrigin, dns.TypeDNSKEY, m.b.ksk, time.Time{}, time.Time{})
		}},
		{name: "revoked key", status: ZoneSecure, apply: func(m *mzone) {
			// A revoked extra KSK that self-signs, as in an RFC 5011
			// rollover: not required, not an error.
			k := newTestKey(m.t, mOrigin, signer.FlagsKSK|0x80)
			m.rrs = append(m.rrs, k.dnskey())
			m.resign(mOrigin, dns.TypeDNSKEY, m.b.ksk, time.Time{}, time.Time{})
		}},
		{name: "NSEC in an NSEC3 zone", nsec3: true, status: ZoneBogus, want: ReasonUnexpectedDenial, sev: SeverityError, apply: func(m *mzone) {
			n, _ := dns.NewRR("mail.example. 300 IN NSEC www.example. A AAAA RRSIG NSEC")
			m.rrs = append(m.rrs, n)
			m.sign([]dns.RR{n}, m.b.zsk, time.Time{}, time.Time{})
		}},
		{name: "NSEC3PARAM missing", nsec3: true, status: ZoneBogus, want: ReasonNSEC3Params, sev: SeverityError, apply: func(m *mzone) {
			m.bitmap(mOrigin, func(ts []uint16) []uint16 {
				var out []uint16
				for _, t := range ts {
					if t != dns.TypeNSEC3PARAM {
						out = append(out, t)
					}
				}
				return out
			})
			m.dropSigs(mOrigin, dns.TypeNSEC3PARAM)
			m.remove(func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeNSEC3PARAM })
		}},
		{name: "NSEC3 owner not a hash", nsec3: true, status: ZoneBogus, want: ReasonNSEC3Hash, sev: SeverityError, apply: func(m *mzone) {
			owner, _ := m.denialOwner("mail.example.")
			n := dns.Copy(m.get(owner, dns.TypeNSEC3)[0])
			n.Header().Name = "not-a-hash.example."
			m.rrs = append(m.rrs, n)
			m.sign([]dns.RR{n}, m.b.zsk, time.Time{}, time.Time{})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bases[tc.nsec3]
			m := &mzone{t: t, b: &b}
			for _, rr := range b.rrs {
				m.rrs = append(m.rrs, dns.Copy(rr))
			}
			tc.apply(m)
			res, err := ZoneReader(context.Background(), bytes.NewReader(m.text()), ZoneOptions{})
			require.NoError(t, err)
			requireStreamSame(t, zoneOf(t, m.text()), ZoneOptions{Origin: mOrigin})
			var lines []string
			for _, f := range res.Findings {
				lines = append(lines, f.String())
			}
			require.Equal(t, tc.status, res.Status, strings.Join(lines, "\n"))
			if tc.want == ReasonNone {
				require.Zero(t, res.Errors, strings.Join(lines, "\n"))
				return
			}
			found := false
			for _, f := range res.Findings {
				if f.Reason == tc.want && f.Severity == tc.sev {
					found = true
				}
			}
			require.True(t, found, "want %s %s among\n%s", tc.sev, tc.want.Code(), strings.Join(lines, "\n"))
		})
	}
}

func TestZoneDNAMEAndOptOut(t *testing.T) {
	// Data below a DNAME is occluded: not signed, not in the chain. An
	// opt-out chain may leave out insecure delegations but not secure
	// ones.
	text := zoneText + "dn DNAME example.net.\nx.dn A 192.0.2.99\n"
	keys := newZoneKeys(t, "example.")
	for _, p := range []*zonesign.NSEC3Params{nil, {OptOut: true}} {
		signed := signTestZone(t, text, keys, p)
		res, err := ZoneReader(context.Background(), bytes.NewReader(signed), ZoneOptions{Now: t0})
		require.NoError(t, err)
		requireSecure(t, res)
	}
	signed := zoneOf(t, signTestZone(t, text, keys, &zonesign.NSEC3Params{OptOut: true}))
	// Drop the NSEC3 of the secure delegation sec.example.
	var p *dns.NSEC3PARAM
	for _, rr := range signed {
		if x, ok := rr.(*dns.NSEC3PARAM); ok {
			p = x
		}
	}
	require.NotNil(t, p)
	owner := strings.ToLower(dns.HashName("sec.example.", p.Hash, p.Iterations, p.Salt)) + ".example."
	var out []dns.RR
	for _, rr := range signed {
		if strings.EqualFold(rr.Header().Name, owner) {
			continue
		}
		out = append(out, rr)
	}
	res, err := Zone(context.Background(), out, ZoneOptions{Now: t0})
	require.NoError(t, err)
	require.Equal(t, ZoneBogus, res.Status)
	require.True(t, res.Has(ReasonNSEC3Missing))
}
