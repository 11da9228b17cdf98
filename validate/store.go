package validate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/miekg/dns"
)

// Records are stored in packed wire form. The records of one owner name
// lie in its node's rec slice, one after another in the order they were
// added, each as the wire form of an RR after its owner name, a flags
// octet and, when flags has hintFlag, the 65-octet signature hint of an
// RRSIG:
//
//	type (2) | class (2) | TTL (4) | RDLENGTH (2) | flags (1) | RDATA | hint
//
// RDATA is uncompressed; the names in it are lower-cased for the types of
// RFC 4034 §6.2 as corrected by RFC 6840 §5.1, except the Signer's Name of
// an RRSIG, which keeps its case for findings (it is lower-cased when the
// signed data is built). The owner is the node's.
//
// A node's rec is either a piece of a large shared chunk (the node whose
// records came last extends it in place) or, for a node that gets records
// again after others came in between, a private slice. Either way a
// node's rec is only ever appended to, beyond the length that an early
// check may be reading.
const recHdrLen = 11

// wireHdrLen is the length of the fixed part of an RR after its owner.
const wireHdrLen = 10

// hintFlag marks a stored record followed by a signature hint.
const hintFlag = 1

// hintLen is the length of a signature hint (an uncompressed P-256
// point).
const hintLen = 65

// chunkSize is the size of the shared record chunks.
const chunkSize = 1 << 20

// recView is one stored record.
type recView struct {
	typ, class uint16
	ttl        uint32
	rdata      []byte
	hint       []byte // nil, or hintLen octets
}

// recAt returns the record at rec[off:] and the offset of the next one.
// The stored records are well formed, so it does not fail.
func recAt(rec []byte, off int) (recView, int) {
	b := rec[off:]
	n := int(binary.BigEndian.Uint16(b[8:]))
	r := recView{
		typ:   binary.BigEndian.Uint16(b),
		class: binary.BigEndian.Uint16(b[2:]),
		ttl:   binary.BigEndian.Uint32(b[4:]),
		rdata: b[recHdrLen : recHdrLen+n],
	}
	next := off + recHdrLen + n
	if b[10]&hintFlag != 0 {
		r.hint = b[recHdrLen+n : recHdrLen+n+hintLen]
		next += hintLen
	}
	return r, next
}

// setKey is the RRset a stored record belongs to: its type, or for an
// RRSIG the type covered.
func setKey(r recView) (uint16, bool) {
	if r.typ == dns.TypeRRSIG {
		return binary.BigEndian.Uint16(r.rdata), true
	}
	return r.typ, false
}

// appendRec stores one record of node n, with hint when it is an RRSIG
// and hint has hintLen octets. The RDATA is copied; its names are
// lower-cased as described above. It returns false, and stores nothing,
// if the RDATA of a type with names is malformed.
func (c *zoneCheck) appendRec(n *znode, typ, class uint16, ttl uint32, rdata, hint []byte) bool {
	if typ != dns.TypeRRSIG || len(hint) != hintLen {
		hint = nil
	}
	need := recHdrLen + len(rdata) + len(hint)
	var b []byte
	switch {
	case n == c.tail && len(c.chunk)+need <= cap(c.chunk):
		start := len(c.chunk) - len(n.rec)
		c.chunk = c.chunk[:len(c.chunk)+need]
		n.rec = c.chunk[start:len(c.chunk):len(c.chunk)]
		b = n.rec[len(n.rec)-need:]
	case n == c.tail || len(n.rec) == 0:
		// Start (or move) the node's run at the end of the chunk, in a
		// new chunk when the current one is full.
		size := len(n.rec) + need
		if len(c.chunk)+size > cap(c.chunk) {
			c.chunk = c.arena.alloc(max(chunkSize, 2*size))
		}
		start := len(c.chunk)
		c.chunk = append(c.chunk, n.rec...)
		c.chunk = c.chunk[:start+size]
		n.rec = c.chunk[start : start+size : start+size]
		c.tail = n
		b = n.rec[size-need:]
	default:
		// A node seen before, and not the last one: it gets a private
		// slice (n.rec's capacity is its length, so append copies).
		l := len(n.rec)
		n.rec = slices.Grow(n.rec, need)[:l+need]
		b = n.rec[l:]
	}
	binary.BigEndian.PutUint16(b, typ)
	binary.BigEndian.PutUint16(b[2:], class)
	binary.BigEndian.PutUint32(b[4:], ttl)
	binary.BigEndian.PutUint16(b[8:], uint16(len(rdata)))
	b[10] = 0
	if hint != nil {
		b[10] = hintFlag
		copy(b[recHdrLen+len(rdata):], hint)
	}
	copy(b[recHdrLen:], rdata)
	if typ != dns.TypeRRSIG && !canonical.LowerRDATANames(typ, b[recHdrLen:]) {
		l := len(n.rec) - need
		n.rec = n.rec[:l:l]
		if n == c.tail {
			c.chunk = c.chunk[:len(c.chunk)-need]
		}
		return false
	}
	return true
}

