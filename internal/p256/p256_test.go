package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"github.com/dnsseal/dnsseal/internal/cputime"
	"github.com/stretchr/testify/require"
)

func newKey(t testing.TB) (*ecdsa.PrivateKey, *PublicKey) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	b, err := priv.PublicKey.Bytes()
	require.NoError(t, err)
	k, err := NewPublicKey(b[1:])
	require.NoError(t, err)
	return priv, k
}

func sign(t testing.TB, priv *ecdsa.PrivateKey, digest []byte) []byte {
	t.Helper()
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
	require.NoError(t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// stdVerify is the reference: crypto/ecdsa on the same r‖s.
func stdVerify(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

func TestRFC6605(t *testing.T) {
	// RFC 6605 §6.1: the DNSKEY public key and the RRSIG over
	// www.example.net. A 192.0.2.1; the signed data hashed here is
	// the RRSIG RDATA (without signature) followed by the canonical RR.
	pub, err := base64.StdEncoding.DecodeString("GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString("qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==")
	require.NoError(t, err)
	data := []byte{
		0x00, 0x01, 13, 3, 0x00, 0x00, 0x0e, 0x10, // A, alg 13, labels 3, TTL 3600
		0x4c, 0x88, 0xb1, 0x37, 0x4c, 0x63, 0xc7, 0x37, // 20100909100439, 20100812100439
		0xd9, 0x60, // key tag 55648
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0,
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 192, 0, 2, 1,
	}
	k, err := NewPublicKey(pub)
	require.NoError(t, err)
	h := sha256.Sum256(data)
	require.True(t, k.Verify(nil, h[:], sig))
	data[len(data)-1] = 2
	h = sha256.Sum256(data)
	require.False(t, k.Verify(nil, h[:], sig))
}

func TestBadKeys(t *testing.T) {
	_, k := newKey(t)
	require.NotNil(t, k)
	for name, xy := range map[string][]byte{
		"empty":      nil,
		"short":      make([]byte, 63),
		"long":       make([]byte, 65),
		"zero point": make([]byte, 64),
		"not on curve": func() []byte {
			b := make([]byte, 64)
			b[31], b[63] = 1, 1
			return b
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewPublicKey(xy)
			require.ErrorIs(t, err, ErrKey)
		})
	}
}

// TestDifferential compares Verify with crypto/ecdsa on valid signatures
// and on many kinds of invalid ones.
func TestDifferential(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(3, 4))
	n := new(big.Int).Set(order)
	var sc Scratch
	for i := range 40 {
		priv, k := newKey(t)
		for j := range 5 {
			digest := make([]byte, 32)
			for b := range digest {
				digest[b] = byte(rnd.IntN(256))
			}
			switch j {
			case 1:
				clear(digest)
			case 2:
				for b := range digest {
					digest[b] = 0xff // e > n
				}
			}
			sig := sign(t, priv, digest)
			r := new(big.Int).SetBytes(sig[:32])
			s := new(big.Int).SetBytes(sig[32:])
			put := func(r, s *big.Int) []byte {
				out := make([]byte, 64)
				if r.Sign() >= 0 && r.BitLen() <= 256 {
					r.FillBytes(out[:32])
				}
				if s.Sign() >= 0 && s.BitLen() <= 256 {
					s.FillBytes(out[32:])
				}
				return out
			}
			flip := func(idx int) []byte {
				c := append([]byte(nil), sig...)
				c[idx] ^= 1 << uint(rnd.IntN(8))
				return c
			}
			cases := map[string][]byte{
				"valid":        sig,
				"high s":       put(r, new(big.Int).Sub(n, s)), // also valid in ECDSA
				"r flipped":    flip(rnd.IntN(32)),
				"s flipped":    flip(32 + rnd.IntN(32)),
				"swapped":      append(append([]byte(nil), sig[32:]...), sig[:32]...),
				"r zero":       put(big.NewInt(0), s),
				"s zero":       put(r, big.NewInt(0)),
				"r plus n":     put(new(big.Int).Add(r, n), s),
				"s plus n":     put(r, new(big.Int).Add(s, n)),
				"r = n":        put(n, s),
				"s = n":        put(r, n),
				"r = n-1":      put(new(big.Int).Sub(n, big.NewInt(1)), s),
				"all ones":     bytesOf(0xff, 64),
				"short":        sig[:63],
				"other digest": nil,
			}
			for name, c := range cases {
				d := digest
				if name == "other digest" {
					c = sig
					d = append([]byte(nil), digest...)
					d[0] ^= 0x80
				}
				want := stdVerify(&priv.PublicKey, d, c)
				got := k.Verify(&sc, d, c)
				require.Equal(t, want, got, "key %d digest %d: %s", i, j, name)
				if name == "valid" || name == "high s" {
					require.True(t, got, name)
				}
			}
		}
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestScalarEdges exercises u2 values whose windows are all zero or all
// ones by choosing signatures for them: with s = r, u2 = 1; with
// r·s⁻¹ = n-1, u2 = n-1.
func TestScalarEdges(t *testing.T) {
	priv, k := newKey(t)
	digest := sha256.Sum256([]byte("edges"))
	for _, name := range []string{"u2 = 1", "u2 = n-1"} {
		t.Run(name, func(t *testing.T) {
			// Arbitrary (r, s) pairs: the signature is not valid,
			// but both implementations must compute the same point
			// and agree.
			r := big.NewInt(12345)
			s := new(big.Int).Set(r)
			if name == "u2 = n-1" {
				s.Sub(order, r)
			}
			sig := make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
			require.Equal(t, stdVerify(&priv.PublicKey, digest[:], sig), k.Verify(nil, digest[:], sig))
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	priv, k := newKey(b)
	digest := sha256.Sum256([]byte("benchmark"))
	sig := sign(b, priv, digest[:])
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	require.NoError(b, err)
	b.Run("p256", func(b *testing.B) {
		var sc Scratch
		b.ReportAllocs()
		defer cputime.Start().Report(b)
		for b.Loop() {
			if !k.Verify(&sc, digest[:], sig) {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("crypto-ecdsa", func(b *testing.B) {
		b.ReportAllocs()
		defer cputime.Start().Report(b)
		for b.Loop() {
			if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], der) {
				b.Fatal("rejected")
			}
		}
	})
}

func BenchmarkNewPublicKey(b *testing.B) {
	priv, _ := newKey(b)
	xy, err := priv.PublicKey.Bytes()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPublicKey(xy[1:]); err != nil {
			b.Fatal(err)
		}
	}
}
