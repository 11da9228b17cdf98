package online

import (
	"expvar"
	"time"
)

// Defaults of Options.
const (
	// DefaultValidity is the validity of the signatures the Handler makes,
	// counted from the time of signing.
	DefaultValidity = 7 * 24 * time.Hour
	// DefaultRefreshMargin is how long before its expiration a cached
	// signature stops being served and is made again.
	DefaultRefreshMargin = 2 * 24 * time.Hour
	// InceptionSkew is how far before the time of signing the Inception
	// of every signature lies, to allow for validators whose clocks are
	// slow.
	InceptionSkew = time.Hour
	// DefaultCacheBytes is the default memory bound of the signature cache.
	DefaultCacheBytes = 64 << 20
	// DefaultMaxUDPSize is the largest UDP response the Handler sends
	// when the client offers more (the DNS Flag Day 2020 value).
	DefaultMaxUDPSize = 1232
	// DefaultSignTimeout bounds one signing operation (relevant for
	// remote keys such as KMS).
	DefaultSignTimeout = 5 * time.Second
	// DefaultNegativeTTL is the TTL of NSEC records when the response
	// holds no SOA to derive it from.
	DefaultNegativeTTL = 3600
)

// Denial selects how the Handler proves that a name or type does not
// exist.
type Denial uint8

const (
	// DenialWhiteLies answers NXDOMAIN and NODATA with minimally covering
	// NSEC records (RFC 4470, "white lies"): NXDOMAIN keeps its rcode and
	// carries two NSEC records, one covering the next closer name and one
	// covering the wildcard at the closest encloser, each spanning only
	// names that do not exist. NODATA carries one NSEC at the query name.
	// This is the zero value.
	DenialWhiteLies Denial = iota
	// DenialCompact answers NXDOMAIN as RFC 9824 compact denial: one NSEC
	// at the query name whose bitmap holds RRSIG, NSEC and the NXNAME
	// pseudo-type, with the rcode rewritten to NOERROR unless the query
	// set the Compact Answers OK (CO) EDNS flag, in which case the rcode
	// stays NXDOMAIN and the response sets CO (RFC 9824 §4 and §5).
	DenialCompact
)

// Options configure a Handler. The zero value is useful: white lies,
// signatures valid for DefaultValidity and served until DefaultRefreshMargin
// before they expire, a DefaultCacheBytes cache, time.Now and no metrics.
type Options struct {
	// Denial selects the denial-of-existence style. Zero means
	// DenialWhiteLies.
	Denial Denial

	// Validity is how long a new signature is valid, from the time of
	// signing (its Inception is InceptionSkew earlier). Zero means
	// DefaultValidity. It is clamped to at least 2 hours.
	Validity time.Duration

	// RefreshMargin is how long before its Expiration a cached signature
	// is replaced: a signature is served only while more than
	// RefreshMargin of its validity remains, so a resolver that caches it
	// for the RRset TTL never holds an expired one when the margin
	// exceeds the largest TTL. Zero means DefaultRefreshMargin, or a
	// quarter of Validity if that is smaller. It is clamped to at most
	// half of Validity.
	RefreshMargin time.Duration

	// CacheBytes bounds the memory of the signature and response cache,
	// counted as the allocator-rounded sizes of the cache key (the
	// canonical RRset, or the response), the RRSIGs and the cached
	// response, plus a fixed per-entry overhead. Zero means DefaultCacheBytes; a negative value
	// disables the cache (every RRset is signed on every query).
	CacheBytes int64

	// MaxUDPSize caps the UDP payload size of responses; the client's
	// EDNS buffer size is used when smaller. Responses that do not fit
	// are truncated with TC set. Zero means DefaultMaxUDPSize.
	MaxUDPSize uint16

	// SignTimeout bounds each signing operation. Zero means
	// DefaultSignTimeout.
	SignTimeout time.Duration

	// Now returns the current time. Nil means time.Now. Tests inject a
	// fake clock here.
	Now func() time.Time

	// Metrics receives cache and signing events. Nil means none.
	Metrics Metrics

	// Zone, if set, tells the Handler what the responses of next do not
	// show: the types present at a name (for NSEC bitmaps), whether a
	// name exists (to find the closest encloser of an NXDOMAIN), and which
	// wildcard synthesised an answer (to sign it with the wildcard's
	// Labels). Nil means the Handler infers what it can from the
	// response: see the package documentation.
	Zone ZoneInfo
}

