package p256

import (
	"errors"
	"math/big"

	"filippo.io/nistec"
)

const (
	window  = 8
	digits  = 1<<window - 1               // non-zero digits per window
	windows = (256 + window - 1) / window // windows in a 256-bit scalar
)

// order is n, the order of the P-256 base point.
var order, _ = new(big.Int).SetString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)

// ErrKey is returned for a public key that is not a point on P-256.
var ErrKey = errors.New("p256: invalid public key")

// PublicKey is a P-256 public key with its precomputed table. It is
// immutable and safe for concurrent use.
type PublicKey struct {
	table [windows][digits]nistec.P256Point
}

// NewPublicKey parses the 64-byte DNSSEC public key field x‖y (RFC 6605
// §4) and precomputes its table.
func NewPublicKey(xy []byte) (*PublicKey, error) {
	if len(xy) != 64 {
		return nil, ErrKey
	}
	var enc [65]byte
	enc[0] = 4
	copy(enc[1:], xy)
	q, err := nistec.NewP256Point().SetBytes(enc[:])
	if err != nil {
		return nil, ErrKey
	}
	k := new(PublicKey)
	p := q // 2^(5i)·Q
	for i := range k.table {
		t := &k.table[i]
		t[0].Set(p)
		for d := 1; d < digits; d++ {
			t[d].Add(&t[d-1], p)
		}
		for range window {
			p.Double(p)
		}
	}
	return k, nil
}

// Scratch holds the big integers of a verification so that a caller
// making many can reuse them. The zero value is ready to use; it must not
// be used by two goroutines at once.
type Scratch struct {
	r, s, e, w, u, x big.Int
	u1, u2           [32]byte
	sum              nistec.P256Point
}

// Verify reports whether sig, the 64-byte r‖s of RFC 6605 §4, is a valid
// ECDSA signature of the SHA-256 digest by k. sc may be nil.
func (k *PublicKey) Verify(sc *Scratch, digest, sig []byte) bool {
	if sc == nil {
		sc = new(Scratch)
	}
	sum := k.point(sc, digest, sig)
	if sum == nil {
		return false
	}
	x, err := sum.BytesX()
	if err != nil { // the point at infinity
		return false
	}
	xi := sc.x.SetBytes(x)
	if xi.Cmp(order) >= 0 {
		xi.Sub(xi, order)
	}
	return xi.Cmp(&sc.r) == 0
}

// Hint returns, for a valid signature sig of digest by k, the point
// R = k·G of its signer in the form of BatchItem.R (0x04‖x‖y): the point
// u1·G + u2·Q that verification computes. ok is false when sig or digest
// has the wrong length, r or s is out of range, or the point is at
// infinity. It costs about one Verify; a signer.BatchSigner has R for
// free. For signatures that are not valid the point is of no use (its x
// is not r), and a batch given it fails.
func (k *PublicKey) Hint(digest, sig []byte) (R [65]byte, ok bool) {
	var sc Scratch
	sum := k.point(&sc, digest, sig)
	if sum == nil {
		return R, false
	}
	enc := sum.Bytes()
	if len(enc) != len(R) { // the point at infinity encodes as one byte
		return R, false
	}
	copy(R[:], enc)
	return R, true
}

// point computes u1·G + u2·Q into sc.sum for the signature sig (r‖s) of
// digest, with u1 = e·s⁻¹ and u2 = r·s⁻¹ mod n, leaving r in sc.r. It
// returns nil when sig or digest has the wrong length or r or s is out
// of range.
func (k *PublicKey) point(sc *Scratch, digest, sig []byte) *nistec.P256Point {
	if len(sig) != 64 || len(digest) != 32 {
		return nil
	}
	r := sc.r.SetBytes(sig[:32])
	s := sc.s.SetBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(order) >= 0 || s.Cmp(order) >= 0 {
		return nil
	}
	// The digest is as long as n, so it is the integer e as it is.
	e := sc.e.SetBytes(digest)
	w := sc.w.ModInverse(s, order)
	if w == nil {
		return nil
	}
	u := sc.u.Mul(e, w)
	u.Mod(u, order)
	u.FillBytes(sc.u1[:])
	u.Mul(r, w)
	u.Mod(u, order)
	u.FillBytes(sc.u2[:])

	sum, err := sc.sum.ScalarBaseMult(sc.u1[:])
	if err != nil {
		return nil
	}
	k.addMult(sum, &sc.u2)
	return sum
}

// addMult adds s·Q to acc, for the 32-byte big-endian scalar s.
func (k *PublicKey) addMult(acc *nistec.P256Point, s *[32]byte) {
	for i := range k.table {
		d := 0
		for b := range window {
			bit := window*i + b
			if bit >= 256 {
				break
			}
			d |= int(s[31-bit/8]>>(bit%8)&1) << b
		}
		if d != 0 {
			acc.Add(acc, &k.table[i][d-1])
		}
	}
}
