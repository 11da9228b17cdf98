package validate

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// testKey is a local P-256 key usable to sign arbitrary RRSIG fields.
type testKey struct {
	priv *ecdsa.PrivateKey
	s    signer.DigestSigner
	key  *signer.Key
}

func newTestKey(t testing.TB, owner string, flags uint16) *testKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := signer.FromCryptoSigner(priv, owner, flags)
	require.NoError(t, err)
	k, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	return &testKey{priv: priv, s: s, key: k}
}

// dnskey returns a private copy of the key's DNSKEY.
func (k *testKey) dnskey() *dns.DNSKEY { return dns.Copy(k.key.DNSKEY()).(*dns.DNSKEY) }

var (
	t0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inception = t0.Add(-time.Hour)
	expires   = t0.Add(30 * 24 * time.Hour)
)

// sign signs rrset with k through signer.Sign.
func (k *testKey) sign(t testing.TB, rrset []dns.RR) *dns.RRSIG {
	t.Helper()
	sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{k.key}, signer.SignOptions{Inception: inception, Expiration: expires})
	require.NoError(t, err)
	require.Len(t, sigs, 1)
	return sigs[0]
}

// signRaw fills in sig.Signature with a real signature by k over the
// signed data for whatever fields sig has, so that tests can make
// RRSIGs that signer.Sign would refuse to make.
func (k *testKey) signRaw(t testing.TB, sig *dns.RRSIG, rrset []dns.RR) *dns.RRSIG {
	t.Helper()
	data, err := signer.SignedData(nil, sig, rrset)
	require.NoError(t, err)
	raw, err := k.s.Sign(context.Background(), data)
	require.NoError(t, err)
	sig.Signature = base64.StdEncoding.EncodeToString(raw)
	return sig
}

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	require.NoError(t, err, s)
	require.NotNil(t, rr, s)
	return rr
}

func mustRRs(t testing.TB, ss ...string) []dns.RR {
	t.Helper()
	out := make([]dns.RR, len(ss))
	for i, s := range ss {
		out[i] = mustRR(t, s)
	}
	return out
}

func copySig(s *dns.RRSIG) *dns.RRSIG { return dns.Copy(s).(*dns.RRSIG) }

func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// withKey returns a DNSKEY variant of k's key (changed by f) and an RRSIG
// over rrset made with k's private key whose key tag matches the variant.
func (k *testKey) withKey(t testing.TB, rrset []dns.RR, f func(*dns.DNSKEY)) (*dns.RRSIG, *dns.DNSKEY) {
	t.Helper()
	key := k.dnskey()
	f(key)
	sig := copySig(k.sign(t, rrset))
	sig.Algorithm = key.Algorithm
	if tag, err := keytag.Compute(key); err == nil {
		sig.KeyTag = tag
	}
	return k.signRaw(t, sig, rrset), key
}

