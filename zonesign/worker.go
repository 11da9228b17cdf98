package zonesign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// worker signs and formats chunks of units. Each signing goroutine has its
// own; its buffers are reused from RRset to RRset.
type worker struct {
	j *job

	owner []byte   // canonical wire owner of the current name
	can   []byte   // canonical RDATA of the current RRset
	spans []span   // the current RRset's records, sorted canonically
	data  []byte   // signed data: RRSIG RDATA prefix + canonical RRset
	types []uint16 // bitmap types
	rd    []byte   // NSEC/NSEC3 RDATA
	next  []byte   // scratch name
	recs  []rec    // NSEC/NSEC3 record

	digest       [32]byte     // SHA-256 of wk.data, when sign has hashed it
	pend         []pendingSig // signatures for batch keys, made at the end of the chunk
	idx          []int
	digests      [][32]byte
	sigs         [][64]byte
	hints        [][65]byte
	items        []p256.BatchItem
	batchScratch p256.BatchScratch
	scratch      p256.Scratch
}

type span struct {
	r        rec
	off, end int // canonical RDATA in worker.can
}

func newWorker(j *job) *worker { return &worker{j: j} }

func (wk *worker) chunk(ctx context.Context, c *chunk) error {
	wk.pend = wk.pend[:0]
	for _, u := range wk.j.units[c.lo:c.hi] {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if u.kind == unitNSEC3 {
			err = wk.nsec3(ctx, c, u)
		} else {
			err = wk.node(ctx, c, u)
		}
		if err != nil {
			return err
		}
	}
	return wk.flush(ctx, c)
}

// node writes the records of one name, signing what must be signed, and its
// NSEC.
func (wk *worker) node(ctx context.Context, c *chunk, u unit) error {
	j := wk.j
	z := j.z
	n := &z.nodes[u.idx]
	cls := j.cls[u.idx]
	recs, data := z.recs[n.start:n.start+n.n], &z.data
	if cls == clsApex {
		recs, data = j.apexRecs, &j.ext
	}
	var err error
	wk.owner, err = canonical.AppendName(wk.owner[:0], n.name)
	if err != nil {
		return fmt.Errorf("zonesign: %v", err)
	}
	wk.types = wk.types[:0]
	for i := 0; i < len(recs); {
		k := i + 1
		for k < len(recs) && recs[k].typ == recs[i].typ {
			k++
		}
		rs := recs[i:k]
		i = k
		t := rs[0].typ
		var keys []*signer.Key
		switch cls {
		case clsApex, clsAuth:
			keys = j.zsks
			if cls == clsApex && (t == dns.TypeDNSKEY || t == dns.TypeCDS || t == dns.TypeCDNSKEY) {
				keys = j.ksks
			}
			wk.types = append(wk.types, t)
		case clsDeleg:
			if t == dns.TypeDS {
				keys = j.zsks
			}
			if t == dns.TypeDS || t == dns.TypeNS {
				wk.types = append(wk.types, t)
			}
		}
		if err := wk.rrset(ctx, c, n.name, rs, data, keys); err != nil {
			return err
		}
	}
	if u.next < 0 || j.nsec3 != nil {
		return nil
	}
	// NSEC (RFC 4034 §4): the next name and the types here, with RRSIG and
	// NSEC; at a delegation only NS, DS, RRSIG and NSEC (RFC 4035 §2.3).
	nx := &z.nodes[u.next]
	wk.next, err = appendWire(wk.next[:0], nx.name)
	if err != nil {
		return err
	}
	wk.types = append(wk.types, dns.TypeRRSIG, dns.TypeNSEC)
	wk.rd = appendBitmap(append(wk.rd[:0], wk.next...), wk.types)
	return wk.denial(ctx, c, n.name, dns.TypeNSEC)
}

