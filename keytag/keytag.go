// Package keytag computes the DNSSEC key tag of a DNSKEY, as defined in
// RFC 4034 Appendix B (https://www.rfc-editor.org/rfc/rfc4034#appendix-B),
// including the Appendix B.1 rule for algorithm 1 (RSA/MD5).
//
// Key tags are not unique: several keys may share a tag, and 0 is a legal
// tag. Callers that select keys by tag must try every key with that tag.
//
// Compute does not allocate for public keys of up to 1024 octets, which
// covers every DNSSEC algorithm in use, 4096-bit RSA included.
package keytag

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/miekg/dns"
)

// ErrNoKey is returned when a DNSKEY is nil, or its public key field is
// empty or not valid base64.
var ErrNoKey = errors.New("keytag: DNSKEY has no decodable public key")

// stackKey is the longest public key, in octets, that Compute decodes
// without a heap allocation: more than a 4096-bit RSA key in RFC 3110 form
// (1 + 3 + 512 octets).
const stackKey = 1024

// FromRDATA returns the key tag of a DNSKEY given its wire-format RDATA
// (flags, protocol, algorithm, public key). It never fails.
//
// For algorithm 1 (RSA/MD5) it applies RFC 4034 Appendix B.1: the tag is
// "the most significant 16 bits of the least significant 24 bits in the
// public key modulus", that is the 3rd- and 2nd-to-last octets of the
// public key field, which ends with the modulus (RFC 3110 §2). (The RFC's
// parenthetical "4th to last and 3rd to last octets" miscounts; BIND and
// dnspython use the octets named here.) An algorithm-1 RDATA whose public
// key is shorter than three octets has tag 0.
//
// For every other algorithm, and for RDATA shorter than four octets, it is
// the Appendix B checksum of the octets given.
func FromRDATA(rdata []byte) uint16 {
	if len(rdata) >= 4 && rdata[3] == dns.RSAMD5 {
		n := len(rdata)
		if n < 4+3 {
			return 0
		}
		return uint16(rdata[n-3])<<8 | uint16(rdata[n-2])
	}
	// RFC 4034 Appendix B reference code. ac cannot overflow for RDATA
	// of up to 65535 octets (the RDLENGTH limit): at most 32768 high
	// octets of 0xff00 and 32767 low octets of 0xff sum below 2^31.
	var ac uint32
	i := 0
	for ; i+1 < len(rdata); i += 2 {
		ac += uint32(rdata[i])<<8 | uint32(rdata[i+1])
	}
	if i < len(rdata) {
		ac += uint32(rdata[i]) << 8
	}
	ac += (ac >> 16) & 0xffff
	return uint16(ac)
}

// Compute returns the key tag of k. It returns an error wrapping ErrNoKey
// when k is nil or its public key is empty or not valid base64.
func Compute(k *dns.DNSKEY) (uint16, error) {
	var buf [4 + stackKey]byte
	rd, err := AppendRDATA(buf[:0], k)
	if err != nil {
		return 0, err
	}
	return FromRDATA(rd), nil
}

// AppendRDATA appends the wire-format RDATA of k (flags, protocol,
// algorithm, decoded public key) to b. On error it returns b unchanged and
// an error wrapping ErrNoKey.
func AppendRDATA(b []byte, k *dns.DNSKEY) ([]byte, error) {
	if k == nil {
		return b, fmt.Errorf("%w: nil DNSKEY", ErrNoKey)
	}
	if k.PublicKey == "" {
		return b, fmt.Errorf("%w: empty public key", ErrNoKey)
	}
	orig := b
	b = append(b, byte(k.Flags>>8), byte(k.Flags), k.Protocol, k.Algorithm)
	// []byte(k.PublicKey) is a zero-copy conversion: the compiler sees
	// that AppendDecode neither keeps nor writes its source.
	out, err := base64.StdEncoding.AppendDecode(b, []byte(k.PublicKey))
	if err != nil {
		return orig, fmt.Errorf("%w: %v", ErrNoKey, err)
	}
	if len(out) == len(b) { // only ignored \r and \n
		return orig, fmt.Errorf("%w: empty public key", ErrNoKey)
	}
	return out, nil
}
