package zonesign

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/miekg/dns"
)

// Zone is a parsed zone, stored compactly: each record is a 20-byte entry
// plus its RDATA in wire form, so a million-name zone takes a few hundred
// megabytes. RRSIG, NSEC, NSEC3 and NSEC3PARAM records are not stored:
// signing regenerates them.
//
// A Zone may be signed several times, also concurrently; Add must not be
// called at the same time as Sign.
type Zone struct {
	origin string // from Parse; "" if unknown
	okey   string // sort key of origin
	class  uint16

	nodes []node
	recs  []rec
	data  arena
	index map[string]int32 // key -> node; nil once sorted
	last  int32            // node of the last Add, for runs of one owner

	dropped int
	warns   []string

	mu     sync.Mutex
	sorted bool
}

// node is one owner name.
type node struct {
	key  string // canonical sort key, see canonical.AppendSortKey
	name string // presentation form as first seen
	// after prepare: the node's records are recs[start:start+n], sorted
	// by type (input order within a type)
	start, n int32
	types    typeFlags
}

// rec is one record. Its RDATA is in Zone.data (or a Sign-local arena for
// records the signer makes).
type rec struct {
	node  int32
	typ   uint16
	class uint16
	ttl   uint32
	rdlen uint16
	rdoff uint32
}

// typeFlags marks the types that decide how a name is classified.
type typeFlags uint16

const (
	hasSOA typeFlags = 1 << iota
	hasNS
	hasDS
	hasCNAME
	hasDNAME
	hasOther // any type other than the above
	hasDNSKEY
	hasCDS
)

// arena stores RDATA in 1 MiB blocks, so growing it never copies.
type arena struct{ blocks [][]byte }

const blockBits = 20
const blockSize = 1 << blockBits

func (a *arena) add(b []byte) (uint32, error) {
	n := len(a.blocks)
	if n == 0 || len(a.blocks[n-1])+len(b) > blockSize {
		if n >= 1<<(32-blockBits) {
			return 0, fmt.Errorf("%w: more than 4 GiB of RDATA", ErrTooLarge)
		}
		a.blocks = append(a.blocks, make([]byte, 0, blockSize))
		n++
	}
	blk := a.blocks[n-1]
	off := uint32(n-1)<<blockBits | uint32(len(blk))
	a.blocks[n-1] = append(blk, b...)
	return off, nil
}

func (a *arena) get(off uint32, n uint16) []byte {
	blk := a.blocks[off>>blockBits]
	o := int(off & (blockSize - 1))
	return blk[o : o+int(n) : o+int(n)]
}

// NewZone returns an empty zone. origin may be empty; it is then taken from
// Options.Origin or the SOA record when the zone is signed. Records given to
// Add are checked against a non-empty origin.
func NewZone(origin string) (*Zone, error) {
	z := &Zone{index: map[string]int32{}, last: -1}
	if origin != "" {
		o, err := fqdn(origin)
		if err != nil {
			return nil, err
		}
		z.origin = o
		var w [maxWire]byte
		n, _ := dns.PackDomainName(o, w[:], 0, nil, false)
		z.okey = string(canonical.AppendSortKey(nil, w[:n]))
	}
	return z, nil
}

func fqdn(name string) (string, error) {
	name = dns.Fqdn(name)
	if _, ok := dns.IsDomainName(name); !ok {
		return "", fmt.Errorf("zonesign: bad domain name %q", name)
	}
	var buf [255]byte
	if _, err := dns.PackDomainName(name, buf[:], 0, nil, false); err != nil {
		return "", fmt.Errorf("zonesign: bad domain name %q: %v", name, err)
	}
	return name, nil
}

// Origin returns the origin the zone was created or parsed with, or "".
func (z *Zone) Origin() string { return z.origin }

// Len returns the number of records stored.
func (z *Zone) Len() int { return len(z.recs) }

// ParseFile parses the RFC 1035 master file at path, as Parse does, with
// two differences, as the path comes from the operator: $INCLUDE is
// allowed, and $GENERATE is not bounded (ParseOptions does not apply). A
// relative $INCLUDE path is taken relative to the directory of the file
// that includes it (as miekg/dns does), and includes nest at most 7 deep.
func ParseFile(path, origin string) (*Zone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zonesign: %w", err)
	}
	defer f.Close()
	return parse(context.Background(), f, path, origin, true, nil)
}

// Parse reads an RFC 1035 master file ($ORIGIN, $TTL, $GENERATE, relative
// names) from r, as ParseWithOptions does with the zero ParseOptions: the
// records that $GENERATE directives make are bounded by
// DefaultMaxGeneratedSize, and nothing else is.
func Parse(r io.Reader, file, origin string) (*Zone, error) {
	return ParseWithOptions(context.Background(), r, file, origin, ParseOptions{})
}