// nsec3 writes one NSEC3 record (RFC 5155 §3) and its RRSIG.
func (wk *worker) nsec3(ctx context.Context, c *chunk, u unit) error {
	j := wk.j
	it := &j.items[u.idx]
	wk.types = wk.types[:0]
	if it.strip == 0 {
		n := &j.z.nodes[it.node]
		recs := j.z.recs[n.start : n.start+n.n]
		if it.node == j.apex {
			recs = j.apexRecs
		}
		signed := false
		for i, r := range recs {
			if i > 0 && recs[i-1].typ == r.typ {
				continue
			}
			switch j.cls[it.node] {
			case clsDeleg:
				if r.typ == dns.TypeNS || r.typ == dns.TypeDS {
					wk.types = append(wk.types, r.typ)
				}
				signed = signed || r.typ == dns.TypeDS
			default:
				wk.types = append(wk.types, r.typ)
				signed = true
			}
		}
		if signed {
			wk.types = append(wk.types, dns.TypeRRSIG)
		}
	}
	p := j.nsec3
	next := &j.items[u.next]
	wk.rd = append(wk.rd[:0], dns.SHA1, j.nsec3Flags, byte(p.Iterations>>8), byte(p.Iterations), byte(len(p.Salt)))
	wk.rd = append(wk.rd, p.Salt...)
	wk.rd = append(wk.rd, 20)
	wk.rd = append(wk.rd, next.hash[:]...)
	wk.rd = appendBitmap(wk.rd, wk.types)
	// owner: base32hex(hash).origin
	wk.owner = append(wk.owner[:0], 32)
	wk.owner = b32.AppendEncode(wk.owner, it.hash[:])
	wk.owner = append(wk.owner, j.originWire...)
	name := string(b32.AppendEncode(nil, it.hash[:])) + "." + j.origin
	if j.origin == "." {
		name = name[:len(name)-1]
	}
	return wk.denial(ctx, c, name, dns.TypeNSEC3)
}

// denial signs and writes the NSEC or NSEC3 record in wk.rd, owned by name
// (wire form in wk.owner).
func (wk *worker) denial(ctx context.Context, c *chunk, name string, t uint16) error {
	var a arena
	a.blocks = [][]byte{wk.rd}
	wk.recs = append(wk.recs[:0], rec{typ: t, class: wk.j.z.class, ttl: wk.j.nsecTTL, rdlen: uint16(len(wk.rd))})
	c.st.Denial++
	return wk.rrset(ctx, c, name, wk.recs, &a, wk.j.zsks)
}

