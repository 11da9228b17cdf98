package validate

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/miekg/dns"
)

// ZoneStream validates a zone whose records are given one at a time in
// wire form, such as the records of a zone as it is being signed, with
// the same checks, findings and verdict as Zone on the same records.
// Records are held in packed wire form; the signatures of each owner name
// are verified by background workers as soon as the records move on to
// another name (once the apex, with its DNSKEY RRset, has been seen), so
// that validation overlaps with whatever produces the records. An RRset
// that gets more records after its name was left is verified again at
// the end.
//
// RRSIGs given with a hint (see Add) by an ECDSA P-256 key are verified
// in batches per key (internal/p256's VerifyBatch), several times faster
// than one by one; when a batch fails its signatures are verified one at
// a time and the RRsets of any bad one are checked again, so findings do
// not depend on the hints.
//
// Add is not safe for concurrent use. Finish must be called once all
// records are added; a ZoneStream abandoned without Finish keeps its
// goroutines and records until its context is done or it is garbage
// collected.
type ZoneStream struct {
	c       *zoneCheck
	ctx     context.Context
	n       int
	done    bool
	cleanup runtime.Cleanup
}

// NewZoneStream starts validating a zone whose records will be given one
// by one with Add. opts.Origin is required (there is no SOA to take it
// from before the records arrive); the other options are those of Zone.
func NewZoneStream(ctx context.Context, opts ZoneOptions) (*ZoneStream, error) {
	if opts.Origin == "" {
		return nil, errors.New("validate: ZoneStream needs ZoneOptions.Origin")
	}
	c := newZoneCheck(opts)
	c.stream, c.ctx = true, ctx
	if err := c.setOrigin(opts.Origin); err != nil {
		return nil, err
	}
	s := &ZoneStream{c: c, ctx: ctx}
	// Abandoned without Finish: stop the workers and free the records.
	s.cleanup = runtime.AddCleanup(s, (*zoneCheck).release, c)
	return s, nil
}

// Add adds one record: owner is its owner name in uncompressed wire form
// (any case), rdata its uncompressed wire-format RDATA (RFC 1035 §3.3,
// RFC 4034; names in RDATA not compressed). hint is nil, or, for an RRSIG
// made by an ECDSA P-256 key, the 65-byte uncompressed point R = k·G of
// its signature (see signer.BatchSigner); a wrong hint cannot change the
// findings, and a hint of another length or on another type is ignored.
// Add does not retain the slices. Records may come in any
// order; canonical order, name by name, lets the most work overlap with
// the calls.
//
// Add returns an error, and ignores the record, only when it cannot be a
// record at all: an owner name that is not a well-formed uncompressed
// name, or more than 65535 octets of RDATA; also when ctx is done or
// after Finish. RDATA that does not parse for its type (for the types
// whose fields are checked: RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, DS,
// CDS, CDNSKEY, and the types with domain names in their RDATA) is a
// ReasonMalformed finding, as it is for Zone; other RDATA is kept as
// opaque octets.
func (s *ZoneStream) Add(owner []byte, typ, class uint16, ttl uint32, rdata, hint []byte) error {
	if s.done {
		return errors.New("validate: ZoneStream.Add after Finish")
	}
	if s.n++; s.n%4096 == 0 && s.ctx.Err() != nil {
		return fmt.Errorf("validate: %w", s.ctx.Err())
	}
	if len(owner) == 0 || wireNameLen(owner) != len(owner) {
		return fmt.Errorf("validate: add %s record: malformed owner name", dns.Type(typ))
	}
	if len(rdata) > 0xffff {
		return fmt.Errorf("validate: add %s record: %d octets of RDATA", dns.Type(typ), len(rdata))
	}
	s.c.addWire(owner, typ, class, ttl, rdata, hint)
	return nil
}

// Finish waits for the checks and returns the result, like Zone. It
// returns an error if ctx is done, or if it was called before.
func (s *ZoneStream) Finish() (*ZoneResult, error) {
	if s.done {
		return nil, errors.New("validate: ZoneStream.Finish called twice")
	}
	s.done = true
	s.cleanup.Stop()
	s.c.endStream()
	return s.c.run(s.ctx)
}
