package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// are indexed as they are parsed, without an intermediate slice.
func ZoneReader(ctx context.Context, r io.Reader, opts ZoneOptions) (*ZoneResult, error) {
	c := newZoneCheck(opts)
	c.stream, c.ctx = true, ctx
	defer c.endStream()
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
				c.addRR(p, true)
			}
			pending = nil
		}
		c.addRR(rr, true)
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

type zset struct {
	typ  uint16
	rrs  []dns.RR
	sigs []*dns.RRSIG

	// early is the check of this RRset made while the zone was parsed
	// (ZoneReader), snapshot and result number earlyIdx; nil if none.
	early    *earlyJob
	earlyIdx int32
}

// earlyJob is the early check of the RRsets of one owner name, made by a
// worker while the parser goes on. snaps are the RRsets as they were when
// the parser left the name; a result is used only if the RRset has not
// grown since.
type earlyJob struct {
	snaps   []earlySnap
	results [][]ZoneFinding
}

type earlySnap struct {
	typ  uint16
	rrs  []dns.RR
	sigs []*dns.RRSIG
}

type znode struct {
	name  string
	wire  string // canonical wire form
	sets  []*zset
	kind  uint8
	apex  bool
	ds    bool // has a DS RRset
	ns    bool
	data  bool // has a type other than RRSIG, NSEC, NSEC3
	entOK bool // ENT derived only from insecure delegations
}

func (n *znode) set(t uint16) *zset {
	for _, s := range n.sets {
		if s.typ == t {
			return s
		}
	}
	return nil
}

func (n *znode) addSet(t uint16) *zset {
	if s := n.set(t); s != nil {
		return s
	}
	s := &zset{typ: t}
	n.sets = append(n.sets, s)
	return s
}

// zoneCheck holds the state of one Zone call.
type zoneCheck struct {
	opts     ZoneOptions
	now      time.Time
	origin   string
	owire    string
	nodes    map[string]*znode
	sorted   []*znode
	apex     *znode
	keys     []*dns.DNSKEY            // zone keys of the apex DNSKEY RRset
	byTag    map[uint32][]*dns.DNSKEY // alg<<16|tag -> keys (at most MaxKeysPerTag)
	algs     []uint8                  // algorithms every RRset must be signed with
	mu       sync.Mutex
	findings []ZoneFinding
	verified atomic.Int64
	ctx      context.Context

	// early checks while parsing (ZoneReader)
	stream    bool
	keysReady bool // apex keys computed from the apex as first seen
	keysDirty bool // the apex got records after that
	signed    bool // apexKeys's answer when keysReady
	keyFinds  []ZoneFinding
	earlyOK   bool // early results usable
	earlyCh   chan *earlyJob
	earlyWG   sync.WaitGroup

	// while adding records
	buf      []byte
	last     *znode
	nsigs    int
	apexName string // a signer name string shared by RRSIGs
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
		c.addRR(rr, false)
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
	c := &zoneCheck{opts: opts, now: opts.Now, nodes: make(map[string]*znode)}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	return c
}