// rrset writes one RRset (duplicates removed, records in canonical order)
// and, when keys is not empty, signs it with each key and writes the
// RRSIGs. wk.owner holds the canonical wire owner.
func (wk *worker) rrset(ctx context.Context, c *chunk, name string, rs []rec, data *arena, keys []*signer.Key) error {
	j := wk.j
	t := rs[0].typ
	ttl := rs[0].ttl
	dropped, err := wk.canon(name, rs, data)
	if err != nil {
		return err
	}
	c.st.Dropped += dropped
	for _, s := range wk.spans {
		if err := wk.writeRR(c, name, s.r, data.get(s.r.rdoff, s.r.rdlen)); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	c.st.RRsets++
	labels, exp := wk.signedData(t, ttl)
	for _, k := range keys {
		sig, hint, pre, err := wk.sign(ctx, name, t, ttl, labels, exp, k)
		if err != nil {
			return err
		}
		c.st.Signatures++
		if pre {
			c.st.Presigned++
		}
		if (t == dns.TypeDNSKEY || t == dns.TypeCDS || t == dns.TypeCDNSKEY) && bytes.Equal(wk.owner, j.originWire) {
			c.st.KSKSigs++
		}
		if sig == nil { // a batch key: signed in flush
			p := pendingSig{key: k, digest: wk.digest, name: name, typ: t}
			p.text, p.wire = wk.writeRRSIG(c, name, rs[0].class, ttl, t, k, labels, exp, nil, nil)
			wk.pend = append(wk.pend, p)
			continue
		}
		wk.writeRRSIG(c, name, rs[0].class, ttl, t, k, labels, exp, sig, hint)
	}
	return nil
}

// canon puts the canonical RDATA of the RRset rs in wk.can and its records,
// sorted canonically and without duplicates (RFC 4034 §6.3), in wk.spans.
// It returns the number of duplicates removed.
func (wk *worker) canon(name string, rs []rec, data *arena) (int, error) {
	t := rs[0].typ
	wk.can = wk.can[:0]
	wk.spans = wk.spans[:0]
	for _, r := range rs {
		off := len(wk.can)
		wk.can = append(wk.can, data.get(r.rdoff, r.rdlen)...)
		if !canonical.LowerRDATANames(t, wk.can[off:]) {
			return 0, fmt.Errorf("%w: malformed %s RDATA at %s", ErrZone, dns.Type(t), name)
		}
		wk.spans = append(wk.spans, span{r: r, off: off, end: len(wk.can)})
	}
	can := wk.can
	dropped := 0
	if len(wk.spans) > 1 {
		slices.SortStableFunc(wk.spans, func(a, b span) int { return bytes.Compare(can[a.off:a.end], can[b.off:b.end]) })
		out := wk.spans[:1]
		for _, s := range wk.spans[1:] {
			if p := out[len(out)-1]; bytes.Equal(can[p.off:p.end], can[s.off:s.end]) {
				dropped++
				continue
			}
			out = append(out, s)
		}
		wk.spans = out
	}
	return dropped, nil
}

// signedData puts the canonical RRset of wk.spans (owner wk.owner, type t,
// TTL ttl) in wk.data after room for the RRSIG RDATA, and returns the
// RRSIG's Labels and Expiration.
func (wk *worker) signedData(t uint16, ttl uint32) (uint8, uint32) {
	j := wk.j
	labels := canonical.WireLabels(wk.owner)
	exp := uint32(j.expiration - wk.jitter(t))
	prefix := 18 + len(j.originWire)
	wk.data = append(wk.data[:0], make([]byte, prefix)...)
	for _, s := range wk.spans {
		wk.data = append(wk.data, wk.owner...)
		wk.data = binary.BigEndian.AppendUint16(wk.data, t)
		wk.data = binary.BigEndian.AppendUint16(wk.data, s.r.class)
		wk.data = binary.BigEndian.AppendUint32(wk.data, ttl)
		wk.data = binary.BigEndian.AppendUint16(wk.data, uint16(s.end-s.off))
		wk.data = append(wk.data, wk.can[s.off:s.end]...)
	}
	return labels, exp
}

// sign completes the RRSIG RDATA at the start of wk.data for key k and
// returns the signature: one made while the zone was parsed if it is over
// the same data (with its hint, if it has one), or a new one, verified
// unless Options.SkipVerify. For a key that signs in batches it returns
// a nil signature, with the SHA-256 digest of wk.data in wk.digest: the
// caller queues the signature for flush.
func (wk *worker) sign(ctx context.Context, name string, t uint16, ttl uint32, labels uint8, exp uint32, k *signer.Key) (sig, hint []byte, presigned bool, err error) {
	j := wk.j
	p := wk.data[:0]
	p = binary.BigEndian.AppendUint16(p, t)
	p = append(p, k.Algorithm(), labels)
	p = binary.BigEndian.AppendUint32(p, ttl)
	p = binary.BigEndian.AppendUint32(p, exp)
	p = binary.BigEndian.AppendUint32(p, j.inception)
	p = binary.BigEndian.AppendUint16(p, k.KeyTag())
	_ = append(p, j.originWire...)
	if batch := j.batch[k] != nil; batch || j.spec != nil {
		wk.digest = sha256.Sum256(wk.data)
		if s := j.spec.lookup(&wk.digest, k); s != nil {
			return s.sig, s.hint, true, nil
		}
		if batch {
			return nil, nil, false, nil
		}
	}
	sig, err = k.Sign(ctx, wk.data)
	if err != nil {
		return nil, nil, false, fmt.Errorf("zonesign: sign %s %s with key %d: %w", name, dns.Type(t), k.KeyTag(), err)
	}
	if v := j.verifiers[k]; v != nil {
		if err := v.Verify(wk.data, sig); err != nil {
			return nil, nil, false, fmt.Errorf("zonesign: signature of %s %s by key %d does not verify: %w", name, dns.Type(t), k.KeyTag(), err)
		}
	}
	return sig, nil, false, nil
}

// jitter is the deterministic amount, in seconds, taken off the expiration
// of the RRset of type t at wk.owner.
func (wk *worker) jitter(t uint16) int64 {
	if wk.j.jitter <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write(wk.owner)
	h.Write([]byte{byte(t >> 8), byte(t)})
	return int64(h.Sum64() % uint64(wk.j.jitter+1))
}

// writeRR writes one record in presentation format.
func (wk *worker) writeRR(c *chunk, name string, r rec, rd []byte) error {
	if wk.j.val != nil {
		c.wire = appendWireRR(c.wire, wk.owner, r.typ, r.class, r.ttl, rd, nil)
	}
	var ok bool
	if c.buf, ok = appendRRText(c.buf, name, r, rd); ok {
		c.st.Records++
		return nil
	}
	hdr := dns.RR_Header{Name: name, Rrtype: r.typ, Class: r.class, Ttl: r.ttl, Rdlength: r.rdlen}
	rr, _, err := dns.UnpackRRWithHeader(hdr, rd, 0)
	if err != nil {
		return fmt.Errorf("zonesign: %s %s: %v", name, dns.Type(r.typ), err)
	}
	text := rr.String()
	if faithfulText(r.typ) || roundTrips(text, r.typ, rd) {
		c.buf = append(c.buf, text...)
		c.buf = append(c.buf, '\n')
	} else {
		c.buf = appendGeneric(c.buf, name, r, rd)
	}
	c.st.Records++
	return nil
}

// faithfulText reports whether miekg/dns prints every record of type t in
// a form its parser reads back as the same RDATA, so that writeRR need not
// check (TestFaithfulTextTypes checks them): TXT and SPF, whose strings it
// quotes, escaping '"' and '\' and writing other bytes outside printable
// ASCII as \DDD. TXT is the one common type that writeRR does not format
// itself; checking it record by record would cost a few per cent of a
// zone's signing time.
func faithfulText(t uint16) bool {
	return t == dns.TypeTXT || t == dns.TypeSPF
}

// roundTrips reports whether text, miekg/dns's presentation form of a
// record of type t with RDATA rd, parses back to the same type and RDATA.
// It does not for NULL records (printed as a comment), nor for some
// field values of other types (a CAA record with an empty tag prints as
// `0  ""`).
func roundTrips(text string, t uint16, rd []byte) bool {
	if text == "" || text[0] == ';' || strings.ContainsAny(text, "\x00\n") {
		return false
	}
	back, err := dns.NewRR(text)
	if err != nil || back == nil || back.Header().Rrtype != t {
		return false
	}
	h := back.Header()
	var w [maxWire]byte
	n, err := dns.PackDomainName(h.Name, w[:], 0, nil, false)
	if err != nil {
		return false
	}
	brd, err := packRDATA(back, make([]byte, len(rd)+n+64), n)
	return err == nil && bytes.Equal(brd, rd)
}

// appendGeneric appends a record in the generic form of RFC 3597 §5:
// TYPEnnn \# length hex.
func appendGeneric(b []byte, name string, r rec, rd []byte) []byte {
	b = append(b, name...)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(r.ttl), 10)
	b = append(b, '\t')
	b = appendClass(b, r.class)
	b = append(b, "\tTYPE"...)
	b = strconv.AppendUint(b, uint64(r.typ), 10)
	b = append(b, "\t\\# "...)
	b = strconv.AppendUint(b, uint64(len(rd)), 10)
	if len(rd) > 0 {
		b = append(b, ' ')
		b = appendHexUpper(b, rd)
	}
	return append(b, '\n')
}