// ParseWithOptions reads an RFC 1035 master file ($ORIGIN, $TTL, $GENERATE,
// relative names) from r within the bounds of opts. file names r in errors.
// origin is the initial origin for relative names; empty means the file
// must use absolute names or $ORIGIN. A malformed line gives an error
// naming the file and line; records outside a non-empty origin are errors,
// and so are records written without RDATA (see Zone.Add). Text with more
// records than opts allow is refused with an error wrapping ErrTooLarge,
// and a cancelled ctx stops the parse with an error wrapping ctx.Err().
//
// $INCLUDE directives are refused: r may hold untrusted text, which must
// not make the process read files (say /etc/shadow, into error messages, or
// /dev/zero). Use ParseFile for a zone file of the operator's that includes
// others.
//
// The cost of parsing is linear in the number of records, which text
// without $GENERATE bounds by its length (a record takes at least a few
// bytes of text). One $GENERATE line may make 65536 records, though, so
// that a few kilobytes of text could make millions of records and
// gigabytes of Zone: opts.MaxGeneratedSize bounds what $GENERATE makes
// (trusted text that generates more needs a larger bound, or ParseFile).
// To bound the work for text from untrusted sources more tightly, set
// opts.MaxRecords and bound the length of r (io.LimitReader).
func ParseWithOptions(ctx context.Context, r io.Reader, file, origin string, opts ParseOptions) (*Zone, error) {
	lim := opts.MaxGeneratedSize
	if lim == 0 {
		lim = DefaultMaxGeneratedSize
	}
	return parseLimited(ctx, r, file, origin, false, opts.MaxRecords, lim, nil)
}

// ParseOptions bounds what ParseWithOptions reads. The zero value bounds
// the records made by $GENERATE to DefaultMaxGeneratedSize and sets no
// other bound.
type ParseOptions struct {
	// MaxRecords is the most records the text may hold, counting those
	// that $GENERATE directives make and the RRSIG, NSEC, NSEC3 and
	// NSEC3PARAM records that are dropped. Zero or negative means no
	// bound.
	MaxRecords int

	// MaxGeneratedSize is the most bytes that the records made by the
	// text's $GENERATE directives may take, all directives together,
	// counted in uncompressed wire form (owner name, type, class, TTL,
	// RDATA length and RDATA). The first record of each directive is
	// not counted: the directive's own text pays for it. Zero means
	// DefaultMaxGeneratedSize; negative means no bound.
	MaxGeneratedSize int64
}

// DefaultMaxGeneratedSize is the bound on the wire size of the records
// that $GENERATE directives make when ParseOptions.MaxGeneratedSize is
// zero: 16 MiB, enough for a quarter of a million PTR or A records of
// ordinary length (about 60 octets each, four full $GENERATE ranges) or
// 256 of the largest TXT records (64 KiB each), and parsed in about a
// second.
const DefaultMaxGeneratedSize = 16 << 20

// ErrTooLarge is wrapped by the errors of ParseWithOptions and Zone.Add for
// a zone with more records or data than the bounds of ParseOptions or the
// capacity of a Zone (2^31-1 records, 4 GiB of RDATA) allow.
var ErrTooLarge = errors.New("zonesign: zone too large")

// parse is Parse without bounds; run, if not nil, is called with each run
// of consecutive records that share an owner once the parser has moved
// past it. include allows $INCLUDE.
func parse(ctx context.Context, r io.Reader, file, origin string, include bool, run func(z *Zone, lo, hi int)) (*Zone, error) {
	return parseLimited(ctx, r, file, origin, include, 0, -1, run)
}

