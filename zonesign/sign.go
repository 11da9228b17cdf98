package zonesign

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// ErrZone reports a zone that cannot be signed as it is (records outside
// the zone, no SOA, CNAME and other data at one name, DS records that are
// not at a delegation or have a digest of the wrong length, CDS or CDNSKEY
// records away from the apex or matching no DNSKEY, unusable pre-published
// DNSKEYs, NSEC3 hash collisions, ...).
var ErrZone = errors.New("zonesign: invalid zone")

// ErrOptions reports unusable Options (no keys, keys of another zone, bad
// validity, NSEC3 parameters out of range).
var ErrOptions = errors.New("zonesign: invalid options")

// name classes
const (
	clsAuth     uint8 = iota // authoritative data
	clsApex                  // the apex
	clsDeleg                 // delegation point (NS below the apex)
	clsOccluded              // below a zone cut or a DNAME: written as is
)

// unit kinds
const (
	unitNode  uint8 = iota // a name of the zone and, with NSEC, its NSEC
	unitNSEC3              // one NSEC3 record
)

// unit is one step of the output, in canonical order.
type unit struct {
	kind uint8
	idx  int32 // node index or NSEC3 item index
	next int32 // NSEC: next node in the chain, -1 if none; NSEC3: next item
}

// nsec3Item is one NSEC3 record: the hash of a name of the chain.
type nsec3Item struct {
	hash  [20]byte
	node  int32 // the name, or the name below an empty non-terminal
	strip uint8 // > 0: the empty non-terminal is node's name without its first strip labels
}

// job is the read-only state shared by the signing goroutines.
type job struct {
	z      *Zone
	opts   *Options
	origin string // lower case
	apex   int32
	cls    []uint8

	originWire   []byte // lower case
	originLabels uint8
	zsks, ksks   []*signer.Key
	verifiers    map[*signer.Key]*signer.Verifier
	batch        map[*signer.Key]signer.BatchSigner // keys that sign in batches
	batchKeys    []*signer.Key
	p256         map[*signer.Key]*p256.PublicKey // batch keys' verification, nil with SkipVerify
	val          RecordValidator                 // Options.Validator's, or nil

	inception  uint32
	expiration int64 // unix seconds
	jitter     int64 // seconds
	incText    []byte

	nsecTTL uint32
	serial  uint32
	now     time.Time

	spec *specCache // signatures made while the zone was parsed, or nil

	apexRecs []rec // the apex's records, in ext
	ext      arena

	nsec3      *NSEC3Params
	nsec3Flags uint8
	items      []nsec3Item
	units      []unit
}

// Sign signs z as opts say and writes the signed zone to w in presentation
// format, one record per line, names in canonical order (RFC 4034 §6.1),
// each RRset followed by its RRSIGs. The output is streamed: it is made
// in chunks by Options.Concurrency goroutines and written in order as the
// chunks complete. If Sign fails, part of the zone may have been written;
// SignFile never leaves such output behind.
func Sign(ctx context.Context, z *Zone, opts Options, w io.Writer) (Stats, error) {
	if z == nil {
		return Stats{}, fmt.Errorf("%w: nil zone", ErrZone)
	}
	if w == nil {
		return Stats{}, fmt.Errorf("%w: nil writer", ErrOptions)
	}
	if opts.Validate != nil || opts.Validator != nil {
		var buf bytes.Buffer
		st, err := sign(ctx, z, &opts, &buf, nil)
		if err != nil {
			return st, err
		}
		if opts.Validate != nil {
			if err := opts.Validate(ctx, bytes.NewReader(buf.Bytes())); err != nil {
				return st, fmt.Errorf("zonesign: validate: %w", err)
			}
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return st, fmt.Errorf("zonesign: write: %w", err)
		}
		return st, nil
	}
	return sign(ctx, z, &opts, w, nil)
}

