// Package zonegen writes deterministic synthetic DNS zones as RFC 1035
// master files, for benchmarks and tests of zone signers and validators.
//
// A zone has an apex (SOA, two NS with in-zone glue ns1/ns2, MX, TXT) and
// Options.Names entries below it. Each entry is one subtree directly under
// the apex whose shape is drawn from a seeded generator:
//
//   - about 75 % hosts: a mix of A, AAAA, MX and TXT;
//   - about 5 % aliases: a CNAME and nothing else;
//   - about 3 % wildcards: records at *.label, with or without data at
//     label itself (without, label is an empty non-terminal);
//   - about 7 % deep names: data at leaf.label or leaf.mid.label, so
//     label (and mid) are empty non-terminals;
//   - about 10 % delegations: an NS RRset at label; half of them secure
//     (one or two SHA-256 DS records), 40 % of them with in-zone glue
//     (A and AAAA records below the cut).
//
// Output is streamed to an io.Writer, entry by entry, so the zone is never
// held in memory, and the same Options always give the same bytes: an
// entry depends only on the seed and its index, so a zone with fewer names
// is a prefix of one with more. Names are lower-case unless
// Options.MixedCase is set, which randomises the case of every letter in
// owner names and RDATA domain names (the lower-cased zone is then
// identical to the zone generated without MixedCase).
package zonegen

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Options controls Write. The zero value writes an apex-only zone for
// "example." with seed 0.
type Options struct {
	// Names is the number of entries (subtrees below the apex) to write.
	// Zero writes only the apex and its glue; negative is an error.
	Names int

	// Origin is the zone apex. Empty means "example.". A missing final
	// dot is added; upper case is folded. Labels may hold letters, digits,
	// hyphens and underscores. The root zone (".") is allowed.
	Origin string

	// Seed selects the zone; the same seed gives byte-identical output.
	Seed uint64

	// TTL is the TTL of every record. Zero means 3600.
	TTL uint32

	// MixedCase randomises the case of letters in owner names and in
	// domain names inside RDATA. False writes every name in lower case.
	MixedCase bool
}

// Kind is the shape of one entry.
type Kind uint8

// The entry kinds.
const (
	KindHost Kind = iota
	KindCNAME
	KindWildcard
	KindDeep
	KindDelegation
	// NumKinds is the number of kinds, the length of Stats.Entries.
	NumKinds
)

var kindNames = [NumKinds]string{"host", "cname", "wildcard", "deep", "delegation"}

func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Stats describes a written zone. All counts are exact.
type Stats struct {
	// Entries counts entries by kind.
	Entries [NumKinds]int
	// Records counts resource records by type.
	Records map[uint16]int
	// TotalRecords is the number of resource records written.
	TotalRecords int
	// SecureDelegations is the number of delegations with DS records.
	SecureDelegations int
	// GluedDelegations is the number of delegations with glue below the cut.
	GluedDelegations int
	// GlueRecords is the number of A and AAAA records below zone cuts.
	GlueRecords int
	// EmptyNonTerminals is the number of names that exist only because a
	// name below them holds records.
	EmptyNonTerminals int
	// AuthRRsets is the number of RRsets a signer must sign (with one
	// signing key, before adding DNSKEY and NSEC/NSEC3): every RRset at
	// an authoritative name, plus DS RRsets at delegations; not the NS
	// RRsets at delegations and not glue.
	AuthRRsets int
	// NSECOwners is the number of names that own an NSEC record in the
	// signed zone: the authoritative names with data and the delegation
	// points. NSEC3 owners are NSECOwners + EmptyNonTerminals.
	NSECOwners int
	// Bytes is the size of the output.
	Bytes int64
}

// Errors returned by Write for bad options.
var (
	ErrNames  = errors.New("zonegen: number of names must not be negative")
	ErrOrigin = errors.New("zonegen: invalid origin")
)

// maxGenerated bounds how many bytes the generator adds before the origin in
// the longest name it writes: a deep name, "node.north.prod" + a 20-digit
// index + "." is 36. 40 leaves room.
const maxGenerated = 40

