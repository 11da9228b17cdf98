package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

func benchRRsets(b *testing.B) map[string][]dns.RR {
	return map[string][]dns.RR{
		"1A": mustRRs(b, "www.Example.net. 300 IN A 192.0.2.1"),
		"4MX": mustRRs(b,
			"Example.net. 300 IN MX 40 Mail4.Example.net.", "Example.net. 300 IN MX 30 Mail3.Example.net.",
			"Example.net. 300 IN MX 20 Mail2.Example.net.", "Example.net. 300 IN MX 10 Mail.Example.net."),
	}
}

// BenchmarkSign signs one RRset with one P-256 key: signer.Sign (dnsseal)
// against miekg/dns's RRSIG.Sign (miekg) with the same *ecdsa.PrivateKey.
// BenchmarkECDSA is the cost of the signature alone, and the no-ecdsa
// variants the cost of everything else.
func BenchmarkSign(b *testing.B) {
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b64(b, rfc6605P256))
	if err != nil {
		b.Fatal(err)
	}
	s, err := signer.FromCryptoSigner(priv, "example.net.", signer.FlagsZSK)
	if err != nil {
		b.Fatal(err)
	}
	key, err := signer.NewKey(s, 0)
	if err != nil {
		b.Fatal(err)
	}
	keys := []*signer.Key{key}
	ctx := context.Background()

	// The same key, but its "signature" is a DER signature made once: the
	// no-ecdsa variants measure everything but the ECDSA operation (the
	// SHA-256, DER parsing, canonical form, RRSIG building, base64).
	h := sha256.Sum256([]byte("x"))
	der, err := ecdsa.SignASN1(rand.Reader, priv, h[:])
	if err != nil {
		b.Fatal(err)
	}
	fixed := fixedDER{priv, der}
	fs, err := signer.FromCryptoSigner(fixed, "example.net.", signer.FlagsZSK)
	if err != nil {
		b.Fatal(err)
	}
	fkey, err := signer.NewKey(fs, 0)
	if err != nil {
		b.Fatal(err)
	}
	fixedKeys := []*signer.Key{fkey}

	// The same key signing deterministically (RFC 6979), as a backend may
	// choose to: no system randomness, and 15 % cheaper than SignASN1.
	ds, err := signer.FromCryptoSigner(rfc6979{priv}, "example.net.", signer.FlagsZSK)
	if err != nil {
		b.Fatal(err)
	}
	dkey, err := signer.NewKey(ds, 0)
	if err != nil {
		b.Fatal(err)
	}
	detKeys := []*signer.Key{dkey}
	for name, rrset := range benchRRsets(b) {
		b.Run(name+"/dnsseal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signer.Sign(ctx, rrset, keys, validity); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/dnsseal-rfc6979", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signer.Sign(ctx, rrset, detKeys, validity); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/dnsseal-no-ecdsa", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signer.Sign(ctx, rrset, fixedKeys, validity); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/miekg-no-ecdsa", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sig := &dns.RRSIG{
					Algorithm: dns.ECDSAP256SHA256, KeyTag: key.KeyTag(), SignerName: "example.net.",
					Inception: uint32(inception.Unix()), Expiration: uint32(expiration.Unix()),
				}
				if err := sig.Sign(fixed, rrset); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/miekg", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sig := &dns.RRSIG{
					Algorithm: dns.ECDSAP256SHA256, KeyTag: key.KeyTag(), SignerName: "example.net.",
					Inception: uint32(inception.Unix()), Expiration: uint32(expiration.Unix()),
				}
				if err := sig.Sign(priv, rrset); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fixedDER is a crypto.Signer that returns the same DER signature every
// time.
type fixedDER struct {
	priv *ecdsa.PrivateKey
	der  []byte
}

func (f fixedDER) Public() crypto.PublicKey { return f.priv.Public() }
func (f fixedDER) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return bytes.Clone(f.der), nil
}

// rfc6979 is an ECDSA crypto.Signer that signs deterministically.
type rfc6979 struct{ *ecdsa.PrivateKey }

func (d rfc6979) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.PrivateKey.Sign(nil, digest, opts)
}

// BenchmarkECDSA is ecdsa.SignASN1 over a SHA-256 digest, the part of
// BenchmarkSign that no DNS code can speed up.
func BenchmarkECDSA(b *testing.B) {
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b64(b, rfc6605P256))
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.Sum256([]byte("signed data"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, priv, h[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyTag compares keytag.Compute, which signer.NewKey uses, with
// miekg's DNSKEY.KeyTag.
func BenchmarkKeyTag(b *testing.B) {
	k := mustRR(b, "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==").(*dns.DNSKEY)
	b.Run("dnsseal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if tag, err := keytag.Compute(k); err != nil || tag != 55648 {
				b.Fatal(tag, err)
			}
		}
	})
	b.Run("miekg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if tag := k.KeyTag(); tag != 55648 {
				b.Fatal(tag)
			}
		}
	})
}
