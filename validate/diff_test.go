package validate

import (
	"context"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// The differential test checks this package against miekg/dns v1.1.73 on
// random RRsets, in both directions: RRSIGs made by miekg's RRSIG.Sign
// verify here, and RRSIGs made by signer.Sign verify with miekg's
// RRSIG.Verify. The generator stays clear of miekg's known bugs:
//
//   - miekg lower-cases names as presentation strings (strings.ToLower),
//     so an escaped letter such as \065 keeps its case in its canonical
//     form: no escapes are generated.
//   - RRSIG.Sign treats any owner starting with '*' as a wildcard
//     (strings.HasPrefix), so "*foo.example." would get one label too few:
//     wildcards here are only whole "*" labels.
//   - IsRRset compares owner names case-sensitively, so one RRset uses
//     one spelling of its owner (names still mix case).
//   - RRSIG.Verify checks that the signer is an ancestor of the owner with
//     strings.HasSuffix ("tim." would sign "victim."), never checks the
//     validity window, and RRSIG.Sign takes Original TTL from the first
//     record only: the generator uses proper signer names and one TTL.
//   - DNSKEY.KeyTag does not implement RFC 4034 B.1 for algorithm 1
//     (not exercised: P-256 keys only).

const diffRRsets = 2000

var diffTypes = []uint16{
	dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypeNS, dns.TypeCNAME, dns.TypeTXT,
	dns.TypeSRV, dns.TypeSOA, dns.TypePTR, dns.TypeNAPTR, dns.TypeDNAME,
}

type rrGen struct{ r *rand.Rand }

func (g rrGen) label() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
	n := 1 + g.r.IntN(12)
	var b strings.Builder
	for range n {
		b.WriteByte(chars[g.r.IntN(len(chars))])
	}
	return b.String()
}

// name returns a mixed-case name under suffix.
func (g rrGen) name(suffix string) string {
	var b strings.Builder
	for range g.r.IntN(4) {
		b.WriteString(g.label())
		b.WriteByte('.')
	}
	b.WriteString(suffix)
	return b.String()
}

// mixCase returns s with randomly upper-cased letters.
func (g rrGen) mixCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' && g.r.IntN(2) == 0 {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (g rrGen) text() string {
	const chars = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=+-.,:;!?"
	n := g.r.IntN(40)
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[g.r.IntN(len(chars))]
	}
	return string(b)
}

func (g rrGen) rr(owner string, typ uint16, ttl uint32) dns.RR {
	h := dns.RR_Header{Name: owner, Rrtype: typ, Class: dns.ClassINET, Ttl: ttl}
	target := func() string {
		if g.r.IntN(3) == 0 {
			return g.name("Example.")
		}
		return g.name(g.mixCase("elsewhere.test."))
	}
	switch typ {
	case dns.TypeA:
		ip := make(net.IP, 4)
		for i := range ip {
			ip[i] = byte(g.r.IntN(256))
		}
		return &dns.A{Hdr: h, A: ip}
	case dns.TypeAAAA:
		ip := make(net.IP, 16)
		for i := range ip {
			ip[i] = byte(g.r.IntN(256))
		}
		return &dns.AAAA{Hdr: h, AAAA: ip}
	case dns.TypeMX:
		return &dns.MX{Hdr: h, Preference: uint16(g.r.IntN(100)), Mx: target()}
	case dns.TypeNS:
		return &dns.NS{Hdr: h, Ns: target()}
	case dns.TypeCNAME:
		return &dns.CNAME{Hdr: h, Target: target()}
	case dns.TypeTXT:
		txt := make([]string, 1+g.r.IntN(3))
		for i := range txt {
			txt[i] = g.text()
		}
		return &dns.TXT{Hdr: h, Txt: txt}
	case dns.TypeSRV:
		return &dns.SRV{Hdr: h, Priority: uint16(g.r.IntN(10)), Weight: uint16(g.r.IntN(100)), Port: uint16(g.r.IntN(65536)), Target: target()}
	case dns.TypeSOA:
		return &dns.SOA{Hdr: h, Ns: target(), Mbox: target(), Serial: g.r.Uint32(), Refresh: 3600, Retry: 600, Expire: 86400, Minttl: uint32(g.r.IntN(3600))}
	case dns.TypePTR:
		return &dns.PTR{Hdr: h, Ptr: target()}
	case dns.TypeNAPTR:
		return &dns.NAPTR{Hdr: h, Order: uint16(g.r.IntN(100)), Preference: uint16(g.r.IntN(100)),
			Flags: g.mixCase("u"), Service: g.mixCase("e2u+sip"), Regexp: "!^.*$!sip:" + g.label() + "@example.com!", Replacement: target()}
	case dns.TypeDNAME:
		return &dns.DNAME{Hdr: h, Target: target()}
	}
	panic("unreachable")
}

