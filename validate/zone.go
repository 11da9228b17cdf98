package validate

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/miekg/dns"
)

// Default limits of ZoneOptions.
const (
	// DefaultExpiryWarning is the default ZoneOptions.ExpiryWarning.
	DefaultExpiryWarning = 7 * 24 * time.Hour
	// DefaultMaxNSEC3Iterations is the default
	// ZoneOptions.MaxNSEC3Iterations: BIND's signing limit, and the
	// largest count that RFC 9276 §3.2 lets validators accept.
	DefaultMaxNSEC3Iterations = 150
	// DefaultMaxSigsPerRRset is the default ZoneOptions.MaxSigsPerRRset.
	DefaultMaxSigsPerRRset = 8
	// DefaultMaxKeysPerTag is the default ZoneOptions.MaxKeysPerTag.
	DefaultMaxKeysPerTag = 4
)

// ZoneOptions are the options of Zone. The zero value validates at the
// current time, takes the origin from the SOA record and the apex DNSKEY
// RRset as given, and uses the documented default limits.
type ZoneOptions struct {
	// Origin is the zone apex. Empty means the owner of the first SOA
	// record. For ZoneReader it is also the origin of relative names.
	Origin string

	// Now is the time at which validity windows are checked. Zero means
	// time.Now().
	Now time.Time

	// Anchors are trust anchors for the apex: DS or DNSKEY records (other
	// types, and records not owned by the origin, are ignored). The apex
	// DNSKEY RRset must then be signed by a key that an anchor matches.
	// Empty means the DNSKEY RRset is taken as given (ZoneResult.Anchored
	// is false).
	Anchors []dns.RR

	// ExpiryWarning is the margin for ReasonExpiringSoon warnings: a valid
	// signature that expires within it of Now is reported. Zero means
	// DefaultExpiryWarning (7 days); negative turns the warning off.
	ExpiryWarning time.Duration

	// MaxNSEC3Iterations is the largest NSEC3 iteration count hashed; a
	// chain with more is a ReasonNSEC3Iterations error and its hashes are
	// not checked. Zero means DefaultMaxNSEC3Iterations (150); a count
	// above zero is a warning whatever the limit (RFC 9276 §3.1).
	MaxNSEC3Iterations int

	// MaxSigsPerRRset bounds the RRSIGs checked per RRset, and
	// MaxKeysPerTag the DNSKEYs tried for one RRSIG (same key tag and
	// algorithm). Beyond them a ReasonTooManySignatures warning is given
	// and the rest is skipped, so that the work is bounded by the number of
	// RRsets whatever the input (KeyTrap, CVE-2023-50387). Zero means
	// DefaultMaxSigsPerRRset (8) and DefaultMaxKeysPerTag (4).
	MaxSigsPerRRset int
	MaxKeysPerTag   int

	// Concurrency is the number of goroutines verifying signatures, each
	// with its own Verifier. Zero or negative means runtime.GOMAXPROCS(0).
	Concurrency int
}

// Severity ranks a ZoneFinding.
type Severity int

