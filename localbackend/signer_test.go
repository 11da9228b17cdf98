package localbackend_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

var algs = []struct {
	name string
	alg  uint8
	size int // signature size
}{
	{"ECDSAP256SHA256", localbackend.ECDSAP256SHA256, 64},
	{"ECDSAP384SHA384", localbackend.ECDSAP384SHA384, 96},
	{"ED25519", localbackend.ED25519, 64},
}

// verifyRaw checks a DNSSEC signature field over data with the standard
// library directly (not through dnsseal's verifier).
func verifyRaw(t *testing.T, pub crypto.PublicKey, alg uint8, data, sig []byte) bool {
	t.Helper()
	switch alg {
	case localbackend.ECDSAP256SHA256, localbackend.ECDSAP384SHA384:
		var h []byte
		if alg == localbackend.ECDSAP256SHA256 {
			d := sha256.Sum256(data)
			h = d[:]
		} else {
			d := sha512.Sum384(data)
			h = d[:]
		}
		n := len(sig) / 2
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(pub.(*ecdsa.PublicKey), h, r, s)
	case localbackend.ED25519:
		return ed25519.Verify(pub.(ed25519.PublicKey), data, sig)
	}
	t.Fatalf("algorithm %d", alg)
	return false
}

// checkSigner runs the signer.Signer conformance checks this package
// relies on: DNSKEY shape, key tag, signature size, verification by the
// standard library and by dnsseal's verifier, ctx handling, concurrency.
func checkSigner(t *testing.T, s *localbackend.Signer) {
	t.Helper()
	ctx := context.Background()
	k := s.DNSKEY()
	require.NotNil(t, k)
	require.Equal(t, s.Algorithm(), k.Algorithm)
	require.Equal(t, uint8(3), k.Protocol)
	require.Equal(t, dns.TypeDNSKEY, k.Hdr.Rrtype)
	require.Equal(t, uint16(dns.ClassINET), k.Hdr.Class)
	require.True(t, dns.IsFqdn(k.Hdr.Name))
	tag, err := keytag.Compute(k)
	require.NoError(t, err)
	require.Equal(t, tag, s.KeyTag())
	require.Equal(t, k.KeyTag(), s.KeyTag(), "miekg/dns key tag")

	v, err := signer.NewVerifier(k)
	require.NoError(t, err)
	pub, err := signer.PublicKey(k)
	require.NoError(t, err)
	require.True(t, pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(s.Public()))

	for _, n := range []int{0, 1, 200, 4096} {
		data := make([]byte, n)
		_, _ = rand.Read(data)
		sig, err := s.Sign(ctx, data)
		require.NoError(t, err)
		want := 64
		if s.Algorithm() == localbackend.ECDSAP384SHA384 {
			want = 96
		}
		require.Len(t, sig, want)
		require.True(t, verifyRaw(t, s.Public(), s.Algorithm(), data, sig), "signature over %d bytes does not verify", n)
		require.NoError(t, v.Verify(data, sig))
		data = append(data, 1)
		require.Error(t, v.Verify(data, sig), "signature verifies over other data")
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Sign(cctx, []byte("x"))
	require.ErrorIs(t, err, context.Canceled)
	dctx, dcancel := context.WithDeadline(ctx, time.Unix(0, 0))
	defer dcancel()
	_, err = s.Sign(dctx, []byte("x"))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				data := []byte{byte(i), byte(j)}
				sig, err := s.Sign(ctx, data)
				if err == nil {
					err = v.Verify(data, sig)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	key, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	require.Equal(t, s.KeyTag(), key.KeyTag())
}

func TestGenerate(t *testing.T) {
	for _, a := range algs {
		for _, det := range []bool{false, true} {
			name := a.name
			if det {
				name += "/deterministic"
			}
			t.Run(name, func(t *testing.T) {
				now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
				s, err := localbackend.Generate(a.alg, "Example.COM", signer.FlagsKSK, localbackend.Options{Deterministic: det, Now: now})
				require.NoError(t, err)
				require.Equal(t, a.alg, s.Algorithm())
				require.Equal(t, "example.com.", s.DNSKEY().Hdr.Name)
				require.Equal(t, "example.com.", s.Owner())
				require.Equal(t, signer.FlagsKSK, s.DNSKEY().Flags)
				require.Equal(t, signer.FlagsKSK, s.Flags())
				require.Equal(t, localbackend.DefaultTTL, s.DNSKEY().Hdr.Ttl)
				require.Equal(t, det || a.alg == localbackend.ED25519, s.Deterministic())
				at := now.Truncate(time.Second)
				require.Equal(t, localbackend.Timing{Created: at, Publish: at, Activate: at}, s.Timing())
				checkSigner(t, s)

				data := []byte("some signed data")
				s1, err := s.Sign(context.Background(), data)
				require.NoError(t, err)
				s2, err := s.Sign(context.Background(), data)
				require.NoError(t, err)
				require.Equal(t, s.Deterministic(), bytes.Equal(s1, s2), "deterministic=%v but signatures equal=%v", s.Deterministic(), bytes.Equal(s1, s2))
			})
		}
	}
}

func TestGenerateOptions(t *testing.T) {
	t.Run("fixed Rand gives a fixed key", func(t *testing.T) {
		for _, a := range algs {
			seed := bytes.Repeat([]byte{0x42}, 64)
			s1, err := localbackend.Generate(a.alg, "example.", signer.FlagsZSK, localbackend.Options{Rand: bytes.NewReader(seed)})
			require.NoError(t, err)
			s2, err := localbackend.Generate(a.alg, "example.", signer.FlagsZSK, localbackend.Options{Rand: bytes.NewReader(seed)})
			require.NoError(t, err)
			require.Equal(t, s1.DNSKEY().PublicKey, s2.DNSKEY().PublicKey, a.name)
			s3, err := localbackend.Generate(a.alg, "example.", signer.FlagsZSK, localbackend.Options{})
			require.NoError(t, err)
			require.NotEqual(t, s1.DNSKEY().PublicKey, s3.DNSKEY().PublicKey, a.name)
		}
	})
	t.Run("Ed25519 Rand is the RFC 8080 seed", func(t *testing.T) {
		// RFC 8080 §6.1: the seed is the base64-decoded PrivateKey field.
		seed, _ := base64.StdEncoding.DecodeString("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=")
		s, err := localbackend.Generate(localbackend.ED25519, "example.com.", signer.FlagsKSK, localbackend.Options{Rand: bytes.NewReader(seed)})
		require.NoError(t, err)
		require.Equal(t, "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", s.DNSKEY().PublicKey)
		require.Equal(t, uint16(3613), s.KeyTag())
	})
	t.Run("TTL", func(t *testing.T) {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{TTL: 86400})
		require.NoError(t, err)
		require.Equal(t, uint32(86400), s.DNSKEY().Hdr.Ttl)
	})
	errCases := []struct {
		name  string
		alg   uint8
		owner string
		rand  io.Reader
		is    error
		msg   string
	}{
		{"RSA algorithm", 8, "example.", nil, localbackend.ErrUnsupportedAlgorithm, "unsupported algorithm 8"},
		{"Ed448", 16, "example.", nil, localbackend.ErrUnsupportedAlgorithm, "unsupported algorithm 16"},
		{"zero scalars", localbackend.ECDSAP256SHA256, "example.", bytes.NewReader(make([]byte, 64*32)), nil, "no valid scalar"},
		{"scalars above the order", localbackend.ECDSAP384SHA384, "example.", bytes.NewReader(bytes.Repeat([]byte{0xff}, 64*48)), nil, "no valid scalar"},
		{"short Rand ECDSA", localbackend.ECDSAP256SHA256, "example.", bytes.NewReader(make([]byte, 10)), io.ErrUnexpectedEOF, "generate"},
		{"short Rand Ed25519", localbackend.ED25519, "example.", bytes.NewReader(make([]byte, 10)), io.ErrUnexpectedEOF, "generate"},
		{"empty owner", localbackend.ECDSAP256SHA256, "", nil, nil, "bad owner name"},
		{"bad owner", localbackend.ECDSAP256SHA256, "a..b", nil, nil, "bad owner name"},
		{"long label", localbackend.ED25519, strings.Repeat("a", 64) + ".", nil, nil, "bad owner name"},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.Generate(c.alg, c.owner, signer.FlagsZSK, localbackend.Options{Rand: c.rand})
			require.Error(t, err)
			require.Nil(t, s)
			require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
			require.Contains(t, err.Error(), c.msg)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
		})
	}
}

