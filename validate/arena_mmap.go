//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package validate

import "syscall"

// sysAlloc maps size bytes of anonymous memory, or falls back to the heap
// when the mapping fails.
func sysAlloc(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, size)
	}
	return b
}

// sysFree unmaps memory from sysAlloc (a heap fallback is left to the
// garbage collector: Munmap refuses memory it did not map).
func sysFree(b []byte) { _ = syscall.Munmap(b) }