// Severities.
const (
	// SeverityError: the zone is bogus; a validator would fail on it, or
	// it breaks a MUST of the DNSSEC RFCs.
	SeverityError Severity = iota + 1
	// SeverityWarning: the zone validates, but something deserves
	// attention (expiring signatures, unusual TTLs, skipped checks).
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText returns s.String().
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ZoneStatus is the verdict on a zone.
type ZoneStatus int

// Zone statuses.
const (
	// ZoneSecure: no error findings; the zone is signed and every check
	// passed (warnings allowed).
	ZoneSecure ZoneStatus = iota + 1
	// ZoneInsecure: the zone is not signed (no DNSKEY at the apex, no
	// RRSIG and no trust anchor), so nothing can be validated.
	ZoneInsecure
	// ZoneBogus: at least one error finding.
	ZoneBogus
)

// String returns "secure", "insecure" or "bogus".
func (s ZoneStatus) String() string {
	switch s {
	case ZoneSecure:
		return "secure"
	case ZoneInsecure:
		return "insecure"
	case ZoneBogus:
		return "bogus"
	}
	return fmt.Sprintf("ZoneStatus(%d)", int(s))
}

// MarshalText returns s.String().
func (s ZoneStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ZoneFinding is one problem found by Zone. KeyTag and Algorithm are
// those of the RRSIG, DNSKEY or DS concerned, zero when none is.
type ZoneFinding struct {
	Owner     string
	Type      uint16
	KeyTag    uint16
	Algorithm uint8
	Reason    Reason
	Severity  Severity
	Detail    string
}

// String formats f on one line:
// "error: www.example. A key 12345 alg 13: signature expired (detail)".
func (f ZoneFinding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s", f.Severity, f.Owner, dns.Type(f.Type))
	if f.KeyTag != 0 || f.Algorithm != 0 {
		fmt.Fprintf(&b, " key %d alg %d", f.KeyTag, f.Algorithm)
	}
	b.WriteString(": ")
	b.WriteString(f.Reason.String())
	if f.Detail != "" {
		b.WriteString(" (")
		b.WriteString(f.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// zoneFindingJSON is the JSON form of a ZoneFinding.
type zoneFindingJSON struct {
	Owner     string   `json:"owner"`
	Type      string   `json:"type"`
	KeyTag    uint16   `json:"key_tag,omitempty"`
	Algorithm uint8    `json:"algorithm,omitempty"`
	Reason    Reason   `json:"reason"`
	Message   string   `json:"message"`
	Severity  Severity `json:"severity"`
	Detail    string   `json:"detail,omitempty"`
}

// MarshalJSON encodes f as an object with owner, type (a mnemonic),
// key_tag, algorithm, reason (Reason.Code), message (Reason.String),
// severity and detail.
func (f ZoneFinding) MarshalJSON() ([]byte, error) {
	return json.Marshal(zoneFindingJSON{
		Owner: f.Owner, Type: dns.Type(f.Type).String(), KeyTag: f.KeyTag, Algorithm: f.Algorithm,
		Reason: f.Reason, Message: f.Reason.String(), Severity: f.Severity, Detail: f.Detail,
	})
}

// ZoneResult is the outcome of Zone. It encodes to JSON as is.
type ZoneResult struct {
	// Origin is the zone apex validated.
	Origin string `json:"origin"`
	// Status is the verdict.
	Status ZoneStatus `json:"status"`
	// Anchored is true when ZoneOptions.Anchors authenticated the apex
	// DNSKEY RRset; false means it was taken as given.
	Anchored bool `json:"anchored"`
	// Denial is "NSEC", "NSEC3" or "" (none).
	Denial string `json:"denial"`
	// Findings, sorted by owner (canonical order), type and reason.
	Findings []ZoneFinding `json:"findings"`
	// Errors and Warnings count the findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Names is the number of owner names with data at or below the apex
	// (NSEC3 owners excluded), RRsets the number of RRsets checked for
	// signatures, Signatures the number of RRSIG records and Verified the
	// number of signature verifications made.
	Names      int `json:"names"`
	RRsets     int `json:"rrsets"`
	Signatures int `json:"signatures"`
	Verified   int `json:"verified"`
}

// Summary returns a one-line summary, e.g.
// "example.: secure (NSEC, trust taken from the apex DNSKEY RRset): 10
// names, 25 RRsets, 27 signatures, 0 errors, 1 warning".
func (r *ZoneResult) Summary() string {
	trust := "trust taken from the apex DNSKEY RRset"
	if r.Anchored {
		trust = "anchored"
	}
	denial := r.Denial
	if denial == "" {
		denial = "no denial"
	}
	plural := func(n int, s string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, s)
		}
		return fmt.Sprintf("%d %ss", n, s)
	}
	return fmt.Sprintf("%s: %s (%s, %s): %s, %s, %s, %s, %s", r.Origin, r.Status, denial, trust,
		plural(r.Names, "name"), plural(r.RRsets, "RRset"), plural(r.Signatures, "signature"),
		plural(r.Errors, "error"), plural(r.Warnings, "warning"))
}

// Has reports whether r holds a finding with the given reason.
func (r *ZoneResult) Has(reason Reason) bool {
	for _, f := range r.Findings {
		if f.Reason == reason {
			return true
		}
	}
	return false
}

// ZoneError is returned by ZoneHook's function when the zone is bogus.
type ZoneError struct{ Result *ZoneResult }

// Error gives the summary and the first finding.
func (e *ZoneError) Error() string {
	s := "validate: zone " + e.Result.Summary()
	for _, f := range e.Result.Findings {
		if f.Severity == SeverityError {
			return s + "; first error: " + f.String()
		}
	}
	return s
}

// ParseZone reads an RFC 1035 master file from r (origin, if not empty,
// is the initial $ORIGIN for relative names).
func ParseZone(r io.Reader, origin string) ([]dns.RR, error) {
	if origin != "" {
		origin = dns.Fqdn(origin)
	}
	zp := dns.NewZoneParser(r, origin, "")
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("validate: parse zone: %w", err)
	}
	return out, nil
}

// ZoneReader parses a master file from r (opts.Origin, if set, is the
// initial origin for relative names) and validates it like Zone. Records
// are packed into wire form as they are parsed, without an intermediate
// slice, and the signatures of each name are verified while the parser
// goes on (see ZoneStream).
func ZoneReader(ctx context.Context, r io.Reader, opts ZoneOptions) (*ZoneResult, error) {
	c := newZoneCheck(opts)
	c.stream, c.ctx = true, ctx
	defer c.release()
	origin := ""
	if opts.Origin != "" {
		origin = dns.Fqdn(opts.Origin)
		if err := c.setOrigin(origin); err != nil {
			return nil, err
		}
	}
	zp := dns.NewZoneParser(r, origin, "")
	var pending []dns.RR // records before the first SOA, without an origin
	known := origin != ""
	i := 0
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if i++; i%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("validate: %w", ctx.Err())
		}
		if !known {
			if rr.Header().Rrtype != dns.TypeSOA {
				pending = append(pending, rr)
				continue
			}
			if err := c.setOrigin(rr.Header().Name); err != nil {
				return nil, err
			}
			known = true
			for _, p := range pending {
				c.addRR(p)
			}
			pending = nil
		}
		c.addRR(rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("validate: parse zone: %w", err)
	}
	if !known {
		return nil, errors.New("validate: no origin given and no SOA record")
	}
	c.endStream()
	c.earlyCh = nil
	return c.run(ctx)
}

// ZoneHook returns a function for zonesign.Options.Validate: it validates
// the signed zone with ZoneReader and returns a *ZoneError if it is not
// secure (bogus, or insecure although it was just signed).
func ZoneHook(opts ZoneOptions) func(ctx context.Context, signed io.Reader) error {
	return func(ctx context.Context, signed io.Reader) error {
		res, err := ZoneReader(ctx, signed, opts)
		if err != nil {
			return err
		}
		if res.Status != ZoneSecure {
			return &ZoneError{Result: res}
		}
		return nil
	}
}

// Node kinds.
const (
	kindAuth  = iota // authoritative data (apex included)
	kindCut          // delegation point (NS below the apex)
	kindBelow        // glue or occluded (below a cut or a DNAME)
	kindENT          // empty non-terminal
	kindNone         // only NSEC, NSEC3 or RRSIG records (NSEC3 owners)
)

// zset is the RRset of one type at a node: how many records and RRSIGs
// (covering the type) it holds, as counted by znode.sets from the node's
// records (see store.go).
type zset struct {
	typ  uint16
	nrr  uint32
	nsig uint32
}

// typedFindings are the findings of the check of one RRset.
type typedFindings struct {
	typ uint16
	fs  []ZoneFinding
}

// earlyJob is the early check of the RRsets of one owner name, made by a
// worker while records are still coming in: rec is the node's records as
// they were when the name was left. The worker stores the outcome in the
// node (esize, efs); it is used only if the node has not grown since.
type earlyJob struct {
	n   *znode
	rec []byte
}

type znode struct {
	wire string // canonical (lower-case) wire form, in c.arena
	rec  []byte // the records, see store.go

	// The early check, written by the worker that made it: esize is one
	// more than the length of rec it covered (0: none), efs its findings
	// (nil: none).
	efs    *[]typedFindings
	esize  int32
	everif uint16 // verifications made by the early check

	kind  uint8
	sent  bool // handed to the early workers
	ebad  bool // a batch found a bad signature in the early check
	orig  bool // the name as given is in zoneCheck.origs
	apex  bool
	ds    bool // has a DS RRset
	ns    bool
	data  bool // has a type other than RRSIG, NSEC, NSEC3
	entOK bool // ENT derived only from insecure delegations
}

// name returns the presentation form of the name of n.
func (c *zoneCheck) name(n *znode) string {
	if n.orig {
		c.omu.Lock()
		defer c.omu.Unlock()
		return c.origs[n]
	}
	return wireToName([]byte(n.wire))
}

// setName records the presentation form of the name of n when it is not
// what c.name would derive from its wire form.
func (c *zoneCheck) setName(n *znode, name string) {
	c.omu.Lock()
	defer c.omu.Unlock()
	if c.origs == nil {
		c.origs = make(map[*znode]string)
	}
	c.origs[n] = name
	n.orig = true
}

// set counts the records of type t at n and the RRSIGs covering t.
func (n *znode) set(t uint16) zset {
	s := zset{typ: t}
	for off := 0; off < len(n.rec); {
		r, next := recAt(n.rec, off)
		if k, sig := setKey(r); k == t {
			if sig {
				s.nsig++
			} else {
				s.nrr++
			}
		}
		off = next
	}
	return s
}

// has reports whether n holds records of type t or RRSIGs covering t.
func (n *znode) has(t uint16) bool {
	s := n.set(t)
	return s.nrr > 0 || s.nsig > 0
}

// sets returns the RRsets of n (types with records or RRSIGs covering
// them), sorted by type, in the storage of buf.
func (n *znode) sets(buf []zset) []zset {
	out := buf[:0]
	var index map[uint16]int // for nodes with many types
	for off := 0; off < len(n.rec); {
		r, next := recAt(n.rec, off)
		off = next
		k, sig := setKey(r)
		i := -1
		if index != nil {
			if j, ok := index[k]; ok {
				i = j
			}
		} else {
			for j := range out {
				if out[j].typ == k {
					i = j
					break
				}
			}
		}
		if i < 0 {
			i = len(out)
			out = append(out, zset{typ: k})
			if index != nil {
				index[k] = i
			} else if len(out) > 32 {
				index = make(map[uint16]int)
				for j, s := range out {
					index[s.typ] = j
				}
			}
		}
		if sig {
			out[i].nsig++
		} else {
			out[i].nrr++
		}
	}
	slices.SortFunc(out, func(a, b zset) int { return int(a.typ) - int(b.typ) })
	return out
}

// each calls f for every stored record of n of RRset type t (records of
// type t, or with sigs set RRSIGs covering t), in the order added.
func (n *znode) each(t uint16, sigs bool, f func(r recView)) {
	for off := 0; off < len(n.rec); {
		r, next := recAt(n.rec, off)
		if k, sig := setKey(r); k == t && sig == sigs {
			f(r)
		}
		off = next
	}
}

// zoneCheck holds the state of one Zone call.
type zoneCheck struct {
	opts     ZoneOptions
	now      time.Time
	origin   string
	owire    string
	nodes    map[string]*znode
	sorted   []*znode // the nodes, in the order made until classify sorts them
	apex     *znode
	keys     []*dns.DNSKEY            // zone keys of the apex DNSKEY RRset
	byTag    map[uint32][]*dns.DNSKEY // alg<<16|tag -> keys (at most MaxKeysPerTag)
	algs     []uint8                  // algorithms every RRset must be signed with
	mu       sync.Mutex
	findings []ZoneFinding
	verified atomic.Int64
	ctx      context.Context

	// early checks while records come in (ZoneReader, ZoneStream)
	stream    bool
	keysReady bool // apex keys computed from the apex as first seen
	keysDirty bool // the apex got records after that
	signed    bool // apexKeys's answer when keysReady
	keyFinds  []ZoneFinding
	earlyOK   bool // early results usable
	earlyCh   chan earlyJob
	earlyWG   sync.WaitGroup

	// while adding records
	buf   []byte // packed record
	lbuf  []byte // lower-cased owner
	rbuf  []byte // RDATA being checked
	last  *znode // node of the previous record
	tail  *znode // node whose records end chunk
	chunk []byte // the current record chunk
	names []byte // the current name chunk
	arena *arena // the chunks
	nsigs int
	sbuf  []zset // scratch for znode.sets

	omu   sync.Mutex
	origs map[*znode]string // names as given, see name
}

func (c *zoneCheck) add(f ZoneFinding) {
	c.mu.Lock()
	c.findings = append(c.findings, f)
	c.mu.Unlock()
}

func (c *zoneCheck) errf(owner string, t uint16, r Reason, format string, args ...any) {
	c.add(ZoneFinding{Owner: owner, Type: t, Reason: r, Severity: SeverityError, Detail: fmt.Sprintf(format, args...)})
}

func (c *zoneCheck) warnf(owner string, t uint16, r Reason, format string, args ...any) {
	c.add(ZoneFinding{Owner: owner, Type: t, Reason: r, Severity: SeverityWarning, Detail: fmt.Sprintf(format, args...)})
}

// Zone validates a whole signed zone, given as its records in any order,
// and returns the verdict and the findings; an error only when it cannot
// answer (no origin can be found, or ctx is done).
//
// It checks, like dnssec-verify, ldns-verify-zone and kzonecheck
// together:
//
//   - every authoritative RRset (the apex, names with data, DS at
//     delegations, NSEC and NSEC3) has a valid RRSIG by a zone key of the
//     apex DNSKEY RRset for each algorithm of that RRset (RFC 4035 §2.2);
//     every RRSIG present verifies (RFC 4035 §5.3), is inside its validity
//     window, warns when it expires within ExpiryWarning, and has an
//     Original TTL no lower than the RRset TTL;
//   - the DNSKEY RRset is signed by a SEP key (by an anchored key when
//     Anchors are given);
//   - no RRSIG covers the NS RRset of a delegation, glue or occluded data,
//     and no NSEC or NSEC3 is at such names;
//   - NSEC: every name has one, the next names follow canonical order and
//     the chain closes at the apex, bitmaps list exactly the types present
//     (at a delegation: NS, DS, RRSIG, NSEC);
//   - NSEC3: one NSEC3PARAM, iterations within MaxNSEC3Iterations, every
//     NSEC3 with its parameters, every owner the hash of a name, every
//     name (empty non-terminals included) with an NSEC3 unless it is an
//     insecure delegation covered by an opt-out NSEC3, a closed chain in
//     hash order, and exact bitmaps;
//   - DS records only at delegations, with known digest types of the right
//     length; CDS and CDNSKEY records each matching an apex DNSKEY (or the
//     RFC 8078 delete form).
//
// Records are held in packed wire form, so the records given may be
// dropped by the caller as soon as Zone has been called; a record that
// cannot be packed (such as a DNSKEY or RRSIG whose base64 field does not
// decode) is reported as ReasonMalformed.
//
// Signatures are verified in parallel (ZoneOptions.Concurrency). The work
// is bounded by the number of RRsets and the limits of ZoneOptions,
// whatever the input.
func Zone(ctx context.Context, rrs []dns.RR, opts ZoneOptions) (*ZoneResult, error) {
	c := newZoneCheck(opts)
	origin := opts.Origin
	if origin == "" {
		for _, rr := range rrs {
			if h := header(rr); h != nil && h.Rrtype == dns.TypeSOA {
				origin = h.Name
				break
			}
		}
	}
	if err := c.setOrigin(origin); err != nil {
		return nil, err
	}
	for _, rr := range rrs {
		c.addRR(rr)
	}
	return c.run(ctx)
}

func newZoneCheck(opts ZoneOptions) *zoneCheck {
	if opts.ExpiryWarning == 0 {
		opts.ExpiryWarning = DefaultExpiryWarning
	}
	if opts.MaxNSEC3Iterations <= 0 {
		opts.MaxNSEC3Iterations = DefaultMaxNSEC3Iterations
	}
	if opts.MaxSigsPerRRset <= 0 {
		opts.MaxSigsPerRRset = DefaultMaxSigsPerRRset
	}
	if opts.MaxKeysPerTag <= 0 {
		opts.MaxKeysPerTag = DefaultMaxKeysPerTag
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = runtime.GOMAXPROCS(0)
	}
	c := &zoneCheck{opts: opts, now: opts.Now, nodes: make(map[string]*znode), arena: new(arena)}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	return c
}

// run validates the records added, and then releases them.
func (c *zoneCheck) run(ctx context.Context) (*ZoneResult, error) {
	defer c.release()
	opts := c.opts
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	c.last, c.tail, c.chunk, c.buf = nil, nil, nil, nil
	nsigs := c.nsigs
	c.classify()
	signed := c.signed
	if c.keysReady && !c.keysDirty {
		c.earlyOK = true
		c.findings = append(c.findings, c.keyFinds...)
	} else {
		var fs []ZoneFinding
		signed, fs = c.apexKeys()
		c.findings = append(c.findings, fs...)
	}

	res := &ZoneResult{Origin: c.origin, Signatures: nsigs}
	for _, n := range c.sorted {
		if n.data && n.kind != kindBelow {
			res.Names++
		}
	}
	if !signed && nsigs == 0 && len(opts.Anchors) == 0 {
		// An unsigned zone: nothing to validate, but report stray
		// denial records.
		c.checkStructure(false)
		res.Status = ZoneInsecure
		c.finish(res)
		return res, nil
	}

	res.Anchored = c.checkDNSKEY()
	jobs, nsets := c.sigJobs()
	res.RRsets = nsets

	var wg sync.WaitGroup
	var next atomic.Int64
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v Verifier
			var sc nodeScratch
			for ctx.Err() == nil {
				lo := int(next.Add(64)) - 64
				if lo >= len(jobs) {
					return
				}
				for _, n := range jobs[lo:min(lo+64, len(jobs))] {
					c.checkNode(&v, &sc, n)
				}
			}
		}()
	}
	res.Denial = c.checkStructure(true)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	res.Verified = int(c.verified.Load())
	c.finish(res)
	return res, nil
}

