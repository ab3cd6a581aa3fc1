// Package indexfile owns the saved index: the file format (with its checks),
// reading and writing it atomically, building or updating one from a folder of
// readings, and opening it as a retrieval.Index without embedding anything
// again. It reads folders through package corpus and embeds through package
// embed; searching is retrieval's.
package indexfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"time"

	"github.com/footnote-bot/footnote/corpus"
)

// An index file holds a Saved index: everything needed to search a corpus
// without reading or embedding it again. Its layout, integers little-endian:
//
//	magic         8 bytes  "FNOTEIDX"
//	format        uint32   IndexFormat
//	header size   uint32   H
//	body size     uint64   B
//	vectors size  uint64   V = passages × dim × 4
//	header        H bytes  JSON: embedder, dim, created, builder, root, counts
//	body          B bytes  gob: documents, passages, source files
//	vectors       V bytes  float32 × dim for each passage, in passage order
//	checksum      uint32   CRC-32C (Castagnoli) of every byte before it
//
// The body is gob so that the fields of corpus.Document and corpus.Passage
// travel by name: a field added to them is saved without a change here, and a
// file that lacks it loads with the zero value. A passage's Text is not stored
// when it is its document's bytes [Start,End), as it always should be; it is
// sliced from the document on load, which halves the file and the memory.
// The lexical index is not stored: it is rebuilt on load (see NewFromSaved).
const (
	indexMagic = "FNOTEIDX"
	// IndexFormat is the version of the index file layout this package writes
	// and the only one it reads. Change it with any change to the layout or to
	// what the header and body hold.
	IndexFormat = 1

	prefixSize    = 8 + 4 + 4 + 8 + 8
	checksumSize  = 4
	maxHeaderSize = 1 << 20
)

// Errors of ReadIndexFile, wrapped with the file's name and the details.
var (
	// ErrNotIndexFile means the file does not start as an index file does.
	ErrNotIndexFile = errors.New("not a Footnote index file")
	// ErrIndexVersion means the file is an index of another format version,
	// or one whose contents this version of Footnote cannot decode.
	ErrIndexVersion = errors.New("made by a different version of Footnote")
	// ErrIndexDamaged means the file is truncated or fails its checksum.
	ErrIndexDamaged = errors.New("damaged")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Saved is an index as an index file holds it: the documents and passages of
// a corpus, the passages' vectors, and the files they were read from.
// Build makes one from a folder; NewFromSaved makes a searchable Index of it.
type Saved struct {
	// Embedder names the embedder that made Vectors (see Options.Embedder).
	Embedder string
	// Dim is the length of every vector.
	Dim int
	// Created is when the build that made the index started: the size and
	// time of every file in Files were read after it.
	Created time.Time
	// Builder names the program that parsed the files, e.g. "footnote
	// v1.2.0"; Build parses every file again when it differs.
	Builder string
	// Root is the folder the files were read from.
	Root string
	// Docs are the documents, in path order.
	Docs []corpus.Document
	// Passages are the passages of Docs, in document order.
	Passages []corpus.Passage
	// Vectors[i] is the vector of Passages[i]: of unit length, or zero for a
	// passage with nothing to embed. Vectors must not be modified.
	Vectors [][]float32
	// Files are the files Build found, in path order, skipped ones included.
	Files []SourceFile
	// Manifests are the folder's manifest files (see corpus.ManifestNames).
	Manifests []SourceFile
}

// SourceFile is a file an index was built from, as it was when read.
type SourceFile struct {
	// Path is slash-separated and relative to Saved.Root, as Document.Path.
	Path    string
	Size    int64
	ModTime time.Time
	// SHA256 is the hash of the file's bytes; zero when they were not all read
	// (a file skipped for its size).
	SHA256 [32]byte
	// Skipped says why the file is not in the index; "" when it is.
	Skipped string
}

// header is the JSON header of an index file.
type header struct {
	Embedder string    `json:"embedder"`
	Dim      int       `json:"dim"`
	Created  time.Time `json:"created"`
	Builder  string    `json:"builder"`
	Root     string    `json:"root"`
	Docs     int       `json:"docs"`
	Passages int       `json:"passages"`
	Files    int       `json:"files"`
}

// body is the gob body of an index file. Passages have no Text when it is
// the document's bytes; Texts holds the others' by passage index.
type body struct {
	Docs      []corpus.Document
	Passages  []corpus.Passage
	Texts     map[int]string
	Files     []SourceFile
	Manifests []SourceFile
}

// check reports whether s is consistent enough to be written and searched.
func (s *Saved) check() error {
	if s.Embedder == "" {
		return errors.New("the embedder has no name")
	}
	if len(s.Vectors) != len(s.Passages) {
		return fmt.Errorf("%d vectors for %d passages", len(s.Vectors), len(s.Passages))
	}
	if s.Dim <= 0 && len(s.Passages) > 0 {
		return fmt.Errorf("vectors of %d dimensions", s.Dim)
	}
	for i, v := range s.Vectors {
		if len(v) != s.Dim {
			return fmt.Errorf("passage %d has a vector of %d dimensions, not %d", i, len(v), s.Dim)
		}
	}
	return nil
}

// encodeIndex writes s in the index file format.
func encodeIndex(w io.Writer, s *Saved) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("cannot save index: %w", err)
	}
	h, err := json.Marshal(header{Embedder: s.Embedder, Dim: s.Dim, Created: s.Created, Builder: s.Builder,
		Root: s.Root, Docs: len(s.Docs), Passages: len(s.Passages), Files: len(s.Files)})
	if err != nil {
		return fmt.Errorf("encode index header: %w", err)
	}
	texts := make(map[string]string, len(s.Docs))
	for _, d := range s.Docs {
		texts[d.Path] = d.Text
	}
	b := body{Docs: s.Docs, Passages: make([]corpus.Passage, len(s.Passages)), Files: s.Files, Manifests: s.Manifests}
	for i, p := range s.Passages {
		if t, ok := texts[p.Doc]; !ok || p.Start < 0 || p.Start > p.End || p.End > len(t) || t[p.Start:p.End] != p.Text {
			if b.Texts == nil {
				b.Texts = map[int]string{}
			}
			b.Texts[i] = p.Text
		}
		p.Text = ""
		b.Passages[i] = p
	}
	var gb bytes.Buffer
	if err := gob.NewEncoder(&gb).Encode(&b); err != nil {
		return fmt.Errorf("encode index body: %w", err)
	}

	crc := crc32.New(castagnoli)
	out := io.MultiWriter(w, crc)
	var prefix [prefixSize]byte
	copy(prefix[:8], indexMagic)
	binary.LittleEndian.PutUint32(prefix[8:], IndexFormat)
	binary.LittleEndian.PutUint32(prefix[12:], uint32(len(h)))
	binary.LittleEndian.PutUint64(prefix[16:], uint64(gb.Len()))
	binary.LittleEndian.PutUint64(prefix[24:], uint64(len(s.Passages)*s.Dim*4))
	for _, part := range [][]byte{prefix[:], h, gb.Bytes()} {
		if _, err := out.Write(part); err != nil {
			return err
		}
	}
	buf := make([]byte, 0, 1<<16)
	for _, v := range s.Vectors {
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		if len(buf) >= 1<<16-4*s.Dim {
			if _, err := out.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := out.Write(buf); err != nil {
		return err
	}
	_, err = w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// WriteIndexFile writes s to the index file at path atomically: to a new
// file in the same folder, synced, then renamed over path. A crash or an error
// at any moment leaves either the old file or the new one at path, whole. A
// new file gets the old one's permissions, or 0666 less the umask. Temporary
// files that a crash left behind are named ".NAME.tmp-*"; the next write
// removes those more than ten minutes old.
func WriteIndexFile(path string, s *Saved) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("cannot save index: %w", err)
	}
	return writeAtomic(path, func(w io.Writer) error { return encodeIndex(w, s) })
}