func TestVerifyReasons(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsKSK)
	other := newTestKey(t, "example.", signer.FlagsKSK)
	rrset := mustRRs(t,
		"www.Example. 3600 IN A 192.0.2.1",
		"www.example. 3600 IN A 192.0.2.2",
		"WWW.example. 3600 IN A 192.0.2.3",
		"www.example. 3600 IN A 192.0.2.4",
	)
	good := k.sign(t, rrset)
	now := t0

	type tc struct {
		name  string
		sig   *dns.RRSIG
		rrset []dns.RR
		key   *dns.DNSKEY
		opts  VerifyOptions
		want  Reason
	}
	mod := func(f func(s *dns.RRSIG)) *dns.RRSIG { s := copySig(good); f(s); return s }
	modKey := func(f func(k *dns.DNSKEY)) *dns.DNSKEY { key := k.dnskey(); f(key); return key }
	modRRs := func(f func([]dns.RR)) []dns.RR { r := copyRRs(rrset); f(r); return r }

	tests := []tc{
		{name: "valid", sig: good, want: ReasonNone},
		{name: "valid at inception", sig: good, opts: VerifyOptions{Now: inception}, want: ReasonNone},
		{name: "valid at expiration", sig: good, opts: VerifyOptions{Now: expires}, want: ReasonNone},
		{name: "valid with lower TTLs (resolver view)", sig: good,
			rrset: modRRs(func(r []dns.RR) { r[0].Header().Ttl = 17; r[2].Header().Ttl = 5 }), want: ReasonNone},
		{name: "valid with higher TTL without CheckTTL", sig: good,
			rrset: modRRs(func(r []dns.RR) { r[1].Header().Ttl = 7200 }), want: ReasonNone},
		{name: "valid in another order with duplicates", sig: good,
			rrset: append(copyRRs(rrset[2:]), append(copyRRs(rrset[:2]), dns.Copy(rrset[0]))...), want: ReasonNone},
		{name: "malformed nil sig", sig: nil, want: ReasonMalformed},
		{name: "malformed empty rrset", sig: good, rrset: []dns.RR{}, want: ReasonMalformed},
		{name: "malformed nil key", sig: good, key: (*dns.DNSKEY)(nil), want: ReasonMalformed},
		{name: "malformed signature base64", sig: mod(func(s *dns.RRSIG) { s.Signature = "!!not base64" }), want: ReasonMalformed},
		{name: "malformed not an RRset", sig: good,
			rrset: append(copyRRs(rrset), mustRR(t, "www.example. 3600 IN AAAA 2001:db8::1")), want: ReasonMalformed},
		{name: "malformed signer name", sig: mod(func(s *dns.RRSIG) { s.SignerName = "bad..example." }), want: ReasonMalformed},
		{name: "malformed owner name", sig: mod(func(s *dns.RRSIG) { s.Hdr.Name = "www..example." }),
			rrset: modRRs(func(r []dns.RR) {
				for _, rr := range r {
					rr.Header().Name = "www..example."
				}
			}), want: ReasonMalformed},
		{name: "owner mismatch", sig: mod(func(s *dns.RRSIG) { s.Hdr.Name = "ftp.example." }), want: ReasonOwnerMismatch},
		{name: "class mismatch rrset", sig: mod(func(s *dns.RRSIG) { s.Hdr.Class = dns.ClassCHAOS }), want: ReasonClassMismatch},
		{name: "class mismatch key", sig: good, key: modKey(func(k *dns.DNSKEY) { k.Hdr.Class = dns.ClassCHAOS }), want: ReasonClassMismatch},
		{name: "type mismatch", sig: mod(func(s *dns.RRSIG) { s.TypeCovered = dns.TypeAAAA }), want: ReasonTypeMismatch},
		{name: "labels too many", sig: mod(func(s *dns.RRSIG) { s.Labels = 3 }), want: ReasonLabels},
		{name: "signer not ancestor", sig: mod(func(s *dns.RRSIG) { s.SignerName = "other." }), want: ReasonSignerNotAncestor},
		{name: "signer not the key owner", sig: good, key: modKey(func(k *dns.DNSKEY) { k.Hdr.Name = "www.example." }), want: ReasonSignerMismatch},
		{name: "algorithm mismatch", sig: good, key: modKey(func(k *dns.DNSKEY) { k.Algorithm = dns.ECDSAP384SHA384 }), want: ReasonAlgorithmMismatch},
		{name: "key tag mismatch", sig: mod(func(s *dns.RRSIG) { s.KeyTag++ }), want: ReasonKeyTagMismatch},
		{name: "key tag of another key", sig: good, key: other.dnskey(), want: ReasonKeyTagMismatch},
		{name: "bad signature other key same tag", sig: mod(func(s *dns.RRSIG) { s.KeyTag = other.key.KeyTag() }), key: other.dnskey(), want: ReasonBadSignature},
		{name: "sig length short", sig: mod(func(s *dns.RRSIG) {
			raw, _ := base64.StdEncoding.DecodeString(s.Signature)
			s.Signature = base64.StdEncoding.EncodeToString(raw[:63])
		}), want: ReasonSigLength},
		{name: "sig length long", sig: mod(func(s *dns.RRSIG) {
			raw, _ := base64.StdEncoding.DecodeString(s.Signature)
			s.Signature = base64.StdEncoding.EncodeToString(append(raw, 0))
		}), want: ReasonSigLength},
		{name: "not yet valid", sig: good, opts: VerifyOptions{Now: inception.Add(-time.Second)}, want: ReasonNotYetValid},
		{name: "expired", sig: good, opts: VerifyOptions{Now: expires.Add(time.Second)}, want: ReasonExpired},
		{name: "expired now zero means time.Now", sig: mod(func(s *dns.RRSIG) {
			s.Inception, s.Expiration = uint32(time.Now().Add(-2*time.Hour).Unix()), uint32(time.Now().Add(-time.Hour).Unix())
		}), opts: VerifyOptions{}, want: ReasonExpired},
		{name: "bad signature flipped bit", sig: mod(func(s *dns.RRSIG) {
			raw, _ := base64.StdEncoding.DecodeString(s.Signature)
			raw[40] ^= 1
			s.Signature = base64.StdEncoding.EncodeToString(raw)
		}), want: ReasonBadSignature},
		{name: "bad signature zero r", sig: mod(func(s *dns.RRSIG) {
			raw, _ := base64.StdEncoding.DecodeString(s.Signature)
			clear(raw[:32])
			s.Signature = base64.StdEncoding.EncodeToString(raw)
		}), want: ReasonBadSignature},
		{name: "bad signature changed rdata", sig: good,
			rrset: modRRs(func(r []dns.RR) { a := r[3].(*dns.A).A; a[len(a)-1] = 99 }), want: ReasonBadSignature},
		{name: "bad signature missing record", sig: good, rrset: copyRRs(rrset[:3]), want: ReasonBadSignature},
		{name: "bad signature changed orig ttl", sig: mod(func(s *dns.RRSIG) { s.OrigTtl = 60 }), want: ReasonBadSignature},
		{name: "bad signature changed expiration", sig: mod(func(s *dns.RRSIG) { s.Expiration++ }), want: ReasonBadSignature},
		{name: "ttl above orig ttl with CheckTTL", sig: good, opts: VerifyOptions{CheckTTL: true},
			rrset: modRRs(func(r []dns.RR) { r[1].Header().Ttl = 3601 }), want: ReasonTTL},
		{name: "ttl equal with CheckTTL", sig: good, opts: VerifyOptions{CheckTTL: true}, want: ReasonNone},
	}

	// Key variants whose key tag changes: the RRSIG is re-signed with the
	// matching tag so that only the property under test is wrong.
	variant := func(name string, want Reason, f func(*dns.DNSKEY)) {
		sig, key := k.withKey(t, rrset, f)
		tests = append(tests, tc{name: name, sig: sig, key: key, want: want})
	}
	variant("bad protocol", ReasonBadProtocol, func(k *dns.DNSKEY) { k.Protocol = 2 })
	variant("not a zone key", ReasonNotZoneKey, func(k *dns.DNSKEY) { k.Flags = signer.FlagSEP })
	variant("revoked", ReasonRevoked, func(k *dns.DNSKEY) { k.Flags |= signer.FlagRevoke })
	variant("unsupported algorithm Ed448", ReasonUnsupportedAlgorithm, func(k *dns.DNSKEY) { k.Algorithm = 16 })
	variant("unsupported algorithm DSA", ReasonUnsupportedAlgorithm, func(k *dns.DNSKEY) { k.Algorithm = dns.DSA })
	variant("bad key short", ReasonBadKey, func(k *dns.DNSKEY) {
		raw, _ := base64.StdEncoding.DecodeString(k.PublicKey)
		k.PublicKey = base64.StdEncoding.EncodeToString(raw[:63])
	})
	variant("bad key not on curve", ReasonBadKey, func(k *dns.DNSKEY) {
		raw, _ := base64.StdEncoding.DecodeString(k.PublicKey)
		raw[63] ^= 1
		k.PublicKey = base64.StdEncoding.EncodeToString(raw)
	})
	variant("bad key not base64", ReasonBadKey, func(k *dns.DNSKEY) { k.PublicKey = "%%%" })

	var v Verifier
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rrs := tt.rrset
			if rrs == nil {
				rrs = rrset
			}
			key := tt.key
			if key == nil && tt.name != "malformed nil key" {
				key = k.dnskey()
			}
			opts := tt.opts
			if opts.Now.IsZero() && tt.name != "expired now zero means time.Now" {
				opts.Now = now
			}
			f := v.Verify(tt.sig, rrs, key, opts)
			if tt.want == ReasonNone {
				require.Nil(t, f, "%v", f)
			} else {
				require.NotNil(t, f)
				require.Equal(t, tt.want, f.Reason, "%v", f)
				require.NotEqual(t, "", f.String())
				if tt.sig != nil {
					require.Equal(t, tt.sig.Hdr.Name, f.Owner)
					require.Equal(t, tt.sig.KeyTag, f.KeyTag)
					require.Equal(t, tt.sig.TypeCovered, f.Type)
				}
			}
			// The pooled function agrees with the Verifier.
			g := VerifyRRSIG(tt.sig, rrs, key, opts)
			require.Equal(t, f == nil, g == nil)
			if f != nil {
				require.Equal(t, f.Reason, g.Reason)
			}
		})
	}
}

