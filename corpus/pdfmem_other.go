//go:build !linux

package corpus

import "github.com/tetratelabs/wazero/experimental"

// pdfMemoryAllocator gives each PDF engine instance its memory as a Go
// slice of the largest size it may grow to (PDFMemoryLimit), so that
// growing it never copies it.
func pdfMemoryAllocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		return &sliceMemory{max: max}
	})
}

// pdfStopping is called before an instance is stopped in the middle of a
// call; the function it returns is called once that call has returned.
// A Go slice needs nothing of the kind.
func pdfStopping() (returned func()) { return func() {} }
