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

	// Whole-zone reasons (Zone). Appended; never renumbered.

	// ReasonMissingSignature: an authoritative RRset has no valid RRSIG
	// by a zone key of some algorithm of the apex DNSKEY RRset (RFC 4035
	// §2.2), or no RRSIG at all.
	ReasonMissingSignature
	// ReasonUnexpectedSignature: an RRSIG covers data that is not
	// authoritative: the NS RRset of a delegation, glue or occluded data
	// (RFC 4035 §2.2).
	ReasonUnexpectedSignature
	// ReasonNoSEPSignature: the apex DNSKEY RRset is not signed by a key
	// with the SEP flag (a KSK) although the RRset holds one.
	ReasonNoSEPSignature
	// ReasonAnchorMismatch: no trust anchor matches a DNSKEY of the apex
	// DNSKEY RRset, or no anchored key signs that RRset.
	ReasonAnchorMismatch
	// ReasonUnexpectedDenial: an NSEC or NSEC3 record where none belongs:
	// at glue or occluded names, at a name with no data, or of the other
	// denial kind than the zone uses.
	ReasonUnexpectedDenial
	// ReasonNSECMissing: a name of the zone has no NSEC record.
	ReasonNSECMissing
	// ReasonNSECChain: an NSEC next name is not the next name of the zone
	// in canonical order (RFC 4034 §6.1), or the chain does not close at
	// the apex; also several NSEC records at one name.
	ReasonNSECChain
	// ReasonNSECBitmap: an NSEC or NSEC3 type bitmap does not list exactly
	// the types present at its name.
	ReasonNSECBitmap
	// ReasonNSEC3Hash: an NSEC3 owner is not the hash of a name of the
	// zone, or is not a hash label directly below the apex.
	ReasonNSEC3Hash
	// ReasonNSEC3Missing: a name of the zone (empty non-terminals
	// included) has no NSEC3 record and is not an insecure delegation
	// covered by an opt-out NSEC3 (RFC 5155 §7.1).
	ReasonNSEC3Missing
	// ReasonNSEC3Chain: an NSEC3 next hashed owner is not the next hash of
	// the chain, or the chain does not loop.
	ReasonNSEC3Chain
	// ReasonNSEC3Params: NSEC3 parameters (hash algorithm, iterations,
	// salt) differ from the NSEC3PARAM record's, or the NSEC3PARAM record
	// is missing, repeated or uses an unknown hash algorithm.
	ReasonNSEC3Params
	// ReasonNSEC3Iterations: the NSEC3 iteration count is above the
	// limit (an error; no hashes are computed) or above zero (a warning,
	// RFC 9276 §3.1).
	ReasonNSEC3Iterations
	// ReasonExpiringSoon: a valid signature expires within
	// ZoneOptions.ExpiryWarning (a warning).
	ReasonExpiringSoon
	// ReasonSigTTL: an RRSIG's TTL differs from the TTL of the RRset it
	// covers (RFC 4034 §3; a warning).
	ReasonSigTTL
	// ReasonDSMalformed: a DS record at a delegation has a digest of the
	// wrong length for its type, or a digest that is not hex.
	ReasonDSMalformed
	// ReasonDSNotAtDelegation: a DS RRset at a name that is not a
	// delegation point (the apex included: its DS belongs to the parent).
	ReasonDSNotAtDelegation
	// ReasonCDSMismatch: a CDS or CDNSKEY record matches no DNSKEY of the
	// apex DNSKEY RRset (RFC 7344 §4.1), or is not at the apex.
	ReasonCDSMismatch
	// ReasonTooManySignatures: an RRset carries more RRSIGs than
	// ZoneOptions.MaxSigsPerRRset, or an RRSIG names more keys (same
	// tag and algorithm) than ZoneOptions.MaxKeysPerTag; the excess is
	// not checked (KeyTrap, CVE-2023-50387).
	ReasonTooManySignatures
	// ReasonOutOfZone: a record is not at or below the origin; it is
	// ignored.
	ReasonOutOfZone
	// ReasonNoSOA: the origin has no SOA record, or more than one.
	ReasonNoSOA
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
	ReasonMissingSignature:     "RRset not signed",
	ReasonUnexpectedSignature:  "RRSIG over non-authoritative data",
	ReasonNoSEPSignature:       "DNSKEY RRset not signed by a SEP key",
	ReasonAnchorMismatch:       "DNSKEY RRset not authenticated by the trust anchors",
	ReasonUnexpectedDenial:     "unexpected NSEC or NSEC3 record",
	ReasonNSECMissing:          "name has no NSEC record",
	ReasonNSECChain:            "NSEC chain broken",
	ReasonNSECBitmap:           "type bitmap does not match the types present",
	ReasonNSEC3Hash:            "NSEC3 owner is not the hash of a name in the zone",
	ReasonNSEC3Missing:         "name has no NSEC3 record",
	ReasonNSEC3Chain:           "NSEC3 chain broken",
	ReasonNSEC3Params:          "NSEC3 parameters do not match the NSEC3PARAM record",
	ReasonNSEC3Iterations:      "too many NSEC3 iterations",
	ReasonExpiringSoon:         "signature expires soon",
	ReasonSigTTL:               "RRSIG TTL differs from the RRset TTL",
	ReasonDSMalformed:          "malformed DS record",
	ReasonDSNotAtDelegation:    "DS record not at a delegation point",
	ReasonCDSMismatch:          "CDS or CDNSKEY matches no DNSKEY",
	ReasonTooManySignatures:    "too many signatures or keys to check",
	ReasonOutOfZone:            "record outside the zone",
	ReasonNoSOA:                "no single SOA record at the origin",
}

