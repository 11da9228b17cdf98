// Package canonical writes the canonical wire form of DNS names, RRs and
// RRsets defined in RFC 4034 §6 (https://www.rfc-editor.org/rfc/rfc4034#section-6),
// as amended by RFC 6840 §5.1, and orders names canonically (RFC 4034 §6.1).
//
// It works on wire bytes: names are lower-cased after they are packed, so a
// label written \065bc in presentation form is canonicalised to "abc", which
// a lower-casing of the presentation string would miss.
//
// The encoders append into caller-owned buffers; an Encoder reused across
// calls allocates nothing once its scratch space has grown to fit (a test
// guards this for A and MX RRsets). Names written with escapes (\065) and
// a few types that miekg/dns packs through temporary buffers (SVCB, HTTPS)
// still cost an allocation or a few per record.
package canonical

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/miekg/dns"
)

// Errors returned by the encoders.
var (
	// ErrNotRRset is returned when the records passed as an RRset differ
	// in owner name, class or type, or when the set is empty.
	ErrNotRRset = errors.New("canonical: records do not form an RRset")
	// ErrLabels is returned when an RRSIG Labels value is larger than the
	// owner name's label count.
	ErrLabels = errors.New("canonical: Labels larger than the owner's label count")
	// ErrName is returned for a name that cannot be packed.
	ErrName = errors.New("canonical: bad domain name")
)

// typeA6 is the obsolete A6 type (RFC 2874), which miekg/dns does not name.
const typeA6 = 38

// MaxNameLen is the longest uncompressed wire-format name (RFC 1035 §3.1).
const MaxNameLen = 255

// Encoder canonicalises RRsets. Its zero value is ready to use. An Encoder
// keeps scratch space between calls and must not be used by two goroutines
// at once; give each worker its own.
type Encoder struct {
	scratch []byte
	spans   []span
	w       hdrCopy
}

// hdrCopy wraps an RR with a private copy of its header. dns.PackRR
// stores the RDLENGTH it computes in the record's header; packing through
// a hdrCopy keeps that write away from the caller's record, so the same
// records can be canonicalised from several goroutines at once. RDATA is
// packed by the wrapped record's own (promoted) pack method.
type hdrCopy struct {
	dns.RR
	hdr dns.RR_Header
}

func (w *hdrCopy) Header() *dns.RR_Header { return &w.hdr }

// span locates one packed RR in Encoder.scratch: rdata is the offset of the
// first RDATA octet, end the offset after the last.
type span struct {
	start, rdata, end int
}

// Labels returns the value of the RRSIG Labels field for owner (RFC 4034
// §3.1.3): the number of labels, not counting the root nor a leading
// wildcard label "*". A label that merely starts with '*' ("*foo") counts.
func Labels(owner string) (uint8, error) {
	var buf [MaxNameLen]byte
	w, err := AppendName(buf[:0], owner)
	if err != nil {
		return 0, err
	}
	return WireLabels(w), nil
}

// WireLabels is Labels for an uncompressed wire-format name.
func WireLabels(name []byte) uint8 {
	n := 0
	first := true
	wild := false
	for i := 0; i < len(name) && name[i] != 0; i += int(name[i]) + 1 {
		if first && name[i] == 1 && i+1 < len(name) && name[i+1] == '*' {
			wild = true
		}
		first = false
		n++
	}
	if wild {
		n--
	}
	return uint8(n)
}

// AppendName appends the canonical wire form of the presentation-format
// name s to dst: uncompressed and with ASCII letters lower-cased. s must be
// fully qualified.
func AppendName(dst []byte, s string) ([]byte, error) {
	start := len(dst)
	dst = slices.Grow(dst, MaxNameLen)
	buf := dst[start : start+MaxNameLen]
	n, err := dns.PackDomainName(s, buf, 0, nil, false)
	if err != nil {
		return dst, fmt.Errorf("%w %q: %w", ErrName, s, err)
	}
	if n == 0 { // dns packs "" as nothing
		return dst, fmt.Errorf("%w: empty name", ErrName)
	}
	dst = dst[:start+n]
	lowerName(dst[start:])
	return dst, nil
}

// lowerName lower-cases the ASCII letters of the wire-format name at the
// start of b and returns the offset just past it, or -1 if b does not start
// with a complete uncompressed name.
func lowerName(b []byte) int {
	i := 0
	for i < len(b) {
		l := int(b[i])
		if l == 0 {
			return i + 1
		}
		if l > 63 || i+1+l > len(b) {
			return -1
		}
		for j := i + 1; j <= i+l; j++ {
			if c := b[j]; 'A' <= c && c <= 'Z' {
				b[j] = c + ('a' - 'A')
			}
		}
		i += l + 1
	}
	return -1
}

// skipName returns the offset just past the uncompressed wire name at
// b[off:], or -1.
func skipName(b []byte, off int) int {
	for off < len(b) {
		l := int(b[off])
		if l == 0 {
			return off + 1
		}
		if l > 63 {
			return -1
		}
		off += l + 1
	}
	return -1
}

