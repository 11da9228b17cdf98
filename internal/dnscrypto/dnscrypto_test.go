package dnscrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/rawsig"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// RFC test vectors, transcribed from RFC 6605 §6.1 and §6.2, RFC 8080
// §6.1 (signatures as corrected by erratum 4935: Labels 2) and RFC 5702
// §6.2.
var rfcVectors = []struct {
	name   string
	dnskey string
	rrset  []string
	rrsig  string
}{
	{
		name: "RFC 6605 6.1 P-256",
		dnskey: "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb" +
			"krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
		rrset: []string{"www.example.net. 3600 IN A 192.0.2.1"},
		rrsig: "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. " +
			"qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
	},
	{
		name: "RFC 6605 6.2 P-384",
		dnskey: "example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1" +
			"w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
		rrset: []string{"www.example.net. 3600 IN A 192.0.2.1"},
		rrsig: "www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 example.net. " +
			"/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz" +
			"WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm",
	},
	{
		name:   "RFC 8080 6.1 Ed25519 key 3613 (erratum 4935)",
		dnskey: "example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		rrset:  []string{"example.com. 3600 IN MX 10 mail.example.com."},
		rrsig: "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. " +
			"oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
	},
	{
		name:   "RFC 8080 6.1 Ed25519 key 35217 (erratum 4935)",
		dnskey: "example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
		rrset:  []string{"example.com. 3600 IN MX 10 mail.example.com."},
		rrsig: "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. " +
			"zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
	},
	{
		name: "RFC 5702 6.2 RSA/SHA-512",
		dnskey: "example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD" +
			"xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL",
		rrset: []string{"www.example.net. 3600 IN A 192.0.2.91"},
		rrsig: "www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 example.net. " +
			"tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuag" +
			"YJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=",
	},
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	require.NoError(t, err, s)
	return rr
}

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestRFCVectors(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(v.name, func(t *testing.T) {
			k := mustRR(t, v.dnskey).(*dns.DNSKEY)
			sig := mustRR(t, v.rrsig).(*dns.RRSIG)
			var rrs []dns.RR
			for _, s := range v.rrset {
				rrs = append(rrs, mustRR(t, s))
			}
			data, err := canonical.AppendRRSIGRDATA(nil, sig)
			require.NoError(t, err)
			var e canonical.Encoder
			data, err = e.AppendRRset(data, rrs, sig.OrigTtl, sig.Labels)
			require.NoError(t, err)

			pub, err := ParsePublicKey(k.Algorithm, decode(t, k.PublicKey))
			require.NoError(t, err)
			require.Equal(t, k.Algorithm, pub.Algorithm())
			sb := decode(t, sig.Signature)
			require.NoError(t, pub.Verify(data, sb))

			tampered := append([]byte(nil), data...)
			tampered[len(tampered)-1] ^= 1
			require.ErrorIs(t, pub.Verify(tampered, sb), ErrVerify)

			badSig := append([]byte(nil), sb...)
			badSig[len(badSig)/2] ^= 0x10
			require.ErrorIs(t, pub.Verify(data, badSig), ErrVerify)

			require.ErrorIs(t, pub.Verify(data, sb[:len(sb)-1]), ErrBadSigLength)
			require.ErrorIs(t, pub.Verify(data, append(sb, 0)), ErrBadSigLength)
			require.ErrorIs(t, pub.Verify(data, nil), ErrBadSigLength)
		})
	}
	t.Run("RFC 8080 as printed (Labels 3) is not a valid RRSIG", func(t *testing.T) {
		// The printed signature verifies over RRSIG RDATA with Labels 3,
		// which exceeds the owner's 2 labels: the canonicaliser refuses it.
		sig := mustRR(t, "example.com. 3600 IN RRSIG MX 15 3 3600 1440021600 1438207200 3613 example.com. "+
			"Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==").(*dns.RRSIG)
		var e canonical.Encoder
		_, err := e.AppendRRset(nil, []dns.RR{mustRR(t, "example.com. 3600 IN MX 10 mail.example.com.")}, sig.OrigTtl, sig.Labels)
		require.ErrorIs(t, err, canonical.ErrLabels)
	})
}

// ecPoint returns the DNSKEY public key field of an ECDSA key (X‖Y).
func ecPoint(t *testing.T, k *ecdsa.PublicKey) []byte {
	b, err := k.Bytes()
	require.NoError(t, err)
	return b[1:]
}

// rsaKeyField encodes an RSA public key per RFC 3110 §2.
func rsaKeyField(k *rsa.PublicKey) []byte {
	e := big.NewInt(int64(k.E)).Bytes()
	var b []byte
	if len(e) < 256 {
		b = append(b, byte(len(e)))
	} else {
		b = append(b, 0, byte(len(e)>>8), byte(len(e)))
	}
	b = append(b, e...)
	return append(b, k.N.Bytes()...)
}

