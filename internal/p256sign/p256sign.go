package p256sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"filippo.io/bigmod"
	"filippo.io/nistec"
)

// ChunkSize is the number of signatures made with one batch inversion.
// Longer batches are signed ChunkSize at a time, so a [Batch] holds a
// fixed amount of scratch whatever the length of the input. At 64 the
// shared inversion costs less than 3 % of a signature.
const ChunkSize = 64

// orderBytes is n, the order of the P-256 base point.
var orderBytes = [32]byte{
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
}

// orderMinus2 is n − 2, the exponent of Fermat inversion mod n.
var orderMinus2 = [32]byte{
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
}

// order is n as a bigmod modulus.
var order = mustModulus(orderBytes[:])

func mustModulus(b []byte) *bigmod.Modulus {
	m, err := bigmod.NewModulus(b)
	if err != nil { // cannot happen: n is an odd constant
		panic("p256sign: bad group order: " + err.Error())
	}
	return m
}

// Key is a P-256 private key prepared for signing. It is immutable and safe
// for concurrent use; every goroutine brings its own [Batch].
type Key struct {
	d   [32]byte   // int2octets(d), the RFC 6979 seed
	dn  bigmod.Nat // d mod n
	pub [65]byte   // uncompressed public key, for Public
}

// NewKey prepares priv for signing. It returns an error if priv is not a
// valid P-256 key: nil, another curve, a scalar outside [1, n−1], or a
// public key that is not d·G, or missing fields.
func NewKey(priv *ecdsa.PrivateKey) (*Key, error) {
	if priv == nil {
		return nil, errors.New("p256sign: nil private key")
	}
	if priv.Curve != elliptic.P256() {
		name := "nil"
		if priv.Curve != nil {
			name = priv.Curve.Params().Name
		}
		return nil, fmt.Errorf("p256sign: key is on curve %s, not P-256", name)
	}
	if priv.D == nil || priv.X == nil || priv.Y == nil {
		return nil, errors.New("p256sign: incomplete private key (nil scalar or point)")
	}
	d, err := priv.Bytes()
	if err != nil {
		return nil, fmt.Errorf("p256sign: invalid private key: %w", err)
	}
	// Re-derive the key from its scalar: that checks 1 ≤ d < n and gives
	// the public key the scalar implies, which must be the one stored.
	c, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return nil, fmt.Errorf("p256sign: invalid private key: %w", err)
	}
	if !c.PublicKey.Equal(&priv.PublicKey) {
		return nil, errors.New("p256sign: public key is not the one of the private scalar")
	}
	pub, err := c.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("p256sign: invalid public key: %w", err)
	}
	k := &Key{}
	copy(k.d[:], d)
	copy(k.pub[:], pub)
	if _, err := k.dn.SetBytes(k.d[:], order); err != nil {
		return nil, fmt.Errorf("p256sign: invalid private key: %w", err)
	}
	return k, nil
}

// Public returns the public key, uncompressed: 0x04 ‖ x ‖ y.
func (k *Key) Public() [65]byte { return k.pub }

// Batch is the scratch space of signing: the nonces of one chunk, their
// prefix products, the HMAC-DRBG state and a point. Its zero value is
// ready to use. A Batch may be reused for any number of calls and keys
// (reuse is what makes signing free of allocations) but by one goroutine
// at a time.
type Batch struct {
	g     drbg
	p     *nistec.P256Point
	k     [ChunkSize]bigmod.Nat // nonces
	pre   [ChunkSize]bigmod.Nat // prefix products k₀…kᵢ, then inverses
	r     [ChunkSize]bigmod.Nat // r, then s
	e     [ChunkSize]bigmod.Nat // digests mod n
	inv   bigmod.Nat
	eb    [32]byte // bits2octets(digest)
	kb    [32]byte // nonce, big-endian
	extra [ChunkSize * 32]byte
}

// Sign signs each digests[i], a SHA-256 digest, with RFC 6979
// deterministic ECDSA (§3.2, HMAC-SHA-256) and stores the signature r‖s
// (32 bytes each, big-endian) in sigs[i]: the same signature as
// crypto/ecdsa's priv.Sign(nil, digests[i][:], crypto.SHA256). If hints
// is not nil, hints[i] receives R = k·G, uncompressed (0x04 ‖ x ‖ y),
// whose x coordinate reduced mod n is r.
//
// sigs and hints (when not nil) must have the length of digests. A nil b
// uses a temporary Batch. On error the contents of sigs and hints are
// unspecified.
func (k *Key) Sign(b *Batch, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	return k.sign(b, nil, digests, sigs, hints)
}

// SignHedged is Sign with 32 bytes read from rand per signature mixed into
// the nonce as the additional data k′ of RFC 6979 §3.6. Signatures of the
// same digest differ (given a working rand) and are otherwise as good as
// Sign's; if rand is predictable, nonces are still as secret as RFC
// 6979's. rand must not be nil; an error reading it is returned.
func (k *Key) SignHedged(b *Batch, rand io.Reader, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	if rand == nil {
		return errors.New("p256sign: nil random source")
	}
	return k.sign(b, rand, digests, sigs, hints)
}

