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
	b := cryptobyte.NewBuilder(dst)
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addInt(b, r)
		addInt(b, s)
	})
	return b.Bytes()
}

func trim(v []byte) []byte {
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

func addInt(b *cryptobyte.Builder, v []byte) {
	b.AddASN1(asn1.INTEGER, func(b *cryptobyte.Builder) {
		if v[0]&0x80 != 0 {
			b.AddUint8(0)
		}
		b.AddBytes(v)
	})
}