// Word lists. No word ends in a digit and "ns" is not a word, so a label
// word+index is unique per index and never equals "ns1", "ns2" or "mail".
var (
	hostWords  = []string{"www", "mail", "api", "web", "app", "db", "srv", "host", "cdn", "vpn", "git", "shop", "blog", "dev", "static", "img"}
	aliasWords = []string{"alias", "go", "link", "docs", "status", "login"}
	wildWords  = []string{"wild", "any", "users", "tenant"}
	deepWords  = []string{"svc", "corp", "int", "eu", "us", "prod"}
	midWords   = []string{"east", "west", "north", "south"}
	leafWords  = []string{"a", "b", "node", "edge", "lb", "vm"}
	delegWords = []string{"sub", "zone", "dept", "team", "branch", "cust", "lab"}
	txtWords   = []string{"v=spf1 -all", "v=spf1 mx -all", "google-site-verification=abc", "hello world"}
)

const hexDigits = "0123456789abcdef"

// rng is SplitMix64: tiny, fast and fully specified, so output does not
// depend on the Go version.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) for small n.
func (r *rng) intn(n int) int { return int((r.next() >> 33) % uint64(n)) }

// streams: one for the shape of an entry, one for letter case, so that
// MixedCase changes nothing but case.
const (
	streamShape uint64 = 0x5a0e5a0e5a0e5a0e
	streamCase  uint64 = 0xca5eca5eca5eca5e
)

func newRNG(seed, stream, index uint64) rng {
	r := rng{s: seed ^ stream}
	r.s ^= (index + 1) * 0xd1342543de82ef95
	r.next()
	return r
}

// generator holds the per-zone state of Write.
type generator struct {
	opts   Options
	origin string // lower-case, fully qualified
	suffix string // "" for the root, else origin
	ttl    []byte // decimal TTL followed by "\tIN\t"
	buf    []byte
	w      io.Writer
	cas    rng // case stream of the current entry
	stats  Stats
	err    error
}

// Write writes the zone described by opts to w and returns its statistics.
// It writes in chunks of about 64 KiB and stops at the first write error.
func Write(w io.Writer, opts Options) (Stats, error) {
	if opts.Names < 0 {
		return Stats{}, ErrNames
	}
	origin := opts.Origin
	if origin == "" {
		origin = "example."
	}
	origin = strings.ToLower(dns.Fqdn(origin))
	if !validOrigin(origin) {
		return Stats{}, fmt.Errorf("%w: %q", ErrOrigin, opts.Origin)
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = 3600
	}
	g := &generator{
		opts:   opts,
		origin: origin,
		w:      w,
		buf:    make([]byte, 0, 80<<10),
		stats:  Stats{Records: make(map[uint16]int, 8)},
	}
	if origin != "." {
		g.suffix = origin
	}
	g.ttl = append(strconv.AppendUint(nil, uint64(ttl), 10), "\tIN\t"...)

	g.apex()
	for i := 0; i < opts.Names && g.err == nil; i++ {
		g.entry(uint64(i))
		if len(g.buf) >= 64<<10 {
			g.flush()
		}
	}
	g.flush()
	if g.err != nil {
		return g.stats, fmt.Errorf("zonegen: write: %w", g.err)
	}
	return g.stats, nil
}

// validOrigin reports whether origin (lower-case, fully qualified) is the
// root or made of 1 to 63 letters, digits, hyphens and underscores per
// label, with room for the names the generator adds below it.
func validOrigin(origin string) bool {
	if origin == "." {
		return true
	}
	if len(origin)+maxGenerated > 255 {
		return false
	}
	n := 0
	for i := 0; i < len(origin); i++ {
		switch c := origin[i]; {
		case c == '.':
			if n == 0 || n > 63 {
				return false
			}
			n = 0
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			n++
		default:
			return false
		}
	}
	return n == 0
}

func (g *generator) flush() {
	if g.err != nil || len(g.buf) == 0 {
		return
	}
	n, err := g.w.Write(g.buf)
	g.stats.Bytes += int64(n)
	if err == nil && n < len(g.buf) {
		err = io.ErrShortWrite
	}
	g.err = err
	g.buf = g.buf[:0]
}

