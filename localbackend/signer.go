package localbackend

import (
	"bytes"
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
	"sync"
	"time"

	"github.com/dnsseal/dnsseal/internal/p256sign"
	"github.com/dnsseal/dnsseal/internal/rawsig"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// DNSSEC algorithm numbers supported by this package.
const (
	ECDSAP256SHA256 uint8 = 13
	ECDSAP384SHA384 uint8 = 14
	ED25519         uint8 = 15
)

// DefaultTTL is the TTL of the DNSKEY record of a generated key when
// Options.TTL is zero.
const DefaultTTL uint32 = 3600

// Errors that callers may want to tell apart with errors.Is.
var (
	// ErrUnsupportedAlgorithm is returned for a key or algorithm number
	// other than 13, 14 and 15.
	ErrUnsupportedAlgorithm = errors.New("localbackend: unsupported algorithm")
	// ErrKeyMismatch is returned when a private key does not derive the
	// public key it is stored with.
	ErrKeyMismatch = errors.New("localbackend: private key does not match public key")
	// ErrMalformed is returned for a key file or PEM text that cannot be
	// parsed.
	ErrMalformed = errors.New("localbackend: malformed key")
)

// Options configure a Signer. The zero value gives randomized signatures,
// keys from crypto/rand, a DNSKEY TTL of 3600 and the current time as the
// key's creation time.
type Options struct {
	// Deterministic selects RFC 6979 deterministic ECDSA signatures
	// (crypto/ecdsa's, selected by a nil random source): the same key and
	// data always give the same signature, for golden tests and
	// reproducible output. The default randomized signatures are just as
	// safe (crypto/ecdsa mixes the key and digest into the nonce) and do
	// not reveal when two signatures cover the same data. Ed25519
	// signatures are always deterministic.
	Deterministic bool

	// Rand is the entropy source of Generate. Nil means crypto/rand.
	// When Rand is set, Generate derives the key from the bytes it reads
	// (rejection sampling of the ECDSA scalar, the 32-byte Ed25519 seed),
	// so a fixed Rand gives a fixed key: use that only for tests and
	// examples. Signing never reads Rand: it uses crypto/rand (crypto/ecdsa
	// ignores other readers since Go 1.26) or RFC 6979.
	Rand io.Reader

	// TTL is the TTL of the DNSKEY record. Zero means DefaultTTL for
	// Generate, New and the PEM functions, and the TTL of the .key file
	// for the BIND functions.
	TTL uint32

	// Now is the time recorded as Created, Publish and Activate in the
	// Timing of keys made by Generate, New and the PEM functions. Zero
	// means time.Now(). The BIND functions read the timing from the
	// .private file instead.
	Now time.Time
}

// Timing is the key timing metadata of a BIND v1.3 private key file
// (dnssec-settime(8)). Zero times are absent. Times are stored in whole
// seconds, UTC.
type Timing struct {
	Created     time.Time
	Publish     time.Time
	Activate    time.Time
	Revoke      time.Time
	Inactive    time.Time
	Delete      time.Time
	SyncPublish time.Time
	SyncDelete  time.Time
}

// Signer is an in-process DNSSEC private key. It implements signer.Signer,
// signer.DigestSigner and signer.BatchSigner (whose SignDigests works for
// algorithm 13 only), is immutable and is safe for concurrent use.
type Signer struct {
	alg    uint8
	size   int         // ECDSA field size in bytes; 0 for Ed25519
	hash   crypto.Hash // SHA-256 or SHA-384 for ECDSA; 0 for Ed25519
	ec     *ecdsa.PrivateKey
	ed     ed25519.PrivateKey
	p256   *p256sign.Key // batch signing key, for algorithm 13 only
	dnskey *dns.DNSKEY
	tag    uint16
	det    bool
	timing Timing
}

var _ signer.BatchSigner = (*Signer)(nil)

// Generate makes a new key of algorithm alg (13, 14 or 15) whose DNSKEY
// is owned by owner with the given flags: signer.FlagsKSK (257) for a
// key-signing key, signer.FlagsZSK (256) for a zone-signing key.
func Generate(alg uint8, owner string, flags uint16, opts Options) (*Signer, error) {
	var priv crypto.Signer
	switch alg {
	case ECDSAP256SHA256, ECDSAP384SHA384:
		curve := curveOf(alg)
		var k *ecdsa.PrivateKey
		var err error
		if opts.Rand == nil {
			k, err = ecdsa.GenerateKey(curve, rand.Reader)
		} else {
			k, err = scalarFromReader(curve, opts.Rand)
		}
		if err != nil {
			return nil, fmt.Errorf("localbackend: generate algorithm %d key: %w", alg, err)
		}
		priv = k
	case ED25519:
		r := opts.Rand
		if r == nil {
			r = rand.Reader
		}
		_, k, err := ed25519.GenerateKey(r)
		if err != nil {
			return nil, fmt.Errorf("localbackend: generate algorithm %d key: %w", alg, err)
		}
		priv = k
	default:
		return nil, fmt.Errorf("%w %d (want 13, 14 or 15)", ErrUnsupportedAlgorithm, alg)
	}
	return New(priv, owner, flags, opts)
}

// scalarFromReader draws an ECDSA private key from r by rejection
// sampling: a field-size string that is zero or not below the group
// order is discarded and another one read (FIPS 186-5 §A.2.2).
func scalarFromReader(curve elliptic.Curve, r io.Reader) (*ecdsa.PrivateKey, error) {
	buf := make([]byte, (curve.Params().BitSize+7)/8)
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		if k, err := ecdsa.ParseRawPrivateKey(curve, buf); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("random source gave no valid scalar in 64 tries")
}

func curveOf(alg uint8) elliptic.Curve {
	if alg == ECDSAP384SHA384 {
		return elliptic.P384()
	}
	return elliptic.P256()
}

// New makes a Signer of an existing private key: an *ecdsa.PrivateKey on
// P-256 (algorithm 13) or P-384 (14), or an ed25519.PrivateKey (15). The
// key is copied. Its DNSKEY is owned by owner (made fully qualified and
// lower-cased) with the given flags. For other crypto.Signers (HSMs and
// the like) use signer.FromCryptoSigner.
func New(priv crypto.Signer, owner string, flags uint16, opts Options) (*Signer, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	t := Timing{Created: now, Publish: now, Activate: now}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	return newSigner(priv, owner, flags, ttl, opts.Deterministic, t)
}

func newSigner(priv crypto.Signer, owner string, flags uint16, ttl uint32, det bool, t Timing) (*Signer, error) {
	if _, ok := dns.IsDomainName(owner); !ok || owner == "" {
		return nil, fmt.Errorf("localbackend: bad owner name %q", owner)
	}
	s := &Signer{det: det, timing: t}
	var pub []byte
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if k == nil || k.Curve == nil || k.D == nil || k.X == nil || k.Y == nil {
			return nil, fmt.Errorf("%w: incomplete ECDSA key (nil curve, scalar or point)", ErrMalformed)
		}
		switch k.Curve {
		case elliptic.P256():
			s.alg, s.size, s.hash = ECDSAP256SHA256, 32, crypto.SHA256
		case elliptic.P384():
			s.alg, s.size, s.hash = ECDSAP384SHA384, 48, crypto.SHA384
		default:
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedAlgorithm, k.Curve.Params().Name)
		}
		// Re-derive the key from its scalar: this copies it, checks it
		// and makes sure the public key is the one the scalar gives.
		d, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		c, err := ecdsa.ParseRawPrivateKey(k.Curve, d)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if !c.PublicKey.Equal(&k.PublicKey) {
			return nil, fmt.Errorf("%w: ECDSA public key is not the one of the private scalar", ErrKeyMismatch)
		}
		s.ec = c
		if s.alg == ECDSAP256SHA256 {
			if s.p256, err = p256sign.NewKey(c); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
		}
		b, err := c.PublicKey.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		pub = b[1:] // drop the 0x04 uncompressed-point prefix (RFC 6605 §4)
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key is %d bytes, want %d", ErrMalformed, len(k), ed25519.PrivateKeySize)
		}
		c := ed25519.NewKeyFromSeed(k.Seed())
		if !bytes.Equal(c[32:], k[32:]) {
			return nil, fmt.Errorf("%w: Ed25519 public key is not the one of the seed", ErrKeyMismatch)
		}
		s.alg, s.ed = ED25519, c
		pub = c[32:]
	case nil:
		return nil, fmt.Errorf("%w: nil private key", ErrUnsupportedAlgorithm)
	default:
		return nil, fmt.Errorf("%w: private key type %T (use signer.FromCryptoSigner for other crypto.Signers)", ErrUnsupportedAlgorithm, priv)
	}
	s.dnskey = &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: dns.CanonicalName(owner), Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: ttl},
		Flags:     flags,
		Protocol:  3,
		Algorithm: s.alg,
		PublicKey: base64.StdEncoding.EncodeToString(pub),
	}
	tag, err := keytag.Compute(s.dnskey)
	if err != nil { // cannot happen: the public key is never empty
		return nil, fmt.Errorf("localbackend: %w", err)
	}
	s.tag = tag
	return s, nil
}