// rrset returns a random RRset under "example." and whether its owner is
// a wildcard.
func (g rrGen) rrset() ([]dns.RR, bool) {
	owner := g.name(g.mixCase("example."))
	wild := g.r.IntN(5) == 0
	if wild {
		owner = "*." + owner
	}
	typ := diffTypes[g.r.IntN(len(diffTypes))]
	ttl := uint32(1 + g.r.IntN(86400))
	n := 1 + g.r.IntN(5)
	rrset := make([]dns.RR, n)
	for i := range rrset {
		rrset[i] = g.rr(owner, typ, ttl)
	}
	return rrset, wild
}

// expand returns copies of a wildcard RRset and its RRSIG as synthesised
// for a random name below the wildcard's parent.
func (g rrGen) expand(rrset []dns.RR, sig *dns.RRSIG) ([]dns.RR, *dns.RRSIG) {
	owner := g.label() + "." + strings.TrimPrefix(rrset[0].Header().Name, "*.")
	if g.r.IntN(2) == 0 {
		owner = g.label() + "." + owner
	}
	out := copyRRs(rrset)
	for _, rr := range out {
		rr.Header().Name = owner
	}
	s := copySig(sig)
	s.Hdr.Name = owner
	return out, s
}

func TestDifferentialMiekg(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsZSK)
	key := k.dnskey()
	g := rrGen{rand.New(rand.NewPCG(1, 2))}
	opts := VerifyOptions{Now: t0}
	var v Verifier
	for i := range diffRRsets {
		rrset, wild := g.rrset()

		// miekg signs, we verify.
		ms := &dns.RRSIG{
			Algorithm: dns.ECDSAP256SHA256, KeyTag: key.KeyTag(), SignerName: "example.",
			Inception: uint32(inception.Unix()), Expiration: uint32(expires.Unix()),
		}
		require.NoError(t, ms.Sign(k.priv, rrset), "set %d", i)
		if f := v.Verify(ms, rrset, key, opts); f != nil {
			t.Fatalf("set %d: miekg's RRSIG rejected: %v\n%v\n%v", i, f, rrset, ms)
		}

		// We sign, miekg verifies.
		sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{k.key}, signer.SignOptions{Inception: inception, Expiration: expires})
		require.NoError(t, err, "set %d", i)
		our := sigs[0]
		require.Equal(t, ms.Labels, our.Labels, "set %d: %s", i, rrset[0].Header().Name)
		if err := our.Verify(key, rrset); err != nil {
			t.Fatalf("set %d: our RRSIG rejected by miekg: %v\n%v\n%v", i, err, rrset, our)
		}
		require.Nil(t, v.Verify(our, rrset, key, opts), "set %d", i)

		// An extra record must fail with both (unless it repeats one).
		extra := g.rr(rrset[0].Header().Name, rrset[0].Header().Rrtype, rrset[0].Header().Ttl)
		if !slices.ContainsFunc(rrset, func(rr dns.RR) bool { return dns.IsDuplicate(rr, extra) }) {
			bad := append(copyRRs(rrset), extra)
			f := v.Verify(our, bad, key, opts)
			require.NotNil(t, f, "set %d", i)
			require.Equal(t, ReasonBadSignature, f.Reason, "set %d", i)
			require.Error(t, our.Verify(key, bad), "set %d", i)
		}

		if wild {
			exp, es := g.expand(rrset, ms)
			require.Nil(t, v.Verify(es, exp, key, opts), "set %d: expansion %s of miekg's wildcard", i, exp[0].Header().Name)
			exp, es = g.expand(rrset, our)
			require.NoError(t, es.Verify(key, exp), "set %d: expansion %s of our wildcard", i, exp[0].Header().Name)
		}
	}
}
