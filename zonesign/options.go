package zonesign

import (
	"context"
	"io"
	"time"

	"github.com/dnsseal/dnsseal/signer"
)

// Options controls Sign and SignFile. The zero value, with at least one
// key, signs with NSEC, inception an hour before now, a 30-day validity,
// no jitter, the SOA serial kept, one worker per CPU and every signature
// verified after it is made.
type Options struct {
	// Origin is the zone apex. Empty means the origin the zone was parsed
	// with, or else the owner of the zone's SOA record.
	Origin string

	// Keys sign the zone. Keys with RoleKSK sign the apex DNSKEY, CDS and
	// CDNSKEY RRsets; keys with RoleZSK sign everything else; RoleCSK
	// keys sign both. If no key can sign one of the two groups (only KSKs,
	// or only ZSKs), the other keys sign it too, so a lone key of any
	// role is a CSK. Every key's DNSKEY must be owned by the origin. A KSK
	// is called only for the apex key RRsets, so a KMS KSK with local
	// ZSKs makes one remote call per key RRset. At least one key is
	// required.
	Keys []*signer.Key

	// Now is the current time. Zero means time.Now().
	Now time.Time

	// Inception is the start of every signature's validity. Zero means
	// Now minus one hour (clock skew).
	Inception time.Time

	// Expiration is the end of the validity. Zero means Inception plus 30
	// days. It must be after Inception and less than 68 years later.
	Expiration time.Time

	// Jitter is the largest amount subtracted from Expiration, RRset by
	// RRset, to spread re-signing. The amount is derived from a hash of
	// the owner name and type, not drawn at random, so output is
	// reproducible. Zero means no jitter; a Jitter that would bring an
	// expiration to or before Inception is an error. (The CLI's default
	// is 10 % of the validity.)
	Jitter time.Duration

	// Serial says what happens to the SOA serial. Zero (SerialKeep) keeps
	// it.
	Serial SerialPolicy

	// NSEC3, when not nil, selects NSEC3 (RFC 5155) authenticated denial
	// instead of NSEC (RFC 4034).
	NSEC3 *NSEC3Params

	// PublishCDS adds, at the apex, a CDS (SHA-256) and a CDNSKEY record
	// for each key that signs the DNSKEY RRset (RFC 7344). CDS and CDNSKEY
	// records in the input are then dropped; without PublishCDS they are
	// kept and signed like the DNSKEY RRset, and each must match a DNSKEY
	// of the zone or be a delete form (RFC 8078 §4), else Sign fails with
	// ErrZone. False publishes none.
	PublishCDS bool

	// Concurrency is the number of signing goroutines. Zero or negative
	// means runtime.GOMAXPROCS(0).
	Concurrency int

	// SkipVerify turns off the check of every signature right after it is
	// made. False (the default, as in dnssec-signzone) verifies each
	// signature against its key's DNSKEY; the checks run in the signing
	// goroutines, in parallel. One ECDSA P-256 check costs about two
	// signatures, but the signatures of batch keys (signer.BatchSigner)
	// are checked in batches with their R hints, for about a fifth of a
	// signature each. Signers whose signatures leave the process (KMS)
	// verify them themselves, whatever this says. A Validate hook that
	// checks every signature makes this check redundant: set SkipVerify
	// with it to avoid verifying twice; with a Validator it is skipped.
	SkipVerify bool

	// Validate, when not nil, is given the complete signed zone (in
	// presentation format) before it is committed: SignFile calls it on the
	// finished temporary file and writes nothing if it returns an error;
	// Sign buffers the whole output in memory to call it before writing to
	// w. It is the hook for a whole-zone validator. Nil means no
	// validation beyond SkipVerify's.
	Validate func(ctx context.Context, signed io.Reader) error

	// Validator, when not nil, is called once the origin is known and
	// returns a RecordValidator that is given every record of the signed
	// zone in wire form as the records are made, in output order, so
	// that whole-zone validation overlaps with signing and needs no
	// second parse. If its Add or Finish returns an error, Sign fails:
	// SignFile and WriteFile then leave no output, and Sign (which then
	// buffers the whole output in memory, as with Validate) writes
	// nothing to w. It replaces the per-signature check, so SkipVerify's
	// check is not made when Validator is set (signatures from remote
	// signers are still checked by their backends). validate.ZoneStream
	// is such a validator.
	Validator func(ctx context.Context, origin string) (RecordValidator, error)

	// Progress, when not nil, is called after each chunk of output is
	// written, from one goroutine at a time, with the number of output
	// steps done and their total (a step is one owner name of the zone or
	// one NSEC3 record); for a progress bar. Nil means no calls.
	Progress func(done, total int)

	// Warn receives warnings about the input that signing repairs, such
	// as an RRset whose records carry different TTLs (RFC 2181 §5.2) or
	// data below a DNAME. Nil discards them.
	Warn func(msg string)
}

