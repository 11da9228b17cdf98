package signer_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestFromCryptoSignerRFCKeys derives the DNSKEYs and key tags of the RFC
// example keys from their private keys.
func TestFromCryptoSignerRFCKeys(t *testing.T) {
	tests := []struct {
		name   string
		key    crypto.Signer
		owner  string
		alg    uint8
		pubkey string
		tag    uint16
	}{
		{"RFC 6605 6.1", ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", 13,
			"GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==", 55648},
		{"RFC 6605 6.2", ecKey(t, elliptic.P384(), rfc6605P384), "example.net.", 14,
			"xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40", 10771},
		{"RFC 8080 6.1 first", edKey(t, rfc8080Ed1), "example.com.", 15, "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613},
		{"RFC 8080 6.1 second", edKey(t, rfc8080Ed2), `\069xample.COM`, 15, "zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=", 35217},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signer.FromCryptoSigner(tt.key, tt.owner, signer.FlagsKSK)
			require.NoError(t, err)
			require.Equal(t, tt.alg, s.Algorithm())
			k := s.DNSKEY()
			want := "example.net."
			if tt.alg == 15 {
				want = "example.com."
			}
			require.Equal(t, want, k.Hdr.Name, "owner canonicalised")
			require.Equal(t, dns.TypeDNSKEY, k.Hdr.Rrtype)
			require.Equal(t, uint16(dns.ClassINET), k.Hdr.Class)
			require.Equal(t, uint16(257), k.Flags)
			require.Equal(t, uint8(3), k.Protocol)
			require.Equal(t, tt.alg, k.Algorithm)
			require.Equal(t, tt.pubkey, k.PublicKey)
			key, err := signer.NewKey(s, 0)
			require.NoError(t, err)
			require.Equal(t, tt.tag, key.KeyTag())
			pub, err := signer.PublicKey(k)
			require.NoError(t, err)
			require.True(t, tt.key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub))
		})
	}
}

func TestFromCryptoSignerRejects(t *testing.T) {
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	require.NoError(t, err)
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p256 := newCryptoKey(t, 13)
	tests := []struct {
		name  string
		cs    crypto.Signer
		owner string
	}{
		{"nil", nil, "example."},
		{"P-224", p224, "example."},
		{"P-521", p521, "example."},
		{"RSA", rk, "example."},
		{"bad owner", p256, "a..b."},
		{"empty owner", p256, ""},
		{"label too long", p256, string(make([]byte, 64)) + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := signer.FromCryptoSigner(tt.cs, tt.owner, signer.FlagsZSK)
			require.ErrorIs(t, err, signer.ErrBadKey)
			require.Nil(t, s)
		})
	}
}

func TestFromCryptoSignerDigest(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []uint8{13, 14} {
		s, err := signer.FromCryptoSigner(newCryptoKey(t, alg), "example.", signer.FlagsZSK)
		require.NoError(t, err)
		data := []byte("data")
		var d []byte
		if alg == 13 {
			h := sha256.Sum256(data)
			d = h[:]
		} else {
			h := sha512.Sum384(data)
			d = h[:]
		}
		sig, err := s.SignDigest(ctx, d)
		require.NoError(t, err)
		v, err := signer.NewVerifier(s.DNSKEY())
		require.NoError(t, err)
		require.NoError(t, v.Verify(data, sig))
		_, err = s.SignDigest(ctx, d[1:])
		require.Error(t, err)
	}
	ed, err := signer.FromCryptoSigner(newCryptoKey(t, 15), "example.", signer.FlagsZSK)
	require.NoError(t, err)
	_, err = ed.SignDigest(ctx, make([]byte, 32))
	require.Error(t, err)
}

// failingSigner is a crypto.Signer whose Sign fails.
type failingSigner struct{ crypto.Signer }

var errHSM = errors.New("hsm unplugged")

func (failingSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, errHSM
}

func TestFromCryptoSignerPropagatesErrors(t *testing.T) {
	for _, alg := range []uint8{13, 15} {
		s, err := signer.FromCryptoSigner(failingSigner{newCryptoKey(t, alg)}, "example.", signer.FlagsZSK)
		require.NoError(t, err)
		_, err = s.Sign(context.Background(), []byte("x"))
		require.ErrorIs(t, err, errHSM)
	}
}