// TestGeneratedKeys signs with fresh keys the way DNSSEC does and checks
// that ParsePublicKey and Verify accept the result and reject changes.
func TestGeneratedKeys(t *testing.T) {
	data := []byte("RFC 4034 §3.1.8.1 signed data stands here")
	type signed struct {
		alg      uint8
		key, sig []byte
		crypto   func(crypto.PublicKey) bool
	}
	var cases []struct {
		name string
		make func(t *testing.T) signed
	}
	add := func(name string, f func(t *testing.T) signed) {
		cases = append(cases, struct {
			name string
			make func(t *testing.T) signed
		}{name, f})
	}
	for _, c := range []struct {
		alg   uint8
		curve elliptic.Curve
		size  int
		hash  func([]byte) []byte
	}{
		{ECDSAP256SHA256, elliptic.P256(), 32, func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }},
		{ECDSAP384SHA384, elliptic.P384(), 48, func(b []byte) []byte { h := sha512.Sum384(b); return h[:] }},
	} {
		add(c.curve.Params().Name, func(t *testing.T) signed {
			k, err := ecdsa.GenerateKey(c.curve, rand.Reader)
			require.NoError(t, err)
			der, err := ecdsa.SignASN1(rand.Reader, k, c.hash(data))
			require.NoError(t, err)
			raw, err := rawsig.AppendRaw(nil, der, c.size)
			require.NoError(t, err)
			return signed{c.alg, ecPoint(t, &k.PublicKey), raw, func(p crypto.PublicKey) bool { return k.PublicKey.Equal(p) }}
		})
	}
	add("Ed25519", func(t *testing.T) signed {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		return signed{ED25519, pub, ed25519.Sign(priv, data), func(p crypto.PublicKey) bool { return pub.Equal(p) }}
	})
	for _, c := range []struct {
		alg  uint8
		hash crypto.Hash
	}{{RSASHA1, crypto.SHA1}, {RSASHA1NSEC3, crypto.SHA1}, {RSASHA256, crypto.SHA256}, {RSASHA512, crypto.SHA512}} {
		add(fmt.Sprintf("RSA algorithm %d", c.alg), func(t *testing.T) signed {
			k := rsaKey(t)
			var h []byte
			switch c.hash {
			case crypto.SHA1:
				s := sha1.Sum(data)
				h = s[:]
			case crypto.SHA256:
				s := sha256.Sum256(data)
				h = s[:]
			default:
				s := sha512.Sum512(data)
				h = s[:]
			}
			sig, err := rsa.SignPKCS1v15(nil, k, c.hash, h)
			require.NoError(t, err)
			return signed{c.alg, rsaKeyField(&k.PublicKey), sig, func(p crypto.PublicKey) bool { return k.PublicKey.Equal(p) }}
		})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.make(t)
			require.True(t, Supported(s.alg))
			pub, err := ParsePublicKey(s.alg, s.key)
			require.NoError(t, err)
			require.True(t, s.crypto(pub.Crypto()), "Crypto() returns another key")
			require.NoError(t, pub.Verify(data, s.sig))
			if n := SignatureSize(s.alg); n != 0 {
				require.Len(t, s.sig, n)
			}
			require.ErrorIs(t, pub.Verify(append([]byte("x"), data...), s.sig), ErrVerify)
			bad := append([]byte(nil), s.sig...)
			bad[0] ^= 0x01
			require.ErrorIs(t, pub.Verify(data, bad), ErrVerify)
			require.ErrorIs(t, pub.Verify(data, s.sig[1:]), ErrBadSigLength)
			require.ErrorIs(t, pub.Verify(data, append(s.sig, 0)), ErrBadSigLength)
		})
	}
}

var testRSAKey *rsa.PrivateKey

func rsaKey(t *testing.T) *rsa.PrivateKey {
	if testRSAKey == nil {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		require.NoError(t, err)
		testRSAKey = k
	}
	return testRSAKey
}

func TestECDSAZeroOrOutOfRangeSignature(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pub, err := ParsePublicKey(ECDSAP256SHA256, ecPoint(t, &k.PublicKey))
	require.NoError(t, err)
	data := []byte("data")
	n := elliptic.P256().Params().N
	one := make([]byte, 32)
	one[31] = 1
	for name, sig := range map[string][]byte{
		"all zero": make([]byte, 64),
		"r zero":   append(make([]byte, 32), one...),
		"s zero":   append(one, make([]byte, 32)...),
		"r = n":    append(n.FillBytes(make([]byte, 32)), one...),
		"all ff":   []byte(strings.Repeat("\xff", 64)),
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, pub.Verify(data, sig), ErrVerify)
		})
	}
}

