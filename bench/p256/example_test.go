package p256_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/dnsseal/dnsseal/internal/rawsig"
)

// Example shows the signing mode the benchmarks recommend: crypto/ecdsa with
// a nil random source signs deterministically (RFC 6979), here with the key
// and message of RFC 6979, Appendix A.2.5, giving the RFC 6605 r‖s form.
func Example() {
	d, _ := hex.DecodeString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		fmt.Println(err)
		return
	}
	digest := sha256.Sum256([]byte("sample"))
	der, err := key.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := rawsig.AppendRaw(nil, der, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r = %x\ns = %x\n", sig[:32], sig[32:])
	// Output:
	// r = efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716
	// s = f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8
}