// internName returns a string holding the octets of the wire name w,
// stored in c.arena: node names are most of what a zone needs besides its
// records, and they live as long. The string is valid until c.release
// (which drops every node, and with them the map keys), and no string
// handed out of the check may share its octets: names in findings are
// made with wireToName or are copies.
func (c *zoneCheck) internName(w []byte) string {
	if len(w) == 0 {
		return ""
	}
	if len(c.names)+len(w) > cap(c.names) {
		c.names = c.arena.alloc(max(chunkSize, len(w)))
	}
	start := len(c.names)
	c.names = append(c.names, w...)
	return unsafe.String(&c.names[start], len(w))
}

// wireNameLen returns the length of the uncompressed wire name at the
// start of b, or -1 if b does not start with one (no compression
// pointers, labels of at most 63 octets, at most 255 octets in all).
func wireNameLen(b []byte) int {
	i := 0
	for i < len(b) && i < canonical.MaxNameLen {
		l := int(b[i])
		if l == 0 {
			return i + 1
		}
		if l > 63 {
			return -1
		}
		i += 1 + l
	}
	return -1
}

// lowerWire appends the lower-cased form of wire name w to dst.
func lowerWire(dst, w []byte) []byte {
	for _, ch := range w {
		dst = append(dst, lower(ch))
	}
	return dst
}

// equalFold reports whether two wire names are equal ignoring ASCII case.
func equalFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// hasUpper reports whether w holds an ASCII capital letter.
func hasUpper(w []byte) bool {
	for _, ch := range w {
		if 'A' <= ch && ch <= 'Z' {
			return true
		}
	}
	return false
}

// wireSig is the RDATA of an RRSIG record.
type wireSig struct {
	covered    uint16
	alg        uint8
	labels     uint8
	origTTL    uint32
	exp, incep uint32
	tag        uint16
	signer     []byte // wire, as stored (case kept)
	prefix     []byte // RDATA up to and including the signer
	sig        []byte
}

// parseSig splits RRSIG RDATA; ok is false if it is malformed.
func parseSig(rd []byte) (s wireSig, ok bool) {
	if len(rd) < 19 {
		return s, false
	}
	n := wireNameLen(rd[18:])
	if n < 0 {
		return s, false
	}
	return wireSig{
		covered: binary.BigEndian.Uint16(rd),
		alg:     rd[2],
		labels:  rd[3],
		origTTL: binary.BigEndian.Uint32(rd[4:]),
		exp:     binary.BigEndian.Uint32(rd[8:]),
		incep:   binary.BigEndian.Uint32(rd[12:]),
		tag:     binary.BigEndian.Uint16(rd[16:]),
		signer:  rd[18 : 18+n],
		prefix:  rd[:18+n],
		sig:     rd[18+n:],
	}, true
}

// appendBitmap appends the types of an RFC 4034 §4.1.2 type bitmap to
// dst; ok is false if the bitmap is malformed (a block of no or more than
// 32 octets, windows out of order, or truncated).
func appendBitmap(dst []uint16, b []byte) ([]uint16, bool) {
	last := -1
	for len(b) > 0 {
		if len(b) < 2 {
			return dst, false
		}
		win, l := int(b[0]), int(b[1])
		if l == 0 || l > 32 || 2+l > len(b) || win <= last {
			return dst, false
		}
		last = win
		for i, x := range b[2 : 2+l] {
			for j := range 8 {
				if x&(0x80>>j) != 0 {
					dst = append(dst, uint16(win<<8|i*8+j))
				}
			}
		}
		b = b[2+l:]
	}
	return dst, true
}