// finish sorts the findings and sets the counts and the status.
func (c *zoneCheck) finish(res *ZoneResult) {
	wires := make(map[string]string)
	wire := func(name string) string {
		if w, ok := wires[name]; ok {
			return w
		}
		b, _ := canonical.AppendName(nil, name)
		wires[name] = string(b)
		return string(b)
	}
	slices.SortStableFunc(c.findings, func(a, b ZoneFinding) int {
		if x := canonical.CompareWire([]byte(wire(a.Owner)), []byte(wire(b.Owner))); x != 0 {
			return x
		}
		if a.Type != b.Type {
			return int(a.Type) - int(b.Type)
		}
		if a.Reason != b.Reason {
			return int(a.Reason) - int(b.Reason)
		}
		if a.KeyTag != b.KeyTag {
			return int(a.KeyTag) - int(b.KeyTag)
		}
		return strings.Compare(a.Detail, b.Detail)
	})
	res.Findings = c.findings
	if res.Findings == nil {
		res.Findings = []ZoneFinding{}
	}
	for _, f := range res.Findings {
		if f.Severity == SeverityError {
			res.Errors++
		} else {
			res.Warnings++
		}
	}
	switch {
	case res.Errors > 0:
		res.Status = ZoneBogus
	case res.Status == 0:
		res.Status = ZoneSecure
	}
}