func TestNew(t *testing.T) {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := localbackend.New(p256, "example.org", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	require.Equal(t, localbackend.ECDSAP256SHA256, s.Algorithm())
	require.True(t, p256.PublicKey.Equal(s.Public()))
	require.IsType(t, &ecdsa.PrivateKey{}, s.CryptoSigner())
	require.True(t, p256.Equal(s.CryptoSigner()))
	checkSigner(t, s)

	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err = localbackend.New(ed, "example.org.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	require.Equal(t, localbackend.ED25519, s.Algorithm())
	require.True(t, ed.Equal(s.CryptoSigner()))
	ed[0] ^= 1 // the Signer holds a copy
	require.False(t, ed.Equal(s.CryptoSigner()))

	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	badPub := *p256
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	badPub.PublicKey = other.PublicKey
	_, ed2, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	edBadPub := append(ed25519.PrivateKey(nil), ed2[:32]...)
	edBadPub = append(edBadPub, ed[32:]...)

	cases := []struct {
		name string
		key  crypto.Signer
		is   error
	}{
		{"nil", nil, localbackend.ErrUnsupportedAlgorithm},
		{"nil ECDSA pointer", (*ecdsa.PrivateKey)(nil), localbackend.ErrMalformed},
		{"ECDSA without scalar", &ecdsa.PrivateKey{PublicKey: p256.PublicKey}, localbackend.ErrMalformed},
		{"ECDSA without curve", &ecdsa.PrivateKey{D: big.NewInt(1)}, localbackend.ErrMalformed},
		{"ECDSA zero scalar", &ecdsa.PrivateKey{PublicKey: p256.PublicKey, D: big.NewInt(0)}, localbackend.ErrMalformed},
		{"ECDSA public key of another key", &badPub, localbackend.ErrKeyMismatch},
		{"P-521", p521, localbackend.ErrUnsupportedAlgorithm},
		{"RSA", rsaKey, localbackend.ErrUnsupportedAlgorithm},
		{"short Ed25519", ed25519.PrivateKey(make([]byte, 32)), localbackend.ErrMalformed},
		{"Ed25519 public half of another key", edBadPub, localbackend.ErrKeyMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.New(c.key, "example.", signer.FlagsZSK, localbackend.Options{})
			require.ErrorIs(t, err, c.is)
			require.Nil(t, s)
			require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
		})
	}
}

// RFC 6979 Appendix A.2.5 (P-256) and A.2.6 (P-384), message "sample".
func TestDeterministicRFC6979(t *testing.T) {
	cases := []struct {
		name    string
		alg     uint8
		curve   elliptic.Curve
		x, r, s string
	}{
		{
			name: "A.2.5 P-256 SHA-256", alg: localbackend.ECDSAP256SHA256, curve: elliptic.P256(),
			x: "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
			r: "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
			s: "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
		},
		{
			name: "A.2.6 P-384 SHA-384", alg: localbackend.ECDSAP384SHA384, curve: elliptic.P384(),
			x: "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
			r: "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
			s: "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, err := hex.DecodeString(c.x)
			require.NoError(t, err)
			priv, err := ecdsa.ParseRawPrivateKey(c.curve, x)
			require.NoError(t, err)
			s, err := localbackend.New(priv, "example.", signer.FlagsKSK, localbackend.Options{Deterministic: true})
			require.NoError(t, err)
			require.Equal(t, c.alg, s.Algorithm())
			sig, err := s.Sign(context.Background(), []byte("sample"))
			require.NoError(t, err)
			require.Equal(t, strings.ToLower(c.r+c.s), hex.EncodeToString(sig))

			var digest []byte
			if c.alg == localbackend.ECDSAP256SHA256 {
				d := sha256.Sum256([]byte("sample"))
				digest = d[:]
			} else {
				d := sha512.Sum384([]byte("sample"))
				digest = d[:]
			}
			sig2, err := s.SignDigest(context.Background(), digest)
			require.NoError(t, err)
			require.Equal(t, sig, sig2)

			// Without Deterministic the same key signs differently.
			r, err := localbackend.New(priv, "example.", signer.FlagsKSK, localbackend.Options{})
			require.NoError(t, err)
			sig3, err := r.Sign(context.Background(), []byte("sample"))
			require.NoError(t, err)
			require.NotEqual(t, sig, sig3)
			require.True(t, verifyRaw(t, r.Public(), c.alg, []byte("sample"), sig3))
		})
	}
}

