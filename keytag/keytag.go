// Package keytag computes the DNSSEC key tag of a DNSKEY, as defined in
// RFC 4034 Appendix B (https://www.rfc-editor.org/rfc/rfc4034#appendix-B),
// including the Appendix B.1 rule for algorithm 1 (RSA/MD5).
//
// Key tags are not unique: several keys may share a tag, and 0 is a legal
// tag. Callers that select keys by tag must try every key with that tag.
package keytag

import (
	"encoding/base64"
	"errors"

	"github.com/miekg/dns"
)

// ErrNoKey is returned when a DNSKEY's public key field is not valid base64
// or is empty.
var ErrNoKey = errors.New("keytag: DNSKEY has no decodable public key")

// FromRDATA returns the key tag of a DNSKEY given its wire-format RDATA
// (flags, protocol, algorithm, public key). It never fails: RDATA shorter
// than four octets yields the tag of whatever octets are present.
func FromRDATA(rdata []byte) uint16 {
	if len(rdata) >= 4 && rdata[3] == dns.RSAMD5 {
		// RFC 4034 B.1: the most significant 16 bits of the least
		// significant 24 bits of the modulus, i.e. the 3rd- and
		// 2nd-to-last octets of the public key field.
		n := len(rdata)
		if n < 4+3 {
			return 0
		}
		return uint16(rdata[n-3])<<8 | uint16(rdata[n-2])
	}
	var ac uint32
	for i, b := range rdata {
		if i&1 == 0 {
			ac += uint32(b) << 8
		} else {
			ac += uint32(b)
		}
	}
	ac += ac >> 16 & 0xffff
	return uint16(ac & 0xffff)
}

// Compute returns the key tag of k. It returns ErrNoKey when the public key
// is not valid base64.
func Compute(k *dns.DNSKEY) (uint16, error) {
	var buf [4 + 1024]byte
	rd, err := AppendRDATA(buf[:0], k)
	if err != nil {
		return 0, err
	}
	return FromRDATA(rd), nil
}

// AppendRDATA appends the wire-format RDATA of k (flags, protocol,
// algorithm, decoded public key) to b.
func AppendRDATA(b []byte, k *dns.DNSKEY) ([]byte, error) {
	b = append(b, byte(k.Flags>>8), byte(k.Flags), k.Protocol, k.Algorithm)
	start := len(b)
	b, err := base64.StdEncoding.AppendDecode(b, []byte(k.PublicKey))
	if err != nil || len(b) == start {
		return nil, ErrNoKey
	}
	return b, nil
}
