package p256sign

import (
	"crypto/sha256"
	"hash"

	"filippo.io/bigmod"
)

// Separator bytes of the HMAC-DRBG updates (RFC 6979 §3.2 steps d, f and
// h.3). They are package variables, not literals, so that passing them
// to hash.Hash.Write does not allocate.
var (
	sep0 = []byte{0x00}
	sep1 = []byte{0x01}
)

// drbg is the HMAC-DRBG of RFC 6979 §3.2 with HMAC-SHA-256, for P-256
// (qlen = hlen = 256 bits, so bits2int is the identity and every
// candidate is one HMAC output). Its zero value is ready after init; all
// buffers are reused, so deriving a nonce does not allocate.
type drbg struct {
	h     hash.Hash // SHA-256, created on first use
	pad   [sha256.BlockSize]byte
	inner [sha256.Size]byte
	K, V  [sha256.Size]byte
}

// mac sets out = HMAC-SHA-256(key, m[0] ‖ m[1] ‖ …). out may alias key
// or any part of m: the key is consumed before the message and out is
// written last.
func (g *drbg) mac(out, key *[sha256.Size]byte, m ...[]byte) {
	if g.h == nil {
		g.h = sha256.New()
	}
	// RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with K zero-padded to
	// the 64-byte block.
	for i := range g.pad {
		g.pad[i] = 0x36
	}
	for i, b := range key {
		g.pad[i] ^= b
	}
	g.h.Reset()
	g.h.Write(g.pad[:])
	for _, p := range m {
		g.h.Write(p)
	}
	g.h.Sum(g.inner[:0])
	for i := range g.pad {
		g.pad[i] ^= 0x36 ^ 0x5c
	}
	g.h.Reset()
	g.h.Write(g.pad[:])
	g.h.Write(g.inner[:])
	g.h.Sum(out[:0])
}

// init runs RFC 6979 §3.2 steps b–g: K and V seeded from x = int2octets(d)
// and h = bits2octets(digest), both 32 bytes. extra is nil for RFC 6979,
// or the additional data k′ of §3.6, appended to the provided data of
// steps d and f.
func (g *drbg) init(x, h *[32]byte, extra []byte) {
	// Step b: V = 0x01 0x01 … 0x01; step c: K = 0x00 0x00 … 0x00.
	for i := range g.V {
		g.V[i] = 0x01
	}
	g.K = [32]byte{}
	g.mac(&g.K, &g.K, g.V[:], sep0, x[:], h[:], extra) // step d
	g.mac(&g.V, &g.K, g.V[:])                          // step e
	g.mac(&g.K, &g.K, g.V[:], sep1, x[:], h[:], extra) // step f
	g.mac(&g.V, &g.K, g.V[:])                          // step g
}

// next runs step h.2 for P-256: V = HMAC_K(V); the candidate nonce is V.
func (g *drbg) next() { g.mac(&g.V, &g.K, g.V[:]) }

// reject runs step h.3 after a candidate was refused: K = HMAC_K(V ‖ 0x00),
// V = HMAC_K(V). crypto/ecdsa's HMAC-DRBG Generate makes the same update
// after every output.
func (g *drbg) reject() {
	g.mac(&g.K, &g.K, g.V[:], sep0)
	g.mac(&g.V, &g.K, g.V[:])
}

// accept sets k to the candidate c and reports whether 1 ≤ c < n (RFC 6979
// §3.2 step h.3). SetBytes and IsZero are constant time; the outcome is
// the only thing a caller branches on.
func accept(k *bigmod.Nat, c []byte) bool {
	if _, err := k.SetBytes(c, order); err != nil {
		return false // c ≥ n
	}
	return k.IsZero() == 0
}

// nonce derives the RFC 6979 nonce for private key x and bits2octets h
// (and, for hedged signatures, additional data extra) into k (as a Nat)
// and kb (32 bytes, big-endian).
func (g *drbg) nonce(k *bigmod.Nat, kb *[32]byte, x, h *[32]byte, extra []byte) {
	g.init(x, h, extra)
	for {
		g.next()
		if accept(k, g.V[:]) {
			*kb = g.V
			return
		}
		g.reject()
	}
}

// clear erases the DRBG state, which determines the last nonce.
func (g *drbg) clear() {
	clear(g.pad[:])
	clear(g.inner[:])
	clear(g.K[:])
	clear(g.V[:])
	if g.h != nil {
		g.h.Reset()
	}
}
