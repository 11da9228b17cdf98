package p256sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzSign signs a batch of 1 to 70 digests (the first from the input, the
// others chained by SHA-256, so batches cross a chunk boundary) with the
// key whose 32-byte scalar the input gives, and requires every signature
// to equal crypto/ecdsa's RFC 6979 one, to verify, and every hint to be
// the verifier's R.
func FuzzSign(f *testing.F) {
	ones := make([]byte, 32)
	for i := range ones {
		ones[i] = 0xff
	}
	one := make([]byte, 32)
	one[31] = 1
	sample := sha256.Sum256([]byte("sample"))
	f.Add(unhex(f, rfc6979Key), sample[:], uint8(0))
	f.Add(unhex(f, rfc6979Key), make([]byte, 32), uint8(64))
	f.Add(one, ones, uint8(1))
	f.Add(orderBytes[:], sample[:], uint8(7)) // d = n is no key: skipped
	f.Add([]byte{0x42}, []byte{}, uint8(65))
	f.Add(ones[:31], orderBytes[:], uint8(69))

	validPub := rawKey(f, unhex(f, rfc6979Key))
	var b Batch
	f.Fuzz(func(t *testing.T, scalar, digest []byte, count uint8) {
		var d [32]byte
		copy(d[32-min(32, len(scalar)):], scalar)
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		if err != nil {
			// Not a scalar in [1, n−1]: NewKey must refuse it too, with
			// any public key.
			bad := &ecdsa.PrivateKey{PublicKey: validPub.PublicKey, D: new(big.Int).SetBytes(d[:])}
			_, err := NewKey(bad)
			require.Error(t, err)
			return
		}
		digests := make([][32]byte, int(count)%70+1)
		copy(digests[0][:], digest)
		for i := 1; i < len(digests); i++ {
			digests[i] = sha256.Sum256(digests[i-1][:])
		}
		checkBatch(t, &b, priv, digests)
	})
}
