package validate

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Reason says why a signature or a DS record did not validate. The zero
// value, ReasonNone, means that it did.
type Reason int

// Reasons. New reasons may be added; switch statements on Reason should
// have a default case.
const (
	// ReasonNone: no failure.
	ReasonNone Reason = iota
	// ReasonMalformed: the RRSIG, the RRset or the DNSKEY cannot be
	// processed at all (nil, empty RRset, records that do not form an
	// RRset, undecodable signature field, names that do not pack).
	ReasonMalformed
	// ReasonOwnerMismatch: the RRSIG owner is not the RRset owner.
	ReasonOwnerMismatch
	// ReasonClassMismatch: the RRSIG class differs from the RRset's or
	// the DNSKEY's.
	ReasonClassMismatch
	// ReasonTypeMismatch: the RRSIG Type Covered is not the RRset type.
	ReasonTypeMismatch
	// ReasonLabels: the RRSIG Labels field is larger than the number of
	// labels of the owner (RFC 4035 §5.3.1).
	ReasonLabels
	// ReasonSignerNotAncestor: the Signer's Name is not the owner or a
	// label-wise ancestor of it (RFC 4035 §5.3.1).
	ReasonSignerNotAncestor
	// ReasonSignerMismatch: the Signer's Name is not the DNSKEY owner.
	ReasonSignerMismatch
	// ReasonAlgorithmMismatch: the RRSIG and DNSKEY algorithms differ.
	ReasonAlgorithmMismatch
	// ReasonKeyTagMismatch: the RRSIG key tag is not the DNSKEY's key
	// tag (RFC 4034 Appendix B).
	ReasonKeyTagMismatch
	// ReasonBadProtocol: the DNSKEY protocol field is not 3 (RFC 4034
	// §2.1.2).
	ReasonBadProtocol
	// ReasonNotZoneKey: the DNSKEY does not have the zone key flag (bit
	// 7, RFC 4034 §2.1.1).
	ReasonNotZoneKey
	// ReasonUnsupportedAlgorithm: the algorithm cannot be verified here
	// (supported: 5, 7, 8, 10, 13, 14, 15).
	ReasonUnsupportedAlgorithm
	// ReasonBadKey: the DNSKEY public key cannot be parsed for its
	// algorithm.
	ReasonBadKey
	// ReasonSigLength: the signature field has the wrong length for the
	// algorithm (64 octets for 13 and 15, 96 for 14, the modulus size for
	// RSA).
	ReasonSigLength
	// ReasonNotYetValid: the current time is before the inception (RFC
	// 1982 serial arithmetic, RFC 4034 §3.1.5).
	ReasonNotYetValid
	// ReasonExpired: the current time is after the expiration.
	ReasonExpired
	// ReasonBadSignature: the signature does not verify over the signed
	// data.
	ReasonBadSignature
	// ReasonRevoked: the signature verifies but the DNSKEY has the
	// REVOKE flag (RFC 5011 §3); the key must not be used to validate.
	ReasonRevoked
	// ReasonTTL: the signature verifies but a record of the RRset has a
	// TTL larger than the RRSIG Original TTL (reported only when
	// VerifyOptions.CheckTTL is set, as for a zone file).
	ReasonTTL
	// ReasonNoKey: no DNSKEY with the RRSIG's signer name, algorithm and
	// key tag is available (the result is indeterminate), or no DNSKEY
	// matches a DS record.
	ReasonNoKey
	// ReasonKeyNotTrusted: a matching DNSKEY is present but is not
	// authenticated by the trust anchors (indeterminate).
	ReasonKeyNotTrusted
	// ReasonNoRRset: the RRset covered by an RRSIG is not in the input
	// (indeterminate).
	ReasonNoRRset
	// ReasonDigestMismatch: a DNSKEY has the DS record's owner, algorithm
	// and key tag but the digest differs.
	ReasonDigestMismatch
	// ReasonUnsupportedDigest: the DS digest type cannot be computed
	// (supported: 1 SHA-1, 2 SHA-256, 4 SHA-384).
	ReasonUnsupportedDigest
)

var reasonNames = [...]string{
	ReasonNone:                 "valid",
	ReasonMalformed:            "malformed input",
	ReasonOwnerMismatch:        "RRSIG owner differs from the RRset owner",
	ReasonClassMismatch:        "class mismatch",
	ReasonTypeMismatch:         "RRSIG type covered differs from the RRset type",
	ReasonLabels:               "RRSIG labels larger than the owner's label count",
	ReasonSignerNotAncestor:    "signer name is not an ancestor of the owner",
	ReasonSignerMismatch:       "signer name is not the DNSKEY owner",
	ReasonAlgorithmMismatch:    "algorithm differs from the DNSKEY's",
	ReasonKeyTagMismatch:       "key tag differs from the DNSKEY's",
	ReasonBadProtocol:          "DNSKEY protocol is not 3",
	ReasonNotZoneKey:           "DNSKEY is not a zone key",
	ReasonUnsupportedAlgorithm: "unsupported algorithm",
	ReasonBadKey:               "bad DNSKEY public key",
	ReasonSigLength:            "wrong signature length",
	ReasonNotYetValid:          "signature not yet valid",
	ReasonExpired:              "signature expired",
	ReasonBadSignature:         "signature does not verify",
	ReasonRevoked:              "DNSKEY is revoked",
	ReasonTTL:                  "RRset TTL exceeds the RRSIG original TTL",
	ReasonNoKey:                "no matching DNSKEY",
	ReasonKeyNotTrusted:        "DNSKEY not authenticated by a trust anchor",
	ReasonNoRRset:              "covered RRset not present",
	ReasonDigestMismatch:       "DS digest does not match the DNSKEY",
	ReasonUnsupportedDigest:    "unsupported DS digest type",
}

// String returns a short English description of r.
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Finding describes one RRSIG that failed validation: which RRset, which
// key, and why. It is data, like x509.CertificateInvalidError: a nil
// *Finding from a verify call means the signature is valid.
type Finding struct {
	// Owner is the owner name of the RRSIG (the RRset's owner), as given.
	Owner string
	// Type is the RRSIG's Type Covered.
	Type uint16
	// KeyTag, Algorithm and SignerName are the RRSIG's fields.
	KeyTag     uint16
	Algorithm  uint8
	SignerName string
	// Reason is why the signature failed.
	Reason Reason
	// Detail adds specifics (times, values compared); it may be empty.
	Detail string
}

// String formats f on one line, e.g.
// "www.example. A RRSIG 13 12345 example.: signature expired (...)".
func (f *Finding) String() string {
	if f == nil {
		return "valid"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s RRSIG %d %d %s: %s", f.Owner, dns.Type(f.Type), f.Algorithm, f.KeyTag, f.SignerName, f.Reason)
	if f.Detail != "" {
		b.WriteString(" (")
		b.WriteString(f.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// sigTime formats an RRSIG time field as YYYYMMDDHHMMSS.
func sigTime(t uint32) string { return dns.TimeToString(t) }

// unixTime formats a time as YYYYMMDDHHMMSS in UTC.
func unixTime(t time.Time) string { return t.UTC().Format("20060102150405") }
