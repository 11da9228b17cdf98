// Package dsrecord makes DS, CDS and CDNSKEY records from a DNSKEY and
// checks DS records against DNSKEYs.
//
// A DS digest is H(owner name | DNSKEY RDATA) with the owner name in
// canonical wire form, lower-cased at the wire level so that escapes such as
// \065 are folded too (RFC 4034 §5.1.4,
// https://www.rfc-editor.org/rfc/rfc4034#section-5.1.4).
//
// # Digest types
//
// SHA-256 (digest type 2, RFC 4509) is the default; SHA-384 (4, RFC 6605)
// is supported as well. SHA-1 (1, RFC 4034) is supported for checking
// existing DS records, but New refuses to create SHA-1 records unless
// Options.AllowSHA1 is set: RFC 8624 §3.3 says SHA-1 MUST NOT be used for
// DNSSEC delegation (SHA-1 collisions are practical), while validators MUST
// still support it. Other digest types (GOST, SM3, private use) are
// reported as ErrDigestType.
//
// # Matching
//
// Match and Check compare a DS with a DNSKEY field by field: owner name
// (ignoring case), key tag, algorithm, the Zone Key flag and protocol 3 that
// RFC 4034 §5.2 and §2.1.2 require of a key a DS may point to, and the
// digest bytes (hex in either case). A mismatch is data, reported as a
// *MismatchError by Check; an error from Match means the question could not
// be answered (unknown digest type, undecodable key or digest).
//
// Created DS and CDS records carry the DNSKEY's owner name, class (IN when
// zero) and TTL, and the digest as upper-case hex, as BIND and miekg/dns
// print it.
package dsrecord

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
)

// DS digest types (IANA "DS RR Type Digest Algorithms").
const (
	// SHA1 (RFC 4034) may be checked but, by default, not created.
	SHA1 uint8 = dns.SHA1
	// SHA256 (RFC 4509) is the default.
	SHA256 uint8 = dns.SHA256
	// SHA384 (RFC 6605).
	SHA384 uint8 = dns.SHA384
)

// flagZone is the Zone Key flag of a DNSKEY (RFC 4034 §2.1.1).
const flagZone = 0x0100

// MaxDigestSize is the size of the largest supported digest (SHA-384).
const MaxDigestSize = sha512.Size384

// Errors callers may branch on. Errors returned by this package wrap one of
// them.
var (
	// ErrDigestType is returned for a digest type this package does not
	// implement.
	ErrDigestType = errors.New("dsrecord: unsupported digest type")
	// ErrSHA1 is returned when asked to create a SHA-1 record without
	// Options.AllowSHA1 (RFC 8624 §3.3: MUST NOT for delegation).
	ErrSHA1 = errors.New("dsrecord: refusing to create a SHA-1 digest (RFC 8624 §3.3); set Options.AllowSHA1 to override")
	// ErrKey is returned for a DNSKEY no DS can be made for: nil, with a
	// public key that is not base64, without the Zone Key flag, with a
	// protocol other than 3, or with a bad owner name.
	ErrKey = errors.New("dsrecord: unusable DNSKEY")
	// ErrDigest is returned for a DS that cannot be checked: nil, or with
	// a digest that is not hex (or, from the parsers, of the wrong length).
	ErrDigest = errors.New("dsrecord: bad DS digest")
	// ErrParse is returned by the parsers for text that is not a DS
	// record.
	ErrParse = errors.New("dsrecord: cannot parse DS")
)

// Options control New. The zero value makes a SHA-256 DS.
type Options struct {
	// DigestType is the digest algorithm: SHA256, SHA384 or, with
	// AllowSHA1, SHA1. Zero means SHA256.
	DigestType uint8
	// AllowSHA1 permits creating SHA-1 records. Leave it false unless a
	// parent or a legacy system demands SHA-1: RFC 8624 §3.3 says
	// SHA-1 MUST NOT be used to create DS records. False (the zero value)
	// refuses them with ErrSHA1.
	AllowSHA1 bool
}

// DigestSize returns the digest length in octets of digest type t, or 0 if
// t is not supported.
func DigestSize(t uint8) int {
	switch t {
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case SHA384:
		return sha512.Size384
	}
	return 0
}

// New returns the DS record of k, with the digest type of opts.
func New(k *dns.DNSKEY, opts Options) (*dns.DS, error) {
	dt := opts.DigestType
	if dt == 0 {
		dt = SHA256
	}
	if dt == SHA1 && !opts.AllowSHA1 {
		return nil, ErrSHA1
	}
	if err := checkKey(k); err != nil {
		return nil, err
	}
	var buf [MaxDigestSize]byte
	digest, tag, err := appendDigest(buf[:0], k.Hdr.Name, k, dt)
	if err != nil {
		return nil, err
	}
	class := k.Hdr.Class
	if class == 0 {
		class = dns.ClassINET
	}
	return &dns.DS{
		Hdr: dns.RR_Header{
			Name:   k.Hdr.Name,
			Rrtype: dns.TypeDS,
			Class:  class,
			Ttl:    k.Hdr.Ttl,
		},
		KeyTag:     tag,
		Algorithm:  k.Algorithm,
		DigestType: dt,
		Digest:     upperHex(digest),
	}, nil
}