// setOrigin sets the zone apex.
func (c *zoneCheck) setOrigin(origin string) error {
	if origin == "" {
		return errors.New("validate: no origin given and no SOA record")
	}
	origin = dns.Fqdn(origin)
	w, err := canonical.AppendName(nil, origin)
	if err != nil {
		return fmt.Errorf("validate: bad origin %q: %w", origin, err)
	}
	c.origin = strings.ToLower(origin)
	c.owire = string(w)
	return nil
}

// leave is called when the records move from name n to another. Once
// the apex has been left, its keys are known and every other name's
// signed RRsets are handed to the early workers.
func (c *zoneCheck) leave(n *znode) {
	if !c.keysReady {
		if n.wire != c.owire {
			return
		}
		c.apex = n
		c.signed, c.keyFinds = c.apexKeys()
		c.keysReady = true
		if !c.signed {
			return
		}
		c.earlyCh = make(chan earlyJob, 256)
		for range c.opts.Concurrency {
			c.earlyWG.Go(func() {
				var v Verifier
				sc := nodeScratch{batch: new(batcher)}
				for {
					var j earlyJob
					select {
					case <-c.ctx.Done():
						return
					case x, ok := <-c.earlyCh:
						if !ok {
							sc.batch.flushAll(&v)
							return
						}
						j = x
					}
					sc.node = j.n
					tf, count := c.verifyNode(&v, &sc, j.n, j.rec, nil)
					if len(tf) > 0 {
						j.n.efs = &tf
					}
					if count <= math.MaxUint16 && len(j.rec) < math.MaxInt32 {
						j.n.esize, j.n.everif = int32(len(j.rec)+1), uint16(count)
					}
				}
			})
		}
		return
	}
	if c.earlyCh == nil || c.keysDirty || n.sent || n.wire == c.owire {
		return
	}
	c.sbuf = n.sets(c.sbuf)
	for _, s := range c.sbuf {
		if s.nrr > 0 && s.nsig > 0 {
			n.sent = true
			select {
			case c.earlyCh <- earlyJob{n: n, rec: n.rec}:
			case <-c.ctx.Done():
			}
			return
		}
	}
}

