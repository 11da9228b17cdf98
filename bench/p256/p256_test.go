package p256

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/internal/cputime"
	"github.com/dnsseal/dnsseal/internal/rawsig"
)

// rfc6979Key is the P-256 private key of RFC 6979, Appendix A.2.5.
const rfc6979Key = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"

// mustKey returns the RFC 6979 A.2.5 key, parsed by crypto/ecdsa.
func mustKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	d, err := hex.DecodeString(rfc6979Key)
	require.NoError(tb, err)
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	require.NoError(tb, err)
	return key
}

// signedData returns the digest of a 160-byte buffer, about the size of the
// signed data (RRSIG RDATA without signature + one canonical RRset) that a
// zone signer hashes for an ordinary RRset.
func signedData() [32]byte {
	buf := make([]byte, 160)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	return sha256.Sum256(buf)
}

// TestRFC6979 checks that crypto/ecdsa with a nil random source produces the
// deterministic signatures of RFC 6979, Appendix A.2.5 (P-256, SHA-256), the
// property any faster implementation has to keep.
func TestRFC6979(t *testing.T) {
	tests := []struct {
		name, msg, r, s string
	}{
		{
			name: "sample",
			msg:  "sample",
			r:    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
			s:    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
		},
		{
			name: "test",
			msg:  "test",
			r:    "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
			s:    "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
		},
	}
	key := mustKey(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			digest := sha256.Sum256([]byte(tc.msg))
			der, err := key.Sign(nil, digest[:], crypto.SHA256)
			require.NoError(t, err)
			raw, err := rawsig.AppendRaw(nil, der, 32)
			require.NoError(t, err)
			require.Equal(t, tc.r+tc.s, hex.EncodeToString(raw))

			again, err := key.Sign(nil, digest[:], crypto.SHA256)
			require.NoError(t, err)
			require.Equal(t, der, again, "deterministic signing must repeat itself")
			require.True(t, ecdsa.VerifyASN1(&key.PublicKey, digest[:], der))
		})
	}
}

// TestHedged checks that SignASN1 gives valid signatures that differ from
// one call to the next and from the RFC 6979 one: Go's hedged signing mixes
// fresh entropy into the HMAC-DRBG that derives the nonce.
func TestHedged(t *testing.T) {
	key := mustKey(t)
	digest := signedData()
	det, err := key.Sign(nil, digest[:], crypto.SHA256)
	require.NoError(t, err)
	seen := map[string]bool{string(det): true}
	for range 8 {
		der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
		require.NoError(t, err)
		require.True(t, ecdsa.VerifyASN1(&key.PublicKey, digest[:], der))
		require.False(t, seen[string(der)], "hedged signature repeated")
		seen[string(der)] = true
	}
}

// TestScalarBaseMultMatchesKey checks the component benchmark's stand-in for
// k·G: crypto/ecdh computes d·G for the RFC 6979 key, which must be the
// ECDSA public key.
func TestScalarBaseMultMatchesKey(t *testing.T) {
	key := mustKey(t)
	d, err := hex.DecodeString(rfc6979Key)
	require.NoError(t, err)
	ek, err := ecdh.P256().NewPrivateKey(d)
	require.NoError(t, err)
	pub, err := key.PublicKey.Bytes()
	require.NoError(t, err)
	require.True(t, bytes.Equal(pub, ek.PublicKey().Bytes()))
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(tb, err)
	return b
}

// BenchmarkStdlibSign is crypto/ecdsa's hedged signing, what zone signers
// call today: SignASN1 with crypto/rand.Reader (since Go 1.26 the reader is
// ignored and the package's own DRBG is always used).
func BenchmarkStdlibSign(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, key, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibSignRaw adds the DER to r‖s conversion a DNSSEC signer
// needs (RFC 6605, Section 4).
func BenchmarkStdlibSignRaw(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	var buf [64]byte
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rawsig.AppendRaw(buf[:0], der, 32); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibSignDeterministic is RFC 6979 signing: Sign with a nil
// random source.
func BenchmarkStdlibSignDeterministic(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if _, err := key.Sign(nil, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibVerify is crypto/ecdsa verification of one signature.
func BenchmarkStdlibVerify(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	require.NoError(b, err)
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], der) {
			b.Fatal("signature does not verify")
		}
	}
}

// BenchmarkStdlibSignParallel is hedged signing on all GOMAXPROCS cores.
func BenchmarkStdlibSignParallel(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ecdsa.SignASN1(rand.Reader, key, digest[:]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStdlibSignDeterministicParallel is RFC 6979 signing on all
// GOMAXPROCS cores.
func BenchmarkStdlibSignDeterministicParallel(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := key.Sign(nil, digest[:], crypto.SHA256); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStdlibVerifyParallel is verification on all GOMAXPROCS cores.
func BenchmarkStdlibVerifyParallel(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	require.NoError(b, err)
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], der) {
				b.Error("signature does not verify")
				return
			}
		}
	})
}

// The benchmarks below time the parts of one signature with public
// standard-library APIs, to check the profile's split.

// BenchmarkPartSHA256SignedData is the SHA-256 of the signed data, paid
// once per RRSIG before signing.
func BenchmarkPartSHA256SignedData(b *testing.B) {
	buf := make([]byte, 160)
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		_ = sha256.Sum256(buf)
	}
}

// BenchmarkPartRandRead is the 32 bytes of fresh entropy hedged signing
// draws per signature (a getrandom call on Linux).
func BenchmarkPartRandRead(b *testing.B) {
	var z [32]byte
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if _, err := rand.Read(z[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartHMACSHA512 is one HMAC-SHA-512 over a 64-byte message with a
// reused key, the unit of the hedged HMAC-DRBG (instantiate + generate
// cost about nine of them).
func BenchmarkPartHMACSHA512(b *testing.B) {
	mac := hmac.New(sha512.New, make([]byte, 64))
	msg := make([]byte, 64)
	out := make([]byte, 0, 64)
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		mac.Reset()
		mac.Write(msg)
		out = mac.Sum(out[:0])
	}
}

// BenchmarkPartHMACSHA256 is the same unit for the RFC 6979 HMAC-DRBG,
// which uses the message hash (SHA-256 for algorithm 13).
func BenchmarkPartHMACSHA256(b *testing.B) {
	mac := hmac.New(sha256.New, make([]byte, 32))
	msg := make([]byte, 32)
	out := make([]byte, 0, 32)
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		mac.Reset()
		mac.Write(msg)
		out = mac.Sum(out[:0])
	}
}

// BenchmarkPartScalarBaseMult is k·G plus the affine conversion (one field
// inversion), through crypto/ecdh's key derivation, which runs the same
// constant-time nistec code as signing.
func BenchmarkPartScalarBaseMult(b *testing.B) {
	k := mustHex(b, "a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60")
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if _, err := ecdh.P256().NewPrivateKey(k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPartDERToRaw is the DER to r‖s conversion alone.
func BenchmarkPartDERToRaw(b *testing.B) {
	key := mustKey(b)
	digest := signedData()
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	require.NoError(b, err)
	var buf [64]byte
	b.ReportAllocs()
	defer cputime.Start().Report(b)
	for b.Loop() {
		if _, err := rawsig.AppendRaw(buf[:0], der, 32); err != nil {
			b.Fatal(err)
		}
	}
}