// ZoneInfo describes the zone data that the wrapped handler serves. Its
// methods are called on the query path and must be fast and safe for
// concurrent use. Names are fully qualified; case must be ignored.
type ZoneInfo interface {
	// Types returns the types of the RRsets at name and whether name
	// exists: an empty non-terminal exists with no types, a name below a
	// delegation or outside the zone does not.
	Types(name string) (types []uint16, exists bool)

	// Wildcard returns the owner of the wildcard ("*.example.com.") that
	// synthesises answers for name, or "" if name exists or no wildcard
	// applies.
	Wildcard(name string) string
}

// Metrics receives events from a Handler. Implementations must be safe for
// concurrent use and fast: they are called on the query path.
type Metrics interface {
	// CacheHit is called when a cached signature set is served, or once
	// for a whole response served from the response cache.
	CacheHit()
	// CacheMiss is called when an RRset is not in the cache (or its
	// signatures are inside the refresh margin) and must be signed.
	CacheMiss()
	// Signed is called after each signing of an RRset with its keys, with
	// the time it took and the error, if any.
	Signed(d time.Duration, err error)
	// Evicted is called when entries are evicted to stay within the memory
	// bound, with the number of bytes freed.
	Evicted(bytes int)
}

type nopMetrics struct{}

func (nopMetrics) CacheHit()                   {}
func (nopMetrics) CacheMiss()                  {}
func (nopMetrics) Signed(time.Duration, error) {}
func (nopMetrics) Evicted(int)                 {}

// ExpvarMetrics is a Metrics that counts events in expvar variables, so
// they appear on /debug/vars without a metrics library.
type ExpvarMetrics struct {
	Hits, Misses, Signatures, SignErrors, SignNanos, Evictions, EvictedBytes expvar.Int
}

// NewExpvarMetrics returns an ExpvarMetrics whose counters are also
// published in m (if m is not nil) under the names hits, misses,
// signatures, sign_errors, sign_nanoseconds, evictions and evicted_bytes.
// Publish m itself with expvar.Publish or expvar.NewMap.
func NewExpvarMetrics(m *expvar.Map) *ExpvarMetrics {
	e := new(ExpvarMetrics)
	if m != nil {
		m.Set("hits", &e.Hits)
		m.Set("misses", &e.Misses)
		m.Set("signatures", &e.Signatures)
		m.Set("sign_errors", &e.SignErrors)
		m.Set("sign_nanoseconds", &e.SignNanos)
		m.Set("evictions", &e.Evictions)
		m.Set("evicted_bytes", &e.EvictedBytes)
	}
	return e
}

// CacheHit implements Metrics.
func (e *ExpvarMetrics) CacheHit() { e.Hits.Add(1) }

// CacheMiss implements Metrics.
func (e *ExpvarMetrics) CacheMiss() { e.Misses.Add(1) }

// Signed implements Metrics.
func (e *ExpvarMetrics) Signed(d time.Duration, err error) {
	if err != nil {
		e.SignErrors.Add(1)
		return
	}
	e.Signatures.Add(1)
	e.SignNanos.Add(int64(d))
}

// Evicted implements Metrics.
func (e *ExpvarMetrics) Evicted(bytes int) {
	e.Evictions.Add(1)
	e.EvictedBytes.Add(int64(bytes))
}

// normalize returns o with defaults filled in and limits clamped.
func (o Options) normalize() Options {
	if o.Validity == 0 {
		o.Validity = DefaultValidity
	}
	o.Validity = max(o.Validity, 2*time.Hour)
	if o.RefreshMargin <= 0 {
		o.RefreshMargin = min(DefaultRefreshMargin, o.Validity/4)
	}
	o.RefreshMargin = min(o.RefreshMargin, o.Validity/2)
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.MaxUDPSize == 0 {
		o.MaxUDPSize = DefaultMaxUDPSize
	}
	o.MaxUDPSize = max(o.MaxUDPSize, 512)
	if o.SignTimeout <= 0 {
		o.SignTimeout = DefaultSignTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = nopMetrics{}
	}
	return o
}