// LowerRDATANames lower-cases, in place, the domain names embedded in the
// wire-format RDATA rd of an RR of type t, for the types listed in RFC 4034
// §6.2 item 3 as corrected by RFC 6840 §5.1: NS, MD, MF, CNAME, SOA, MB,
// MG, MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV,
// DNAME, A6 and RRSIG (the signer name), but not HINFO (it holds no name)
// nor NSEC (its next name keeps its case). Types defined after RFC 3597
// (SVCB, HTTPS, ...) are never lower-cased. It returns false if rd is too short to hold the names its type
// requires; rd is then left partly lower-cased.
func LowerRDATANames(t uint16, rd []byte) bool {
	switch t {
	case dns.TypeNS, dns.TypeMD, dns.TypeMF, dns.TypeCNAME, dns.TypeMB,
		dns.TypeMG, dns.TypeMR, dns.TypePTR, dns.TypeDNAME, dns.TypeNXT:
		return lowerName(rd) >= 0
	case dns.TypeSOA, dns.TypeMINFO, dns.TypeRP:
		n := lowerName(rd)
		return n >= 0 && lowerName(rd[n:]) >= 0
	case dns.TypeMX, dns.TypeAFSDB, dns.TypeRT, dns.TypeKX:
		return len(rd) >= 2 && lowerName(rd[2:]) >= 0
	case dns.TypePX:
		if len(rd) < 2 {
			return false
		}
		n := lowerName(rd[2:])
		return n >= 0 && lowerName(rd[2+n:]) >= 0
	case dns.TypeSRV:
		return len(rd) >= 6 && lowerName(rd[6:]) >= 0
	case dns.TypeSIG, dns.TypeRRSIG:
		// RFC 6840 §5.1: "DNS names in the RDATA section of RRSIG
		// resource records are converted to lowercase."
		return len(rd) >= 18 && lowerName(rd[18:]) >= 0
	case dns.TypeNAPTR:
		off := 4
		for range 3 { // flags, services, regexp
			if off >= len(rd) {
				return false
			}
			off += 1 + int(rd[off])
		}
		return off <= len(rd) && lowerName(rd[off:]) >= 0
	case typeA6:
		if len(rd) < 1 || rd[0] > 128 {
			return false
		}
		off := 1 + (128-int(rd[0])+7)/8
		if rd[0] == 0 {
			return off == len(rd)
		}
		return off <= len(rd) && lowerName(rd[off:]) >= 0
	}
	return true
}

// AppendRR appends the canonical form of one RR (RFC 4034 §6.2): owner and
// RDATA names lower-cased, no compression, and the TTL replaced by ttl.
// Unlike AppendRRset it keeps the owner as it is (no wildcard rewriting).
func (e *Encoder) AppendRR(dst []byte, rr dns.RR, ttl uint32) ([]byte, error) {
	sp, err := e.pack(rr, 0)
	if err != nil {
		return dst, err
	}
	b := e.scratch[sp.start:sp.end]
	binary.BigEndian.PutUint32(b[sp.rdata-sp.start-6:], ttl)
	return append(dst, b...), nil
}

// pack packs rr into e.scratch at off, canonicalises it and returns where
// it lies. e.scratch is grown as needed. rr itself is not modified.
func (e *Encoder) pack(rr dns.RR, off int) (sp span, err error) {
	if rr == nil {
		return span{}, fmt.Errorf("%w: nil record", ErrNotRRset)
	}
	defer func() {
		e.w.RR, e.w.hdr = nil, dns.RR_Header{}
		// miekg/dns can panic on records that no parser would make
		// (a typed nil pointer, nil RDATA fields); never pass that on.
		if p := recover(); p != nil {
			sp, err = span{}, fmt.Errorf("canonical: cannot pack %T: %v", rr, p)
		}
	}()
	h := rr.Header()
	if h == nil {
		return span{}, fmt.Errorf("%w: record without header", ErrNotRRset)
	}
	if h.Name == "" {
		return span{}, fmt.Errorf("%w: empty owner name", ErrName)
	}
	e.w.RR, e.w.hdr = rr, *h
	// dns.Len is the uncompressed length; escapes make it an upper bound.
	// Should it ever fall short, the buffer is grown and packing retried.
	need := off + dns.Len(rr) + 16
	var end int
	for {
		if len(e.scratch) < need {
			e.grow(need)
		}
		end, err = dns.PackRR(&e.w, e.scratch, off, nil, false)
		if err == nil {
			break
		}
		if errors.Is(err, dns.ErrBuf) && need < off+2*maxRRLen {
			need = off + 2*maxRRLen
			continue
		}
		return span{}, fmt.Errorf("canonical: pack %s %s: %w", h.Name, dns.Type(h.Rrtype), err)
	}
	b := e.scratch[off:end]
	n := lowerName(b)
	if n < 0 || n+10 > len(b) {
		return span{}, fmt.Errorf("%w: %q", ErrName, h.Name)
	}
	t := binary.BigEndian.Uint16(b[n:])
	if !LowerRDATANames(t, b[n+10:]) {
		return span{}, fmt.Errorf("canonical: malformed %s RDATA at %s", dns.Type(t), h.Name)
	}
	return span{start: off, rdata: off + n + 10, end: end}, nil
}