// writeRRSIG writes an RRSIG record in the presentation format of RFC 4034
// §3.2, as miekg/dns writes it, and in wire form for Options.Validator.
// The RRSIG RDATA without the signature is at the start of wk.data. A nil
// sig leaves room for a 64-byte signature: writeRRSIG then returns the
// offsets of its base64 text in c.buf and of the signature in c.wire (-1
// without a validator) for flush to fill in.
func (wk *worker) writeRRSIG(c *chunk, name string, class uint16, ttl uint32, t uint16, k *signer.Key, labels uint8, exp uint32, sig, hint []byte) (text, wire int) {
	wire = -1
	if wk.j.val != nil {
		pre := wk.data[:18+len(wk.j.originWire)]
		if sig == nil {
			var room [64 + 65]byte
			room[64] = 4 // an uncompressed point, to be filled in
			c.wire = appendWireRR(c.wire, wk.owner, dns.TypeRRSIG, class, ttl, append(pre[:len(pre):len(pre)], room[:64]...), room[64:])
			wire = len(c.wire) - 64 - 65 - 1
		} else {
			c.wire = appendWireRR(c.wire, wk.owner, dns.TypeRRSIG, class, ttl, append(pre[:len(pre):len(pre)], sig...), hint)
		}
	}
	b := c.buf
	b = append(b, name...)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(ttl), 10)
	b = append(b, '\t')
	b = appendClass(b, class)
	b = append(b, "\tRRSIG\t"...)
	b = appendType(b, t)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(k.Algorithm()), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(labels), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(ttl), 10)
	b = append(b, ' ')
	b = appendTime(b, exp)
	b = append(b, ' ')
	b = append(b, wk.j.incText...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(k.KeyTag()), 10)
	b = append(b, ' ')
	b = append(b, k.SignerName()...)
	b = append(b, ' ')
	if sig == nil {
		text = len(b)
		b = append(b, make([]byte, base64.StdEncoding.EncodedLen(64))...)
	} else {
		b = base64.StdEncoding.AppendEncode(b, sig)
	}
	b = append(b, '\n')
	c.buf = b
	c.st.Records++
	return text, wire
}