// release waits for the early workers and frees the records. c must not
// be used afterwards.
func (c *zoneCheck) release() {
	c.endStream()
	c.nodes, c.sorted, c.apex, c.last, c.tail, c.chunk, c.names = nil, nil, nil, nil, nil, nil, nil
	c.origs = nil
	c.arena.free()
}

// sortNodes puts c.sorted in canonical order (RFC 4034 §6.1). For names
// of the usual depth it compares them with canonical.CompareWire, which
// finds their labels on every comparison; when the names are deep on
// average (up to 127 labels each, which makes that walk dominate), it
// makes the sort keys (canonical.AppendSortKey) once and compares those
// as byte strings, at the price of memory for the keys.
func (c *zoneCheck) sortNodes() {
	labels, size := 0, 0
	for _, n := range c.sorted {
		labels += int(canonical.WireLabels([]byte(n.wire)))
		size += len(n.wire) // a key is one octet shorter, plus escapes
	}
	if labels <= deepNames*len(c.sorted) {
		slices.SortFunc(c.sorted, func(a, b *znode) int { return canonical.CompareWire([]byte(a.wire), []byte(b.wire)) })
		return
	}
	type keyed struct {
		n        *znode
		off, end int
	}
	ks := make([]keyed, len(c.sorted))
	buf := make([]byte, 0, size+size/8)
	for i, n := range c.sorted {
		off := len(buf)
		buf = canonical.AppendSortKey(buf, []byte(n.wire))
		ks[i] = keyed{n, off, len(buf)}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return bytes.Compare(buf[a.off:a.end], buf[b.off:b.end]) })
	for i := range ks {
		c.sorted[i] = ks[i].n
	}
}

// deepNames is the mean label count above which sortNodes sorts by keys.
const deepNames = 8

// endStream waits for the early workers.
func (c *zoneCheck) endStream() {
	if c.earlyCh != nil {
		close(c.earlyCh)
		c.earlyWG.Wait()
		c.earlyCh = nil
	}
}

// header returns the header of rr, or nil for a nil record, including a
// typed nil pointer (whose Header method would panic).
func header(rr dns.RR) (h *dns.RR_Header) {
	if rr == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			h = nil
		}
	}()
	return rr.Header()
}

// addRR packs a record and indexes it. rr is not retained.
func (c *zoneCheck) addRR(rr dns.RR) {
	h := header(rr)
	if h == nil {
		return
	}
	var err error
	c.buf, err = packRR(c.buf, rr)
	if err != nil {
		if _, nerr := canonical.AppendName(c.lbuf[:0], h.Name); nerr != nil || h.Name == "" {
			c.errf(h.Name, h.Rrtype, ReasonMalformed, "bad owner name")
			return
		}
		f := ZoneFinding{Owner: h.Name, Type: h.Rrtype, Reason: ReasonMalformed, Severity: SeverityError, Detail: "cannot encode: " + err.Error()}
		switch x := rr.(type) {
		case *dns.RRSIG:
			f.Type, f.KeyTag, f.Algorithm = x.TypeCovered, x.KeyTag, x.Algorithm
		case *dns.DNSKEY:
			f.Algorithm = x.Algorithm
		}
		c.add(f)
		return
	}
	on := wireNameLen(c.buf)
	if on < 0 || len(c.buf) < on+wireHdrLen {
		c.errf(h.Name, h.Rrtype, ReasonMalformed, "bad owner name")
		return
	}
	b := c.buf[on:]
	c.addWire(c.buf[:on], binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint32(b[4:]), b[wireHdrLen:], nil)
}