func sign(ctx context.Context, z *Zone, opts *Options, w io.Writer, spec *specCache) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, fmt.Errorf("zonesign: %w", err)
	}
	z.prepare()
	j := &job{z: z, opts: opts, apex: -1, spec: spec}
	var st Stats
	if err := j.setup(&st); err != nil {
		return st, err
	}
	if err := j.classify(&st); err != nil {
		return st, err
	}
	if err := j.buildApex(); err != nil {
		return st, err
	}
	if err := j.buildUnits(&st); err != nil {
		return st, err
	}
	st.Origin, st.Serial, st.Names = j.origin, j.serial, len(z.nodes)
	st.Dropped += z.dropped
	if opts.Warn != nil {
		for _, m := range z.warns {
			opts.Warn(m)
		}
	}
	if opts.Validator != nil {
		v, err := opts.Validator(ctx, j.origin)
		if err != nil {
			return st, fmt.Errorf("zonesign: validate: %w", err)
		}
		if v == nil {
			return st, fmt.Errorf("%w: Validator returned nil", ErrOptions)
		}
		j.val = v
	}
	if err := j.run(ctx, w, &st); err != nil {
		return st, err
	}
	if j.val != nil {
		if err := j.val.Finish(); err != nil {
			return st, fmt.Errorf("zonesign: validate: %w", err)
		}
	}
	return st, nil
}

// setup checks the options and keys and finds the apex.
func (j *job) setup(st *Stats) error {
	o := j.opts
	origin := o.Origin
	if origin == "" {
		origin = j.z.origin
	}
	if origin == "" {
		for i := range j.z.nodes {
			if j.z.nodes[i].types&hasSOA != 0 {
				if origin != "" {
					return fmt.Errorf("%w: SOA records at %s and %s; set the origin", ErrZone, origin, j.z.nodes[i].name)
				}
				origin = j.z.nodes[i].name
			}
		}
		if origin == "" {
			return fmt.Errorf("%w: no SOA record", ErrZone)
		}
	}
	origin, err := fqdn(origin)
	if err != nil {
		return fmt.Errorf("%w: origin: %v", ErrOptions, err)
	}
	j.origin = dns.CanonicalName(origin)
	j.originWire, err = canonical.AppendName(nil, j.origin)
	if err != nil {
		return fmt.Errorf("%w: origin: %v", ErrOptions, err)
	}
	j.originLabels = canonical.WireLabels(j.originWire)
	okey := string(canonical.AppendSortKey(nil, j.originWire))
	i, found := slices.BinarySearchFunc(j.z.nodes, okey, func(n node, k string) int { return cmp.Compare(n.key, k) })
	if !found || j.z.nodes[i].types&hasSOA == 0 {
		return fmt.Errorf("%w: no SOA record at the origin %s", ErrZone, origin)
	}
	j.apex = int32(i)

	if err := j.setupSigning(); err != nil {
		return err
	}
	for _, k := range o.Keys {
		if k.SignerName() != j.origin && !canonical.Equal(k.SignerName(), j.origin) {
			return fmt.Errorf("%w: key %d belongs to %s, not %s", ErrOptions, k.KeyTag(), k.SignerName(), j.origin)
		}
	}

	if p := o.NSEC3; p != nil {
		if p.Iterations > MaxNSEC3Iterations {
			return fmt.Errorf("%w: %d NSEC3 iterations, at most %d", ErrOptions, p.Iterations, MaxNSEC3Iterations)
		}
		if len(p.Salt) > 255 {
			return fmt.Errorf("%w: NSEC3 salt of %d bytes, at most 255", ErrOptions, len(p.Salt))
		}
		j.nsec3 = p
		if p.OptOut {
			j.nsec3Flags = 1
		}
	}

	// SOA: serial, negative TTL
	a := &j.z.nodes[j.apex]
	var soa *rec
	for k := a.start; k < a.start+a.n; k++ {
		if j.z.recs[k].typ == dns.TypeSOA {
			if soa != nil {
				return fmt.Errorf("%w: more than one SOA record at %s", ErrZone, a.name)
			}
			soa = &j.z.recs[k]
		}
	}
	rd := j.z.data.get(soa.rdoff, soa.rdlen)
	so := soaSerialOffset(rd)
	if so < 0 {
		return fmt.Errorf("%w: malformed SOA record", ErrZone)
	}
	old := binary.BigEndian.Uint32(rd[so:])
	j.nsecTTL = min(soa.ttl, binary.BigEndian.Uint32(rd[so+16:]))
	now := j.now
	switch o.Serial {
	case SerialKeep:
		j.serial = old
	case SerialIncrement:
		j.serial = old + 1
	case SerialUnixTime:
		j.serial = uint32(now.Unix())
		if int32(j.serial-old) <= 0 { // RFC 1982: not greater
			j.serial = old + 1
		}
	default:
		return fmt.Errorf("%w: unknown serial policy %d", ErrOptions, o.Serial)
	}
	return nil
}