// appendCase appends s, randomising letter case when MixedCase is set.
func (g *generator) appendCase(b []byte, s string) []byte {
	if !g.opts.MixedCase {
		return append(b, s...)
	}
	var bits uint64
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			if n == 0 {
				bits, n = g.cas.next(), 64
			}
			if bits&1 == 1 {
				c -= 'a' - 'A'
			}
			bits >>= 1
			n--
		}
		b = append(b, c)
	}
	return b
}

// appendName appends the fully qualified name prefix + "." + origin, where
// prefix is relative (no trailing dot) and may be empty for the apex.
func (g *generator) appendName(b []byte, prefix string) []byte {
	if prefix == "" {
		return g.appendCase(b, g.origin)
	}
	b = g.appendCase(b, prefix)
	b = append(b, '.')
	return g.appendCase(b, g.suffix)
}

// rr starts a record line: owner, TTL, class and type, then a tab. The
// caller appends the RDATA and calls end.
func (g *generator) rr(owner []byte, t uint16) {
	g.buf = append(g.buf, owner...)
	g.buf = append(g.buf, '\t')
	g.buf = append(g.buf, g.ttl...)
	g.buf = append(g.buf, dns.TypeToString[t]...)
	g.buf = append(g.buf, '\t')
	g.stats.Records[t]++
	g.stats.TotalRecords++
}

func (g *generator) end() { g.buf = append(g.buf, '\n') }

func (g *generator) appendA(r *rng) {
	v := r.next()
	g.buf = append(g.buf, "10."...)
	g.buf = strconv.AppendUint(g.buf, v&0xff, 10)
	g.buf = append(g.buf, '.')
	g.buf = strconv.AppendUint(g.buf, (v>>8)&0xff, 10)
	g.buf = append(g.buf, '.')
	g.buf = strconv.AppendUint(g.buf, (v>>16)&0xff, 10)
}

func (g *generator) appendAAAA(r *rng) {
	v := r.next()
	g.buf = append(g.buf, "2001:db8"...)
	for i := 0; i < 6; i++ {
		g.buf = append(g.buf, ':')
		g.buf = strconv.AppendUint(g.buf, v&0xffff, 16)
		v >>= 11 // overlapping windows: 64 bits are enough for 6 groups
	}
}

func (g *generator) appendTXT(r *rng) {
	g.buf = append(g.buf, '"')
	if r.intn(2) == 0 {
		g.buf = append(g.buf, txtWords[r.intn(len(txtWords))]...)
	} else {
		g.buf = append(g.buf, "id="...)
		v := r.next()
		for i := 0; i < 16; i++ {
			g.buf = append(g.buf, hexDigits[v>>60])
			v <<= 4
		}
	}
	g.buf = append(g.buf, '"')
}

// apex writes the SOA, NS, MX and TXT at the apex and the glue of ns1, ns2
// and the mail host.
func (g *generator) apex() {
	g.cas = newRNG(g.opts.Seed, streamCase, ^uint64(0))
	r := newRNG(g.opts.Seed, streamShape, ^uint64(0))
	apex := g.appendName(nil, "")
	g.buf = append(g.buf, "$ORIGIN "...)
	g.buf = append(g.buf, g.origin...)
	g.buf = append(g.buf, "\n$TTL "...)
	g.buf = append(g.buf, g.ttl[:len(g.ttl)-4]...)
	g.buf = append(g.buf, '\n')

	g.rr(apex, dns.TypeSOA)
	g.buf = g.appendName(g.buf, "ns1")
	g.buf = append(g.buf, ' ')
	g.buf = g.appendName(g.buf, "hostmaster")
	g.buf = append(g.buf, " 2026010101 7200 3600 1209600 300"...)
	g.end()
	for _, ns := range []string{"ns1", "ns2"} {
		g.rr(apex, dns.TypeNS)
		g.buf = g.appendName(g.buf, ns)
		g.end()
	}
	g.rr(apex, dns.TypeMX)
	g.buf = append(g.buf, "10 "...)
	g.buf = g.appendName(g.buf, "mail")
	g.end()
	g.rr(apex, dns.TypeTXT)
	g.buf = append(g.buf, `"v=spf1 mx -all"`...)
	g.end()
	g.stats.AuthRRsets += 4
	g.stats.NSECOwners++

	for _, h := range []string{"ns1", "ns2", "mail"} {
		owner := g.appendName(nil, h)
		g.rr(owner, dns.TypeA)
		g.appendA(&r)
		g.end()
		g.rr(owner, dns.TypeAAAA)
		g.appendAAAA(&r)
		g.end()
		g.stats.AuthRRsets += 2
		g.stats.NSECOwners++
	}
}

