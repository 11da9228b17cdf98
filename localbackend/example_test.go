package localbackend_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

// A key from a fixed seed, for tests and examples: this is the first
// Ed25519 key of RFC 8080 §6.1. Real keys leave Options.Rand nil.
func ExampleGenerate() {
	seed, _ := base64.StdEncoding.DecodeString("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=")
	s, err := localbackend.Generate(localbackend.ED25519, "example.com", signer.FlagsKSK,
		localbackend.Options{Rand: bytes.NewReader(seed)})
	if err != nil {
		fmt.Println(err)
		return
	}
	k := s.DNSKEY()
	fmt.Println(k.Hdr.Name, k.Hdr.Ttl, "IN DNSKEY", k.Flags, k.Protocol, k.Algorithm, k.PublicKey)
	fmt.Println("key tag", s.KeyTag())
	// Output:
	// example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
	// key tag 3613
}

// Deterministic ECDSA (RFC 6979) with the P-256 key of RFC 6979 A.2.5: the
// signature of "sample" is the r‖s given there.
func ExampleNew_deterministic() {
	x, _ := hex.DecodeString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := localbackend.New(priv, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, err := s.Sign(context.Background(), []byte("sample"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r = %X\ns = %X\n", sig[:32], sig[32:])
	// Output:
	// r = EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
	// s = F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8
}

// The RFC 6605 §6.1 key, stored as BIND files in testdata.
func ExampleLoadBIND() {
	s, err := localbackend.LoadBIND("testdata/rfc/Kexample.net.+013+55648.private", localbackend.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Owner(), s.Algorithm(), s.KeyTag())
	fmt.Println(localbackend.FileBase(s.Owner(), s.Algorithm(), s.KeyTag()))
	// Output:
	// example.net. 13 55648
	// Kexample.net.+013+55648
}

func ExampleSigner_SaveBIND() {
	dir, err := os.MkdirTemp("", "keys")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	seed := bytes.Repeat([]byte{7}, 32) // a fixed key for the example only
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.org", signer.FlagsZSK,
		localbackend.Options{Rand: bytes.NewReader(seed)})
	if err != nil {
		fmt.Println(err)
		return
	}
	keyPath, privatePath, err := s.SaveBIND(dir, localbackend.SaveOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fi, err := os.Stat(privatePath)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(keyPath))
	fmt.Println(filepath.Base(privatePath), fi.Mode().Perm())
	// Output:
	// Kexample.org.+013+37307.key
	// Kexample.org.+013+37307.private -rw-------
}

// Batch signing with the RFC 6979 key of A.2.5: the digests of "sample"
// and "test" signed in one call give the r‖s of RFC 6979, and the hint of
// each signature is R = k·G, whose x coordinate is r.
func ExampleSigner_SignDigests() {
	x, _ := hex.DecodeString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := localbackend.New(priv, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	digests := [][32]byte{sha256.Sum256([]byte("sample")), sha256.Sum256([]byte("test"))}
	sigs := make([][64]byte, len(digests))
	hints := make([][65]byte, len(digests))
	if err := s.SignDigests(context.Background(), digests, sigs, hints); err != nil {
		fmt.Println(err)
		return
	}
	for i := range sigs {
		fmt.Printf("r = %X\ns = %X\nx(R) = r: %t\n", sigs[i][:32], sigs[i][32:], bytes.Equal(hints[i][1:33], sigs[i][:32]))
	}
	// Output:
	// r = EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
	// s = F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8
	// x(R) = r: true
	// r = F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367
	// s = 019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083
	// x(R) = r: true
}