// setupSigning checks the keys and the validity, which do not depend on the
// zone.
func (j *job) setupSigning() error {
	o := j.opts
	j.now = o.Now
	if j.now.IsZero() {
		j.now = time.Now()
	}
	if len(o.Keys) == 0 {
		return fmt.Errorf("%w: no keys", ErrOptions)
	}
	j.verifiers = map[*signer.Key]*signer.Verifier{}
	seen := map[string]bool{}
	for _, k := range o.Keys {
		if k == nil {
			return fmt.Errorf("%w: nil key", ErrOptions)
		}
		rd, err := keytag.AppendRDATA(nil, k.DNSKEY())
		if err != nil {
			return fmt.Errorf("%w: key %d: %v", ErrOptions, k.KeyTag(), err)
		}
		if seen[string(rd)] {
			return fmt.Errorf("%w: key %d given twice", ErrOptions, k.KeyTag())
		}
		seen[string(rd)] = true
		switch k.Role() {
		case signer.RoleKSK:
			j.ksks = append(j.ksks, k)
		case signer.RoleZSK:
			j.zsks = append(j.zsks, k)
		default:
			j.ksks = append(j.ksks, k)
			j.zsks = append(j.zsks, k)
		}
		if !o.SkipVerify && o.Validator == nil {
			v, err := signer.NewVerifier(k.DNSKEY())
			if err != nil {
				return fmt.Errorf("%w: key %d: %v", ErrOptions, k.KeyTag(), err)
			}
			j.verifiers[k] = v
		}
	}
	if err := j.setupBatch(); err != nil {
		return err
	}
	if len(j.zsks) == 0 {
		j.zsks = j.ksks
	}
	if len(j.ksks) == 0 {
		j.ksks = j.zsks
	}

	now := j.now
	if now.IsZero() {
		now = time.Now()
	}
	inc := o.Inception
	if inc.IsZero() {
		inc = now.Add(-time.Hour)
	}
	exp := o.Expiration
	if exp.IsZero() {
		exp = inc.Add(30 * 24 * time.Hour)
	}
	if inc.Unix() < 0 || inc.Unix() > 1<<32-1 {
		return fmt.Errorf("%w: inception %s out of range", ErrOptions, inc.UTC().Format(time.RFC3339))
	}
	if d := exp.Unix() - inc.Unix(); d <= 0 || d >= 1<<31 {
		return fmt.Errorf("%w: expiration %s is not after inception %s (or is 68 years or more later)",
			ErrOptions, exp.UTC().Format(time.RFC3339), inc.UTC().Format(time.RFC3339))
	}
	if o.Jitter < 0 {
		return fmt.Errorf("%w: negative jitter", ErrOptions)
	}
	j.inception = uint32(inc.Unix())
	j.expiration = exp.Unix()
	j.jitter = int64(o.Jitter / time.Second)
	if j.expiration-j.jitter <= inc.Unix() {
		return fmt.Errorf("%w: jitter %s is not shorter than the validity", ErrOptions, o.Jitter)
	}
	j.incText = appendTime(nil, j.inception)
	return nil
}

