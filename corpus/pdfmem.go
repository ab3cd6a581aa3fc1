package corpus

// sliceMemory is a WebAssembly memory in a Go slice, allocated at its
// largest size when first used.
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