// ReadIndexFile reads the index file at path. A file that is not an index
// file (ErrNotIndexFile), of another format (ErrIndexVersion), truncated or
// failing its checksum (ErrIndexDamaged) is refused, with an error that names
// the file; the file is only read, never changed.
func ReadIndexFile(path string) (*Saved, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("index file %s: is a directory", path)
	}
	s, err := decodeIndex(bufio.NewReaderSize(f, 1<<20), info.Size())
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	return s, nil
}

// countingReader feeds what it reads to a checksum and counts it.
type countingReader struct {
	r   io.Reader
	crc hash.Hash32
	n   int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// decodeIndex reads an index file of size bytes from r. Every refusal wraps
// ErrNotIndexFile, ErrIndexVersion or ErrIndexDamaged.
func decodeIndex(r io.Reader, size int64) (*Saved, error) {
	cr := &countingReader{r: r, crc: crc32.New(castagnoli)}
	var prefix [prefixSize]byte
	n, err := io.ReadFull(cr, prefix[:])
	if n < len(indexMagic) {
		if string(prefix[:n]) != indexMagic[:n] {
			return nil, ErrNotIndexFile
		}
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrIndexDamaged, n)
	}
	if string(prefix[:8]) != indexMagic {
		return nil, ErrNotIndexFile
	}
	if err != nil {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrIndexDamaged, n)
	}
	if v := binary.LittleEndian.Uint32(prefix[8:]); v != IndexFormat {
		return nil, fmt.Errorf("%w (index format %d; this one reads format %d)", ErrIndexVersion, v, IndexFormat)
	}
	hSize := int64(binary.LittleEndian.Uint32(prefix[12:]))
	bSize := binary.LittleEndian.Uint64(prefix[16:])
	vSize := binary.LittleEndian.Uint64(prefix[24:])
	if hSize > maxHeaderSize || bSize > 1<<50 || vSize > 1<<50 {
		return nil, fmt.Errorf("%w: impossible section sizes", ErrIndexDamaged)
	}
	want := prefixSize + hSize + int64(bSize) + int64(vSize) + checksumSize
	switch {
	case size >= 0 && size < want:
		return nil, fmt.Errorf("%w: truncated (%d of %d bytes)", ErrIndexDamaged, size, want)
	case size > want:
		return nil, fmt.Errorf("%w: %d bytes after the end of the index", ErrIndexDamaged, size-want)
	}

	// Decoding errors are held until the checksum says whether the bytes
	// are damaged or were written by something this code does not understand.
	var decodeErr error
	s := &Saved{}
	hb := make([]byte, hSize)
	if _, err := io.ReadFull(cr, hb); err != nil {
		return nil, truncated(cr, want)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		decodeErr = fmt.Errorf("header: %w", err)
	} else if h.Dim < 0 || h.Passages < 0 || h.Dim == 0 && h.Passages > 0 || uint64(h.Passages)*uint64(h.Dim)*4 != vSize {
		decodeErr = fmt.Errorf("header: %d passages of %d dimensions in %d bytes of vectors", h.Passages, h.Dim, vSize)
	}
	s.Embedder, s.Dim, s.Created, s.Builder, s.Root = h.Embedder, h.Dim, h.Created, h.Builder, h.Root

	bodyReader := io.LimitReader(cr, int64(bSize))
	var b body
	if decodeErr == nil {
		if err := gob.NewDecoder(bodyReader).Decode(&b); err != nil {
			if cr.n < prefixSize+hSize+int64(bSize) && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, truncated(cr, want)
			}
			decodeErr = fmt.Errorf("body: %w", err)
		}
	}
	if _, err := io.Copy(io.Discard, bodyReader); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIndexDamaged, err)
	}
	if cr.n != prefixSize+hSize+int64(bSize) {
		return nil, truncated(cr, want)
	}

	if decodeErr == nil {
		s.Vectors, err = readVectors(cr, h.Passages, h.Dim)
		if err != nil {
			return nil, truncated(cr, want)
		}
	} else if _, err := io.CopyN(io.Discard, cr, int64(vSize)); err != nil {
		return nil, truncated(cr, want)
	}
	sum := cr.crc.Sum32()
	var tail [checksumSize]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return nil, truncated(cr, want)
	}
	if binary.LittleEndian.Uint32(tail[:]) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrIndexDamaged)
	}
	if size < 0 {
		if n, _ := r.Read(tail[:1]); n > 0 {
			return nil, fmt.Errorf("%w: bytes after the end of the index", ErrIndexDamaged)
		}
	}
	if decodeErr == nil {
		decodeErr = s.fill(h, b)
	}
	if decodeErr != nil {
		// The checksum is right: the writer meant these bytes.
		return nil, fmt.Errorf("%w (%v)", ErrIndexVersion, decodeErr)
	}
	return s, nil
}

