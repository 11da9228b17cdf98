package online

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/miekg/dns"
)

const numShards = 64

// entry is a cached set of signatures over one RRset: one RRSIG per key,
// complete except for the owner name, which is set when the RRSIGs are
// copied into a response (the canonical RRset, and so the key, does not
// depend on the owner's case or on which name a wildcard was expanded
// for).
type entry struct {
	key  string
	sigs []dns.RRSIG
	// wire is a whole signed response (with ID 0), for entries of the
	// response cache.
	wire []byte
	// notBefore and refreshAt bound, in Unix nanoseconds, the times at
	// which the entry may be served: from the signatures' inception until
	// RefreshMargin before their expiration.
	notBefore, refreshAt int64
	size                 int
	prev, next           *entry
}

// mapSlotBytes is the average memory of one map entry (string key and
// pointer value, with the load factor and growth of Go's swiss tables).
const mapSlotBytes = 48

// perEntryOverhead is the memory of an entry besides its key, its RRSIG
// array and its signature strings: the struct and its map slot.
var perEntryOverhead = allocSize(int(unsafe.Sizeof(entry{}))) + mapSlotBytes

var rrsigSize = int(unsafe.Sizeof(dns.RRSIG{}))

// allocSize rounds n up to the size class the Go allocator uses for it
// (runtime/sizeclasses.go), so that the accounting matches the heap.
func allocSize(n int) int {
	classes := [...]int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
		288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048}
	for _, c := range classes {
		if n <= c {
			return c
		}
	}
	return (n + 255) &^ 255
}

func (e *entry) computeSize() {
	e.size = allocSize(len(e.key)) + perEntryOverhead + allocSize(rrsigSize*len(e.sigs))
	for i := range e.sigs {
		e.size += allocSize(len(e.sigs[i].Signature))
	}
	if e.wire != nil {
		e.size += allocSize(len(e.wire))
	}
}

func (e *entry) fresh(now int64) bool { return now >= e.notBefore && now < e.refreshAt }

type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

type shard struct {
	mu       sync.Mutex
	m        map[string]*entry
	inflight map[string]*flight
	lru      entry // sentinel: lru.next is the most recently used
	bytes    int64
	_        [64]byte // keep shards on separate cache lines
}

// cache is a sharded, size-bounded LRU of signature sets keyed by the
// canonical RRset bytes (prefixed with the signing parameters), with
// single-flight filling.
type cache struct {
	shards   [numShards]shard
	seed     maphash.Seed
	perShard int64
	bytes    atomic.Int64
	entries  atomic.Int64
	metrics  Metrics
}

func newCache(maxBytes int64, m Metrics) *cache {
	c := &cache{seed: maphash.MakeSeed(), perShard: max(maxBytes/numShards, 1), metrics: m}
	for i := range c.shards {
		s := &c.shards[i]
		s.m = make(map[string]*entry)
		s.inflight = make(map[string]*flight)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return c
}

func (s *shard) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (s *shard) pushFront(e *entry) {
	e.next, e.prev = s.lru.next, &s.lru
	s.lru.next.prev = e
	s.lru.next = e
}

func (c *cache) shardOf(key []byte) *shard {
	return &c.shards[maphash.Bytes(c.seed, key)%numShards]
}

// lookup returns the fresh entry for key at time now, if there is one.
func (c *cache) lookup(key []byte, now int64) *entry {
	s := c.shardOf(key)
	s.mu.Lock()
	e := s.m[string(key)]
	if e != nil && e.fresh(now) {
		if s.lru.next != e {
			s.unlink(e)
			s.pushFront(e)
		}
	} else {
		e = nil
	}
	s.mu.Unlock()
	return e
}

// get returns the fresh entry for key at time now, calling fill to make it
// when there is none. Concurrent gets of the same missing key call fill
// once; the others wait for its result. fill runs without locks held.
func (c *cache) get(key []byte, now int64, fill func() (*entry, error)) (*entry, bool, error) {
	s := c.shardOf(key)
	s.mu.Lock()
	if e := s.m[string(key)]; e != nil && e.fresh(now) {
		if s.lru.next != e {
			s.unlink(e)
			s.pushFront(e)
		}
		s.mu.Unlock()
		return e, true, nil
	}
	if f := s.inflight[string(key)]; f != nil {
		s.mu.Unlock()
		<-f.done
		return f.e, false, f.err
	}
	k := string(key)
	f := &flight{done: make(chan struct{})}
	s.inflight[k] = f
	s.mu.Unlock()

	e, err := fill()

	s.mu.Lock()
	delete(s.inflight, k)
	if err == nil {
		c.insert(s, k, e)
	}
	s.mu.Unlock()
	f.e, f.err = e, err
	close(f.done)
	return e, false, err
}

// put stores e under key, replacing any entry.
func (c *cache) put(key []byte, e *entry) {
	s := c.shardOf(key)
	k := string(key)
	s.mu.Lock()
	c.insert(s, k, e)
	s.mu.Unlock()
}

// insert adds e to s under k and evicts least recently used entries until
// the shard is within its bound; s.mu must be held.
func (c *cache) insert(s *shard, k string, e *entry) {
	e.key = k
	e.computeSize()
	if old := s.m[k]; old != nil {
		s.remove(c, old)
	}
	s.m[k] = e
	s.pushFront(e)
	s.bytes += int64(e.size)
	c.bytes.Add(int64(e.size))
	c.entries.Add(1)
	for s.bytes > c.perShard && s.lru.prev != e {
		victim := s.lru.prev
		s.remove(c, victim)
		c.metrics.Evicted(victim.size)
	}
}

// remove deletes e from the shard; s.mu must be held.
func (s *shard) remove(c *cache, e *entry) {
	delete(s.m, e.key)
	s.unlink(e)
	s.bytes -= int64(e.size)
	c.bytes.Add(-int64(e.size))
	c.entries.Add(-1)
}

// CacheStats describes the signature cache of a Handler.
type CacheStats struct {
	// Entries is the number of cached signature sets.
	Entries int64
	// Bytes is the memory the cache accounts for its entries (see
	// Options.CacheBytes).
	Bytes int64
	// Limit is the memory bound.
	Limit int64
}

func (c *cache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	return CacheStats{Entries: c.entries.Load(), Bytes: c.bytes.Load(), Limit: c.perShard * numShards}
}