// Algorithm returns the DNSSEC algorithm number of the key.
func (s *Signer) Algorithm() uint8 { return s.alg }

// DNSKEY returns the key's DNSKEY record. The caller must not modify it.
func (s *Signer) DNSKEY() *dns.DNSKEY { return s.dnskey }

// KeyTag returns the RFC 4034 Appendix B key tag of the key's DNSKEY.
func (s *Signer) KeyTag() uint16 { return s.tag }

// Owner returns the owner name of the DNSKEY: lower-case, fully qualified.
func (s *Signer) Owner() string { return s.dnskey.Hdr.Name }

// Flags returns the DNSKEY flags.
func (s *Signer) Flags() uint16 { return s.dnskey.Flags }

// Deterministic reports whether ECDSA signatures are RFC 6979
// deterministic (always true for Ed25519).
func (s *Signer) Deterministic() bool { return s.det || s.alg == ED25519 }

// Timing returns the key's BIND timing metadata.
func (s *Signer) Timing() Timing { return s.timing }

// WithTiming returns a copy of s with other timing metadata, for
// SaveBIND. Times are truncated to whole seconds.
func (s *Signer) WithTiming(t Timing) *Signer {
	c := *s
	c.timing = t.normalize()
	return &c
}

// Public returns the public key: an *ecdsa.PublicKey or an
// ed25519.PublicKey.
func (s *Signer) Public() crypto.PublicKey {
	if s.ec != nil {
		return &s.ec.PublicKey
	}
	return s.ed.Public()
}