// addWire indexes one record: owner is its wire-format owner name (any
// case, well formed), rdata its uncompressed RDATA, hint nil or the
// signature hint of an RRSIG (kept only when it has 65 octets). A record whose RDATA
// is malformed (see checkRecord) is reported as ReasonMalformed and left
// out. Names in findings are spelled from the wire form (wireToName),
// with the case of the first record of each name, whatever the spelling
// of the input.
func (c *zoneCheck) addWire(owner []byte, typ, class uint16, ttl uint32, rdata, hint []byte) {
	if err := c.checkRecord(owner, typ, class, ttl, rdata); err != nil {
		c.errf(wireToName(owner), typ, ReasonMalformed, "%v", err)
		return
	}
	c.lbuf = lowerWire(c.lbuf[:0], owner)
	n := c.last
	if n == nil || n.wire != string(c.lbuf) {
		n = c.nodes[string(c.lbuf)]
	}
	if n == nil {
		if !canonical.IsSubdomainWire([]byte(c.owire), c.lbuf) {
			c.warnf(wireToName(owner), typ, ReasonOutOfZone, "not below %s", c.origin)
			return
		}
		n = &znode{wire: c.internName(c.lbuf)}
		if hasUpper(owner) {
			c.setName(n, wireToName(owner))
		}
		c.nodes[n.wire] = n
		c.sorted = append(c.sorted, n)
	}
	if c.stream && n != c.last {
		if c.last != nil {
			c.leave(c.last)
		}
		if c.keysReady && n.wire == c.owire {
			c.keysDirty = true
		}
	}
	c.last = n
	c.appendRec(n, typ, class, ttl, rdata, hint) // checked: cannot fail
	if typ == dns.TypeRRSIG {
		c.nsigs++
	}
}

// checkRecord checks the RDATA of a record: the types whose fields the
// checks read (checkRDATA), the names of the types whose names are
// lower-cased in the signed data, and, for DNSKEY, DS, CDS and CDNSKEY
// (decoded for their checks), that miekg/dns decodes it.
func (c *zoneCheck) checkRecord(owner []byte, typ, class uint16, ttl uint32, rdata []byte) error {
	if err := checkRDATA(typ, rdata); err != nil {
		return err
	}
	if typ != dns.TypeRRSIG {
		c.rbuf = append(c.rbuf[:0], rdata...)
		if !canonical.LowerRDATANames(typ, c.rbuf) {
			return fmt.Errorf("malformed names in %s RDATA", dns.Type(typ))
		}
	}
	switch typ {
	case dns.TypeDNSKEY, dns.TypeCDNSKEY, dns.TypeDS, dns.TypeCDS:
		var err error
		_, c.rbuf, err = decodeRR(c.rbuf, owner, recView{typ: typ, class: class, ttl: ttl, rdata: rdata})
		if err != nil {
			return fmt.Errorf("%s RDATA does not decode: %w", dns.Type(typ), err)
		}
	}
	return nil
}

// classify sorts the names, marks delegations, glue, occluded names and
// adds empty non-terminals.
func (c *zoneCheck) classify() {
	c.apex = c.nodes[c.owire]
	if c.apex == nil {
		c.apex = &znode{wire: c.owire}
		c.nodes[c.owire] = c.apex
		c.sorted = append(c.sorted, c.apex)
	}
	c.apex.apex = true
	if s := c.apex.set(dns.TypeSOA); s.nrr != 1 {
		c.errf(c.origin, dns.TypeSOA, ReasonNoSOA, "%d SOA records at the origin", s.nrr)
	}
	for _, n := range c.sorted {
		c.sbuf = n.sets(c.sbuf)
		for _, s := range c.sbuf {
			switch s.typ {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			default:
				if s.nrr > 0 {
					n.data = true
				}
			}
			switch s.typ {
			case dns.TypeNS:
				n.ns = s.nrr > 0
			case dns.TypeDS:
				n.ds = s.nrr > 0
			}
		}
	}
	// Empty non-terminals: every ancestor of a name with data, up to the
	// apex.
	var ents []*znode
	for _, n := range c.sorted {
		if !n.data || n.apex {
			continue
		}
		insecure := n.ns && !n.ds
		w := []byte(n.wire)
		for len(w) > 0 && w[0] != 0 {
			w = w[1+int(w[0]):]
			if string(w) == c.owire {
				break
			}
			p := c.nodes[string(w)]
			if p == nil {
				p = &znode{wire: string(w), kind: kindENT, entOK: true}
				c.nodes[p.wire] = p
				ents = append(ents, p)
			}
			if p.data {
				break // its own ancestors are added from it
			}
			if p.kind != kindENT {
				// a name with only denial records: an ENT for the chain
				p.kind = kindENT
				p.entOK = true
			}
			if !insecure {
				p.entOK = false
			}
		}
	}
	// c.sorted holds the nodes in the order they were made: already in
	// canonical order, or nearly, for the usual input, which the sort
	// (pattern-defeating quicksort) then only checks.
	c.sorted = append(c.sorted, ents...)
	c.sortNodes()
	// In canonical order a subtree follows its root, so one pass with the
	// innermost cut finds glue and occluded names.
	var cut []byte
	for _, n := range c.sorted {
		w := []byte(n.wire)
		if cut != nil && canonical.IsSubdomainWire(cut, w) {
			n.kind = kindBelow
			if string(cut) == c.owire && !n.data && n.has(dns.TypeNSEC3) {
				// An NSEC3 owner below an apex DNAME: hashed owners
				// live one label below the apex whatever the DNAME
				// says, so they are not occluded.
				n.kind = kindNone
			}
			continue
		}
		cut = nil
		switch {
		case n.kind == kindENT:
		case !n.data:
			n.kind = kindNone
		case !n.apex && n.ns:
			n.kind = kindCut
			cut = w
		default:
			n.kind = kindAuth
			if n.has(dns.TypeDNAME) {
				cut = w
			}
		}
	}
}