// soaSerialOffset returns the offset of the serial in SOA RDATA, or -1.
func soaSerialOffset(rd []byte) int {
	off := 0
	for range 2 {
		for {
			if off >= len(rd) {
				return -1
			}
			l := int(rd[off])
			off++
			if l == 0 {
				break
			}
			off += l
		}
	}
	if off+20 != len(rd) {
		return -1
	}
	return off
}

// classify gives every name its class and checks the zone's structure.
func (j *job) classify(st *Stats) error {
	z := j.z
	j.cls = make([]uint8, len(z.nodes))
	okey := z.nodes[j.apex].key
	cut := ""
	for i := range z.nodes {
		n := &z.nodes[i]
		if !inZone(n.key, okey) {
			return fmt.Errorf("%w: %s is outside the zone %s", ErrZone, n.name, j.origin)
		}
		if cut != "" && len(n.key) > len(cut) && n.key[:len(cut)] == cut {
			j.cls[i] = clsOccluded
			st.Occluded++
			continue
		}
		cut = ""
		switch {
		case int32(i) == j.apex:
			j.cls[i] = clsApex
		case n.types&hasNS != 0:
			j.cls[i] = clsDeleg
			cut = n.key
			st.Delegations++
			if n.types&hasDS != 0 {
				st.SecureDelegations++
			}
		default:
			j.cls[i] = clsAuth
		}
		if n.types&hasSOA != 0 && int32(i) != j.apex {
			return fmt.Errorf("%w: SOA record at %s, which is not the apex %s", ErrZone, n.name, j.origin)
		}
		if n.types&hasDS != 0 && j.cls[i] != clsDeleg {
			return fmt.Errorf("%w: DS record at %s, which is not a delegation point", ErrZone, n.name)
		}
		if n.types&hasCDS != 0 && j.cls[i] != clsApex {
			return fmt.Errorf("%w: %s record at %s, which is not the apex %s (CDS and CDNSKEY are apex-only, RFC 7344 §3)",
				ErrZone, dns.Type(j.firstOf(n, dns.TypeCDS, dns.TypeCDNSKEY)), n.name, j.origin)
		}
		if n.types&hasDS != 0 {
			if err := j.checkDS(n); err != nil {
				return err
			}
		}
		if n.types&hasCNAME != 0 && n.types&^hasCNAME != 0 {
			return fmt.Errorf("%w: CNAME and other data at %s", ErrZone, n.name)
		}
		if n.types&hasDNAME != 0 && j.cls[i] != clsDeleg {
			cut = n.key
			if i+1 < len(z.nodes) && len(z.nodes[i+1].key) > len(cut) && z.nodes[i+1].key[:len(cut)] == cut && j.opts.Warn != nil {
				j.opts.Warn(fmt.Sprintf("zonesign: data below the DNAME at %s is occluded: written unsigned, not in the denial chain", n.name))
			}
		}
	}
	return nil
}

// firstOf returns the type of n's first record of one of the types.
func (j *job) firstOf(n *node, types ...uint16) uint16 {
	for _, r := range j.z.recs[n.start : n.start+n.n] {
		if slices.Contains(types, r.typ) {
			return r.typ
		}
	}
	return types[0]
}

// checkDS refuses a DS record at n whose digest has the wrong length for
// its digest type (SHA-1 20 octets, SHA-256 32, SHA-384 48); DS records of
// other digest types are let through, as validators ignore them (RFC 4035
// §5.2).
func (j *job) checkDS(n *node) error {
	for _, r := range j.z.recs[n.start : n.start+n.n] {
		if r.typ != dns.TypeDS {
			continue
		}
		rd := j.z.data.get(r.rdoff, r.rdlen)
		if len(rd) < 4 {
			return fmt.Errorf("%w: malformed DS record at %s", ErrZone, n.name)
		}
		if size := dsrecord.DigestSize(rd[3]); size != 0 && len(rd)-4 != size {
			return fmt.Errorf("%w: DS record %s %d %d %d %s has a digest of %d octets; digest type %d needs %d",
				ErrZone, n.name, binary.BigEndian.Uint16(rd), rd[2], rd[3], hexOrEmpty(rd[4:]), len(rd)-4, rd[3], size)
		}
	}
	return nil
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return "(no digest)"
	}
	return string(appendHexUpper(nil, b))
}

