// Package dnscrypto turns DNSKEY public keys into Go crypto keys and checks
// DNSSEC signature fields against them, for the algorithms dnsseal
// validates: RSA/SHA-1 (5, 7), RSA/SHA-256 (8), RSA/SHA-512 (10; RFC 5702),
// ECDSA P-256/SHA-256 (13), P-384/SHA-384 (14; RFC 6605) and Ed25519 (15;
// RFC 8080).
package dnscrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"

	"github.com/dnsseal/dnsseal/internal/rawsig"
)

// Algorithm numbers (IANA DNS Security Algorithm Numbers).
const (
	RSASHA1         uint8 = 5
	RSASHA1NSEC3    uint8 = 7
	RSASHA256       uint8 = 8
	RSASHA512       uint8 = 10
	ECDSAP256SHA256 uint8 = 13
	ECDSAP384SHA384 uint8 = 14
	ED25519         uint8 = 15
	ED448           uint8 = 16
)

// Errors.
var (
	ErrUnsupported  = errors.New("dnscrypto: unsupported algorithm")
	ErrBadPublicKey = errors.New("dnscrypto: malformed public key")
	ErrBadSigLength = errors.New("dnscrypto: wrong signature length")
	ErrVerify       = errors.New("dnscrypto: signature does not verify")
)

// Supported reports whether alg can be verified.
func Supported(alg uint8) bool {
	switch alg {
	case RSASHA1, RSASHA1NSEC3, RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, ED25519:
		return true
	}
	return false
}

// SignatureSize returns the exact signature length for algorithms with a
// fixed one (13, 14, 15) and 0 for others.
func SignatureSize(alg uint8) int {
	switch alg {
	case ECDSAP256SHA256, ED25519:
		return 64
	case ECDSAP384SHA384:
		return 96
	}
	return 0
}

// PublicKey is a parsed DNSKEY public key.
type PublicKey struct {
	alg   uint8
	ecdsa *ecdsa.PublicKey
	rsa   *rsa.PublicKey
	ed    ed25519.PublicKey
}

// Algorithm returns the DNSSEC algorithm of the key.
func (p *PublicKey) Algorithm() uint8 { return p.alg }

// Crypto returns the key as a crypto.PublicKey (*ecdsa.PublicKey,
// *rsa.PublicKey or ed25519.PublicKey).
func (p *PublicKey) Crypto() crypto.PublicKey {
	switch {
	case p.ecdsa != nil:
		return p.ecdsa
	case p.rsa != nil:
		return p.rsa
	}
	return p.ed
}

// ParsePublicKey parses the decoded public key field of a DNSKEY of
// algorithm alg.
func ParsePublicKey(alg uint8, key []byte) (*PublicKey, error) {
	switch alg {
	case ECDSAP256SHA256, ECDSAP384SHA384:
		curve, size := elliptic.P256(), 32
		if alg == ECDSAP384SHA384 {
			curve, size = elliptic.P384(), 48
		}
		if len(key) != 2*size {
			return nil, fmt.Errorf("%w: algorithm %d key is %d bytes, want %d", ErrBadPublicKey, alg, len(key), 2*size)
		}
		pt := make([]byte, 1+2*size)
		pt[0] = 4
		copy(pt[1:], key)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadPublicKey, err)
		}
		return &PublicKey{alg: alg, ecdsa: pub}, nil
	case ED25519:
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key is %d bytes, want 32", ErrBadPublicKey, len(key))
		}
		return &PublicKey{alg: alg, ed: ed25519.PublicKey(append([]byte(nil), key...))}, nil
	case RSASHA1, RSASHA1NSEC3, RSASHA256, RSASHA512:
		pub, err := parseRSA(key)
		if err != nil {
			return nil, err
		}
		return &PublicKey{alg: alg, rsa: pub}, nil
	}
	return nil, fmt.Errorf("%w %d", ErrUnsupported, alg)
}

// parseRSA parses the RFC 3110 §2 encoding: exponent length (1 octet, or 0
// and 2 octets), exponent, modulus.
func parseRSA(key []byte) (*rsa.PublicKey, error) {
	if len(key) < 3 {
		return nil, fmt.Errorf("%w: RSA key too short", ErrBadPublicKey)
	}
	elen, off := int(key[0]), 1
	if elen == 0 {
		elen, off = int(key[1])<<8|int(key[2]), 3
	}
	if elen == 0 || off+elen >= len(key) || elen > 8 {
		return nil, fmt.Errorf("%w: RSA exponent length %d", ErrBadPublicKey, elen)
	}
	var e uint64
	for _, b := range key[off : off+elen] {
		e = e<<8 | uint64(b)
	}
	if e < 3 || e > 1<<31-1 {
		return nil, fmt.Errorf("%w: RSA exponent %d", ErrBadPublicKey, e)
	}
	mod := key[off+elen:]
	if len(mod) > 4096/8 || mod[0] == 0 {
		return nil, fmt.Errorf("%w: RSA modulus of %d bytes", ErrBadPublicKey, len(mod))
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(mod), E: int(e)}, nil
}

// Verify checks the DNSSEC signature field sig over the signed data data.
// It returns nil, ErrBadSigLength, ErrVerify or another error saying why
// the signature could not be checked.
func (p *PublicKey) Verify(data, sig []byte) error {
	switch p.alg {
	case ECDSAP256SHA256:
		if len(sig) != 64 {
			return ErrBadSigLength
		}
		h := sha256.Sum256(data)
		return p.verifyECDSA(h[:], sig)
	case ECDSAP384SHA384:
		if len(sig) != 96 {
			return ErrBadSigLength
		}
		h := sha512.Sum384(data)
		return p.verifyECDSA(h[:], sig)
	case ED25519:
		if len(sig) != ed25519.SignatureSize {
			return ErrBadSigLength
		}
		if !ed25519.Verify(p.ed, data, sig) {
			return ErrVerify
		}
		return nil
	case RSASHA1, RSASHA1NSEC3:
		h := sha1.Sum(data)
		return p.verifyRSA(crypto.SHA1, h[:], sig)
	case RSASHA256:
		h := sha256.Sum256(data)
		return p.verifyRSA(crypto.SHA256, h[:], sig)
	case RSASHA512:
		h := sha512.Sum512(data)
		return p.verifyRSA(crypto.SHA512, h[:], sig)
	}
	return fmt.Errorf("%w %d", ErrUnsupported, p.alg)
}

func (p *PublicKey) verifyECDSA(hash, sig []byte) error {
	var buf [8 + 2*(2+49)]byte
	der, err := rawsig.AppendDER(buf[:0], sig)
	if err != nil {
		return ErrVerify
	}
	if !ecdsa.VerifyASN1(p.ecdsa, hash, der) {
		return ErrVerify
	}
	return nil
}

func (p *PublicKey) verifyRSA(h crypto.Hash, hash, sig []byte) error {
	if len(sig) != (p.rsa.N.BitLen()+7)/8 {
		return ErrBadSigLength
	}
	if err := rsa.VerifyPKCS1v15(p.rsa, h, hash, sig); err != nil {
		return fmt.Errorf("%w: %v", ErrVerify, err)
	}
	return nil
}