// RecordValidator receives the records of a signed zone, for
// Options.Validator. Add is called from one goroutine at a time, record
// by record in output order (canonical order, each RRset followed by its
// RRSIGs); owner is the owner name in uncompressed wire form (lower
// case), rdata the uncompressed wire RDATA. hint is nil, or for an RRSIG
// made by a signer.BatchSigner the point R = k·G of its signature, which
// a validator may use for batch verification (see signer.BatchSigner).
// The slices are valid only during the call. Finish is called once after
// the last record.
type RecordValidator interface {
	Add(owner []byte, typ, class uint16, ttl uint32, rdata, hint []byte) error
	Finish() error
}

// SerialPolicy says how the SOA serial changes when a zone is signed.
type SerialPolicy uint8

const (
	// SerialKeep keeps the serial of the input.
	SerialKeep SerialPolicy = iota
	// SerialIncrement adds one to the serial (RFC 1982 arithmetic: the
	// largest serial wraps to 0).
	SerialIncrement
	// SerialUnixTime sets the serial to Now in seconds since 1970, or to
	// the old serial plus one if that is not greater in RFC 1982 terms.
	SerialUnixTime
)

func (p SerialPolicy) String() string {
	switch p {
	case SerialKeep:
		return "keep"
	case SerialIncrement:
		return "increment"
	case SerialUnixTime:
		return "unixtime"
	}
	return "SerialPolicy(" + itoa(int(p)) + ")"
}

// NSEC3Params are the NSEC3 chain parameters. The zero value is what RFC
// 9276 recommends: SHA-1, no extra iterations, an empty salt, no opt-out.
type NSEC3Params struct {
	// Iterations is the number of extra hash iterations. Zero is the RFC
	// 9276 default; more than MaxNSEC3Iterations is an error.
	Iterations uint16

	// Salt is the salt. Empty (nil) means no salt; at most 255 bytes.
	Salt []byte

	// OptOut sets the Opt-Out flag and leaves insecure delegations (NS
	// without DS) out of the chain (RFC 5155 §6). Empty non-terminals are
	// kept in the chain.
	OptOut bool
}

// MaxNSEC3Iterations bounds NSEC3Params.Iterations: validators treat zones
// with more iterations as insecure or bogus (RFC 9276 §3.2), and BIND
// refuses to sign with more.
const MaxNSEC3Iterations = 150

// Stats describes a signed zone. All counts are exact.
type Stats struct {
	Origin  string // the zone apex, lower case
	Serial  uint32 // the SOA serial written
	Names   int    // owner names in the input zone (excluding empty non-terminals)
	Records int    // records written, signatures and denial records included

	RRsets     int // RRsets signed (NSEC and NSEC3 RRsets included)
	Signatures int // RRSIG records made
	KSKSigs    int // of which over the apex DNSKEY, CDS and CDNSKEY RRsets
	Presigned  int // of which made while the zone file was parsed (SignFile)

	Delegations       int // delegation points (NS below the apex)
	SecureDelegations int // of which with a DS RRset
	Occluded          int // names below a zone cut or DNAME (written unsigned)
	EmptyNonTerminals int // empty non-terminals (given an NSEC3 record with NSEC3)
	Denial            int // NSEC or NSEC3 records made
	Dropped           int // DNSSEC records of the input that were regenerated and not copied
}