// wireNSEC3 is the RDATA of an NSEC3 (or, without next and bitmap,
// NSEC3PARAM) record.
type wireNSEC3 struct {
	hash  uint8
	flags uint8
	iter  uint16
	salt  []byte
	next  []byte
	types []byte // type bitmap
}

// parseNSEC3 splits NSEC3 (param false) or NSEC3PARAM RDATA.
func parseNSEC3(rd []byte, param bool) (r wireNSEC3, ok bool) {
	if len(rd) < 5 {
		return r, false
	}
	r.hash, r.flags, r.iter = rd[0], rd[1], binary.BigEndian.Uint16(rd[2:])
	sl := int(rd[4])
	if 5+sl > len(rd) {
		return r, false
	}
	r.salt = rd[5 : 5+sl]
	rest := rd[5+sl:]
	if param {
		return r, len(rest) == 0
	}
	if len(rest) < 1 || 1+int(rest[0]) > len(rest) || rest[0] == 0 {
		return r, false
	}
	r.next = rest[1 : 1+int(rest[0])]
	r.types = rest[1+int(rest[0]):]
	_, ok = appendBitmap(nil, r.types)
	return r, ok
}

// checkRDATA checks the RDATA of the types that the validator reads
// field by field or decodes (the others are kept as opaque octets).
func checkRDATA(typ uint16, rd []byte) error {
	switch typ {
	case dns.TypeRRSIG:
		if _, ok := parseSig(rd); !ok {
			return errors.New("malformed RRSIG RDATA")
		}
	case dns.TypeNSEC:
		n := wireNameLen(rd)
		if n < 0 {
			return errors.New("malformed NSEC next domain name")
		}
		if _, ok := appendBitmap(nil, rd[n:]); !ok {
			return errors.New("malformed NSEC type bitmap")
		}
	case dns.TypeNSEC3:
		if _, ok := parseNSEC3(rd, false); !ok {
			return errors.New("malformed NSEC3 RDATA")
		}
	case dns.TypeNSEC3PARAM:
		if _, ok := parseNSEC3(rd, true); !ok {
			return errors.New("malformed NSEC3PARAM RDATA")
		}
	case dns.TypeDNSKEY, dns.TypeCDNSKEY:
		if len(rd) < 4 {
			return fmt.Errorf("%s RDATA of %d octets", dns.Type(typ), len(rd))
		}
	case dns.TypeDS, dns.TypeCDS:
		if len(rd) < 4 {
			return fmt.Errorf("%s RDATA of %d octets", dns.Type(typ), len(rd))
		}
	}
	return nil
}

// decodeRR builds a dns.RR from a stored record of the node with wire
// owner w; buf is scratch space.
func decodeRR(buf []byte, w []byte, r recView) (dns.RR, []byte, error) {
	buf = append(buf[:0], w...)
	buf = binary.BigEndian.AppendUint16(buf, r.typ)
	buf = binary.BigEndian.AppendUint16(buf, r.class)
	buf = binary.BigEndian.AppendUint32(buf, r.ttl)
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(r.rdata)))
	buf = append(buf, r.rdata...)
	rr, _, err := dns.UnpackRR(buf, 0)
	if err == nil && rr == nil {
		err = errors.New("empty record")
	}
	return rr, buf, err
}

// hdrCopy wraps an RR with a private copy of its header, so that packing
// (dns.PackRR stores RDLENGTH in the header) leaves the caller's record
// alone.
type hdrCopy struct {
	dns.RR
	hdr dns.RR_Header
}

func (w *hdrCopy) Header() *dns.RR_Header { return &w.hdr }

// packRR appends the uncompressed wire form of rr to dst[:0].
func packRR(dst []byte, rr dns.RR) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = dst, fmt.Errorf("cannot pack %T: %v", rr, p)
		}
	}()
	w := &hdrCopy{RR: rr, hdr: *rr.Header()}
	need := dns.Len(rr) + 64
	for {
		if cap(dst) < need {
			dst = make([]byte, need)
		}
		dst = dst[:cap(dst)]
		n, err := dns.PackRR(w, dst, 0, nil, false)
		if err == nil {
			return dst[:n], nil
		}
		if errors.Is(err, dns.ErrBuf) && need < 2*(canonical.MaxNameLen+10+65535) {
			need = 2 * (canonical.MaxNameLen + 10 + 65535)
			continue
		}
		return dst[:0], err
	}
}