// wireToName converts a wire-format name to presentation format.
func wireToName(w []byte) string { return string(appendWireName(nil, w)) }

// appendWireName appends the presentation form of wire name w to dst.
func appendWireName(dst, w []byte) []byte {
	start := len(dst)
	for len(w) > 0 && w[0] != 0 {
		l := int(w[0])
		if 1+l > len(w) {
			break
		}
		for _, ch := range w[1 : 1+l] {
			switch {
			case ch == '.' || ch == '\\' || ch == '"' || ch == '(' || ch == ')' || ch == ';' || ch == '@' || ch == '$':
				dst = append(dst, '\\', ch)
			case ch <= ' ' || ch >= 0x7f:
				dst = append(dst, '\\', '0'+ch/100, '0'+ch/10%10, '0'+ch%10)
			default:
				dst = append(dst, ch)
			}
		}
		dst = append(dst, '.')
		w = w[1+l:]
	}
	if len(dst) == start {
		dst = append(dst, '.')
	}
	return dst
}

// apexKeys collects the zone keys of the apex DNSKEY RRset and the
// algorithms every RRset must be signed with. It reports whether the apex
// has a DNSKEY RRset, and returns its findings.
func (c *zoneCheck) apexKeys() (signed bool, fs []ZoneFinding) {
	c.byTag = make(map[uint32][]*dns.DNSKEY)
	c.keys, c.algs = nil, nil
	if c.apex.set(dns.TypeDNSKEY).nrr == 0 {
		return false, nil
	}
	rrs, _ := c.decodeSet(c.apex, dns.TypeDNSKEY)
	unsupported := map[uint8]bool{}
	for _, rr := range rrs {
		k, ok := rr.(*dns.DNSKEY)
		if !ok || k.Flags&flagZone == 0 || k.Protocol != 3 {
			continue
		}
		tag, err := keytag.Compute(k)
		if err != nil {
			fs = append(fs, ZoneFinding{Owner: k.Hdr.Name, Type: dns.TypeDNSKEY, Algorithm: k.Algorithm, Reason: ReasonBadKey, Severity: SeverityError, Detail: err.Error()})
			continue
		}
		c.keys = append(c.keys, k)
		id := uint32(k.Algorithm)<<16 | uint32(tag)
		if len(c.byTag[id]) >= c.opts.MaxKeysPerTag {
			fs = append(fs, ZoneFinding{Owner: k.Hdr.Name, Type: dns.TypeDNSKEY, KeyTag: tag, Algorithm: k.Algorithm, Reason: ReasonTooManySignatures, Severity: SeverityWarning,
				Detail: fmt.Sprintf("more than %d keys with this tag and algorithm; the others are not used", c.opts.MaxKeysPerTag)})
			continue
		}
		c.byTag[id] = append(c.byTag[id], k)
		if k.Flags&flagRevoke != 0 {
			continue
		}
		if !dnscrypto.Supported(k.Algorithm) {
			if !unsupported[k.Algorithm] {
				unsupported[k.Algorithm] = true
				fs = append(fs, ZoneFinding{Owner: k.Hdr.Name, Type: dns.TypeDNSKEY, KeyTag: tag, Algorithm: k.Algorithm, Reason: ReasonUnsupportedAlgorithm, Severity: SeverityWarning,
					Detail: "signatures with this algorithm are not checked"})
			}
			continue
		}
		if !slices.Contains(c.algs, k.Algorithm) {
			c.algs = append(c.algs, k.Algorithm)
		}
	}
	slices.Sort(c.algs)
	return true, fs
}

// decodeSet decodes the records of RRset type t at n and the RRSIGs
// covering it, with n's presentation name as owner. Records that do not
// decode (none that addWire accepted should) are left out.
func (c *zoneCheck) decodeSet(n *znode, t uint16) (rrs []dns.RR, sigs []*dns.RRSIG) {
	name := c.name(n)
	var buf []byte
	for off := 0; off < len(n.rec); {
		r, next := recAt(n.rec, off)
		off = next
		k, sig := setKey(r)
		if k != t {
			continue
		}
		rr, b, err := decodeRR(buf, []byte(n.wire), r)
		buf = b
		if err != nil {
			continue
		}
		rr.Header().Name = name
		if sig {
			if s, ok := rr.(*dns.RRSIG); ok {
				sigs = append(sigs, s)
			}
			continue
		}
		rrs = append(rrs, rr)
	}
	return rrs, sigs
}

// keyTag returns the key tag of a zone key (computed before).
func mustTag(k *dns.DNSKEY) uint16 {
	t, _ := keytag.Compute(k)
	return t
}

