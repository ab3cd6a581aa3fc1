//go:build linux

package corpus

import (
	"sync"
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// pdfMemoryAllocator gives each PDF engine instance its memory as an
// anonymous mapping of the largest size it may grow to (PDFMemoryLimit),
// outside Go's heap: the system backs only the pages the engine touches,
// growing never copies it, and the pages go back to the system as soon as
// the instance is closed. (wazero's own growth copies the memory each time
// and leaves the old copies to the collector, which took an engine capped
// at 256 MiB past 1 GB; a Go slice allocated at its largest size is zeroed,
// all of it, when the collector hands back memory it used before.)
func pdfMemoryAllocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			return &sliceMemory{max: max}
		}
		return &mappedMemory{buf: b}
	})
}

// mappedMemory is a WebAssembly memory in a mapping of its largest size.
// An instance stopped in the middle of a call (Kill) frees its memory while
// the call may still grow it: mu orders the two.
type mappedMemory struct {
	mu  sync.Mutex
	buf []byte
}

func (m *mappedMemory) Reallocate(size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if size > uint64(len(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

// mappings tracks instances stopped in the middle of a call (Kill): their
// code may still run for a moment after their memory is freed, so while
// one does, freed mappings are emptied (their pages go back to the system;
// reading them gives zeros) but kept, and unmapped once none does.
var mappings struct {
	sync.Mutex
	stopping int
	freed    [][]byte
}

func (m *mappedMemory) Free() {
	m.mu.Lock()
	defer m.mu.Unlock()
	mappings.Lock()
	defer mappings.Unlock()
	if m.buf == nil {
		return
	}
	if mappings.stopping > 0 {
		syscall.Madvise(m.buf, syscall.MADV_DONTNEED)
		mappings.freed = append(mappings.freed, m.buf)
	} else {
		syscall.Munmap(m.buf)
	}
	m.buf = nil
}

// pdfStopping is called before an instance is stopped in the middle of a
// call; the function it returns is called once that call has returned.
func pdfStopping() (returned func()) {
	mappings.Lock()
	mappings.stopping++
	mappings.Unlock()
	return func() {
		mappings.Lock()
		defer mappings.Unlock()
		if mappings.stopping--; mappings.stopping == 0 {
			for _, b := range mappings.freed {
				syscall.Munmap(b)
			}
			mappings.freed = nil
		}
	}
}