// checkForeignKey refuses a DNSKEY of the input that is no signing key but
// stays in the DNSKEY RRset (a pre-published key) when it cannot serve: a
// public key that does not decode, or an algorithm that no signing key
// has, as every algorithm in the DNSKEY RRset must sign the zone (RFC 4035
// §2.2, RFC 6840 §5.11). A key of a signing key's algorithm, a ZSK
// published ahead of a rollover say, is fine.
func (j *job) checkForeignKey(rd []byte) error {
	apex := j.z.nodes[j.apex].name
	if len(rd) < 4 {
		return fmt.Errorf("%w: malformed DNSKEY record at %s", ErrZone, apex)
	}
	tag, alg := keytag.FromRDATA(rd), rd[3]
	if !slices.ContainsFunc(j.opts.Keys, func(k *signer.Key) bool { return k.Algorithm() == alg }) {
		return fmt.Errorf("%w: DNSKEY %d (algorithm %d) at %s is not a signing key, and no signing key has algorithm %d: "+
			"every algorithm in the DNSKEY RRset must sign the zone (RFC 4035 §2.2, RFC 6840 §5.11); remove the key or sign with one of its algorithm",
			ErrZone, tag, alg, apex, alg)
	}
	if len(rd) == 4 {
		return fmt.Errorf("%w: DNSKEY %d (algorithm %d) at %s has an empty public key", ErrZone, tag, alg, apex)
	}
	if _, err := dnscrypto.ParsePublicKey(alg, rd[4:]); err != nil && !errors.Is(err, dnscrypto.ErrUnsupported) {
		return fmt.Errorf("%w: DNSKEY %d (algorithm %d) at %s has an unusable public key: %w", ErrZone, tag, alg, apex, err)
	}
	return nil
}

// checkCDS refuses the input's CDS and CDNSKEY records at the apex (kept
// when Options.PublishCDS is false) that match none of the zone's DNSKEYs
// (RFC 7344 §4.1), except for the delete forms of RFC 8078 §4: CDS
// 0 0 0 00 and CDNSKEY 0 3 0 AA==.
func (j *job) checkCDS(typ uint16, rd []byte, keys [][]byte) error {
	apex := j.z.nodes[j.apex].name
	if typ == dns.TypeCDNSKEY {
		if bytes.Equal(rd, []byte{0, 0, 3, 0, 0}) || slices.ContainsFunc(keys, func(k []byte) bool { return bytes.Equal(k, rd) }) {
			return nil
		}
		alg := byte(0)
		if len(rd) >= 4 {
			alg = rd[3]
		}
		return fmt.Errorf("%w: CDNSKEY %d (algorithm %d) at %s matches no DNSKEY of the zone (RFC 7344 §4.1; the delete form is CDNSKEY 0 3 0 AA==, RFC 8078 §4)",
			ErrZone, keytag.FromRDATA(rd), alg, apex)
	}
	if bytes.Equal(rd, []byte{0, 0, 0, 0, 0}) {
		return nil
	}
	hdr := dns.RR_Header{Name: j.origin, Rrtype: dns.TypeDS, Class: dns.ClassINET, Rdlength: uint16(len(rd))}
	rr, _, err := dns.UnpackRRWithHeader(hdr, rd, 0)
	ds, ok := rr.(*dns.DS)
	if err != nil || !ok {
		return fmt.Errorf("%w: malformed CDS record at %s", ErrZone, apex)
	}
	for _, k := range keys {
		khdr := dns.RR_Header{Name: j.origin, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Rdlength: uint16(len(k))}
		krr, _, err := dns.UnpackRRWithHeader(khdr, k, 0)
		if dk, ok := krr.(*dns.DNSKEY); err == nil && ok && dsrecord.Check(ds, dk) == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: CDS %d %d %d %s at %s matches no DNSKEY of the zone (RFC 7344 §4.1; the delete form is CDS 0 0 0 00, RFC 8078 §4)",
		ErrZone, ds.KeyTag, ds.Algorithm, ds.DigestType, hexOrEmpty(rd[4:]), apex)
}