func selfSigned(t *testing.T, cs crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dnssec key"},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, cs.Public(), cs)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

func TestToCryptoSigner(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []uint8{13, 14, 15} {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			orig := newCryptoKey(t, alg)
			s, err := signer.FromCryptoSigner(orig, "example.", signer.FlagsZSK)
			require.NoError(t, err)
			cs, err := signer.ToCryptoSigner(ctx, s)
			require.NoError(t, err)
			require.True(t, orig.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cs.Public()))

			// x509 signs with it and checks the signature.
			cert := selfSigned(t, cs)
			require.NoError(t, cert.CheckSignatureFrom(cert))

			msg := []byte("message")
			switch alg {
			case 13, 14:
				var d []byte
				var h crypto.Hash
				if alg == 13 {
					s := sha256.Sum256(msg)
					d, h = s[:], crypto.SHA256
				} else {
					s := sha512.Sum384(msg)
					d, h = s[:], crypto.SHA384
				}
				der, err := cs.Sign(rand.Reader, d, h)
				require.NoError(t, err)
				require.True(t, ecdsa.VerifyASN1(cs.Public().(*ecdsa.PublicKey), d, der))
				_, err = cs.Sign(rand.Reader, d, crypto.SHA512)
				require.Error(t, err, "wrong hash")
				_, err = cs.Sign(rand.Reader, d, nil)
				require.Error(t, err, "nil opts")
			case 15:
				sig, err := cs.Sign(rand.Reader, msg, crypto.Hash(0))
				require.NoError(t, err)
				require.True(t, ed25519.Verify(cs.Public().(ed25519.PublicKey), msg, sig))
				sig, err = cs.Sign(rand.Reader, msg, nil)
				require.NoError(t, err)
				require.True(t, ed25519.Verify(cs.Public().(ed25519.PublicKey), msg, sig))
				_, err = cs.Sign(rand.Reader, msg, crypto.SHA512)
				require.Error(t, err, "Ed25519ph is not offered")
				_, err = cs.Sign(rand.Reader, msg, &ed25519.Options{Context: "ctx"})
				require.Error(t, err, "Ed25519ctx is not offered")
				sig, err = cs.Sign(rand.Reader, msg, &ed25519.Options{})
				require.NoError(t, err)
				require.NoError(t, ed25519.VerifyWithOptions(cs.Public().(ed25519.PublicKey), msg, sig, &ed25519.Options{}))
			}
		})
	}
	t.Run("ECDSA without DigestSigner", func(t *testing.T) {
		s, err := signer.FromCryptoSigner(newCryptoKey(t, 13), "example.", signer.FlagsZSK)
		require.NoError(t, err)
		cs, err := signer.ToCryptoSigner(ctx, signerOnly{s})
		require.NoError(t, err)
		_, err = cs.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
		require.Error(t, err)
	})
	t.Run("context bounds every Sign", func(t *testing.T) {
		s, err := signer.FromCryptoSigner(newCryptoKey(t, 13), "example.", signer.FlagsZSK)
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		cs, err := signer.ToCryptoSigner(cctx, s)
		require.NoError(t, err)
		_, err = cs.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
		require.NoError(t, err)
		cancel()
		_, err = cs.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("nil Signer", func(t *testing.T) {
		_, err := signer.ToCryptoSigner(ctx, nil)
		require.ErrorIs(t, err, signer.ErrBadKey)
	})
	t.Run("undecodable DNSKEY", func(t *testing.T) {
		_, err := signer.ToCryptoSigner(ctx, &fakeSigner{alg: 13, key: &dns.DNSKEY{Algorithm: 13, PublicKey: "AAAA"}})
		require.ErrorIs(t, err, dnscrypto.ErrBadPublicKey)
	})
}

func TestPublicKeyAndVerifier(t *testing.T) {
	_, err := signer.PublicKey(nil)
	require.ErrorIs(t, err, signer.ErrBadKey)
	_, err = signer.NewVerifier(&dns.DNSKEY{Algorithm: 13, PublicKey: "not base64!"})
	require.ErrorIs(t, err, signer.ErrBadKey)
	_, err = signer.NewVerifier(&dns.DNSKEY{Algorithm: 16, PublicKey: "AAAA"})
	require.ErrorIs(t, err, dnscrypto.ErrUnsupported)

	s, err := signer.FromCryptoSigner(newCryptoKey(t, 13), "example.", signer.FlagsZSK)
	require.NoError(t, err)
	v, err := signer.NewVerifier(s.DNSKEY())
	require.NoError(t, err)
	sig, err := s.Sign(context.Background(), []byte("x"))
	require.NoError(t, err)
	require.NoError(t, v.Verify([]byte("x"), sig))
	require.ErrorIs(t, v.Verify([]byte("y"), sig), dnscrypto.ErrVerify)
	require.ErrorIs(t, v.Verify([]byte("x"), sig[:63]), dnscrypto.ErrBadSigLength)
}

// TestCryptoSignerRoundTrip wraps a Signer as a crypto.Signer and back:
// the DNSKEY is unchanged and the result passes the RRSIG path.
func TestCryptoSignerRoundTrip(t *testing.T) {
	for _, alg := range []uint8{13, 14, 15} {
		t.Run(dns.AlgorithmToString[alg], func(t *testing.T) {
			s, err := signer.FromCryptoSigner(newCryptoKey(t, alg), "example.org.", signer.FlagsKSK)
			require.NoError(t, err)
			cs, err := signer.ToCryptoSigner(context.Background(), s)
			require.NoError(t, err)
			back, err := signer.FromCryptoSigner(cs, "example.org.", signer.FlagsKSK)
			require.NoError(t, err)
			require.Equal(t, s.DNSKEY().String(), back.DNSKEY().String())
			key, err := signer.NewKey(back, 0)
			require.NoError(t, err)
			rrs := mustRRs(t, "example.org. 300 IN TXT \"round trip\"")
			sigs, err := signer.Sign(context.Background(), rrs, []*signer.Key{key}, validity)
			require.NoError(t, err)
			require.NoError(t, verifyRRSIG(t, s.DNSKEY(), sigs[0], rrs))
			require.NoError(t, sigs[0].Verify(s.DNSKEY(), rrs), "miekg accepts it")
		})
	}
}
