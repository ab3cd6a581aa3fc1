package corpus

import "github.com/tetratelabs/wazero/experimental"

// pdfMemoryAllocator gives each PDF engine instance its memory as one Go
// slice with the capacity of the largest size it may grow to
// (PDFMemoryLimit), allocated when the instance starts: the system backs
// only the pages the engine touches, and growing never copies it. wazero's
// own growth copies the memory each time and leaves the old copies to the
// collector, which took an engine capped at 256 MiB past 1 GB. A Go slice
// rather than a mapping of its own: an instance stopped mid-call (Kill) has
// its memory freed while its code may still touch it.
func pdfMemoryAllocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		return &sliceMemory{max: max}
	})
}

// sliceMemory is a WebAssembly memory in a Go slice.
type sliceMemory struct {
	buf []byte
	max uint64
}

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if m.buf == nil {
		m.buf = make([]byte, 0, m.max)
	}
	return m.buf[:size]
}

func (m *sliceMemory) Free() { m.buf = nil }