func TestReasonString(t *testing.T) {
	seen := map[string]Reason{}
	for r := ReasonNone; r <= ReasonUnsupportedDigest; r++ {
		s := r.String()
		require.NotEmpty(t, s)
		require.NotContains(t, s, "Reason(", "reason %d has no name", int(r))
		prev, dup := seen[s]
		require.False(t, dup, "%d and %d share the name %q", prev, r, s)
		seen[s] = r
	}
	require.Equal(t, "Reason(999)", Reason(999).String())
	require.Equal(t, "Reason(-1)", Reason(-1).String())
}

func TestSerialArithmetic(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsZSK)
	rrset := mustRRs(t, "example. 300 IN TXT \"wrap\"")
	sig := copySig(k.sign(t, rrset))
	// A window that spans the 2^32 wrap of the time fields (year 2106).
	sig.Inception = 0xFFFFFF00
	sig.Expiration = 0x00000100
	k.signRaw(t, sig, rrset)
	key := k.dnskey()

	const wrap = int64(1) << 32
	tests := []struct {
		name string
		now  int64
		want Reason
	}{
		{"at inception", 0xFFFFFF00, ReasonNone},
		{"before wrap", 0xFFFFFFF0, ReasonNone},
		{"at wrap", wrap, ReasonNone},
		{"after wrap", wrap + 0x10, ReasonNone},
		{"at expiration", wrap + 0x100, ReasonNone},
		{"one second late", wrap + 0x101, ReasonExpired},
		{"long after", wrap + 0x7000_0000, ReasonExpired},
		{"one second early", 0xFFFFFEFF, ReasonNotYetValid},
		{"long before", 0xFFFFFF00 - 0x7000_0000, ReasonNotYetValid},
		// 2^32 seconds later the serial numbers repeat: RFC 1982 can
		// only compare times within 68 years of each other.
		{"one cycle later", 2*wrap + 0x10, ReasonNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := VerifyRRSIG(sig, rrset, key, VerifyOptions{Now: time.Unix(tt.now, 0)})
			if tt.want == ReasonNone {
				require.Nil(t, f, "%v", f)
				return
			}
			require.NotNil(t, f)
			require.Equal(t, tt.want, f.Reason, "%v", f)
		})
	}

	t.Run("signer.Sign across the wrap", func(t *testing.T) {
		sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{k.key}, signer.SignOptions{
			Inception: time.Unix(wrap-3600, 0), Expiration: time.Unix(wrap+3600, 0),
		})
		require.NoError(t, err)
		require.Nil(t, VerifyRRSIG(sigs[0], rrset, key, VerifyOptions{Now: time.Unix(wrap+60, 0)}))
		f := VerifyRRSIG(sigs[0], rrset, key, VerifyOptions{Now: time.Unix(wrap+3601, 0)})
		require.NotNil(t, f)
		require.Equal(t, ReasonExpired, f.Reason)
	})
}