// buildApex makes the apex RRsets: the input's records with the new SOA
// serial, the keys' DNSKEYs merged with the input's, CDS and CDNSKEY when
// asked, and NSEC3PARAM with NSEC3.
func (j *job) buildApex() error {
	z := j.z
	a := &z.nodes[j.apex]
	type keyRec struct {
		rd  []byte
		ksk bool
	}
	var ours []keyRec
	isKSK := map[*signer.Key]bool{}
	for _, k := range j.ksks {
		isKSK[k] = true
	}
	for _, k := range j.opts.Keys {
		rd, err := keytag.AppendRDATA(nil, k.DNSKEY())
		if err != nil {
			return fmt.Errorf("%w: key %d: %v", ErrOptions, k.KeyTag(), err)
		}
		ours = append(ours, keyRec{rd, isKSK[k]})
	}
	keys := make([][]byte, 0, len(ours)) // the DNSKEY RRset
	for _, o := range ours {
		keys = append(keys, o.rd)
	}
	var cds []rec // the input's CDS and CDNSKEY records, kept
	var soaTTL uint32
	dnskeyTTL := uint32(0)
	haveDNSKEY := false
	add := func(typ uint16, ttl uint32, rd []byte) error {
		off, err := j.ext.add(rd)
		if err != nil {
			return err
		}
		j.apexRecs = append(j.apexRecs, rec{node: j.apex, typ: typ, class: z.class, ttl: ttl, rdlen: uint16(len(rd)), rdoff: off})
		return nil
	}
	for k := a.start; k < a.start+a.n; k++ {
		r := z.recs[k]
		rd := z.data.get(r.rdoff, r.rdlen)
		switch r.typ {
		case dns.TypeSOA:
			soaTTL = r.ttl
			c := slices.Clone(rd)
			binary.BigEndian.PutUint32(c[soaSerialOffset(c):], j.serial)
			rd = c
		case dns.TypeDNSKEY:
			dnskeyTTL, haveDNSKEY = r.ttl, true
			if slices.ContainsFunc(ours, func(o keyRec) bool { return bytes.Equal(o.rd, rd) }) {
				continue // ours: added below
			}
			if err := j.checkForeignKey(rd); err != nil {
				return err
			}
			keys = append(keys, rd)
		case dns.TypeCDS, dns.TypeCDNSKEY:
			if j.opts.PublishCDS {
				continue
			}
			cds = append(cds, r)
		}
		if err := add(r.typ, r.ttl, rd); err != nil {
			return err
		}
	}
	for _, r := range cds {
		if err := j.checkCDS(r.typ, z.data.get(r.rdoff, r.rdlen), keys); err != nil {
			return err
		}
	}
	if !haveDNSKEY {
		dnskeyTTL = soaTTL
	}
	for _, o := range ours {
		if err := add(dns.TypeDNSKEY, dnskeyTTL, o.rd); err != nil {
			return err
		}
	}
	if j.opts.PublishCDS {
		for _, o := range ours {
			if !o.ksk {
				continue
			}
			if err := add(dns.TypeCDNSKEY, dnskeyTTL, o.rd); err != nil {
				return err
			}
			h := sha256.New()
			h.Write(j.originWire)
			h.Write(o.rd)
			cds := binary.BigEndian.AppendUint16(nil, keytag.FromRDATA(o.rd))
			cds = append(cds, o.rd[3], dns.SHA256)
			cds = h.Sum(cds)
			if err := add(dns.TypeCDS, dnskeyTTL, cds); err != nil {
				return err
			}
		}
	}
	if p := j.nsec3; p != nil {
		rd := []byte{dns.SHA1, 0, byte(p.Iterations >> 8), byte(p.Iterations), byte(len(p.Salt))}
		rd = append(rd, p.Salt...)
		if err := add(dns.TypeNSEC3PARAM, j.nsecTTL, rd); err != nil {
			return err
		}
	}
	// by type, the SOA first (where tools expect it)
	slices.SortStableFunc(j.apexRecs, func(a, b rec) int {
		return cmp.Or(cmp.Compare(soaFirst(a.typ), soaFirst(b.typ)), cmp.Compare(a.typ, b.typ))
	})
	return nil
}

