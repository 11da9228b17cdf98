package zonesign

import (
	"cmp"
	"context"
	"crypto/sha256"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// Speculative signing. Parsing a zone file is the one long part of a run
// that uses a single core. While SignFile parses, the other cores sign the
// RRsets of each name the parser has moved past, as the zone will most
// likely need them; the signatures are kept by a digest of the exact data
// signed. Signing proper looks each RRset's data up before calling the
// key: a hit saves the signature, a miss (the RRset grew later in the
// file, its TTLs were normalised, the name turned out to be glue) only
// costs the wasted signature. Output is the same either way.

// maxSpec bounds the signatures kept (about 180 bytes each with a
// P-256 key, 110 without hints).
const maxSpec = 3 << 20

type specCache struct {
	maps []*specMap
}

// specMap holds the signatures of one speculating goroutine: an index by
// the SHA-256 digest of the signed data into blocks of records (key
// index, signature length, hint length, signature, hint), so that a
// signature costs no allocation of its own.
type specMap struct {
	keys   []*signer.Key // Options.Keys
	idx    map[[sha256.Size]byte]uint32
	blocks [][]byte
}

// specBlock is the size of a specMap block; the index holds the block
// number above its low 20 bits and the offset in them.
const specBlock = 1 << 20

// specSig is a signature found in the cache.
type specSig struct {
	sig  []byte
	hint []byte // R = k·G from a batch signer, or nil
}

func newSpecMap(keys []*signer.Key) *specMap {
	return &specMap{keys: keys, idx: map[[sha256.Size]byte]uint32{}}
}

// put stores the signature by keys[ki] over the data of the digest.
func (m *specMap) put(digest [sha256.Size]byte, ki int, sig, hint []byte) {
	n := 4 + len(sig) + len(hint)
	if len(sig) > 0xffff || len(hint) > 0xff || ki < 0 || ki > 0xff || n > specBlock {
		return
	}
	if len(m.blocks) == 0 || len(m.blocks[len(m.blocks)-1])+n > specBlock {
		if len(m.blocks) == 1<<12 {
			return
		}
		m.blocks = append(m.blocks, make([]byte, 0, specBlock))
	}
	b := &m.blocks[len(m.blocks)-1]
	off := len(*b)
	*b = append(*b, byte(ki), byte(len(sig)>>8), byte(len(sig)), byte(len(hint)))
	*b = append(*b, sig...)
	*b = append(*b, hint...)
	m.idx[digest] = uint32(len(m.blocks)-1)<<20 | uint32(off)
}

// get returns the signature by k stored for the digest.
func (m *specMap) get(digest [sha256.Size]byte, k *signer.Key) (specSig, bool) {
	v, ok := m.idx[digest]
	if !ok {
		return specSig{}, false
	}
	b := m.blocks[v>>20][v&(specBlock-1):]
	if int(b[0]) >= len(m.keys) || m.keys[b[0]] != k {
		return specSig{}, false
	}
	sl, hl := int(b[1])<<8|int(b[2]), int(b[3])
	s := specSig{sig: b[4 : 4+sl : 4+sl]}
	if hl > 0 {
		s.hint = b[4+sl : 4+sl+hl : 4+sl+hl]
	}
	return s, true
}

// keyIndex returns the index of k in m.keys, or -1.
func (m *specMap) keyIndex(k *signer.Key) int {
	return slices.Index(m.keys, k)
}

// lookup returns the signature by k made in advance over the data whose
// SHA-256 digest is digest, or nil. A nil cache has none.
func (c *specCache) lookup(digest *[sha256.Size]byte, k *signer.Key) *specSig {
	if c == nil {
		return nil
	}
	for _, m := range c.maps {
		if s, ok := m.get(*digest, k); ok {
			return &s
		}
	}
	return nil
}

// specRun is one owner's run of records, copied out of the parser's zone.
type specRun struct {
	name string
	recs []rec
	data arena
}

// speculator signs runs while the zone is parsed.
type speculator struct {
	ctx     context.Context
	j       *job
	runs    chan *specRun
	stopped atomic.Bool
	failed  atomic.Bool // a key failed
	wg      sync.WaitGroup
	cache   specCache
	n       atomic.Int64
	cut     string // sort key of the last delegation fed (feed only)
}

// startSpeculation starts the speculative signers for opts, or returns nil
// when there is no spare core or the options are unusable (Sign will say
// why).
func startSpeculation(ctx context.Context, opts *Options) *speculator {
	workers := runtime.GOMAXPROCS(0)
	if opts.Concurrency > 0 {
		workers = min(workers, opts.Concurrency)
	}
	workers--
	if workers < 1 || len(opts.Keys) == 0 || slices.Contains(opts.Keys, nil) {
		return nil
	}
	j := &job{opts: opts}
	if err := j.setupSigning(); err != nil {
		return nil
	}
	w, err := canonical.AppendName(nil, opts.Keys[0].SignerName())
	if err != nil {
		return nil
	}
	j.originWire = w
	s := &speculator{ctx: ctx, j: j, runs: make(chan *specRun, 256)}
	s.cache.maps = make([]*specMap, workers)
	for i := range workers {
		m := newSpecMap(opts.Keys)
		s.cache.maps[i] = m
		s.wg.Add(1)
		go s.work(m)
	}
	return s
}

// feed offers the records z.recs[lo:hi] of one owner; it never blocks.
func (s *speculator) feed(z *Zone, lo, hi int) {
	if s.stopped.Load() || s.n.Load() >= maxSpec {
		return
	}
	// glue right after its delegation is not signed: skip it
	key := z.nodes[z.recs[lo].node].key
	if s.cut != "" && len(key) > len(s.cut) && key[:len(s.cut)] == s.cut {
		return
	}
	var flags typeFlags
	for _, x := range z.recs[lo:hi] {
		flags |= flagOf(x.typ)
	}
	s.cut = ""
	if flags&(hasNS|hasSOA) == hasNS {
		s.cut = key
	}
	r := &specRun{name: z.nodes[z.recs[lo].node].name, recs: slices.Clone(z.recs[lo:hi])}
	size := 0
	for _, x := range r.recs {
		size += int(x.rdlen)
	}
	if size > blockSize {
		return
	}
	buf := make([]byte, 0, size)
	for i := range r.recs {
		off := len(buf)
		buf = append(buf, z.data.get(r.recs[i].rdoff, r.recs[i].rdlen)...)
		r.recs[i].rdoff = uint32(off)
	}
	r.data.blocks = [][]byte{buf}
	select {
	case s.runs <- r:
	default: // the signers are behind: leave it to Sign
	}
}

// stop ends speculation and returns what was signed.
func (s *speculator) stop() *specCache {
	if s == nil {
		return nil
	}
	s.stopped.Store(true)
	close(s.runs)
	s.wg.Wait()
	return &s.cache
}

func (s *speculator) work(m *specMap) {
	defer s.wg.Done()
	wk := newWorker(s.j)
	for r := range s.runs {
		if s.stopped.Load() || s.ctx.Err() != nil {
			continue
		}
		if !wk.speculate(s, r, m) {
			s.failed.Store(true) // a key fails: Sign will report it
			s.stopped.Store(true)
		}
	}
	if !s.failed.Load() && s.ctx.Err() == nil {
		wk.specFlush(s, m)
	}
}

// specBatch is how many signatures a speculating worker queues for a
// batch key before signing them.
const specBatch = 64

// specFlush signs the queued digests of batch keys and stores the
// signatures in m. If that fails, speculation stops and Sign reports the
// error.
func (wk *worker) specFlush(s *speculator, m *specMap) {
	err := wk.flushKeys(s.ctx, func(p *pendingSig, sig *[64]byte, hint *[65]byte) {
		var h []byte
		if hint != nil {
			h = hint[:]
		}
		m.put(p.digest, m.keyIndex(p.key), sig[:], h)
	})
	if err != nil {
		s.failed.Store(true)
		s.stopped.Store(true)
	}
}

// speculate signs the RRsets of r as Sign would sign them at an
// authoritative name or a delegation (DS only). The apex and the key
// RRsets are left to Sign.
func (wk *worker) speculate(s *speculator, r *specRun, m *specMap) bool {
	var flags typeFlags
	for _, x := range r.recs {
		flags |= flagOf(x.typ)
	}
	if flags&hasSOA != 0 {
		return true
	}
	var err error
	if wk.owner, err = canonical.AppendName(wk.owner[:0], r.name); err != nil {
		return true
	}
	slices.SortStableFunc(r.recs, func(a, b rec) int { return cmp.Compare(a.typ, b.typ) })
	for i := 0; i < len(r.recs); {
		k := i + 1
		ttl := r.recs[i].ttl
		for k < len(r.recs) && r.recs[k].typ == r.recs[i].typ {
			ttl = min(ttl, r.recs[k].ttl)
			k++
		}
		rs := r.recs[i:k]
		i = k
		switch t := rs[0].typ; {
		case t == dns.TypeDNSKEY || t == dns.TypeCDS || t == dns.TypeCDNSKEY:
			continue
		case flags&hasNS != 0 && t != dns.TypeDS:
			continue
		}
		for x := range rs {
			rs[x].ttl = ttl
		}
		if _, err := wk.canon(r.name, rs, &r.data); err != nil {
			continue
		}
		labels, exp := wk.signedData(rs[0].typ, ttl)
		for _, key := range wk.j.zsks {
			sig, _, _, err := wk.sign(s.ctx, r.name, rs[0].typ, ttl, labels, exp, key)
			if err != nil {
				return false
			}
			if sig == nil { // a batch key
				wk.pend = append(wk.pend, pendingSig{key: key, digest: wk.digest, name: r.name, typ: rs[0].typ})
				if len(wk.pend) >= specBatch {
					wk.specFlush(s, m)
				}
			} else {
				m.put(sha256.Sum256(wk.data), m.keyIndex(key), sig, nil)
			}
			if s.n.Add(1) >= maxSpec {
				return true
			}
		}
	}
	return true
}
