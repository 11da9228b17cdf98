// Package route53ksk checks what Amazon Route 53 reports about the
// key-signing keys (KSKs) of a DNSSEC-signed hosted zone against the
// public key and the zone name, and says what Route 53 should report for
// a key.
//
// Route 53's GetDNSSEC and CreateKeySigningKey return, for each KSK, its
// public key in three forms (PublicKey, DNSKEYRecord and, through the
// digest, DigestValue and DSRecord), its key tag, its algorithm and digest
// type numbers and mnemonics, its KMS key ARN and its status. Most DNSSEC
// outages of Route 53 zones are a DS record in the parent zone that matches
// no ACTIVE KSK; this package recomputes everything from the key and the
// zone name (which the output does not contain, although the DS digest
// covers it) so that an operator can check the output, the parent's DS
// records and the KMS key independently of Route 53.
//
// # Input
//
// Parse reads the JSON the AWS CLI prints for
//
//	aws route53 get-dnssec --hosted-zone-id ZONEID
//	aws route53 create-key-signing-key ...
//
// that is {"Status": {...}, "KeySigningKeys": [...]} and {"ChangeInfo":
// {...}, "KeySigningKey": {...}, "Location": "..."}, as well as a bare
// KeySigningKey object or an array of them (--query KeySigningKeys).
// Unknown fields are ignored. Numbers may also be given as strings, and
// dates as RFC 3339 strings (as the CLI prints them) or as seconds since
// the epoch. The package does not import the AWS SDK: KeySigningKey has
// the same JSON field names as the SDK's types.KeySigningKey, so
// json.Marshal of an SDK value can be given to Parse.
//
// # Checks
//
// Check compares each KeySigningKey with the key it describes: Flag 257;
// algorithm 13 (ECDSAP256SHA256, the only algorithm Route 53 supports for
// KSKs) and digest type 2 (SHA-256), numbers and mnemonics; PublicKey is
// 64 octets X‖Y, a point on P-256 (RFC 6605 §4); DNSKEYRecord is "257 3
// 13 <PublicKey>"; KeyTag is the RFC 4034 Appendix B tag; DigestValue and
// the digest of DSRecord are the SHA-256 DS digest of the DNSKEY owned by
// the zone (RFC 4509), compared as bytes, hex in either case; DSRecord is
// "<KeyTag> 13 2 <DigestValue>". Statuses ACTION_NEEDED and
// INTERNAL_FAILURE are reported with their StatusMessage, as are more than
// two KSKs in a zone, repeated names or KMS keys, a KMS ARN outside
// us-east-1 and a LastModifiedDate before the CreatedDate.
//
// When the fields disagree about the key, the key most of them agree with
// is taken as the one the output describes (a KMS public key supplied by
// the caller wins), and each field that disagrees with it is a Finding. A
// Finding is data: the field, the expected value, the value found and a
// message that names all three. An error return means the check could
// not be done (for example, a zone name that is not a domain name).
//
// Options.PublicKeys and Options.KeyLookup supply the public key of each
// KMS key (for example from KMS GetPublicKey), and Options.ParentDS the DS
// records published in the parent zone: Check says which KSK each DS
// matches, and reports a DS that matches no KSK and a DS set that matches
// no ACTIVE KSK.
//
// # Expected values
//
// Expect returns the KeySigningKey Route 53 should report for a DNSKEY, so
// that an operator can compare before enabling signing.
package route53ksk