func TestParsePublicKeyRejects(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p256 := ecPoint(t, &k.PublicKey)
	notOnCurve := append([]byte(nil), p256...)
	notOnCurve[63] ^= 1
	rk := &rsaKey(t).PublicKey
	rsaOK := rsaKeyField(rk)
	mod := rk.N.Bytes()
	tests := []struct {
		name string
		alg  uint8
		key  []byte
		want error
	}{
		{"P-256 empty", ECDSAP256SHA256, nil, ErrBadPublicKey},
		{"P-256 short", ECDSAP256SHA256, p256[:63], ErrBadPublicKey},
		{"P-256 with 04 prefix", ECDSAP256SHA256, append([]byte{4}, p256...), ErrBadPublicKey},
		{"P-256 not on curve", ECDSAP256SHA256, notOnCurve, ErrBadPublicKey},
		{"P-256 all zero (point at infinity)", ECDSAP256SHA256, make([]byte, 64), ErrBadPublicKey},
		{"P-256 key as P-384", ECDSAP384SHA384, p256, ErrBadPublicKey},
		{"P-384 not on curve", ECDSAP384SHA384, make([]byte, 96), ErrBadPublicKey},
		{"Ed25519 short", ED25519, make([]byte, 31), ErrBadPublicKey},
		{"Ed25519 long", ED25519, make([]byte, 33), ErrBadPublicKey},
		{"RSA empty", RSASHA256, nil, ErrBadPublicKey},
		{"RSA too short", RSASHA256, []byte{1, 3}, ErrBadPublicKey},
		{"RSA exponent length 0 (long form 0)", RSASHA256, append([]byte{0, 0, 0}, mod...), ErrBadPublicKey},
		{"RSA exponent runs past the key", RSASHA256, []byte{5, 1, 0, 1}, ErrBadPublicKey},
		{"RSA no modulus", RSASHA256, []byte{3, 1, 0, 1}, ErrBadPublicKey},
		{"RSA exponent too long", RSASHA256, append(append([]byte{9}, make([]byte, 9)...), mod...), ErrBadPublicKey},
		{"RSA exponent 1", RSASHA256, append([]byte{1, 1}, mod...), ErrBadPublicKey},
		{"RSA exponent 2^31", RSASHA256, append([]byte{4, 0x80, 0, 0, 0}, mod...), ErrBadPublicKey},
		{"RSA modulus with leading zero", RSASHA256, append([]byte{3, 1, 0, 1, 0}, mod...), ErrBadPublicKey},
		{"RSA modulus over 4096 bits", RSASHA256, append([]byte{3, 1, 0, 1}, make([]byte, 513)...), ErrBadPublicKey},
		{"RSA/MD5 unsupported", 1, rsaOK, ErrUnsupported},
		{"DSA unsupported", 3, rsaOK, ErrUnsupported},
		{"Ed448 unsupported", ED448, make([]byte, 57), ErrUnsupported},
		{"private algorithm unsupported", 253, rsaOK, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePublicKey(tt.alg, tt.key)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, p)
		})
	}
	t.Run("RSA long exponent-length form", func(t *testing.T) {
		key := append([]byte{0, 0, 3, 1, 0, 1}, mod...)
		p, err := ParsePublicKey(RSASHA256, key)
		require.NoError(t, err)
		require.True(t, rk.Equal(p.Crypto()))
	})
	t.Run("Ed25519 key is copied", func(t *testing.T) {
		key := make([]byte, 32)
		key[0] = 7
		p, err := ParsePublicKey(ED25519, key)
		require.NoError(t, err)
		key[0] = 8
		require.Equal(t, byte(7), p.Crypto().(ed25519.PublicKey)[0])
	})
}

func TestRSAWrongLengthSignature(t *testing.T) {
	k := rsaKey(t)
	pub, err := ParsePublicKey(RSASHA256, rsaKeyField(&k.PublicKey))
	require.NoError(t, err)
	for _, n := range []int{0, 1, 127, 129, 256} {
		require.ErrorIs(t, pub.Verify([]byte("x"), make([]byte, n)), ErrBadSigLength, "length %d", n)
	}
}

func TestSupportedAndSignatureSize(t *testing.T) {
	tests := []struct {
		alg       uint8
		supported bool
		size      int
	}{
		{0, false, 0}, {1, false, 0}, {3, false, 0}, {5, true, 0}, {6, false, 0}, {7, true, 0}, {8, true, 0},
		{10, true, 0}, {12, false, 0}, {13, true, 64}, {14, true, 96}, {15, true, 64}, {16, false, 0}, {253, false, 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.supported, Supported(tt.alg), "alg %d", tt.alg)
		require.Equal(t, tt.size, SignatureSize(tt.alg), "alg %d", tt.alg)
	}
}

func BenchmarkVerifyP256(b *testing.B) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	data := make([]byte, 128)
	h := sha256.Sum256(data)
	der, _ := ecdsa.SignASN1(rand.Reader, k, h[:])
	raw, _ := rawsig.AppendRaw(nil, der, 32)
	kb, _ := k.PublicKey.Bytes()
	pub, err := ParsePublicKey(ECDSAP256SHA256, kb[1:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := pub.Verify(data, raw); err != nil {
			b.Fatal(err)
		}
	}
}
