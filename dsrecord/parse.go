package dsrecord

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// ParseDS parses exactly one DS or CDS record in presentation format, such
// as a line of dig output or of a zone file: "owner [TTL] [class] DS keytag
// algorithm digesttype digest". The digest may be split by white space or
// parentheses, and comments are ignored. A relative owner is taken as
// relative to the root, and a missing TTL is 3600 (as with dns.NewRR). A
// CDS is returned as a DS (same RDATA, type DS).
//
// Beyond what the presentation syntax requires, ParseDS checks that the
// digest is hex and, for the digest types this package implements, that it
// has the right length. The digest is returned in upper case, as New
// writes it. Other digest types are accepted, since a DS set
// may hold digests a validator does not know (RFC 4035 §5.2).
func ParseDS(s string) (*dns.DS, error) {
	zp := dns.NewZoneParser(strings.NewReader(s), ".", "")
	zp.SetDefaultTTL(defaultTTL)
	rr, ok := zp.Next()
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrParse, err)
	}
	if !ok {
		rr = nil
	} else {
		_, more := zp.Next()
		if err := zp.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrParse, err)
		}
		if more {
			return nil, fmt.Errorf("%w: more than one record in %q", ErrParse, s)
		}
	}
	var ds *dns.DS
	switch r := rr.(type) {
	case nil:
		return nil, fmt.Errorf("%w: no record in %q", ErrParse, s)
	case *dns.DS:
		ds = r
	case *dns.CDS:
		ds = &r.DS
		ds.Hdr.Rrtype = dns.TypeDS
	default:
		return nil, fmt.Errorf("%w: %s record, want DS or CDS", ErrParse, dns.TypeToString[rr.Header().Rrtype])
	}
	if err := checkDigest(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// defaultTTL is the TTL ParseDS gives a record written without one.
const defaultTTL = 3600

// ParseDSRDATA parses the RDATA of a DS in presentation format ("keytag
// algorithm digesttype digest", as in the DSRecord field of Route 53's
// GetDNSSEC output) and returns a DS record with the given fully qualified
// owner name, class IN and the given TTL. It checks and upper-cases the
// digest as ParseDS does.
func ParseDSRDATA(owner string, ttl uint32, rdata string) (*dns.DS, error) {
	if _, ok := dns.IsDomainName(owner); !ok || !dns.IsFqdn(owner) {
		return nil, fmt.Errorf("%w: owner %q is not a fully qualified name", ErrParse, owner)
	}
	rdata = strings.TrimSpace(rdata)
	if rdata == "" || strings.ContainsAny(rdata, "\r\n;()") {
		return nil, fmt.Errorf("%w: bad RDATA %q", ErrParse, rdata)
	}
	fields := strings.Fields(rdata)
	if len(fields) < 4 {
		return nil, fmt.Errorf("%w: RDATA %q has %d fields, want 4", ErrParse, rdata, len(fields))
	}
	ds := &dns.DS{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: ttl}}
	tag, err := strconv.ParseUint(fields[0], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: key tag %q: %w", ErrParse, fields[0], err)
	}
	ds.KeyTag = uint16(tag)
	alg, err := strconv.ParseUint(fields[1], 10, 8)
	if err != nil {
		a, ok := dns.StringToAlgorithm[strings.ToUpper(fields[1])]
		if !ok {
			return nil, fmt.Errorf("%w: algorithm %q", ErrParse, fields[1])
		}
		alg = uint64(a)
	}
	ds.Algorithm = uint8(alg)
	dt, err := strconv.ParseUint(fields[2], 10, 8)
	if err != nil {
		return nil, fmt.Errorf("%w: digest type %q: %w", ErrParse, fields[2], err)
	}
	ds.DigestType = uint8(dt)
	ds.Digest = strings.Join(fields[3:], "")
	if err := checkDigest(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// checkDigest checks that ds.Digest is hex of the right length for the
// supported digest types, and rewrites it in upper case.
func checkDigest(ds *dns.DS) error {
	n, err := hex.DecodeString(ds.Digest)
	if err != nil || len(n) == 0 {
		return fmt.Errorf("%w: digest %q is not hex", ErrDigest, ds.Digest)
	}
	if size := DigestSize(ds.DigestType); size != 0 && len(n) != size {
		return fmt.Errorf("%w: %s digest of %d octets, want %d", ErrDigest, DigestTypeString(ds.DigestType), len(n), size)
	}
	ds.Digest = upperHex(n)
	return nil
}

// ParseDigestType parses a digest type name as used on command lines:
// "SHA-256", "SHA256" or "2"; "SHA-384", "SHA384" or "4"; "SHA-1", "SHA1"
// or "1" (case-insensitive). It returns ErrDigestType for anything else,
// including other numbers.
func ParseDigestType(s string) (uint8, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SHA-256", "SHA256", "2":
		return SHA256, nil
	case "SHA-384", "SHA384", "4":
		return SHA384, nil
	case "SHA-1", "SHA1", "1":
		return SHA1, nil
	}
	return 0, fmt.Errorf("%w %q (want SHA-256, SHA-384 or SHA-1)", ErrDigestType, s)
}

// DigestTypeString returns the name of digest type t: "SHA-1", "SHA-256",
// "SHA-384", or the number for other types.
func DigestTypeString(t uint8) string {
	switch t {
	case SHA1:
		return "SHA-1"
	case SHA256:
		return "SHA-256"
	case SHA384:
		return "SHA-384"
	}
	return strconv.Itoa(int(t))
}