// parseLimited is parse with the bounds of ParseOptions: at most
// maxRecords records if maxRecords > 0, and at most maxGen bytes of
// records made by $GENERATE if maxGen >= 0. Only for text without
// $INCLUDE: a record that the parser returns without reading from r is
// taken as made by $GENERATE.
func parseLimited(ctx context.Context, r io.Reader, file, origin string, include bool, maxRecords int, maxGen int64, run func(z *Zone, lo, hi int)) (*Zone, error) {
	z, err := NewZone(origin)
	if err != nil {
		return nil, err
	}
	var cr *countingReader
	if maxGen >= 0 {
		cr = newCountingReader(r)
		r = cr
	}
	zp := dns.NewZoneParser(r, z.origin, file)
	zp.SetIncludeAllowed(include)
	lo, count := 0, 0
	var gen, read int64
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if count++; count%1024 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("zonesign: parse %s: %w", file, ctx.Err())
		}
		if maxRecords > 0 && count > maxRecords {
			return nil, fmt.Errorf("%w: %s: more than %d records (ParseOptions.MaxRecords)", ErrTooLarge, file, maxRecords)
		}
		if cr != nil {
			if cr.count() == read {
				// made by $GENERATE: the parser read no text for it
				if gen += int64(dns.Len(rr)); gen > maxGen {
					return nil, fmt.Errorf("%w: %s: $GENERATE makes more than %d bytes of records (ParseOptions.MaxGeneratedSize)",
						ErrTooLarge, file, maxGen)
				}
			}
			read = cr.count()
		}
		if err := z.Add(rr); err != nil {
			return nil, fmt.Errorf("%w (in %s)", err, file)
		}
		if n := len(z.recs); run != nil && n-1 > lo && z.recs[n-1].node != z.recs[lo].node {
			run(z, lo, n-1)
			lo = n - 1
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("zonesign: parse: %w", err)
	}
	return z, nil
}

// countingReader is a buffered io.ByteReader, the interface through
// which the zone parser reads when it has it, that counts the bytes it has
// handed out.
type countingReader struct {
	r    io.Reader
	buf  []byte // buf[off:] is still to be handed out
	off  int
	base int64 // bytes handed out before buf
	err  error
}

func newCountingReader(r io.Reader) *countingReader {
	return &countingReader{r: r, buf: make([]byte, 0, 64<<10)}
}

// count returns the number of bytes handed out.
func (c *countingReader) count() int64 { return c.base + int64(c.off) }

