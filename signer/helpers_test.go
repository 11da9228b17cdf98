package signer_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// Private keys of RFC 6605 §6.1 (P-256, key tag 55648 as a KSK of
// example.net.), RFC 6605 §6.2 (P-384, 10771) and RFC 8080 §6.1 (Ed25519
// seeds, 3613 and 35217 as KSKs of example.com.).
const (
	rfc6605P256 = "GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ="
	rfc6605P384 = "WURgWHCcYIYUPWgeLmiPY2DJJk02vgrmTfitxgqcL4vwW7BOrbawVmVe0d9V94SR"
	rfc8080Ed1  = "ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI="
	rfc8080Ed2  = "DSSF3o0s0f+ElWzj9E/Osxw8hLpk55chkmx0LYN5WiY="
)

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func ecKey(t testing.TB, curve elliptic.Curve, priv string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.ParseRawPrivateKey(curve, b64(t, priv))
	require.NoError(t, err)
	return k
}

func edKey(t testing.TB, seed string) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(b64(t, seed))
}

func newCryptoKey(t testing.TB, alg uint8) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch alg {
	case dns.ECDSAP256SHA256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case dns.ECDSAP384SHA384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case dns.ED25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key for algorithm %d", alg)
	}
	require.NoError(t, err)
	return k
}

// newKey makes a Key for zone with a fresh private key.
func newKey(t testing.TB, alg uint8, zone string, flags uint16) *signer.Key {
	t.Helper()
	s, err := signer.FromCryptoSigner(newCryptoKey(t, alg), zone, flags)
	require.NoError(t, err)
	k, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	return k
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
	var rrs []dns.RR
	for _, s := range ss {
		rrs = append(rrs, mustRR(t, s))
	}
	return rrs
}

// verifyRRSIG checks sig over rrset with k via signer.NewVerifier and
// signer.SignedData.
func verifyRRSIG(t testing.TB, k *dns.DNSKEY, sig *dns.RRSIG, rrset []dns.RR) error {
	t.Helper()
	v, err := signer.NewVerifier(k)
	require.NoError(t, err)
	data, err := signer.SignedData(nil, sig, rrset)
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil {
		return err
	}
	return v.Verify(data, raw)
}

// fakeSigner is a Signer with a DNSKEY chosen by the test, whose Sign
// returns sig and err.
type fakeSigner struct {
	alg uint8
	key *dns.DNSKEY
	sig []byte
	err error
}

func (f *fakeSigner) Algorithm() uint8    { return f.alg }
func (f *fakeSigner) DNSKEY() *dns.DNSKEY { return f.key }
func (f *fakeSigner) Sign(context.Context, []byte) ([]byte, error) {
	return f.sig, f.err
}

// signerOnly hides every method but those of signer.Signer (in
// particular SignDigest).
type signerOnly struct{ s signer.Signer }

func (o signerOnly) Algorithm() uint8    { return o.s.Algorithm() }
func (o signerOnly) DNSKEY() *dns.DNSKEY { return o.s.DNSKEY() }
func (o signerOnly) Sign(ctx context.Context, data []byte) ([]byte, error) {
	return o.s.Sign(ctx, data)
}