// buildUnits lays out the output: the names in canonical order, the next
// name of each NSEC, and with NSEC3 the hashed chain (empty non-terminals
// included) merged into the order.
func (j *job) buildUnits(st *Stats) error {
	z := j.z
	inChain := func(i int) bool { return j.cls[i] != clsOccluded }
	j.units = make([]unit, 0, len(z.nodes)+len(z.nodes)/8)
	if j.nsec3 == nil {
		first, prev := -1, -1
		for i := range z.nodes {
			j.units = append(j.units, unit{kind: unitNode, idx: int32(i), next: -1})
			if !inChain(i) {
				continue
			}
			if prev >= 0 {
				j.units[prev].next = int32(i)
			} else {
				first = i
			}
			prev = len(j.units) - 1
		}
		j.units[prev].next = int32(first)
		return nil
	}

	// NSEC3: every name of the chain and every empty non-terminal
	p := j.nsec3
	okey := z.nodes[j.apex].key
	prevKey := ""
	for i := range z.nodes {
		if !inChain(i) {
			continue
		}
		n := &z.nodes[i]
		nl := strings.Count(n.key, "\x00")
		// empty non-terminals: ancestors below the apex that are not
		// ancestors of (or) the previous name of the chain
		m := 0
		for pos := 0; pos < len(n.key); pos++ {
			if n.key[pos] != 0 {
				continue
			}
			m++ // n.key[:pos+1] is the key of the suffix with m labels
			if pos+1 <= len(okey) || pos+1 == len(n.key) {
				continue
			}
			pk := n.key[:pos+1]
			if len(prevKey) >= len(pk) && prevKey[:len(pk)] == pk {
				continue
			}
			j.items = append(j.items, nsec3Item{node: int32(i), strip: uint8(nl - m)})
			st.EmptyNonTerminals++
		}
		prevKey = n.key
		if p.OptOut && j.cls[i] == clsDeleg && n.types&hasDS == 0 {
			continue
		}
		j.items = append(j.items, nsec3Item{node: int32(i)})
	}
	if err := j.hashItems(); err != nil {
		return err
	}
	slices.SortFunc(j.items, func(a, b nsec3Item) int { return bytes.Compare(a.hash[:], b.hash[:]) })
	for k := 1; k < len(j.items); k++ {
		if j.items[k].hash == j.items[k-1].hash {
			return fmt.Errorf("%w: NSEC3 hash collision between %s and %s; use another salt",
				ErrZone, j.itemName(j.items[k-1]), j.itemName(j.items[k]))
		}
	}
	// merge the names and the NSEC3 owners (hash.origin) in canonical order
	var kb []byte
	ni := 0
	for k := range j.items {
		kb = append(kb[:0], okey...)
		kb = b32.AppendEncode(kb, j.items[k].hash[:])
		kb = append(kb, 0)
		for ni < len(z.nodes) && z.nodes[ni].key <= string(kb) {
			j.units = append(j.units, unit{kind: unitNode, idx: int32(ni), next: -1})
			ni++
		}
		j.units = append(j.units, unit{kind: unitNSEC3, idx: int32(k), next: int32((k + 1) % len(j.items))})
	}
	for ; ni < len(z.nodes); ni++ {
		j.units = append(j.units, unit{kind: unitNode, idx: int32(ni), next: -1})
	}
	return nil
}