func TestWildcard(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsZSK)
	key := k.dnskey()
	opts := VerifyOptions{Now: t0}

	wild := mustRRs(t, "*.Example. 300 IN MX 10 Mail.Example.", "*.example. 300 IN MX 20 mx2.example.")
	wsig := k.sign(t, wild)
	require.Equal(t, uint8(1), wsig.Labels)
	require.Nil(t, VerifyRRSIG(wsig, wild, key, opts), "the wildcard RRset itself")

	expand := func(owner string) ([]dns.RR, *dns.RRSIG) {
		rrs := copyRRs(wild)
		for _, rr := range rrs {
			rr.Header().Name = owner
		}
		s := copySig(wsig)
		s.Hdr.Name = owner
		return rrs, s
	}
	for _, owner := range []string{"a.example.", "A.b.C.example.", "*.b.example.", "\\*.example.", "*foo.example."} {
		t.Run("expansion "+owner, func(t *testing.T) {
			rrs, s := expand(owner)
			require.Nil(t, VerifyRRSIG(s, rrs, key, opts))
		})
	}
	t.Run("expansion outside the wildcard's zone", func(t *testing.T) {
		rrs, s := expand("a.example.org.")
		f := VerifyRRSIG(s, rrs, key, opts)
		require.NotNil(t, f)
		require.Equal(t, ReasonSignerNotAncestor, f.Reason)
	})
	t.Run("expansion with wrong labels", func(t *testing.T) {
		rrs, s := expand("a.b.example.")
		s.Labels = 2 // claims *.b.example. was the source
		f := VerifyRRSIG(s, rrs, key, opts)
		require.NotNil(t, f)
		require.Equal(t, ReasonBadSignature, f.Reason)
	})

	t.Run("*foo is not a wildcard", func(t *testing.T) {
		rrs := mustRRs(t, "*foo.example. 300 IN TXT \"star\"")
		s := k.sign(t, rrs)
		require.Equal(t, uint8(2), s.Labels)
		require.Nil(t, VerifyRRSIG(s, rrs, key, opts))
		// Its signature does not cover other names.
		for _, owner := range []string{"xfoo.example.", "a.foo.example.", "bar.example."} {
			other := copyRRs(rrs)
			other[0].Header().Name = owner
			s2 := copySig(s)
			s2.Hdr.Name = owner
			f := VerifyRRSIG(s2, other, key, opts)
			require.NotNil(t, f, owner)
			require.Equal(t, ReasonBadSignature, f.Reason, owner)
		}
	})

	t.Run("labels 0 covers everything under the root", func(t *testing.T) {
		root := newTestKey(t, ".", signer.FlagsZSK)
		rrs := mustRRs(t, "*. 300 IN TXT \"root wildcard\"")
		s := root.sign(t, rrs)
		require.Equal(t, uint8(0), s.Labels)
		exp := copyRRs(rrs)
		exp[0].Header().Name = "x.y."
		s2 := copySig(s)
		s2.Hdr.Name = "x.y."
		require.Nil(t, VerifyRRSIG(s2, exp, root.dnskey(), opts))
	})
}