// CryptoSigner returns the private key as a crypto.Signer: the
// *ecdsa.PrivateKey or ed25519.PrivateKey itself, shared with s. The caller
// must not modify it. Its Sign method takes a digest (ECDSA) or message
// (Ed25519) and returns ASN.1 DER for ECDSA, as crypto.Signer does; use
// s.Sign for DNSSEC signatures.
func (s *Signer) CryptoSigner() crypto.Signer {
	if s.ec != nil {
		return s.ec
	}
	return s.ed
}

// Sign signs data, the RFC 4034 §3.1.8.1 signed data, and returns the
// DNSSEC signature field: 64 bytes r‖s for algorithm 13, 96 bytes for 14
// (RFC 6605 §4), the 64-byte Ed25519 signature for 15 (RFC 8080 §3). It
// returns ctx.Err() if ctx is done before signing.
func (s *Signer) Sign(ctx context.Context, data []byte) ([]byte, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	switch s.alg {
	case ECDSAP256SHA256:
		h := sha256.Sum256(data)
		return s.signECDSA(h[:])
	case ECDSAP384SHA384:
		h := sha512.Sum384(data)
		return s.signECDSA(h[:])
	case ED25519:
		return ed25519.Sign(s.ed, data), nil
	}
	return nil, fmt.Errorf("%w %d", ErrUnsupportedAlgorithm, s.alg)
}

// SignDigest signs a precomputed digest of the signed data (SHA-256 for
// algorithm 13, SHA-384 for 14) and returns the r‖s signature field.
// Ed25519 keys sign messages, not digests, and return an error.
func (s *Signer) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if s.ec == nil {
		return nil, fmt.Errorf("localbackend: algorithm %d signs messages, not digests", s.alg)
	}
	if len(digest) != s.hash.Size() {
		return nil, fmt.Errorf("localbackend: digest is %d bytes, want %d", len(digest), s.hash.Size())
	}
	return s.signECDSA(digest)
}

