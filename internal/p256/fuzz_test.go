package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"math/big"
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

// itemSize is the length of a BatchItem's fields laid end to end.
const itemSize = 32 + 64 + 65

// FuzzVerifyBatch runs VerifyBatch on up to eight items made from valid
// signatures (with their hints) under a fixed key, XORed with the fuzzer's
// mask, and requires it to agree with item-by-item verification: true
// exactly when every item verifies with Verify and crypto/ecdsa and
// carries its correct hint.
func FuzzVerifyBatch(f *testing.F) {
	priv, _ := fixedKey(f)
	bk := newBatchKey(f, priv)
	pool := make([]BatchItem, 8)
	for i := range pool {
		digest := sha256.Sum256(fmt.Append(nil, "digest ", i))
		for j := 0; ; j++ {
			kb := sha256.Sum256(fmt.Append(nil, "nonce ", i, " ", j))
			k := new(big.Int).SetBytes(kb[:])
			if k.Sign() == 0 || k.Cmp(order) >= 0 {
				continue
			}
			it, ok := bk.signNonce(f, digest, k)
			if ok {
				pool[i] = it
				break
			}
		}
	}
	flat := func(items []BatchItem) []byte {
		var b []byte
		for i := range items {
			b = append(b, items[i].Digest[:]...)
			b = append(b, items[i].Sig[:]...)
			b = append(b, items[i].R[:]...)
		}
		return b
	}
	xor := func(a, b []BatchItem) []byte {
		m := flat(a)
		for i, c := range flat(b) {
			m[i] ^= c
		}
		return m
	}
	for n := range uint8(9) {
		f.Add(n, []byte(nil))
	}
	changed := func(n int, edit func(items []BatchItem)) []byte {
		items := append([]BatchItem(nil), pool[:n]...)
		edit(items)
		return xor(pool[:n], items)
	}
	f.Add(uint8(3), changed(3, func(it []BatchItem) { it[1].Sig[63] ^= 1 }))
	f.Add(uint8(3), changed(3, func(it []BatchItem) { it[2].Digest[0] ^= 0x80 }))
	f.Add(uint8(4), changed(4, func(it []BatchItem) { it[0].R, it[3].R = it[3].R, it[0].R }))
	f.Add(uint8(2), changed(2, func(it []BatchItem) { it[1].R = negate(f, it[1].R) }))
	f.Add(uint8(5), changed(5, func(it []BatchItem) { it[4].R = [65]byte{} }))
	f.Add(uint8(5), changed(5, func(it []BatchItem) { it[2].R[64] ^= 1 }))
	f.Add(uint8(6), changed(6, func(it []BatchItem) { clear(it[5].Sig[32:]) }))
	f.Add(uint8(8), bytesOf(0xff, 8*itemSize))

	var sc BatchScratch
	f.Fuzz(func(t *testing.T, n uint8, mask []byte) {
		items := append([]BatchItem(nil), pool[:n%9]...)
		b := flat(items)
		for i := range min(len(mask), len(b)) {
			b[i] ^= mask[i]
		}
		for i := range items {
			r := b[i*itemSize:]
			copy(items[i].Digest[:], r[:32])
			copy(items[i].Sig[:], r[32:96])
			copy(items[i].R[:], r[96:itemSize])
		}
		got := bk.k.VerifyBatch(&sc, items)
		if want := bk.individually(t, items); got != want {
			t.Fatalf("VerifyBatch = %v, item by item = %v", got, want)
		}
	})
}