func TestSignerAncestor(t *testing.T) {
	tim := newTestKey(t, "tim.", signer.FlagsZSK)
	opts := VerifyOptions{Now: t0}
	tests := []struct {
		owner string
		want  Reason
	}{
		{"tim.", ReasonNone},
		{"www.tim.", ReasonNone},
		{"a.b.TIM.", ReasonNone},
		{"victim.", ReasonSignerNotAncestor},
		{"www.victim.", ReasonSignerNotAncestor},
		{"timothy.", ReasonSignerNotAncestor},
		{"tim.victim.", ReasonSignerNotAncestor},
		{"x\\.tim.", ReasonSignerNotAncestor}, // one label "x.tim"
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			rrs := mustRRs(t, tt.owner+" 300 IN A 192.0.2.7")
			labels, err := canonical.Labels(tt.owner)
			require.NoError(t, err)
			sig := &dns.RRSIG{
				Hdr:         dns.RR_Header{Name: tt.owner, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 300},
				TypeCovered: dns.TypeA, Algorithm: dns.ECDSAP256SHA256, Labels: labels, OrigTtl: 300,
				Expiration: uint32(expires.Unix()), Inception: uint32(inception.Unix()),
				KeyTag: tim.key.KeyTag(), SignerName: "tim.",
			}
			// A cryptographically valid signature: only the name
			// relation decides.
			tim.signRaw(t, sig, rrs)
			f := VerifyRRSIG(sig, rrs, tim.dnskey(), opts)
			if tt.want == ReasonNone {
				require.Nil(t, f, "%v", f)
				return
			}
			require.NotNil(t, f)
			require.Equal(t, tt.want, f.Reason)
		})
	}
}

func TestNameCaseAndEscapes(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsZSK)
	rrs := mustRRs(t, "abc.example. 300 IN CNAME Target.Example.")
	sig := k.sign(t, rrs)
	key := k.dnskey()
	opts := VerifyOptions{Now: t0}
	for _, owner := range []string{"ABC.EXAMPLE.", "\\065bc.example.", "a\\066c.Example."} {
		t.Run(owner, func(t *testing.T) {
			r := copyRRs(rrs)
			r[0].Header().Name = owner
			r[0].(*dns.CNAME).Target = "\\084arget.example."
			require.Nil(t, VerifyRRSIG(sig, r, key, opts))
			s := copySig(sig)
			s.Hdr.Name = owner
			s.SignerName = "\\069xample."
			key2 := k.dnskey()
			key2.Hdr.Name = "EXAMPLE."
			require.Nil(t, VerifyRRSIG(s, r, key2, opts))
		})
	}
}

