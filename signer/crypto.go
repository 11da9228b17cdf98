package signer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/internal/rawsig"
	"github.com/miekg/dns"
)

// DigestSigner is implemented by Signers that can sign a precomputed
// digest (SHA-256 for algorithm 13, SHA-384 for 14), such as local ECDSA
// keys and KMS keys with MessageType=DIGEST. It returns the DNSSEC
// signature field, like Sign.
type DigestSigner interface {
	Signer
	SignDigest(ctx context.Context, digest []byte) ([]byte, error)
}

// PublicKey returns the crypto.PublicKey (*ecdsa.PublicKey,
// ed25519.PublicKey or *rsa.PublicKey) of a DNSKEY.
func PublicKey(k *dns.DNSKEY) (crypto.PublicKey, error) {
	p, err := parseDNSKEY(k)
	if err != nil {
		return nil, err
	}
	return p.Crypto(), nil
}

func parseDNSKEY(k *dns.DNSKEY) (*dnscrypto.PublicKey, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil DNSKEY", ErrBadKey)
	}
	raw, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not base64: %v", ErrBadKey, err)
	}
	p, err := dnscrypto.ParsePublicKey(k.Algorithm, raw)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return p, nil
}

// Verifier checks signatures made by one DNSKEY. It is safe for
// concurrent use.
type Verifier struct{ pub *dnscrypto.PublicKey }

// NewVerifier parses the public key of k once.
func NewVerifier(k *dns.DNSKEY) (*Verifier, error) {
	p, err := parseDNSKEY(k)
	if err != nil {
		return nil, err
	}
	return &Verifier{pub: p}, nil
}

// Verify checks sig, a DNSSEC signature field, over data, the RFC 4034
// §3.1.8.1 signed data.
func (v *Verifier) Verify(data, sig []byte) error {
	if err := v.pub.Verify(data, sig); err != nil {
		return fmt.Errorf("signer: %w", err)
	}
	return nil
}

// FromCryptoSigner makes a Signer of a crypto.Signer holding an ECDSA P-256
// (algorithm 13), ECDSA P-384 (14) or Ed25519 (15) key, with a DNSKEY owned
// by owner with the given flags (257 for a KSK, 256 for a ZSK). The
// crypto.Signer must be safe for concurrent use if the Signer is used
// concurrently. Its Sign gets crypto/rand.Reader and ignores ctx once the
// call is made.
func FromCryptoSigner(cs crypto.Signer, owner string, flags uint16) (DigestSigner, error) {
	if cs == nil {
		return nil, fmt.Errorf("%w: nil crypto.Signer", ErrBadKey)
	}
	a := &cryptoAdapter{cs: cs}
	var pub []byte
	switch p := cs.Public().(type) {
	case *ecdsa.PublicKey:
		switch p.Curve {
		case elliptic.P256():
			a.alg, a.size = dns.ECDSAP256SHA256, 32
		case elliptic.P384():
			a.alg, a.size = dns.ECDSAP384SHA384, 48
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s has no DNSSEC algorithm", ErrBadKey, p.Curve.Params().Name)
		}
		b, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
		}
		pub = b[1:]
	case ed25519.PublicKey:
		a.alg = dns.ED25519
		pub = p
	default:
		return nil, fmt.Errorf("%w: unsupported public key type %T", ErrBadKey, p)
	}
	if _, ok := dns.IsDomainName(owner); !ok {
		return nil, fmt.Errorf("%w: bad owner name %q", ErrBadKey, owner)
	}
	a.dnskey = &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: canonicalName(owner), Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     flags,
		Protocol:  3,
		Algorithm: a.alg,
		PublicKey: base64.StdEncoding.EncodeToString(pub),
	}
	return a, nil
}

type cryptoAdapter struct {
	cs     crypto.Signer
	alg    uint8
	size   int // ECDSA field size; 0 for Ed25519
	dnskey *dns.DNSKEY
}

func (a *cryptoAdapter) Algorithm() uint8    { return a.alg }
func (a *cryptoAdapter) DNSKEY() *dns.DNSKEY { return a.dnskey }

