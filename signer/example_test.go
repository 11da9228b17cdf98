package signer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// The private key of RFC 6605 §6.1 becomes the RFC's DNSKEY, with its key
// tag 55648.
func ExampleFromCryptoSigner() {
	d, _ := base64.StdEncoding.DecodeString("GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=")
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := signer.FromCryptoSigner(priv, "Example.NET.", signer.FlagsKSK)
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := signer.NewKey(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	k := key.DNSKEY()
	fmt.Println(k.Hdr.Name, k.Flags, k.Protocol, k.Algorithm)
	fmt.Println(k.PublicKey)
	fmt.Println(key.KeyTag(), key.Role(), key.SignerName())
	// Output:
	// example.net. 257 3 13
	// GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==
	// 55648 KSK example.net.
}

// Ed25519 signatures are deterministic: signing the RFC 8080 §6.1 MX
// RRset with the RFC's first key reproduces its signature (as corrected by
// erratum 4935, Labels 2).
func ExampleSign() {
	seed, _ := base64.StdEncoding.DecodeString("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=")
	s, err := signer.FromCryptoSigner(ed25519.NewKeyFromSeed(seed), "example.com.", signer.FlagsKSK)
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := signer.NewKey(s, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	mx, _ := dns.NewRR("example.com. 3600 IN MX 10 mail.example.com.")
	sigs, err := signer.Sign(context.Background(), []dns.RR{mx}, []*signer.Key{key}, signer.SignOptions{
		Inception:  time.Unix(1438207200, 0),
		Expiration: time.Unix(1440021600, 0),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sig := sigs[0]
	fmt.Println(dns.Type(sig.TypeCovered), sig.Algorithm, sig.Labels, sig.OrigTtl, sig.KeyTag, sig.SignerName)
	fmt.Println(sig.Signature)
	// Output:
	// MX 15 2 3600 3613 example.com.
	// oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==
}

// A Verifier checks a signature over the signed data that SignedData
// rebuilds from an RRSIG and its RRset, here the published RRSIG of RFC
// 6605 §6.1.
func ExampleVerifier_Verify() {
	k, _ := dns.NewRR("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
	a, _ := dns.NewRR("www.example.net. 3600 IN A 192.0.2.1")
	rr, _ := dns.NewRR("www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. " +
		"qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==")
	sig := rr.(*dns.RRSIG)
	v, err := signer.NewVerifier(k.(*dns.DNSKEY))
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := signer.SignedData(nil, sig, []dns.RR{a})
	if err != nil {
		fmt.Println(err)
		return
	}
	raw, _ := base64.StdEncoding.DecodeString(sig.Signature)
	fmt.Println(v.Verify(data, raw))
	data[len(data)-1]++ // 192.0.2.2
	fmt.Println(v.Verify(data, raw))
	// Output:
	// <nil>
	// signer: dnscrypto: signature does not verify
}
