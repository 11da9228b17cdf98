// Package zonesign signs whole DNS zones with DNSSEC: the batch job of
// dnssec-signzone, ldns-signzone and kzonesign.
//
// # Input
//
// ParseFile and Parse read RFC 1035 master files ($ORIGIN, $TTL, relative
// names) into a Zone, which stores every record in a compact wire form (a
// million names fit in a few hundred megabytes). ParseFile, for the
// operator's own files, follows $INCLUDE (relative to the including file's
// directory); Parse, whose reader may hold untrusted text, refuses it and
// bounds what $GENERATE may produce (DefaultMaxGeneratedSize);
// ParseWithOptions sets that bound and a record count (ParseOptions),
// refusing larger input with ErrTooLarge.
// Records written without RDATA, which miekg/dns accepts for dynamic
// updates ("name CAA"), are errors (see Zone.Add). RRSIG, NSEC, NSEC3 and
// NSEC3PARAM records in the input (an earlier signed version) are dropped:
// signing makes new ones.
//
// DNSKEY records at the apex that belong to none of the signing keys are
// kept (pre-published keys) if they can serve: a key whose public key does
// not decode, or whose algorithm no signing key has, is an error (ErrZone),
// as every algorithm in the DNSKEY RRset must sign the zone (RFC 4035
// §2.2, RFC 6840 §5.11). The signing keys' DNSKEYs are added once. CDS and
// CDNSKEY records are apex-only (RFC 7344 §3); those kept from the input
// (without Options.PublishCDS) must match a DNSKEY of the zone or be the
// delete forms of RFC 8078 §4 (CDS 0 0 0 00, CDNSKEY 0 3 0 AA==). DS
// digests must have the length of their digest type (SHA-1 20 octets,
// SHA-256 32, SHA-384 48; other digest types are let through).
//
// # Names
//
// Every owner name is classified (RFC 4035 §2.2, RFC 2181 §6): the apex;
// authoritative names; delegation points (NS below the apex), where only
// the DS RRset is signed, never the NS; names below a zone cut (glue and
// occluded data), which are written unsigned and left out of the denial
// chain; empty non-terminals, which get NSEC3 records with an empty type
// bitmap (RFC 5155 §7.1). Names below a DNAME are treated like occluded
// data, with a warning. Records outside the zone, an SOA below the apex,
// CNAME and other data at one name, DS records away from a delegation,
// and CDS or CDNSKEY records away from the apex are errors (ErrZone). RRsets whose records carry different TTLs are
// given the smallest (RFC 2181 §5.2), with a warning.
//
// # Denial of existence
//
// NSEC (RFC 4034 §4): one record per authoritative name and delegation, in
// canonical order, the last pointing back to the apex; the type bitmap has
// the name's types plus RRSIG and NSEC, and at a delegation only NS, DS
// (when present), RRSIG and NSEC (RFC 4035 §2.3).
//
// NSEC3 (RFC 5155): SHA-1 with Options.NSEC3's iterations and salt (zero
// and empty by default, RFC 9276); delegations have NS, DS and RRSIG (the
// latter two only when a DS is present) in their bitmap; with Opt-Out
// insecure delegations are left out of the chain. The NSEC3PARAM record
// (flags 0) is added at the apex. A hash collision is an error.
//
// NSEC and NSEC3 records have the TTL min(SOA MINIMUM, SOA TTL) (RFC 9077),
// as does NSEC3PARAM.
//
// # Keys and signatures
//
// Keys with RoleKSK sign the apex DNSKEY, CDS and CDNSKEY RRsets, keys with
// RoleZSK everything else, RoleCSK keys both (see Options.Keys). The DNSKEY
// RRset has the TTL of the input's DNSKEY records, or the SOA's TTL when
// the input has none; CDS and CDNSKEY records made with Options.PublishCDS
// have the same TTL. RRSIGs have the TTL of their RRset as TTL and
// Original TTL. Every signature is verified after it is made unless
// Options.SkipVerify is set, or a whole-zone validator is given as
// Options.Validator: it is handed every record as the zone is written
// (validate.ZoneStream is one; `dnsseal sign` uses it by default), and its
// verdict decides whether the output is committed.
//
// # Output
//
// Sign writes the signed zone in presentation format and canonical order
// (with NSEC3, the hashed owner names take their canonical place among the
// others), streamed chunk by chunk from several signing goroutines; records
// of an RRset are written in canonical RDATA order, duplicates removed, the
// SOA first. Records that miekg/dns cannot print in a form its parser reads
// back as the same data (NULL, which it prints as a comment, or a CAA
// record with an empty tag) are written in the generic form of RFC 3597 §5
// (TYPE10 \# 2 0000). With deterministic signers (RFC 6979) the output is
// byte-identical from run to run. SignFile and WriteFile write a file
// atomically.
//
// # Speed
//
// Each signing goroutine canonicalises RRsets straight from the stored wire
// form into reused buffers and formats the common record types itself, so
// nearly all the time goes to the signatures. SignFile also signs while it
// parses: the RRsets of each owner the parser has passed are signed on the
// spare cores, and signing proper takes those signatures when the data
// signed turns out to be the same (see Stats.Presigned). Keys whose
// Signer is a signer.BatchSigner (localbackend's P-256 keys) sign a
// chunk's RRsets in one call, about 1.7 times faster per signature than
// one at a time, with the same output; the R = k·G they return with each
// signature lets the per-signature check and Options.Validator verify the
// signatures in batches too (internal/p256.VerifyBatch).
package zonesign