func appendType(b []byte, t uint16) []byte {
	if s, ok := dns.TypeToString[t]; ok {
		return append(b, s...)
	}
	return strconv.AppendUint(append(b, "TYPE"...), uint64(t), 10)
}

func appendClass(b []byte, c uint16) []byte {
	if s, ok := dns.ClassToString[c]; ok {
		return append(b, s...)
	}
	return strconv.AppendUint(append(b, "CLASS"...), uint64(c), 10)
}

// appendTime appends the YYYYMMDDHHmmSS form of a signature time (RFC
// 4034 §3.2).
func appendTime(b []byte, t uint32) []byte {
	tm := time.Unix(int64(t), 0).UTC()
	y, mo, d := tm.Date()
	h, mi, s := tm.Clock()
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	for _, v := range [...]int{int(mo), d, h, mi, s} {
		b = append(b, byte('0'+v/10), byte('0'+v%10))
	}
	return b
}

// appendWire appends the wire form of name, keeping its case.
func appendWire(dst []byte, name string) ([]byte, error) {
	start := len(dst)
	dst = slices.Grow(dst, maxWire)[:start+maxWire]
	n, err := dns.PackDomainName(name, dst[start:], 0, nil, false)
	if err != nil {
		return dst[:start], fmt.Errorf("zonesign: bad name %q: %v", name, err)
	}
	return dst[:start+n], nil
}

// appendBitmap appends the type bit maps field of RFC 4034 §4.1.2 for the
// types (in any order, duplicates allowed).
func appendBitmap(b []byte, types []uint16) []byte {
	slices.Sort(types)
	types = slices.Compact(types)
	for i := 0; i < len(types); {
		win := types[i] >> 8
		var bits [32]byte
		n := 0
		for ; i < len(types) && types[i]>>8 == win; i++ {
			lo := types[i] & 0xff
			bits[lo/8] |= 0x80 >> (lo % 8)
			n = int(lo/8) + 1
		}
		b = append(b, byte(win), byte(n))
		b = append(b, bits[:n]...)
	}
	return b
}