// run validates the records added.
func (c *zoneCheck) run(ctx context.Context) (*ZoneResult, error) {
	opts := c.opts
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
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
	jobs := c.sigJobs()
	res.RRsets = len(jobs)

	var wg sync.WaitGroup
	var next atomic.Int64
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v Verifier
			for ctx.Err() == nil {
				lo := int(next.Add(64)) - 64
				if lo >= len(jobs) {
					return
				}
				for _, j := range jobs[lo:min(lo+64, len(jobs))] {
					c.checkRRset(&v, j.set)
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

// leave is called when the parser moves from name n to another. Once
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
		c.earlyCh = make(chan *earlyJob, 256)
		for range c.opts.Concurrency {
			c.earlyWG.Go(func() {
				var v Verifier
				for j := range c.earlyCh {
					if c.ctx.Err() != nil {
						continue
					}
					for i, sn := range j.snaps {
						j.results[i] = c.verifySet(&v, sn.typ, sn.rrs, sn.sigs)
					}
				}
			})
		}
		return
	}
	if c.earlyCh == nil || c.keysDirty || n.wire == c.owire {
		return
	}
	j := &earlyJob{}
	for _, s := range n.sets {
		if len(s.rrs) == 0 || len(s.sigs) == 0 {
			continue
		}
		s.early, s.earlyIdx = j, int32(len(j.snaps))
		j.snaps = append(j.snaps, earlySnap{s.typ, s.rrs, s.sigs})
	}
	if len(j.snaps) == 0 {
		return
	}
	j.results = make([][]ZoneFinding, len(j.snaps))
	c.earlyCh <- j
}

// endStream waits for the early workers.
func (c *zoneCheck) endStream() {
	if c.earlyCh != nil {
		close(c.earlyCh)
		c.earlyWG.Wait()
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

// addRR indexes a record by owner and type. With own set, the record
// belongs to the validator, which then shares the owner and signer name
// strings between records to save memory.
func (c *zoneCheck) addRR(rr dns.RR, own bool) {
	h := header(rr)
	if h == nil {
		return
	}
	var err error
	c.buf, err = canonical.AppendName(c.buf[:0], h.Name)
	if err != nil {
		c.errf(h.Name, h.Rrtype, ReasonMalformed, "bad owner name")
		return
	}
	n := c.last
	if n == nil || n.wire != string(c.buf) {
		n = c.nodes[string(c.buf)]
	}
	if n == nil {
		if !canonical.IsSubdomainWire([]byte(c.owire), c.buf) {
			c.warnf(h.Name, h.Rrtype, ReasonOutOfZone, "not below %s", c.origin)
			return
		}
		n = &znode{name: h.Name, wire: string(c.buf)}
		c.nodes[n.wire] = n
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
	if own && h.Name == n.name {
		h.Name = n.name
	}
	if sig, ok := rr.(*dns.RRSIG); ok {
		if own && sig.SignerName == c.apexName {
			sig.SignerName = c.apexName
		} else if own && c.apexName == "" {
			c.apexName = sig.SignerName
		}
		c.nsigs++
		s := n.addSet(sig.TypeCovered)
		s.sigs = append(s.sigs, sig)
		return
	}
	s := n.addSet(h.Rrtype)
	s.rrs = append(s.rrs, rr)
}

// classify sorts the names, marks delegations, glue, occluded names and
// adds empty non-terminals.
func (c *zoneCheck) classify() {
	c.apex = c.nodes[c.owire]
	if c.apex == nil {
		c.apex = &znode{name: c.origin, wire: c.owire}
		c.nodes[c.owire] = c.apex
	}
	c.apex.apex = true
	if s := c.apex.set(dns.TypeSOA); s == nil || len(s.rrs) != 1 {
		n := 0
		if s != nil {
			n = len(s.rrs)
		}
		c.errf(c.origin, dns.TypeSOA, ReasonNoSOA, "%d SOA records at the origin", n)
	}
	for _, n := range c.nodes {
		for _, s := range n.sets {
			switch s.typ {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			default:
				if len(s.rrs) > 0 {
					n.data = true
				}
			}
			switch s.typ {
			case dns.TypeNS:
				n.ns = len(s.rrs) > 0
			case dns.TypeDS:
				n.ds = len(s.rrs) > 0
			}
		}
	}
	// Empty non-terminals: every ancestor of a name with data, up to the
	// apex.
	var ents []*znode
	for _, n := range c.nodes {
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
				p = &znode{name: wireToName(w), wire: string(w), kind: kindENT, entOK: true}
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
	c.sorted = make([]*znode, 0, len(c.nodes))
	for _, n := range c.nodes {
		c.sorted = append(c.sorted, n)
	}
	slices.SortFunc(c.sorted, func(a, b *znode) int { return canonical.CompareWire([]byte(a.wire), []byte(b.wire)) })
	// In canonical order a subtree follows its root, so one pass with the
	// innermost cut finds glue and occluded names.
	var cut []byte
	for _, n := range c.sorted {
		w := []byte(n.wire)
		if cut != nil && canonical.IsSubdomainWire(cut, w) {
			n.kind = kindBelow
			if string(cut) == c.owire && !n.data && n.set(dns.TypeNSEC3) != nil {
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
			if n.set(dns.TypeDNAME) != nil {
				cut = w
			}
		}
	}
}

// wireToName converts a wire-format name to presentation format.
func wireToName(w []byte) string {
	var b strings.Builder
	for len(w) > 0 && w[0] != 0 {
		l := int(w[0])
		if 1+l > len(w) {
			break
		}
		for _, ch := range w[1 : 1+l] {
			switch {
			case ch == '.' || ch == '\\' || ch == '"' || ch == '(' || ch == ')' || ch == ';' || ch == '@' || ch == '$':
				b.WriteByte('\\')
				b.WriteByte(ch)
			case ch <= ' ' || ch >= 0x7f:
				fmt.Fprintf(&b, "\\%03d", ch)
			default:
				b.WriteByte(ch)
			}
		}
		b.WriteByte('.')
		w = w[1+l:]
	}
	if b.Len() == 0 {
		return "."
	}
	return b.String()
}

// apexKeys collects the zone keys of the apex DNSKEY RRset and the
// algorithms every RRset must be signed with. It reports whether the apex
// has a DNSKEY RRset, and returns its findings.
func (c *zoneCheck) apexKeys() (signed bool, fs []ZoneFinding) {
	c.byTag = make(map[uint32][]*dns.DNSKEY)
	c.keys, c.algs = nil, nil
	s := c.apex.set(dns.TypeDNSKEY)
	if s == nil || len(s.rrs) == 0 {
		return false, nil
	}
	unsupported := map[uint8]bool{}
	for _, rr := range s.rrs {
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

// keyTag returns the key tag of a zone key (computed before).
func mustTag(k *dns.DNSKEY) uint16 {
	t, _ := keytag.Compute(k)
	return t
}

// checkDNSKEY checks who signs the apex DNSKEY RRset, against the anchors
// when there are any, and reports whether the anchors authenticate it.
func (c *zoneCheck) checkDNSKEY() bool {
	s := c.apex.set(dns.TypeDNSKEY)
	if s == nil || len(s.rrs) == 0 {
		c.errf(c.origin, dns.TypeDNSKEY, ReasonNoKey, "no DNSKEY RRset at the apex")
		return false
	}
	// Keys whose signature over the DNSKEY RRset verifies.
	var v Verifier
	var signers []*dns.DNSKEY
	vopts := VerifyOptions{Now: c.now}
	for i, sig := range s.sigs {
		if i >= c.opts.MaxSigsPerRRset {
			break
		}
		if !sameName(sig.SignerName, c.origin) {
			continue
		}
		for _, k := range c.byTag[uint32(sig.Algorithm)<<16|uint32(sig.KeyTag)] {
			c.verified.Add(1)
			if v.Verify(sig, s.rrs, k, vopts) == nil {
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

type sigJob struct {
	node *znode
	set  *zset
}

// sigJobs lists the RRsets whose signatures are checked and reports
// RRSIGs where none belong.
func (c *zoneCheck) sigJobs() []sigJob {
	var jobs []sigJob
	for _, n := range c.sorted {
		for _, s := range n.sets {
			auth := false
			switch n.kind {
			case kindAuth:
				auth = true
			case kindCut:
				auth = s.typ == dns.TypeDS || s.typ == dns.TypeNSEC
			case kindNone:
				auth = s.typ == dns.TypeNSEC || s.typ == dns.TypeNSEC3
			case kindENT:
				auth = s.typ == dns.TypeNSEC3
			}
			if !auth {
				for _, sig := range s.sigs {
					c.add(ZoneFinding{Owner: n.name, Type: s.typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonUnexpectedSignature, Severity: SeverityError,
						Detail: "RRSIG over " + kindName(n, s.typ)})
				}
				continue
			}
			if len(s.rrs) == 0 {
				for _, sig := range s.sigs {
					c.add(ZoneFinding{Owner: n.name, Type: s.typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonNoRRset, Severity: SeverityError})
				}
				continue
			}
			jobs = append(jobs, sigJob{n, s})
		}
	}
	return jobs
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

// checkRRset verifies the signatures of one RRset, using the result of an
// early check made while the zone was parsed when it is still current.
func (c *zoneCheck) checkRRset(v *Verifier, s *zset) {
	var fs []ZoneFinding
	if j := s.early; j != nil && c.earlyOK && len(j.snaps[s.earlyIdx].rrs) == len(s.rrs) && len(j.snaps[s.earlyIdx].sigs) == len(s.sigs) {
		fs = j.results[s.earlyIdx]
	} else {
		fs = c.verifySet(v, s.typ, s.rrs, s.sigs)
	}
	if len(fs) > 0 {
		c.mu.Lock()
		c.findings = append(c.findings, fs...)
		c.mu.Unlock()
	}
}

// verifySet verifies the signatures over one RRset and returns the
// findings. It only reads c's key tables.
func (c *zoneCheck) verifySet(v *Verifier, typ uint16, rrs []dns.RR, sigs []*dns.RRSIG) []ZoneFinding {
	var out []ZoneFinding
	owner := rrs[0].Header().Name
	ttl := rrs[0].Header().Ttl
	for _, rr := range rrs[1:] {
		if t := rr.Header().Ttl; t > ttl {
			ttl = t
		}
	}
	if len(sigs) == 0 {
		if len(c.algs) > 0 {
			out = append(out, ZoneFinding{Owner: owner, Type: typ, Reason: ReasonMissingSignature, Severity: SeverityError, Detail: "no RRSIG"})
		}
		return out
	}
	var good []uint8
	vopts := VerifyOptions{Now: c.now, CheckTTL: true}
	checked := 0
	ttlWarned := false
	for _, sig := range sigs {
		if !sameName(sig.SignerName, c.origin) {
			out = append(out, ZoneFinding{Owner: owner, Type: typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonSignerMismatch, Severity: SeverityError,
				Detail: fmt.Sprintf("signer %s is not the apex %s", sig.SignerName, c.origin)})
			continue
		}
		keys := c.byTag[uint32(sig.Algorithm)<<16|uint32(sig.KeyTag)]
		if len(keys) == 0 {
			if dnscrypto.Supported(sig.Algorithm) {
				out = append(out, ZoneFinding{Owner: owner, Type: typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonNoKey, Severity: SeverityWarning,
					Detail: "no zone key with this tag and algorithm in the apex DNSKEY RRset"})
			}
			continue
		}
		if checked++; checked > c.opts.MaxSigsPerRRset {
			out = append(out, ZoneFinding{Owner: owner, Type: typ, Reason: ReasonTooManySignatures, Severity: SeverityWarning,
				Detail: fmt.Sprintf("%d RRSIGs; only %d checked", len(sigs), c.opts.MaxSigsPerRRset)})
			break
		}
		var first *Finding
		ok := false
		for _, k := range keys {
			c.verified.Add(1)
			f := v.Verify(sig, rrs, k, vopts)
			if f == nil || f.Reason == ReasonTTL {
				ok = true
				first = f
				break
			}
			if first == nil {
				first = f
			}
		}
		if first != nil {
			sev := SeverityError
			if first.Reason == ReasonUnsupportedAlgorithm {
				sev = SeverityWarning
			}
			out = append(out, ZoneFinding{Owner: owner, Type: typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: first.Reason, Severity: sev, Detail: first.Detail})
		}
		if !ok {
			continue
		}
		if !slices.Contains(good, sig.Algorithm) {
			good = append(good, sig.Algorithm)
		}
		if m := c.opts.ExpiryWarning; m > 0 {
			left := time.Duration(int32(sig.Expiration-uint32(c.now.Unix()))) * time.Second
			if left < m {
				out = append(out, ZoneFinding{Owner: owner, Type: typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonExpiringSoon, Severity: SeverityWarning,
					Detail: fmt.Sprintf("expiration %s, in %s", sigTime(sig.Expiration), left)})
			}
		}
		if sig.Hdr.Ttl != ttl && !ttlWarned {
			ttlWarned = true
			out = append(out, ZoneFinding{Owner: owner, Type: typ, KeyTag: sig.KeyTag, Algorithm: sig.Algorithm, Reason: ReasonSigTTL, Severity: SeverityWarning,
				Detail: fmt.Sprintf("RRSIG TTL %d, RRset TTL %d", sig.Hdr.Ttl, ttl)})
		}
	}
	for _, a := range c.algs {
		if !slices.Contains(good, a) {
			out = append(out, ZoneFinding{Owner: owner, Type: typ, Algorithm: a, Reason: ReasonMissingSignature, Severity: SeverityError,
				Detail: fmt.Sprintf("no valid RRSIG with algorithm %d", a)})
		}
	}
	return out
}