var reasonCodes = [...]string{
	ReasonNone:                 "valid",
	ReasonMalformed:            "malformed",
	ReasonOwnerMismatch:        "owner-mismatch",
	ReasonClassMismatch:        "class-mismatch",
	ReasonTypeMismatch:         "type-mismatch",
	ReasonLabels:               "labels",
	ReasonSignerNotAncestor:    "signer-not-ancestor",
	ReasonSignerMismatch:       "signer-mismatch",
	ReasonAlgorithmMismatch:    "algorithm-mismatch",
	ReasonKeyTagMismatch:       "key-tag-mismatch",
	ReasonBadProtocol:          "bad-protocol",
	ReasonNotZoneKey:           "not-zone-key",
	ReasonUnsupportedAlgorithm: "unsupported-algorithm",
	ReasonBadKey:               "bad-key",
	ReasonSigLength:            "signature-length",
	ReasonNotYetValid:          "not-yet-valid",
	ReasonExpired:              "expired",
	ReasonBadSignature:         "bad-signature",
	ReasonRevoked:              "revoked",
	ReasonTTL:                  "ttl-above-original",
	ReasonNoKey:                "no-key",
	ReasonKeyNotTrusted:        "key-not-trusted",
	ReasonNoRRset:              "no-rrset",
	ReasonDigestMismatch:       "digest-mismatch",
	ReasonUnsupportedDigest:    "unsupported-digest",
	ReasonMissingSignature:     "missing-signature",
	ReasonUnexpectedSignature:  "unexpected-signature",
	ReasonNoSEPSignature:       "no-sep-signature",
	ReasonAnchorMismatch:       "anchor-mismatch",
	ReasonUnexpectedDenial:     "unexpected-denial",
	ReasonNSECMissing:          "nsec-missing",
	ReasonNSECChain:            "nsec-chain",
	ReasonNSECBitmap:           "bitmap",
	ReasonNSEC3Hash:            "nsec3-hash",
	ReasonNSEC3Missing:         "nsec3-missing",
	ReasonNSEC3Chain:           "nsec3-chain",
	ReasonNSEC3Params:          "nsec3-params",
	ReasonNSEC3Iterations:      "nsec3-iterations",
	ReasonExpiringSoon:         "expiring-soon",
	ReasonSigTTL:               "rrsig-ttl",
	ReasonDSMalformed:          "ds-malformed",
	ReasonDSNotAtDelegation:    "ds-not-at-delegation",
	ReasonCDSMismatch:          "cds-mismatch",
	ReasonTooManySignatures:    "too-many-signatures",
	ReasonOutOfZone:            "out-of-zone",
	ReasonNoSOA:                "no-soa",
}

// Code returns a stable lower-case identifier for r, such as "expired"
// or "nsec-chain", for machine-readable output.
func (r Reason) Code() string {
	if r >= 0 && int(r) < len(reasonCodes) && reasonCodes[r] != "" {
		return reasonCodes[r]
	}
	return fmt.Sprintf("reason-%d", int(r))
}

// MarshalText returns r.Code(), so that a Reason is a string in JSON.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.Code()), nil }

// UnmarshalText parses a Reason from its Code.
func (r *Reason) UnmarshalText(b []byte) error {
	for i, c := range reasonCodes {
		if c == string(b) {
			*r = Reason(i)
			return nil
		}
	}
	return fmt.Errorf("validate: unknown reason %q", b)
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