// label returns word+index, the label of entry i directly under the apex.
func label(words []string, r *rng, i uint64) string {
	w := words[r.intn(len(words))]
	b := make([]byte, 0, len(w)+20)
	b = append(b, w...)
	b = strconv.AppendUint(b, i, 10)
	return string(b)
}

// kindOf draws the kind of an entry: the first draw of its shape stream.
func kindOf(r *rng) Kind {
	switch p := r.intn(100); {
	case p < 10:
		return KindDelegation
	case p < 15:
		return KindCNAME
	case p < 18:
		return KindWildcard
	case p < 25:
		return KindDeep
	default:
		return KindHost
	}
}

// entry writes entry i.
func (g *generator) entry(i uint64) {
	r := newRNG(g.opts.Seed, streamShape, i)
	g.cas = newRNG(g.opts.Seed, streamCase, i)
	k := kindOf(&r)
	g.stats.Entries[k]++
	switch k {
	case KindDelegation:
		g.delegation(&r, i)
	case KindCNAME:
		g.cname(&r, i)
	case KindWildcard:
		lbl := label(wildWords, &r, i)
		g.host(&r, "*."+lbl, true)
		if r.intn(2) == 0 {
			g.host(&r, lbl, false)
		} else {
			g.stats.EmptyNonTerminals++
		}
	case KindDeep:
		lbl := label(deepWords, &r, i)
		leaf := leafWords[r.intn(len(leafWords))]
		if r.intn(2) == 0 {
			g.host(&r, leaf+"."+lbl, false)
			g.stats.EmptyNonTerminals++
		} else {
			g.host(&r, leaf+"."+midWords[r.intn(len(midWords))]+"."+lbl, false)
			g.stats.EmptyNonTerminals += 2
		}
	default:
		g.host(&r, label(hostWords, &r, i), false)
	}
}

// host writes a host: A (80 %), AAAA (40 %), MX (15 %), TXT (25 %), at least
// one of them; a wildcard host always gets A and TXT.
func (g *generator) host(r *rng, prefix string, wildcard bool) {
	owner := g.appendName(nil, prefix)
	hasA := r.intn(100) < 80
	hasAAAA := r.intn(100) < 40
	hasMX := r.intn(100) < 15
	hasTXT := r.intn(100) < 25
	if wildcard {
		hasA, hasTXT = true, true
	}
	if !hasA && !hasAAAA && !hasMX && !hasTXT {
		hasA = true
	}
	if hasA {
		for n := 1 + r.intn(2); n > 0; n-- {
			g.rr(owner, dns.TypeA)
			g.appendA(r)
			g.end()
		}
		g.stats.AuthRRsets++
	}
	if hasAAAA {
		g.rr(owner, dns.TypeAAAA)
		g.appendAAAA(r)
		g.end()
		g.stats.AuthRRsets++
	}
	if hasMX {
		g.rr(owner, dns.TypeMX)
		g.buf = append(g.buf, "10 "...)
		g.buf = g.appendName(g.buf, "mail")
		g.end()
		if r.intn(2) == 0 {
			g.rr(owner, dns.TypeMX)
			g.buf = append(g.buf, "20 "...)
			g.buf = g.appendCase(g.buf, "mx.example.net.")
			g.end()
		}
		g.stats.AuthRRsets++
	}
	if hasTXT {
		g.rr(owner, dns.TypeTXT)
		g.appendTXT(r)
		g.end()
		g.stats.AuthRRsets++
	}
	g.stats.NSECOwners++
}

