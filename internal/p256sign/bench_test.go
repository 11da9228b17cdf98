package p256sign

import (
	"crypto"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/dnsseal/dnsseal/internal/cputime"
)

// BenchmarkSign measures Key.Sign on batches of digests, RFC 6979, with
// hints. One op is one batch; cpu-ns/sig and ns/sig are per signature.
func BenchmarkSign(b *testing.B) {
	priv := rawKey(b, unhex(b, rfc6979Key))
	key, err := NewKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			digests := randomDigests(rand.Reader, size)
			sigs := make([][64]byte, size)
			hints := make([][65]byte, size)
			var batch Batch
			b.ReportAllocs()
			defer cputime.Start().ReportPer(b, size, "sig")
			for b.Loop() {
				if err := key.Sign(&batch, digests, sigs, hints); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignHedged is BenchmarkSign with 32 bytes of crypto/rand per
// signature (Key.SignHedged).
func BenchmarkSignHedged(b *testing.B) {
	key, err := NewKey(rawKey(b, unhex(b, rfc6979Key)))
	if err != nil {
		b.Fatal(err)
	}
	const size = 64
	digests := randomDigests(rand.Reader, size)
	sigs := make([][64]byte, size)
	hints := make([][65]byte, size)
	var batch Batch
	b.ReportAllocs()
	defer cputime.Start().ReportPer(b, size, "sig")
	for b.Loop() {
		if err := key.SignHedged(&batch, rand.Reader, digests, sigs, hints); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibSign is the baseline: crypto/ecdsa's RFC 6979 path,
// priv.Sign(nil, digest, crypto.SHA256), one signature per op (DER out).
func BenchmarkStdlibSign(b *testing.B) {
	priv := rawKey(b, unhex(b, rfc6979Key))
	digest := randomDigests(rand.Reader, 1)[0]
	b.ReportAllocs()
	defer cputime.Start().ReportPer(b, 1, "sig")
	for b.Loop() {
		if _, err := priv.Sign(nil, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNonce measures the RFC 6979 nonce derivation alone.
func BenchmarkNonce(b *testing.B) {
	key, err := NewKey(rawKey(b, unhex(b, rfc6979Key)))
	if err != nil {
		b.Fatal(err)
	}
	var g drbg
	var eb, kb [32]byte
	var b2 Batch
	b.ReportAllocs()
	defer cputime.Start().ReportPer(b, 1, "sig")
	for b.Loop() {
		g.nonce(&b2.k[0], &kb, &key.d, &eb, nil)
		eb[0]++
	}
}