// truncated is the error for an index file that ended early.
func truncated(cr *countingReader, want int64) error {
	return fmt.Errorf("%w: truncated (%d of %d bytes)", ErrIndexDamaged, cr.n, want)
}

// readVectors reads n rows of dim float32s, as one allocation.
func readVectors(r io.Reader, n, dim int) ([][]float32, error) {
	flat := make([]float32, n*dim)
	buf := make([]byte, 1<<16)
	for at := 0; at < len(flat); {
		m := min(len(buf)/4, len(flat)-at)
		if _, err := io.ReadFull(r, buf[:4*m]); err != nil {
			return nil, err
		}
		for i := range m {
			flat[at+i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		at += m
	}
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return rows, nil
}

// fill sets the documents, passages and files of s from a decoded body,
// restoring passage texts from their documents.
func (s *Saved) fill(h header, b body) error {
	if len(b.Docs) != h.Docs || len(b.Passages) != h.Passages || len(b.Files) != h.Files {
		return fmt.Errorf("the header counts %d documents, %d passages and %d files; the body holds %d, %d and %d",
			h.Docs, h.Passages, h.Files, len(b.Docs), len(b.Passages), len(b.Files))
	}
	texts := make(map[string]string, len(b.Docs))
	for _, d := range b.Docs {
		texts[d.Path] = d.Text
	}
	for i := range b.Passages {
		p := &b.Passages[i]
		if t, ok := b.Texts[i]; ok {
			p.Text = t
			continue
		}
		t, ok := texts[p.Doc]
		if !ok || p.Start < 0 || p.Start > p.End || p.End > len(t) {
			return fmt.Errorf("passage %s lies outside its document", p.ID())
		}
		p.Text = t[p.Start:p.End]
	}
	s.Docs, s.Passages, s.Files, s.Manifests = b.Docs, b.Passages, b.Files, b.Manifests
	return nil
}