func (j *job) itemName(it nsec3Item) string {
	name := j.z.nodes[it.node].name
	if idx := dns.Split(name); int(it.strip) < len(idx) {
		return name[idx[it.strip]:]
	}
	return name
}

// hashItems computes the NSEC3 hashes of j.items, in parallel.
func (j *job) hashItems() error {
	workers := j.opts.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	per := max(1024, (len(j.items)+workers-1)/workers)
	var wg sync.WaitGroup
	errs := make([]error, (len(j.items)+per-1)/per)
	for c := range errs {
		items := j.items[c*per : min((c+1)*per, len(j.items))]
		wg.Go(func() {
			var (
				wire    [maxWire]byte
				scratch []byte
			)
			p := j.nsec3
			for i := range items {
				w, err := canonical.AppendName(wire[:0], j.z.nodes[items[i].node].name)
				if err != nil {
					errs[c] = fmt.Errorf("%w: %v", ErrZone, err)
					return
				}
				for range items[i].strip {
					w = w[1+int(w[0]):]
				}
				items[i].hash, scratch = nsec3Hash(scratch, w, p.Salt, p.Iterations)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// run signs the units in parallel and writes them in order.
func (j *job) run(ctx context.Context, w io.Writer, st *Stats) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := j.opts.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunkUnits = 64
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, 4*workers)
	free := make(chan buffers, 6*workers)

	go func() { // producer
		defer close(jobs)
		defer close(order)
		for lo := 0; lo < len(j.units); lo += chunkUnits {
			c := &chunk{lo: lo, hi: min(lo+chunkUnits, len(j.units)), done: make(chan struct{})}
			select {
			case b := <-free:
				c.buf, c.wire = b.text[:0], b.wire[:0]
			default:
			}
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			jobs <- c // workers drain jobs until it is closed
		}
	}()
	for range workers {
		go func() {
			wk := newWorker(j)
			for c := range jobs {
				if err := context.Cause(ctx); err != nil {
					c.err = err
				} else {
					c.err = wk.chunk(ctx, c)
					if c.err != nil {
						cancel(c.err)
					}
				}
				close(c.done)
			}
		}()
	}
	var first error
	for c := range order {
		<-c.done
		if first == nil && c.err != nil {
			first = c.err
		}
		if first == nil {
			if _, err := w.Write(c.buf); err != nil {
				first = fmt.Errorf("zonesign: write: %w", err)
				cancel(first)
			} else if j.val != nil {
				if err := feedWire(j.val, c.wire); err != nil {
					first = fmt.Errorf("zonesign: validate: %w", err)
					cancel(first)
				}
			}
			st.add(&c.st)
			if j.opts.Progress != nil {
				j.opts.Progress(c.hi, len(j.units))
			}
		}
		select {
		case free <- buffers{c.buf, c.wire}:
		default:
		}
	}
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx)
	}
	if first == nil {
		return nil
	}
	// a chunk cut short by another chunk's failure reports the cancellation;
	// report the failure itself
	if errors.Is(first, context.Canceled) {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			first = cause
		}
	}
	if !strings.HasPrefix(first.Error(), "zonesign: ") { // a bare context error
		return fmt.Errorf("zonesign: %w", first)
	}
	return first
}

// buffers are a chunk's buffers, reused.
type buffers struct{ text, wire []byte }

// chunk is a run of units signed by one worker.
type chunk struct {
	lo, hi int
	buf    []byte // the records in presentation format
	wire   []byte // the records for Options.Validator (appendWireRR)
	st     Stats
	err    error
	done   chan struct{}
}

func (s *Stats) add(d *Stats) {
	s.Records += d.Records
	s.RRsets += d.RRsets
	s.Signatures += d.Signatures
	s.KSKSigs += d.KSKSigs
	s.Presigned += d.Presigned
	s.Denial += d.Denial
	s.Dropped += d.Dropped
}

func soaFirst(t uint16) int {
	if t == dns.TypeSOA {
		return 0
	}
	return 1
}
