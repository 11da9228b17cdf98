//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package validate

// sysAlloc allocates size bytes on the heap (no anonymous mappings here).
func sysAlloc(size int) []byte { return make([]byte, size) }

// sysFree leaves the memory to the garbage collector.
func sysFree([]byte) {}
