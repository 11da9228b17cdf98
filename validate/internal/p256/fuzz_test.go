package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"testing"
)

// fixedKey is a deterministic P-256 key.
func fixedKey(t testing.TB) (*ecdsa.PrivateKey, *PublicKey) {
	t.Helper()
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), []byte("p256 fuzz test key, not a secret"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := priv.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewPublicKey(b[1:])
	if err != nil {
		t.Fatal(err)
	}
	return priv, k
}

// FuzzVerify compares Verify with crypto/ecdsa on arbitrary signatures
// and digests under a fixed key.
func FuzzVerify(f *testing.F) {
	priv, k := fixedKey(f)
	digest := make([]byte, 32)
	f.Add(sign(f, priv, digest), digest)
	f.Add(make([]byte, 64), digest)
	f.Add(bytesOf(0xff, 64), bytesOf(0xff, 32))
	var sc Scratch
	f.Fuzz(func(t *testing.T, sig, digest []byte) {
		if len(digest) != 32 {
			if k.Verify(&sc, digest, sig) {
				t.Fatal("accepted a digest that is not 32 bytes")
			}
			return
		}
		if got, want := k.Verify(&sc, digest, sig), stdVerify(&priv.PublicKey, digest, sig); got != want {
			t.Fatalf("Verify = %v, crypto/ecdsa = %v", got, want)
		}
	})
}