func TestFindingString(t *testing.T) {
	f := &Finding{Owner: "www.example.", Type: dns.TypeA, KeyTag: 12345, Algorithm: 13, SignerName: "example.", Reason: ReasonExpired, Detail: "x"}
	require.Equal(t, "www.example. A RRSIG 13 12345 example.: signature expired (x)", f.String())
	var nilF *Finding
	require.Equal(t, "valid", nilF.String())
}

func TestVerifierKeyCacheBound(t *testing.T) {
	var v Verifier
	k := newTestKey(t, "example.", signer.FlagsZSK)
	base := k.dnskey()
	for i := range maxCachedKeys + 10 {
		key := dns.Copy(base).(*dns.DNSKEY)
		key.Flags = uint16(i)
		v.parse(key)
		require.LessOrEqual(t, len(v.keys), maxCachedKeys)
	}
}

func TestVerifyAllocs(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsZSK)
	opts := VerifyOptions{Now: t0}
	for _, tc := range []struct {
		name  string
		rrset []dns.RR
		owner string
	}{
		{"4 RRs", mustRRs(t, "www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.2",
			"www.example. 300 IN A 192.0.2.3", "www.example. 300 IN A 192.0.2.4"), ""},
		{"names in RDATA", mustRRs(t, "Example. 300 IN MX 10 MX1.Example.", "example. 300 IN MX 20 mx2.example."), ""},
		{"wildcard expansion", mustRRs(t, "*.example. 300 IN TXT \"a\"", "*.example. 300 IN TXT \"b\""), "x.y.example."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := k.sign(t, tc.rrset)
			rrset := tc.rrset
			if tc.owner != "" {
				rrset = copyRRs(rrset)
				for _, rr := range rrset {
					rr.Header().Name = tc.owner
				}
				sig = copySig(sig)
				sig.Hdr.Name = tc.owner
			}
			key := k.dnskey()
			var v Verifier
			require.Nil(t, v.Verify(sig, rrset, key, opts))
			// Everything but the signature check itself (whose
			// allocations are crypto/ecdsa's) allocates nothing
			// once the buffers and the key cache are warm.
			n := testing.AllocsPerRun(50, func() {
				if _, f := v.prepare(sig, rrset, key, opts); f != nil {
					t.Fatal(f)
				}
			})
			require.Zero(t, n)
		})
	}
}

func TestVerifierPrecomputedTable(t *testing.T) {
	var v Verifier
	opts := VerifyOptions{Now: t0}
	type signed struct {
		k     *testKey
		rrset []dns.RR
		good  *dns.RRSIG
		bad   *dns.RRSIG
	}
	var all []signed
	for i := range maxTables + 4 {
		k := newTestKey(t, "example.", signer.FlagsZSK)
		rrset := mustRRs(t, fmt.Sprintf("k%d.example. 300 IN A 192.0.2.%d", i, i))
		good := k.sign(t, rrset)
		bad := copySig(good)
		raw, err := base64.StdEncoding.DecodeString(bad.Signature)
		require.NoError(t, err)
		raw[63] ^= 0x10
		bad.Signature = base64.StdEncoding.EncodeToString(raw)
		all = append(all, signed{k, rrset, good, bad})
	}
	// Before, at and after the switch to the table, answers agree.
	for round := range precomputeAfter + 3 {
		for i, s := range all {
			key := s.k.dnskey()
			require.Nil(t, v.Verify(s.good, s.rrset, key, opts), "round %d key %d", round, i)
			f := v.Verify(s.bad, s.rrset, key, opts)
			require.NotNil(t, f, "round %d key %d", round, i)
			require.Equal(t, ReasonBadSignature, f.Reason)
		}
	}
	require.Equal(t, maxTables, v.tables)
	n := 0
	for _, pk := range v.keys {
		if pk.fast != nil {
			n++
		}
	}
	require.Equal(t, maxTables, n)
}
