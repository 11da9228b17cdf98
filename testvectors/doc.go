// Package testvectors holds the DNSSEC examples published in RFCs, as
// embedded zone-file data with typed accessors, so that every package of
// the module tests against the same transcribed values.
//
// # Sources
//
// Each file under data/ is a transcription of one RFC section (records and
// values only, in the presentation format that github.com/miekg/dns parses)
// and starts with a comment line naming the RFC and section:
//
//   - RFC 4034 §2.3 (DNSKEY), §3.3 (RRSIG), §4.3 (NSEC and its RDATA wire
//     form), §5.4 (DNSKEY and SHA-1 DS); RFC 4509 §2.3 (SHA-256 DS);
//   - RFC 4035 Appendix A, the signed zone "example." (algorithm 5);
//   - RFC 5155 Appendix A, the NSEC3 zone "example." (algorithm 7), its
//     NSEC3 hashes, and the Appendix B example responses;
//   - RFC 5702 §6.1 and §6.2 (RSA/SHA-256 and RSA/SHA-512 keys, signatures);
//   - RFC 6605 §6.1 and §6.2 (ECDSA P-256 and P-384 keys, DS, signatures);
//   - RFC 8080 §6.1 and §6.2 (Ed25519 and Ed448 keys, DS, signatures);
//   - RFC 8976 Appendix A.1 to A.5, zones with ZONEMD records.
//
// Two files are not RFC data and say so in their first lines:
// computed-ds.zone (extra DS digests computed with miekg/dns, in the
// ExtraDS field of [KeyVector]) and dnspython-rsamd5.zone (algorithm-1
// keys, the only real examples of the RFC 4034 Appendix B.1 key tag; the
// tag is the 3rd- and 2nd-to-last octets of the public key, although the
// RFC's parenthetical says "4th to last and 3rd to last").
//
// # Deviations from the printed text
//
// Where the RFCs are wrong, the data says so in a comment and the accessors
// report the repaired values:
//
//   - RFC 8080 §6 (erratum 4935): the printed RRSIGs lack the algorithm
//     field, carry a stray "(" and were computed with Labels = 3 for the
//     2-label owner example.com. The valid vectors use the corrected
//     signatures (Labels = 2); the printed ones, repaired only to parse,
//     are negative vectors (the Valid field of [SigVector] is false).
//   - RFC 5155 Appendix B.6 lacks the "(" that its RRSIG closes; it is added.
//   - RFC 5155 prints some NSEC3 type lists out of order. They are stored
//     sorted by type number: a type bitmap is a set, so this changes nothing
//     on the wire, but miekg/dns refuses to pack an unsorted list.
//   - RFC 8976 A.3 prints a 20-octet digest for a private-range hash
//     algorithm 1 ZONEMD; it is kept as printed (it cannot be verified).
//
// # Small RSA keys
//
// RFC 5702 §6.1 and the RFC 5155 zone use 512-bit RSA keys. Since Go 1.24
// crypto/rsa refuses keys under 1024 bits unless GODEBUG=rsa1024min=0 is
// set. Tests that verify those vectors put
//
//	//go:debug rsa1024min=0
//
// before the package clause of a _test.go file of their package (or skip
// the vectors whose WeakRSA field is set).
//
// # Use
//
// Accessors parse the embedded data on every call and return fresh values
// that the caller may modify. The data is checked by this package's tests,
// so the accessors never fail; a parse error would be a bug in this package
// and panics.
package testvectors