// cname writes an alias whose target is an earlier entry's name, the mail
// host, or a name outside the zone.
func (g *generator) cname(r *rng, i uint64) {
	owner := g.appendName(nil, label(aliasWords, r, i))
	g.rr(owner, dns.TypeCNAME)
	switch t := r.intn(3); {
	case t == 0 && i > 0:
		// An earlier entry, so that the zone's first entries do not
		// depend on Options.Names.
		g.buf = g.appendName(g.buf, entryName(g.opts.Seed, r.next()%i))
	case t == 1:
		g.buf = g.appendName(g.buf, "mail")
	default:
		g.buf = g.appendCase(g.buf, "www.example.net.")
	}
	g.end()
	g.stats.AuthRRsets++
	g.stats.NSECOwners++
}

// entryName returns the relative name that owns the records of entry j
// (for a delegation, the cut; for a wildcard, the wildcard).
func entryName(seed, j uint64) string {
	r := newRNG(seed, streamShape, j)
	switch kindOf(&r) {
	case KindDelegation:
		return label(delegWords, &r, j)
	case KindCNAME:
		return label(aliasWords, &r, j)
	case KindWildcard:
		return "*." + label(wildWords, &r, j)
	case KindDeep:
		lbl := label(deepWords, &r, j)
		leaf := leafWords[r.intn(len(leafWords))]
		if r.intn(2) == 0 {
			return leaf + "." + lbl
		}
		return leaf + "." + midWords[r.intn(len(midWords))] + "." + lbl
	default:
		return label(hostWords, &r, j)
	}
}

// delegation writes a zone cut: two NS records, pointing below the cut (40 %,
// with glue), at the parent's own servers (30 %) or outside the zone (30 %);
// and DS records for half of the cuts.
func (g *generator) delegation(r *rng, i uint64) {
	lbl := label(delegWords, r, i)
	owner := g.appendName(nil, lbl)
	glue := false
	switch t := r.intn(100); {
	case t < 40:
		glue = true
		for _, ns := range []string{"ns1.", "ns2."} {
			g.rr(owner, dns.TypeNS)
			g.buf = g.appendName(g.buf, ns+lbl)
			g.end()
		}
	case t < 70:
		for _, ns := range []string{"ns1", "ns2"} {
			g.rr(owner, dns.TypeNS)
			g.buf = g.appendName(g.buf, ns)
			g.end()
		}
	default:
		host := strconv.Itoa(r.intn(100))
		for _, ns := range []string{"ns1.dns", "ns2.dns"} {
			g.rr(owner, dns.TypeNS)
			g.buf = g.appendCase(g.buf, ns+host+".example.net.")
			g.end()
		}
	}
	if r.intn(2) == 0 {
		n := 1
		if r.intn(5) == 0 {
			n = 2
		}
		tag := r.next() & 0xffff
		for ; n > 0; n-- {
			g.rr(owner, dns.TypeDS)
			g.buf = strconv.AppendUint(g.buf, tag, 10)
			g.buf = append(g.buf, " 13 2 "...)
			for k := 0; k < 4; k++ {
				v := r.next()
				for j := 0; j < 16; j++ {
					g.buf = append(g.buf, hexDigits[v>>60])
					v <<= 4
				}
			}
			g.end()
			tag = (tag + 1) & 0xffff
		}
		g.stats.SecureDelegations++
		g.stats.AuthRRsets++
	}
	g.stats.NSECOwners++
	if glue {
		g.stats.GluedDelegations++
		for k, ns := range []string{"ns1.", "ns2."} {
			gl := g.appendName(nil, ns+lbl)
			g.rr(gl, dns.TypeA)
			g.appendA(r)
			g.end()
			g.stats.GlueRecords++
			if k == 0 {
				g.rr(gl, dns.TypeAAAA)
				g.appendAAAA(r)
				g.end()
				g.stats.GlueRecords++
			}
		}
	}
}