func TestSignDigest(t *testing.T) {
	ctx := context.Background()
	p256, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	p384, err := localbackend.Generate(localbackend.ECDSAP384SHA384, "example.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	ed, err := localbackend.Generate(localbackend.ED25519, "example.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)

	d := sha256.Sum256([]byte("data"))
	sig, err := p256.SignDigest(ctx, d[:])
	require.NoError(t, err)
	require.True(t, verifyRaw(t, p256.Public(), 13, []byte("data"), sig))

	_, err = p256.SignDigest(ctx, d[:31])
	require.ErrorContains(t, err, "digest is 31 bytes, want 32")
	_, err = p384.SignDigest(ctx, d[:])
	require.ErrorContains(t, err, "digest is 32 bytes, want 48")
	_, err = ed.SignDigest(ctx, d[:])
	require.ErrorContains(t, err, "signs messages, not digests")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = p256.SignDigest(cctx, d[:])
	require.ErrorIs(t, err, context.Canceled)
}

// The crypto.Signer adapter of package signer works through SignDigest.
func TestToCryptoSigner(t *testing.T) {
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			s, err := localbackend.Generate(a.alg, "example.", signer.FlagsZSK, localbackend.Options{})
			require.NoError(t, err)
			cs, err := signer.ToCryptoSigner(context.Background(), s)
			require.NoError(t, err)
			msg := []byte("message")
			switch a.alg {
			case localbackend.ED25519:
				sig, err := cs.Sign(nil, msg, crypto.Hash(0))
				require.NoError(t, err)
				require.True(t, ed25519.Verify(s.Public().(ed25519.PublicKey), msg, sig))
			case localbackend.ECDSAP256SHA256:
				h := sha256.Sum256(msg)
				der, err := cs.Sign(nil, h[:], crypto.SHA256)
				require.NoError(t, err)
				require.True(t, ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), h[:], der))
			case localbackend.ECDSAP384SHA384:
				h := sha512.Sum384(msg)
				der, err := cs.Sign(nil, h[:], crypto.SHA384)
				require.NoError(t, err)
				require.True(t, ecdsa.VerifyASN1(s.Public().(*ecdsa.PublicKey), h[:], der))
			}
		})
	}
}

// An RRSIG made through package signer verifies with miekg/dns, an
// independent implementation.
func TestRRSIGVerifiesWithMiekg(t *testing.T) {
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			s, err := localbackend.Generate(a.alg, "example.net.", signer.FlagsZSK, localbackend.Options{})
			require.NoError(t, err)
			key, err := signer.NewKey(s, 0)
			require.NoError(t, err)
			rr1, err := dns.NewRR("www.example.net. 3600 IN A 192.0.2.1")
			require.NoError(t, err)
			rr2, err := dns.NewRR("www.example.net. 3600 IN A 192.0.2.2")
			require.NoError(t, err)
			inception := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			sigs, err := signer.Sign(context.Background(), []dns.RR{rr2, rr1}, []*signer.Key{key},
				signer.SignOptions{Inception: inception, Expiration: inception.Add(30 * 24 * time.Hour)})
			require.NoError(t, err)
			require.Len(t, sigs, 1)
			require.Equal(t, s.KeyTag(), sigs[0].KeyTag)
			require.NoError(t, sigs[0].Verify(s.DNSKEY(), []dns.RR{rr1, rr2}))
		})
	}
}
