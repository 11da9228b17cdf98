package zonesign

import (
	"crypto/sha1"
	"encoding/base32"
)

// b32 is the base32hex alphabet of RFC 4648 §7 in lower case, without
// padding, as NSEC3 owner names use it (RFC 5155 §3.3).
var b32 = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// nsec3Hash computes the RFC 5155 §5 hash of the canonical (lower-case)
// wire name w: IH(salt, x, 0) = H(x || salt), IH(salt, x, k) =
// H(IH(salt, x, k-1) || salt). buf is scratch space.
func nsec3Hash(buf []byte, w []byte, salt []byte, iterations uint16) ([sha1.Size]byte, []byte) {
	buf = append(append(buf[:0], w...), salt...)
	h := sha1.Sum(buf)
	for range iterations {
		buf = append(append(buf[:0], h[:]...), salt...)
		h = sha1.Sum(buf)
	}
	return h, buf
}
