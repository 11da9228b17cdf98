// Package rawsig converts ECDSA signatures between the ASN.1 DER encoding
// that crypto/ecdsa and AWS KMS produce and the fixed-width r‖s encoding
// that DNSSEC uses (RFC 6605 §4, https://www.rfc-editor.org/rfc/rfc6605#section-4).
//
// Parsing is strict: only minimal DER with positive integers that fit in
// the field size is accepted.
package rawsig

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// ErrMalformed is returned for a DER signature that is not a minimal
// SEQUENCE of two positive INTEGERs each fitting in the field size.
var ErrMalformed = errors.New("rawsig: malformed DER ECDSA signature")

// AppendRaw appends the fixed-width r‖s form of the DER signature der to
// dst, each integer left-padded with zeros to size bytes (32 for P-256, 48
// for P-384).
func AppendRaw(dst, der []byte, size int) ([]byte, error) {
	var r, s cryptobyte.String
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() ||
		!readInt(&seq, &r) || !readInt(&seq, &s) || !seq.Empty() {
		return dst, ErrMalformed
	}
	if len(r) > size || len(s) > size {
		return dst, fmt.Errorf("%w: integer longer than %d bytes", ErrMalformed, size)
	}
	dst = appendPadded(dst, r, size)
	return appendPadded(dst, s, size), nil
}

// readInt reads a minimal, positive, non-zero DER INTEGER and returns its
// magnitude without the leading zero octet that DER adds when the top bit
// is set.
func readInt(in *cryptobyte.String, out *cryptobyte.String) bool {
	var v cryptobyte.String
	if !in.ReadASN1(&v, asn1.INTEGER) || len(v) == 0 {
		return false
	}
	if v[0]&0x80 != 0 { // negative
		return false
	}
	if v[0] == 0 {
		if len(v) == 1 { // zero is not a valid r or s
			return false
		}
		if v[1]&0x80 == 0 { // non-minimal
			return false
		}
		v = v[1:]
	}
	*out = v
	return true
}

func appendPadded(dst, v []byte, size int) []byte {
	for range size - len(v) {
		dst = append(dst, 0)
	}
	return append(dst, v...)
}

// AppendDER appends the DER encoding of the fixed-width signature raw
// (r‖s, each half len(raw)/2 bytes) to dst. It fails if raw has odd length
// or r or s is zero.
func AppendDER(dst, raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return dst, fmt.Errorf("rawsig: raw signature length %d is not even", len(raw))
	}
	r, s := trim(raw[:len(raw)/2]), trim(raw[len(raw)/2:])
	if len(r) == 0 || len(s) == 0 {
		return dst, errors.New("rawsig: r or s is zero")
	}
	// Encoded by hand rather than with a cryptobyte.Builder, whose closures
	// allocate: this runs once per ECDSA signature verified.
	body := intLen(r) + intLen(s)
	dst = append(dst, 0x30) // SEQUENCE
	dst = appendLen(dst, body)
	dst = appendInt(dst, r)
	return appendInt(dst, s), nil
}

func trim(v []byte) []byte {
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

// intLen is the DER length of the INTEGER with magnitude v (no leading
// zero octets, not empty): tag, length and contents.
func intLen(v []byte) int {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++ // a 00 octet keeps it positive
	}
	return 1 + lenLen(n) + n
}

// lenLen is the size of the DER length field for n content octets.
func lenLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	}
	return 4
}

func appendLen(dst []byte, n int) []byte {
	switch lenLen(n) {
	case 1:
		return append(dst, byte(n))
	case 2:
		return append(dst, 0x81, byte(n))
	case 3:
		return append(dst, 0x82, byte(n>>8), byte(n))
	}
	return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
}

func appendInt(dst, v []byte) []byte {
	n := len(v)
	pad := v[0]&0x80 != 0
	if pad {
		n++
	}
	dst = append(dst, 0x02) // INTEGER
	dst = appendLen(dst, n)
	if pad {
		dst = append(dst, 0)
	}
	return append(dst, v...)
}