func (c *countingReader) ReadByte() (byte, error) {
	if c.off == len(c.buf) && !c.fill() {
		return 0, c.err
	}
	b := c.buf[c.off]
	c.off++
	return b, nil
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if c.off == len(c.buf) && !c.fill() {
		return 0, c.err
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

// fill reads the next bytes into the empty buffer and reports whether it
// got any; if not, c.err says why. Like bufio, it gives up on a reader that
// returns no data and no error 100 times in a row.
func (c *countingReader) fill() bool {
	c.base += int64(len(c.buf))
	c.buf, c.off = c.buf[:0], 0
	for range 100 {
		if c.err != nil {
			return false
		}
		var n int
		n, c.err = c.r.Read(c.buf[:cap(c.buf)])
		if n < 0 || n > cap(c.buf) {
			c.err = fmt.Errorf("zonesign: invalid count %d from Read", n)
			return false
		}
		if n > 0 {
			c.buf = c.buf[:n]
			return true
		}
	}
	c.err = io.ErrNoProgress
	return false
}

// Add adds a record. Records of type RRSIG, NSEC, NSEC3 and NSEC3PARAM are
// counted and dropped (signing makes new ones). A record outside the zone's
// origin, of another class than the first record, whose RDATA cannot be
// packed, or that has no RDATA is an error. miekg/dns's parser returns a
// record written with nothing after its type ("name CAA", for dynamic
// updates) as the zero value of the type's struct, so a record equal to
// that zero value counts as having no RDATA, except for NULL, APL and
// unknown types (whose RDATA may be empty) and for the types whose
// all-zero form is a record of its own (HINFO "" "", UID 0, EUI48
// 00-00-00-00-00-00, ...).
func (z *Zone) Add(rr dns.RR) error {
	if rr == nil || rr.Header() == nil {
		return errors.New("zonesign: nil record")
	}
	h := rr.Header()
	switch h.Rrtype {
	case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM:
		z.dropped++
		return nil
	case dns.TypeOPT, dns.TypeTSIG, dns.TypeTKEY, dns.TypeAXFR, dns.TypeIXFR, dns.TypeANY, dns.TypeNone:
		return fmt.Errorf("zonesign: %s record %s cannot be in a zone", dns.Type(h.Rrtype), h.Name)
	}
	if z.class != 0 && h.Class != z.class {
		return fmt.Errorf("zonesign: %s %s has class %s, the zone %s",
			h.Name, dns.Type(h.Rrtype), dns.Class(h.Class), dns.Class(z.class))
	}
	var buf [maxWire]byte
	n, err := dns.PackDomainName(h.Name, buf[:], 0, nil, false)
	if err != nil || n == 0 || !dns.IsFqdn(h.Name) {
		return fmt.Errorf("zonesign: bad owner name %q", h.Name)
	}
	var keyBuf [2 * maxWire]byte
	key := canonical.AppendSortKey(keyBuf[:0], buf[:n])
	ni := z.last
	if ni < 0 || z.nodes[ni].key != string(key) {
		if z.index == nil {
			z.reindex()
		}
		var ok bool
		ni, ok = z.index[string(key)]
		if !ok {
			k := string(key)
			if z.origin != "" && !inZone(k, z.okey) {
				return fmt.Errorf("zonesign: %s is outside the zone %s", h.Name, z.origin)
			}
			if len(z.nodes) >= 1<<31-1 {
				return fmt.Errorf("%w: more than 2^31-1 names", ErrTooLarge)
			}
			ni = int32(len(z.nodes))
			z.nodes = append(z.nodes, node{key: k, name: h.Name})
			z.index[k] = ni
			z.sorted = false
		}
		z.last = ni
	}
	rd, err := packRDATA(rr, buf[:], n)
	if err != nil {
		return err
	}
	if noRDATA(rr, rd) {
		// miekg/dns accepts "name CAA" with no data (for dynamic updates)
		return fmt.Errorf("zonesign: %s %s has no RDATA", h.Name, dns.Type(h.Rrtype))
	}
	if len(z.recs) >= 1<<31-1 {
		return fmt.Errorf("%w: more than 2^31-1 records", ErrTooLarge)
	}
	off, err := z.data.add(rd)
	if err != nil {
		return err
	}
	z.class = h.Class
	z.recs = append(z.recs, rec{node: ni, typ: h.Rrtype, class: h.Class, ttl: h.Ttl, rdlen: uint16(len(rd)), rdoff: off})
	z.sorted = false
	return nil
}

// maxWire is the longest wire name.
const maxWire = 255

// packRDATA packs rr uncompressed and returns its RDATA; scratch holds the
// packed owner (ownerLen bytes) on entry and may be used.
func packRDATA(rr dns.RR, scratch []byte, ownerLen int) ([]byte, error) {
	h := rr.Header()
	save := h.Rdlength
	defer func() { h.Rdlength = save }()
	need := dns.Len(rr) + 64
	var buf []byte
	if need <= len(scratch) {
		buf = scratch
	} else {
		buf = make([]byte, need)
	}
	for {
		end, err := dns.PackRR(rr, buf, 0, nil, false)
		if err == nil {
			if end < ownerLen+10 {
				return nil, fmt.Errorf("zonesign: pack %s %s: short record", h.Name, dns.Type(h.Rrtype))
			}
			rd := buf[ownerLen+10 : end]
			if len(rd) > 0xffff {
				return nil, fmt.Errorf("zonesign: %s %s: RDATA too long", h.Name, dns.Type(h.Rrtype))
			}
			return rd, nil
		}
		if errors.Is(err, dns.ErrBuf) && len(buf) < 1<<17 {
			buf = make([]byte, 1<<17)
			continue
		}
		return nil, fmt.Errorf("zonesign: pack %s %s: %v", h.Name, dns.Type(h.Rrtype), err)
	}
}

// noRDATA reports whether rr, whose packed RDATA is rd, was written
// without RDATA. For dynamic updates, miekg/dns's parser accepts a record
// with nothing after its type and returns the zero value of the type's
// struct, which packs to empty RDATA for some types (A, TXT) and to a few
// zero octets for others (CAA, CDS, SRV): those print in forms that do not
// parse back (CAA `0  ""`) or that say something else (CDS `0 0 0 `, a
// digest that matches no key). Such a record is told apart from a written
// one only by being the zero value, so a record whose fields are all zero
// or empty is taken as having no RDATA too (DS 0 0 0 with no digest,
// URI 0 0 ""), except for the types whose zero value is a meaningful record
// (zeroRDATAOK).
func noRDATA(rr dns.RR, rd []byte) bool {
	t := rr.Header().Rrtype
	if len(rd) == 0 {
		return !emptyRDATAOK(t)
	}
	if zeroRDATAOK(t) {
		return false
	}
	zrd, ok := zeroRDATA()[t]
	if !ok || !bytes.Equal(zrd, rd) {
		return false
	}
	zero := dns.TypeToRR[t]()
	*zero.Header() = *rr.Header()
	return reflect.DeepEqual(zero, rr)
}

// emptyRDATAOK reports whether records of type t may have empty RDATA:
// NULL (RFC 1035 §3.3.10, anything up to 65535 octets), APL (RFC 3123,
// zero or more items) and the types miekg/dns does not know, which are
// written in the RFC 3597 form `\# 0`. The other known types need at
// least one field (TXT at least one string).
func emptyRDATAOK(t uint16) bool {
	if t == dns.TypeNULL || t == dns.TypeAPL {
		return true
	}
	_, known := dns.TypeToRR[t]
	return !known
}

// zeroRDATAOK reports whether the zero value of type t's struct in
// miekg/dns is a meaningful record that prints and parses back as itself,
// so that a record equal to it is accepted: numbers and addresses where
// zeros are values (UID 0, EUI48 00-00-00-00-00-00, AMTRELAY 0 0 0 .) and
// character-strings that may be empty (HINFO "" "", RFC 1035 §3.3). A
// record of these types written without RDATA is thus taken as the
// all-zero record, which is written as such.
func zeroRDATAOK(t uint16) bool {
	switch t {
	case dns.TypeUID, dns.TypeGID, dns.TypeNID, dns.TypeL64, dns.TypeEUI48, dns.TypeEUI64, dns.TypeAMTRELAY,
		dns.TypeHINFO, dns.TypeISDN:
		return true
	}
	return emptyRDATAOK(t)
}

// zeroRDATA maps each type miekg/dns knows to the packed RDATA of its zero
// value (types whose zero value does not pack are left out).
var zeroRDATA = sync.OnceValue(func() map[uint16][]byte {
	m := make(map[uint16][]byte, len(dns.TypeToRR))
	buf := make([]byte, 1024)
	for t, newFn := range dns.TypeToRR {
		rr := newFn()
		*rr.Header() = dns.RR_Header{Name: ".", Rrtype: t, Class: dns.ClassINET}
		if rd, err := packRDATA(rr, buf, 1); err == nil {
			m[t] = slices.Clone(rd)
		}
	}
	return m
})

func (z *Zone) reindex() {
	z.index = make(map[string]int32, len(z.nodes))
	for i, n := range z.nodes {
		z.index[n.key] = int32(i)
	}
}

// prepare sorts the names canonically, groups each name's records by type
// and normalises the TTLs of RRsets, once.
func (z *Zone) prepare() {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.sorted {
		return
	}
	perm := make([]int32, len(z.nodes))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int { return strings.Compare(z.nodes[a].key, z.nodes[b].key) })
	inv := make([]int32, len(perm))
	nodes := make([]node, len(z.nodes))
	for newi, old := range perm {
		inv[old] = int32(newi)
		nodes[newi] = z.nodes[old]
		nodes[newi].n = 0
	}
	perm = nil
	for _, r := range z.recs {
		nodes[inv[r.node]].n++
	}
	var pos int32
	for i := range nodes {
		nodes[i].start = pos
		pos += nodes[i].n
	}
	fill := make([]int32, len(nodes))
	recs := make([]rec, len(z.recs))
	for _, r := range z.recs {
		ni := inv[r.node]
		r.node = ni
		recs[nodes[ni].start+fill[ni]] = r
		fill[ni]++
	}
	z.recs, z.nodes, z.index, z.last = recs, nodes, nil, -1
	z.warns = z.warns[:0]
	for i := range z.nodes {
		n := &z.nodes[i]
		rs := z.recs[n.start : n.start+n.n]
		slices.SortStableFunc(rs, func(a, b rec) int { return cmp.Compare(a.typ, b.typ) })
		n.types = 0
		for j := 0; j < len(rs); {
			k := j + 1
			ttl := rs[j].ttl
			for k < len(rs) && rs[k].typ == rs[j].typ {
				ttl = min(ttl, rs[k].ttl)
				k++
			}
			for m := j; m < k; m++ {
				if rs[m].ttl != ttl {
					z.warns = append(z.warns, fmt.Sprintf("zonesign: %s %s: records with different TTLs; all set to the smallest, %d (RFC 2181 §5.2)",
						n.name, dns.Type(rs[j].typ), ttl))
					for m := j; m < k; m++ {
						rs[m].ttl = ttl
					}
					break
				}
			}
			n.types |= flagOf(rs[j].typ)
			j = k
		}
	}
	z.sorted = true
}

func flagOf(t uint16) typeFlags {
	switch t {
	case dns.TypeSOA:
		return hasSOA
	case dns.TypeNS:
		return hasNS
	case dns.TypeDS:
		return hasDS
	case dns.TypeCNAME:
		return hasCNAME
	case dns.TypeDNAME:
		return hasDNAME | hasOther
	case dns.TypeDNSKEY:
		return hasDNSKEY | hasOther
	case dns.TypeCDS, dns.TypeCDNSKEY:
		return hasCDS | hasOther
	}
	return hasOther
}

// inZone reports whether key is at or below zone (both sort keys).
func inZone(key, zone string) bool {
	return len(key) >= len(zone) && string(key[:len(zone)]) == zone
}

func itoa(i int) string { return strconv.Itoa(i) }
