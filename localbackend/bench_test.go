package localbackend_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/dnsseal/dnsseal/internal/rawsig"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

// msg200 is a 200-byte message, about the size of the signed data of a
// small RRset (RRSIG RDATA prefix plus a few A or AAAA records).
var msg200 = func() []byte {
	b := make([]byte, 200)
	_, _ = rand.Read(b)
	return b
}()

func BenchmarkSign(b *testing.B) {
	cases := []struct {
		name string
		alg  uint8
		det  bool
	}{
		{"ECDSAP256SHA256", localbackend.ECDSAP256SHA256, false},
		{"ECDSAP256SHA256-RFC6979", localbackend.ECDSAP256SHA256, true},
		{"ECDSAP384SHA384", localbackend.ECDSAP384SHA384, false},
		{"ED25519", localbackend.ED25519, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s, err := localbackend.Generate(c.alg, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: c.det})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(ctx, msg200); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStdlib is the floor Sign is measured against: SHA-256 of the
// message and ecdsa.SignASN1 (DER out, no conversion), and ed25519.Sign.
func BenchmarkStdlib(b *testing.B) {
	b.Run("ECDSAP256-SHA256+SignASN1", func(b *testing.B) {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
		if err != nil {
			b.Fatal(err)
		}
		priv := s.CryptoSigner().(*ecdsa.PrivateKey)
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.Sum256(msg200)
			if _, err := ecdsa.SignASN1(rand.Reader, priv, h[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ED25519-Sign", func(b *testing.B) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			ed25519.Sign(priv, msg200)
		}
	})
}

// BenchmarkConversion is what Sign adds to the standard library for
// ECDSA: the DER to fixed-width r‖s conversion into a new 64-byte slice.
func BenchmarkConversion(b *testing.B) {
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.Sum256(msg200)
	der, err := ecdsa.SignASN1(rand.Reader, s.CryptoSigner().(*ecdsa.PrivateKey), h[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rawsig.AppendRaw(make([]byte, 0, 64), der, 32); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParallelSign(b *testing.B) {
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(ctx, msg200); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
