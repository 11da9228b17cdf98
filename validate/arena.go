package validate

import "sync"

// arena holds the record chunks of one validation. On the systems of
// arena_mmap.go the chunks are mapped outside the Go heap: records are
// the bulk of the memory a zone needs and live until the end, and memory
// outside the heap does not count towards the garbage collector's heap
// goal, which would otherwise let the heap grow to twice the records
// before each collection. Elsewhere the chunks are ordinary slices.
//
// free releases every chunk; no slice of them may be used afterwards.
type arena struct {
	mu     sync.Mutex
	chunks [][]byte
}

// alloc returns a chunk of capacity size (and length 0).
func (a *arena) alloc(size int) []byte {
	b := sysAlloc(size)
	a.mu.Lock()
	a.chunks = append(a.chunks, b)
	a.mu.Unlock()
	return b[:0]
}

// free releases the chunks. It may be called more than once.
func (a *arena) free() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range a.chunks {
		sysFree(b)
	}
	a.chunks = nil
}