func (s *Signer) signECDSA(digest []byte) ([]byte, error) {
	var der []byte
	var err error
	if s.det {
		// A nil random source selects RFC 6979 in crypto/ecdsa.
		der, err = s.ec.Sign(nil, digest, s.hash)
	} else {
		der, err = ecdsa.SignASN1(rand.Reader, s.ec, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("localbackend: sign: %w", err)
	}
	sig, err := rawsig.AppendRaw(make([]byte, 0, 2*s.size), der, s.size)
	if err != nil {
		return nil, fmt.Errorf("localbackend: sign: %w", err)
	}
	return sig, nil
}

// batches holds the scratch space of SignDigests, one *p256sign.Batch per
// concurrent call; it does not depend on the key.
var batches = sync.Pool{New: func() any { return new(p256sign.Batch) }}

// minBatch is the smallest batch that SignDigests signs with p256sign when
// no hints are asked for: one batch shares one modular inversion that
// costs about as much as a whole crypto/ecdsa signature, so one or two
// digests are signed faster one at a time.
const minBatch = 3

// SignDigests signs SHA-256 digests with an algorithm-13 key, as
// signer.BatchSigner describes: sigs[i] receives the r‖s signature of
// digests[i] and, when hints is not nil, hints[i] the point R = k·G
// (0x04‖x‖y) of that signature. sigs and hints (when not nil) must have
// the length of digests.
//
// Batches are signed by internal/p256sign, ChunkSize (64) digests at a
// time, for about 40 % less CPU per signature than SignDigest; one or two
// digests without hints are signed by SignDigest's code, which is faster
// for them. ctx is checked before each chunk, and ctx.Err() returned once
// it is done. On error none of sigs may be used.
//
// With a Deterministic key the signatures are the RFC 6979 ones that
// SignDigest returns, byte for byte. Otherwise they are randomized: in
// batches the nonce is RFC 6979's with 32 bytes from crypto/rand per
// signature mixed in as RFC 6979 §3.6 additional data (hedged signatures,
// as secret as RFC 6979's should the random source fail), where
// SignDigest uses crypto/ecdsa's own hedged construction.
//
// Every Signer has the method, so every Signer satisfies
// signer.BatchSigner; for algorithms 14 and 15 it returns an error that
// wraps ErrUnsupportedAlgorithm. Callers choose batch signing by
// Algorithm() == 13.
func (s *Signer) SignDigests(ctx context.Context, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if s.p256 == nil {
		return fmt.Errorf("%w %d for batch signing (only algorithm %d signs batches)", ErrUnsupportedAlgorithm, s.alg, ECDSAP256SHA256)
	}
	if len(sigs) != len(digests) || (hints != nil && len(hints) != len(digests)) {
		return fmt.Errorf("localbackend: %d digests but %d signature slots and %d hint slots", len(digests), len(sigs), len(hints))
	}
	if hints == nil && len(digests) < minBatch {
		for i := range digests {
			sig, err := s.signECDSA(digests[i][:])
			if err != nil {
				return err
			}
			copy(sigs[i][:], sig)
		}
		return nil
	}
	b := batches.Get().(*p256sign.Batch)
	defer batches.Put(b)
	for i := 0; i < len(digests); i += p256sign.ChunkSize {
		if ctx != nil && i > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		j := min(i+p256sign.ChunkSize, len(digests))
		var h [][65]byte
		if hints != nil {
			h = hints[i:j]
		}
		var err error
		if s.det {
			err = s.p256.Sign(b, digests[i:j], sigs[i:j], h)
		} else {
			err = s.p256.SignHedged(b, rand.Reader, digests[i:j], sigs[i:j], h)
		}
		if err != nil {
			return fmt.Errorf("localbackend: sign: %w", err)
		}
	}
	return nil
}

func (t Timing) normalize() Timing {
	f := func(x time.Time) time.Time {
		if x.IsZero() {
			return x
		}
		return x.UTC().Truncate(time.Second)
	}
	return Timing{
		Created: f(t.Created), Publish: f(t.Publish), Activate: f(t.Activate),
		Revoke: f(t.Revoke), Inactive: f(t.Inactive), Delete: f(t.Delete),
		SyncPublish: f(t.SyncPublish), SyncDelete: f(t.SyncDelete),
	}
}