// FromDNSKEY returns the DS record of k with the given digest type; 0 means
// SHA-256. It refuses SHA-1 with ErrSHA1; use New with Options.AllowSHA1
// to override.
func FromDNSKEY(k *dns.DNSKEY, digestType uint8) (*dns.DS, error) {
	return New(k, Options{DigestType: digestType})
}

// CDS returns the CDS record (RFC 7344 §3.1) of k with the given digest
// type; 0 means SHA-256. SHA-1 is refused with ErrSHA1.
func CDS(k *dns.DNSKEY, digestType uint8) (*dns.CDS, error) {
	ds, err := FromDNSKEY(k, digestType)
	if err != nil {
		return nil, err
	}
	ds.Hdr.Rrtype = dns.TypeCDS
	return &dns.CDS{DS: *ds}, nil
}

// CDNSKEY returns the CDNSKEY record (RFC 7344 §3.2) of k: a copy of k
// with type CDNSKEY (and class IN when k's class is zero). It returns nil
// for a nil k.
func CDNSKEY(k *dns.DNSKEY) *dns.CDNSKEY {
	if k == nil {
		return nil
	}
	c := &dns.CDNSKEY{DNSKEY: *k}
	c.Hdr.Rrtype = dns.TypeCDNSKEY
	if c.Hdr.Class == 0 {
		c.Hdr.Class = dns.ClassINET
	}
	return c
}

// DeleteCDS returns the CDS record "0 0 0 00" that asks the parent to
// remove all DS records of owner (RFC 8078 §4). owner must be a fully
// qualified name.
func DeleteCDS(owner string, ttl uint32) *dns.CDS {
	return &dns.CDS{DS: dns.DS{
		Hdr:    dns.RR_Header{Name: owner, Rrtype: dns.TypeCDS, Class: dns.ClassINET, Ttl: ttl},
		Digest: "00",
	}}
}

// DeleteCDNSKEY returns the CDNSKEY record "0 3 0 AA==" that asks the
// parent to remove all DS records of owner (RFC 8078 §4).
func DeleteCDNSKEY(owner string, ttl uint32) *dns.CDNSKEY {
	return &dns.CDNSKEY{DNSKEY: dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeCDNSKEY, Class: dns.ClassINET, Ttl: ttl},
		Protocol:  3,
		PublicKey: "AA==",
	}}
}

// Digest returns the DS digest of k for the owner name owner (normally
// k.Hdr.Name): H(canonical owner | DNSKEY RDATA). Unlike New it accepts
// SHA-1, and it does not look at k's flags or protocol.
func Digest(owner string, k *dns.DNSKEY, digestType uint8) ([]byte, error) {
	return AppendDigest(nil, owner, k, digestType)
}

// AppendDigest is Digest appending to dst. It allocates nothing when dst
// has room and k's public key is at most 1024 octets. On error it returns
// dst unchanged.
func AppendDigest(dst []byte, owner string, k *dns.DNSKEY, digestType uint8) ([]byte, error) {
	out, _, err := appendDigest(dst, owner, k, digestType)
	return out, err
}

// appendDigest appends the digest and also returns the key tag, computed
// from the same RDATA encoding.
func appendDigest(dst []byte, owner string, k *dns.DNSKEY, digestType uint8) ([]byte, uint16, error) {
	if DigestSize(digestType) == 0 {
		return dst, 0, fmt.Errorf("%w %d", ErrDigestType, digestType)
	}
	if k == nil {
		return dst, 0, fmt.Errorf("%w: nil DNSKEY", ErrKey)
	}
	// Owner name and RDATA, contiguous, so the one-shot Sum functions
	// hash them without a heap-allocated hash.Hash.
	var buf [canonical.MaxNameLen + 4 + 1024]byte
	msg, err := canonical.AppendName(buf[:0], owner)
	if err != nil {
		return dst, 0, fmt.Errorf("%w: owner name: %w", ErrKey, err)
	}
	n := len(msg)
	msg, err = keytag.AppendRDATA(msg, k)
	if err != nil {
		return dst, 0, fmt.Errorf("%w: %w", ErrKey, err)
	}
	tag := keytag.FromRDATA(msg[n:])
	switch digestType {
	case SHA1:
		sum := sha1.Sum(msg)
		dst = append(dst, sum[:]...)
	case SHA256:
		sum := sha256.Sum256(msg)
		dst = append(dst, sum[:]...)
	case SHA384:
		sum := sha512.Sum384(msg)
		dst = append(dst, sum[:]...)
	}
	return dst, tag, nil
}

// checkKey reports whether a DS may be made for k (RFC 4034 §5.2: the
// Zone Key flag; §2.1.2: protocol 3).
func checkKey(k *dns.DNSKEY) error {
	switch {
	case k == nil:
		return fmt.Errorf("%w: nil DNSKEY", ErrKey)
	case k.Flags&flagZone == 0:
		return fmt.Errorf("%w: flags %d lack the Zone Key bit (RFC 4034 §5.2)", ErrKey, k.Flags)
	case k.Protocol != 3:
		return fmt.Errorf("%w: protocol %d, want 3 (RFC 4034 §2.1.2)", ErrKey, k.Protocol)
	}
	return nil
}

// upperHex returns b as upper-case hex.
func upperHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(2 * len(b))
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0x0f])
	}
	return sb.String()
}