// checkDNSKEY checks who signs the apex DNSKEY RRset, against the anchors
// when there are any, and reports whether the anchors authenticate it.
func (c *zoneCheck) checkDNSKEY() bool {
	if c.apex.set(dns.TypeDNSKEY).nrr == 0 {
		c.errf(c.origin, dns.TypeDNSKEY, ReasonNoKey, "no DNSKEY RRset at the apex")
		return false
	}
	rrs, sigs := c.decodeSet(c.apex, dns.TypeDNSKEY)
	// Keys whose signature over the DNSKEY RRset verifies.
	var v Verifier
	var signers []*dns.DNSKEY
	vopts := VerifyOptions{Now: c.now}
	for i, sig := range sigs {
		if i >= c.opts.MaxSigsPerRRset {
			break
		}
		if !sameName(sig.SignerName, c.origin) {
			continue
		}
		for _, k := range c.byTag[uint32(sig.Algorithm)<<16|uint32(sig.KeyTag)] {
			c.verified.Add(1)
			if v.Verify(sig, rrs, k, vopts) == nil {
				signers = append(signers, k)
				break
			}
		}
	}
	if len(c.opts.Anchors) > 0 {
		var trusted []*dns.DNSKEY
		for _, a := range c.opts.Anchors {
			if h := header(a); h == nil || !sameName(h.Name, c.origin) {
				continue
			}
			for _, k := range c.keys {
				switch x := a.(type) {
				case *dns.DS:
					if dsMatches(x, k) {
						trusted = append(trusted, k)
					}
				case *dns.DNSKEY:
					if sameKey(x, k) {
						trusted = append(trusted, k)
					}
				}
			}
		}
		if len(trusted) == 0 {
			c.errf(c.origin, dns.TypeDNSKEY, ReasonAnchorMismatch, "no trust anchor matches a DNSKEY of the apex")
			return false
		}
		for _, k := range signers {
			if slices.Contains(trusted, k) {
				return true
			}
		}
		c.add(ZoneFinding{Owner: c.origin, Type: dns.TypeDNSKEY, KeyTag: mustTag(trusted[0]), Algorithm: trusted[0].Algorithm,
			Reason: ReasonAnchorMismatch, Severity: SeverityError, Detail: "no valid signature by an anchored key"})
		return false
	}
	sep := false
	for _, k := range c.keys {
		if k.Flags&dns.SEP != 0 && k.Flags&flagRevoke == 0 {
			sep = true
		}
	}
	for _, k := range signers {
		if k.Flags&dns.SEP != 0 && k.Flags&flagRevoke == 0 {
			return false
		}
	}
	switch {
	case len(signers) == 0:
		// reported by the RRset check as a missing signature
	case sep:
		c.errf(c.origin, dns.TypeDNSKEY, ReasonNoSEPSignature, "no self-signed KSK: the SEP keys do not sign the DNSKEY RRset")
	default:
		c.warnf(c.origin, dns.TypeDNSKEY, ReasonNoSEPSignature, "no key has the SEP flag")
	}
	return false
}

// sameKey reports whether two DNSKEYs have the same RDATA.
func sameKey(a, b *dns.DNSKEY) bool {
	return a.Flags == b.Flags && a.Protocol == b.Protocol && a.Algorithm == b.Algorithm &&
		strings.TrimSpace(a.PublicKey) == strings.TrimSpace(b.PublicKey)
}

// auth reports whether the RRset of type t at n must be signed.
func auth(n *znode, t uint16) bool {
	switch n.kind {
	case kindAuth:
		return true
	case kindCut:
		return t == dns.TypeDS || t == dns.TypeNSEC
	case kindNone:
		return t == dns.TypeNSEC || t == dns.TypeNSEC3
	case kindENT:
		return t == dns.TypeNSEC3
	}
	return false
}

// sigJobs lists the nodes with RRsets whose signatures are checked, and
// how many such RRsets there are, and reports RRSIGs where none belong.
func (c *zoneCheck) sigJobs() ([]*znode, int) {
	var jobs []*znode
	nsets := 0
	for _, n := range c.sorted {
		job := false
		c.sbuf = n.sets(c.sbuf)
		for _, s := range c.sbuf {
			switch {
			case !auth(n, s.typ):
				if s.nsig > 0 {
					n.each(s.typ, true, func(r recView) {
						sig, _ := parseSig(r.rdata)
						c.add(ZoneFinding{Owner: c.name(n), Type: s.typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonUnexpectedSignature, Severity: SeverityError,
							Detail: "RRSIG over " + kindName(n, s.typ)})
					})
				}
			case s.nrr == 0:
				n.each(s.typ, true, func(r recView) {
					sig, _ := parseSig(r.rdata)
					c.add(ZoneFinding{Owner: c.name(n), Type: s.typ, KeyTag: sig.tag, Algorithm: sig.alg, Reason: ReasonNoRRset, Severity: SeverityError})
				})
			default:
				nsets++
				job = true
			}
		}
		if job {
			jobs = append(jobs, n)
		}
	}
	return jobs, nsets
}

func kindName(n *znode, t uint16) string {
	switch n.kind {
	case kindCut:
		if t == dns.TypeNS {
			return "the NS RRset of a delegation"
		}
		return "glue at a delegation point"
	case kindBelow:
		return "glue or occluded data"
	}
	return "a name with no data"
}

// checkNode checks the signatures of the authoritative RRsets of n, using
// the results of its early check when they are still current.
func (c *zoneCheck) checkNode(v *Verifier, sc *nodeScratch, n *znode) {
	early := c.earlyOK && int(n.esize) == len(n.rec)+1 && !n.ebad
	sets := n.sets(sc.sets)
	sc.sets = sets
	for _, s := range sets {
		if s.nrr > 0 && s.nsig > 0 && !auth(n, s.typ) {
			// The early check verified an RRset that is not checked:
			// check again, so that ZoneResult.Verified is Zone's.
			early = false
		}
	}
	count := 0
	if early {
		count = int(n.everif)
	}
	var out []ZoneFinding
	want := sc.want[:0]
	for _, s := range sets {
		if !auth(n, s.typ) || s.nrr == 0 {
			continue
		}
		if early && s.nsig > 0 {
			if n.efs != nil {
				for _, tf := range *n.efs {
					if tf.typ == s.typ {
						out = append(out, tf.fs...)
					}
				}
			}
			continue
		}
		want = append(want, s.typ)
	}
	sc.want = want
	if len(want) > 0 {
		tfs, k := c.verifyNode(v, sc, n, n.rec, want)
		for _, tf := range tfs {
			out = append(out, tf.fs...)
		}
		count += k
	}
	c.verified.Add(int64(count))
	n.efs = nil
	if len(out) > 0 {
		c.mu.Lock()
		c.findings = append(c.findings, out...)
		c.mu.Unlock()
	}
}
