// Package validate checks DNSSEC signatures and delegations, reporting
// failures as data rather than errors.
//
// # Single signatures
//
// VerifyRRSIG (or a reusable Verifier, for many signatures) checks one
// RRSIG over one RRset with one DNSKEY at a given time, following RFC 4035
// §5.3 (https://www.rfc-editor.org/rfc/rfc4035#section-5.3):
//
//   - the RRSIG owner, class and Type Covered match the RRset;
//   - Labels is at most the owner's label count; when it is less, the
//     RRset is a wildcard expansion and the signed owner is rebuilt as
//     "*." plus the rightmost Labels labels (a label that merely starts
//     with '*', as in "*foo.example.", is not a wildcard);
//   - the Signer's Name is the owner or a label-wise ancestor of it
//     ("tim." is not an ancestor of "victim.") and is the DNSKEY owner;
//   - algorithm and key tag (RFC 4034 Appendix B) match the DNSKEY, whose
//     protocol is 3 and which has the zone key flag;
//   - signatures of algorithms 13, 14 and 15 have their exact length;
//   - now lies in [Inception, Expiration], compared with RFC 1982 serial
//     number arithmetic (RFC 4034 §3.1.5), so windows that span the 2106
//     wrap of the 32-bit time fields work;
//   - the signature verifies over the RFC 4034 §3.1.8.1 signed data, built
//     with the Original TTL;
//   - the key is not revoked (RFC 5011), and, in zone mode
//     (VerifyOptions.CheckTTL), no record's TTL exceeds the Original TTL.
//
// Supported algorithms: RSASHA1 (5), RSASHA1-NSEC3-SHA1 (7), RSASHA256
// (8), RSASHA512 (10), ECDSAP256SHA256 (13), ECDSAP384SHA384 (14) and
// ED25519 (15).
//
// A valid signature yields a nil *Finding; an invalid one a Finding with
// the owner, type, key tag and a typed Reason, like x509's
// CertificateInvalidError. The first failing check in the order above is
// reported.
//
// # Performance
//
// A Verifier reuses its buffers and caches parsed keys: apart from the
// signature check itself, a verification allocates nothing. The checks and
// the signed data cost well under a microsecond; the signature check is
// the rest. For algorithm 13, keys in frequent use get a precomputed table
// of multiples of the public key (package internal/p256, built
// on filippo.io/nistec, the standard library's P-256 code), which makes
// the signature check about 60 % cheaper than crypto/ecdsa.VerifyASN1.
//
// # Sets of records
//
// Records checks every RRSIG and DS record of a set of records, such as
// the output of dig +dnssec, against the DNSKEYs in the set or against
// trust anchors, and returns one RecordResult per RRSIG and per DS:
// valid, bogus with a Reason, or indeterminate (no key, key not
// authenticated by the anchors, RRset missing, unsupported algorithm or
// digest type). With anchors it follows the chain of trust through the
// DNSKEY and DS RRsets of the input.
//
// # Whole zones
//
// Zone (records in memory), ZoneReader (a master file, parsed with
// miekg/dns) and ZoneStream (records in wire form, one at a time, as a
// signer makes them) validate a complete signed zone before it is
// published, with
// the union of the checks of dnssec-verify, ldns-verify-zone and
// kzonecheck: every authoritative RRset signed by a zone key of each
// algorithm of the apex DNSKEY RRset (RFC 4035 §2.2) and every RRSIG valid
// (as above, with Original TTL checks) and not about to expire; the DNSKEY
// RRset signed by a SEP key, or by a key matching ZoneOptions.Anchors; no
// signatures, NSEC or NSEC3 records on delegation NS RRsets, glue or
// occluded data; the NSEC chain (complete, in canonical order, closed at
// the apex, exact type bitmaps) or the NSEC3 chain (RFC 5155: NSEC3PARAM,
// parameters, hashes, empty non-terminals, opt-out, order, bitmaps); DS
// records only at delegations and well formed; CDS and CDNSKEY records
// matching the DNSKEY RRset (RFC 7344, RFC 8078).
//
// The result is data: a ZoneResult with a Status (secure, insecure,
// bogus) and ZoneFindings (owner, type, key tag, algorithm, Reason,
// Severity, detail), each with a one-line String form, and JSON encodings
// for machine-readable reports. An error means that no answer could be
// given (no origin, a file that does not parse, a cancelled context).
// ZoneHook adapts ZoneReader to zonesign.Options.Validate.
//
// Hostile zones cannot make it spin: at most ZoneOptions.MaxSigsPerRRset
// RRSIGs per RRset and MaxKeysPerTag keys per RRSIG are tried (KeyTrap,
// CVE-2023-50387), NSEC3 iteration counts above MaxNSEC3Iterations are not
// hashed (RFC 9276), so the work is linear in the size of the zone.
// Signatures are verified by a pool of goroutines, one Verifier each.
//
// # Memory and speed of whole-zone checks
//
// The three give the same findings on the same records: each record is
// kept once, in packed wire form (RDATA names lower-cased as in the
// signed data), in large chunks per owner name, and decoded into a
// dns.RR only where a check needs one (apex keys, DS, CDS, CDNSKEY, and
// the exact reason of a signature that fails); signatures are verified
// directly from the wire form. The chunks and the owner names live
// outside the Go heap where the system allows (anonymous mappings, freed
// when the check ends), so the garbage collector's heap goal does not
// double them: a 100,000-name zone with 260,000 signatures is checked in
// under 100 MiB. ZoneReader and ZoneStream hand the signatures of each
// name to the workers as soon as the next name begins, so verification
// overlaps with parsing or signing; an RRset that grows afterwards is
// verified again. ZoneStream verifies signatures that come with an ECDSA
// P-256 hint (signer.BatchSigner) in batches of 256 per key, about six
// times cheaper than one by one; a batch that fails is checked one
// signature at a time, so a wrong hint never changes a finding.
package validate