// maxRRLen bounds the wire length of one RR: a 255-octet owner, the fixed
// header fields and 65535 octets of RDATA.
const maxRRLen = MaxNameLen + 10 + 65535

func (e *Encoder) grow(n int) {
	n = max(n, 4096, 2*len(e.scratch))
	s := make([]byte, n)
	copy(s, e.scratch)
	e.scratch = s
}

// AppendRRset appends to dst the canonical RRset of RFC 4034 §3.1.8.1, as
// it follows the RRSIG RDATA in the signed data, for an RRSIG with the
// given Labels and Original TTL:
//
//   - every RR's owner is the canonical owner, replaced by "*." followed by
//     its rightmost labels labels when labels is less than the owner's
//     label count (RFC 4035 §5.3.2);
//   - RDATA names of the RFC 6840 §5.1 types are lower-cased;
//   - the TTL is origTTL; names are not compressed;
//   - duplicate RRs are removed and the RRs are sorted by their RDATA as
//     left-justified octet strings (RFC 4034 §6.3).
//
// The records must share owner name (compared case-insensitively), class
// and type. The records are not modified, so the same records may be
// canonicalised by several Encoders at once.
func (e *Encoder) AppendRRset(dst []byte, rrset []dns.RR, origTTL uint32, labels uint8) ([]byte, error) {
	if len(rrset) == 0 {
		return dst, fmt.Errorf("%w: empty", ErrNotRRset)
	}
	e.spans = e.spans[:0]
	off := 0
	for i, rr := range rrset {
		sp, err := e.pack(rr, off)
		if err != nil {
			return dst, err
		}
		if i > 0 {
			f := e.spans[0]
			// owner, type and class must match the first record
			if !bytes.Equal(e.scratch[f.start:f.rdata-6], e.scratch[sp.start:sp.rdata-6]) {
				return dst, fmt.Errorf("%w: %s %s and %s %s", ErrNotRRset,
					rrset[0].Header().Name, dns.Type(rrset[0].Header().Rrtype),
					rr.Header().Name, dns.Type(rr.Header().Rrtype))
			}
		}
		e.spans = append(e.spans, sp)
		off = sp.end
	}
	first := e.spans[0]
	owner := e.scratch[first.start : first.rdata-10]
	n := WireLabels(owner)
	if labels > n {
		return dst, fmt.Errorf("%w: %d > %d for %s", ErrLabels, labels, n, rrset[0].Header().Name)
	}
	wild := n > labels
	if wild {
		// wildcard: "*." + the rightmost labels labels, for every RR
		skip := int(n - labels)
		if owner[0] == 1 && owner[1] == '*' {
			skip++ // the owner is itself a wildcard name
		}
		i := 0
		for range skip {
			i += int(owner[i]) + 1
		}
		owner = owner[i:]
	}
	sortSpans(e.scratch, e.spans)
	var prev []byte
	for i, sp := range e.spans {
		rd := e.scratch[sp.rdata:sp.end]
		if i > 0 && bytes.Equal(rd, prev) {
			continue // RFC 4034 §6.3: duplicates removed
		}
		prev = rd
		if wild {
			dst = append(dst, 1, '*')
		}
		dst = append(dst, owner...)
		dst = append(dst, e.scratch[sp.rdata-10:sp.rdata-6]...) // type, class
		dst = binary.BigEndian.AppendUint32(dst, origTTL)
		dst = append(dst, e.scratch[sp.rdata-2:sp.end]...) // rdlength, rdata
	}
	return dst, nil
}

// sortSpans sorts RRs by RDATA octets (insertion sort for the small sets
// that are the common case, which also avoids a closure allocation).
func sortSpans(buf []byte, s []span) {
	if len(s) > 12 {
		slices.SortFunc(s, func(a, b span) int {
			return bytes.Compare(buf[a.rdata:a.end], buf[b.rdata:b.end])
		})
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && bytes.Compare(buf[s[j-1].rdata:s[j-1].end], buf[s[j].rdata:s[j].end]) > 0; j-- {
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
}

// AppendRRSIGRDATA appends the RRSIG RDATA of sig without its Signature
// field, with the Signer's Name in canonical form, as it starts the signed
// data of RFC 4034 §3.1.8.1.
func AppendRRSIGRDATA(dst []byte, sig *dns.RRSIG) ([]byte, error) {
	dst = binary.BigEndian.AppendUint16(dst, sig.TypeCovered)
	dst = append(dst, sig.Algorithm, sig.Labels)
	dst = binary.BigEndian.AppendUint32(dst, sig.OrigTtl)
	dst = binary.BigEndian.AppendUint32(dst, sig.Expiration)
	dst = binary.BigEndian.AppendUint32(dst, sig.Inception)
	dst = binary.BigEndian.AppendUint16(dst, sig.KeyTag)
	return AppendName(dst, sig.SignerName)
}