func (k *Key) sign(b *Batch, rand io.Reader, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	if k == nil {
		return errors.New("p256sign: nil key")
	}
	if len(sigs) != len(digests) {
		return fmt.Errorf("p256sign: %d signature slots for %d digests", len(sigs), len(digests))
	}
	if hints != nil && len(hints) != len(digests) {
		return fmt.Errorf("p256sign: %d hint slots for %d digests", len(hints), len(digests))
	}
	if len(digests) == 0 {
		return nil
	}
	if b == nil {
		b = new(Batch)
	}
	defer b.clear()
	for i := 0; i < len(digests); i += ChunkSize {
		j := min(i+ChunkSize, len(digests))
		var h [][65]byte
		if hints != nil {
			h = hints[i:j]
		}
		if err := k.signChunk(b, rand, digests[i:j], sigs[i:j], h); err != nil {
			return err
		}
	}
	return nil
}

// signChunk signs at most ChunkSize digests.
func (k *Key) signChunk(b *Batch, rand io.Reader, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	n := len(digests)
	if b.p == nil {
		b.p = nistec.NewP256Point()
	}
	if rand != nil {
		if _, err := io.ReadFull(rand, b.extra[:32*n]); err != nil {
			return fmt.Errorf("p256sign: read random source: %w", err)
		}
	}
	for i := range n {
		// e = bits2int(H(m)) mod n. For P-256 and SHA-256 bits2int keeps
		// all 256 bits, so SetOverflowingBytes (one conditional
		// subtraction) reduces it; bits2octets is its 32-byte encoding.
		e := &b.e[i]
		if _, err := e.SetOverflowingBytes(digests[i][:], order); err != nil {
			return fmt.Errorf("p256sign: digest: %w", err) // cannot happen for 32 bytes
		}
		natBytes(b.eb[:], e)

		var extra []byte
		if rand != nil {
			extra = b.extra[32*i : 32*i+32]
		}
		b.g.nonce(&b.k[i], &b.kb, &k.d, &b.eb, extra)

		// R = k·G and r = x(R) mod n. Bytes makes the same one field
		// inversion as BytesX and gives y too, for the hint.
		if _, err := b.p.ScalarBaseMult(b.kb[:]); err != nil {
			return fmt.Errorf("p256sign: k·G: %w", err)
		}
		enc := b.p.Bytes()
		if len(enc) != 65 { // the point at infinity: impossible for 0 < k < n
			return errors.New("p256sign: internal error: k·G is the point at infinity")
		}
		if hints != nil {
			copy(hints[i][:], enc)
		}
		r := &b.r[i]
		if _, err := r.SetOverflowingBytes(enc[1:33], order); err != nil {
			return fmt.Errorf("p256sign: x(k·G): %w", err)
		}
		// As in crypto/ecdsa: the chance is negligible, so no retry.
		if r.IsZero() == 1 {
			return errors.New("p256sign: internal error: r is zero")
		}
		natBytes(sigs[i][:32], r)

		// pre[i] = k₀·k₁·…·kᵢ mod n.
		if i == 0 {
			setNat(&b.pre[0], &b.k[0])
		} else {
			setNat(&b.pre[i], &b.pre[i-1])
			b.pre[i].Mul(&b.k[i], order)
		}
	}

	// Montgomery's trick: inv = (k₀⋯kₙ₋₁)⁻¹ by Fermat (n is prime and no
	// kᵢ is zero), then walking back kᵢ⁻¹ = inv·pre[i−1] and
	// inv ← inv·kᵢ = (k₀⋯kᵢ₋₁)⁻¹. kᵢ⁻¹ replaces pre[i], which is no longer
	// needed; k₀⁻¹ is what inv holds at the end.
	b.inv.Exp(&b.pre[n-1], orderMinus2[:], order)
	for i := n - 1; i > 0; i-- {
		setNat(&b.pre[i], &b.inv)
		b.pre[i].Mul(&b.pre[i-1], order)
		b.inv.Mul(&b.k[i], order)
	}
	setNat(&b.pre[0], &b.inv)

	// s = k⁻¹(e + r·d) mod n, computed in place of r (already encoded).
	for i := range n {
		s := &b.r[i]
		s.Mul(&k.dn, order)
		s.Add(&b.e[i], order)
		s.Mul(&b.pre[i], order)
		if s.IsZero() == 1 {
			return errors.New("p256sign: internal error: s is zero")
		}
		natBytes(sigs[i][32:], s)
	}
	return nil
}

// clear erases the secrets a Batch holds after a call: nonces, their
// products and inverses, the DRBG state.
func (b *Batch) clear() {
	b.g.clear()
	clear(b.kb[:])
	for i := range b.k {
		clear(b.k[i].Bits())
		clear(b.pre[i].Bits())
		clear(b.r[i].Bits())
	}
	clear(b.inv.Bits())
	clear(b.extra[:])
}

// setNat sets dst = src, both sized for order. bigmod has no exported
// copy; the limbs are copied through Bits, which shares dst's storage.
func setNat(dst, src *bigmod.Nat) {
	copy(dst.ExpandFor(order).Bits(), src.Bits())
}

// natBytes writes x, a Nat sized for order, into out (32 bytes) in
// big-endian order, like x.Bytes(order) but without allocating.
func natBytes(out []byte, x *bigmod.Nat) {
	i := len(out)
	for _, l := range x.Bits() {
		for range bits.UintSize / 8 {
			if i == 0 {
				return
			}
			i--
			out[i] = byte(l)
			l >>= 8
		}
	}
	clear(out[:i])
}