func (a *cryptoAdapter) Sign(ctx context.Context, data []byte) ([]byte, error) {
	switch a.alg {
	case dns.ECDSAP256SHA256:
		h := sha256.Sum256(data)
		return a.SignDigest(ctx, h[:])
	case dns.ECDSAP384SHA384:
		h := sha512.Sum384(data)
		return a.SignDigest(ctx, h[:])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return a.cs.Sign(rand.Reader, data, crypto.Hash(0))
}

func (a *cryptoAdapter) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var h crypto.Hash
	switch a.alg {
	case dns.ECDSAP256SHA256:
		h = crypto.SHA256
	case dns.ECDSAP384SHA384:
		h = crypto.SHA384
	default:
		return nil, fmt.Errorf("signer: algorithm %d signs messages, not digests", a.alg)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("signer: digest is %d bytes, want %d", len(digest), h.Size())
	}
	der, err := a.cs.Sign(rand.Reader, digest, h)
	if err != nil {
		return nil, err
	}
	return rawsig.AppendRaw(make([]byte, 0, 2*a.size), der, a.size)
}

// ToCryptoSigner makes a crypto.Signer of s, so a DNSSEC key can sign
// certificates, JWTs and the like. ECDSA keys must implement DigestSigner;
// their signatures are returned ASN.1 DER encoded as crypto.Signer
// requires. Ed25519 keys sign the message itself (opts.HashFunc() must be
// 0). ctx bounds every Sign call.
func ToCryptoSigner(ctx context.Context, s Signer) (crypto.Signer, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Signer", ErrBadKey)
	}
	pub, err := PublicKey(s.DNSKEY())
	if err != nil {
		return nil, err
	}
	return &cryptoSigner{ctx: ctx, s: s, pub: pub}, nil
}

type cryptoSigner struct {
	ctx context.Context
	s   Signer
	pub crypto.PublicKey
}

func (c *cryptoSigner) Public() crypto.PublicKey { return c.pub }

func (c *cryptoSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	var want crypto.Hash
	switch c.s.Algorithm() {
	case dns.ED25519:
		if opts != nil && opts.HashFunc() != 0 {
			return nil, errors.New("signer: Ed25519 signs the message; use crypto.Hash(0)")
		}
		if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
			// DNSSEC keys make pure Ed25519 signatures (RFC 8080), which
			// would not verify as Ed25519ctx.
			return nil, errors.New("signer: Ed25519 with a context (Ed25519ctx) is not supported")
		}
		return c.s.Sign(c.ctx, digest)
	case dns.ECDSAP256SHA256:
		want = crypto.SHA256
	case dns.ECDSAP384SHA384:
		want = crypto.SHA384
	default:
		return nil, fmt.Errorf("signer: algorithm %d has no crypto.Signer adapter", c.s.Algorithm())
	}
	if opts == nil || opts.HashFunc() != want {
		return nil, fmt.Errorf("signer: algorithm %d signs %s digests", c.s.Algorithm(), want)
	}
	ds, ok := c.s.(DigestSigner)
	if !ok {
		return nil, fmt.Errorf("signer: %T cannot sign a precomputed digest", c.s)
	}
	raw, err := ds.SignDigest(c.ctx, digest)
	if err != nil {
		return nil, err
	}
	return rawsig.AppendDER(nil, raw)
}

// BatchSigner is implemented by ECDSA P-256 Signers (algorithm 13) that
// sign many SHA-256 digests at once faster than one at a time, such as
// localbackend's RFC 6979 keys. zonesign hands such keys batches of
// RRsets.
//
// SignDigests signs digests[i] into sigs[i] (the 64-byte r‖s of RFC 6605
// §4), exactly as SignDigest would, and, when hints is not nil, stores in
// hints[i] the uncompressed point R = k·G (0x04‖x‖y) of the signature. A
// verifier may use the hints to verify many signatures in one batch; a
// wrong hint makes such a batch fail (a bad signature passes only with
// the batch check's negligible error probability, 2⁻⁶⁴ per batch for
// dnsseal's), and the verifier then checks the signatures one by one. digests, sigs and hints (when not nil) have the same length. On
// error none of sigs may be used.
type BatchSigner interface {
	DigestSigner
	SignDigests(ctx context.Context, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error
}
