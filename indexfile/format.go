// Package indexfile owns the saved index: the file format (with its checks),
// reading and writing it atomically, building or updating one from a folder of
// readings, and opening it as a retrieval.Index without embedding anything
// again. It reads folders through package corpus and embeds through package
// embed; searching is retrieval's.
package indexfile

import (
	"bufio"
	"bytes"
	"context"
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
	"runtime"
	"time"
	"unsafe"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/retrieval"
)

// An index file holds a Saved index: everything needed to search a corpus
// without reading, embedding or analysing it again. Its layout, integers
// little-endian:
//
//	magic          8 bytes  "FNOTEIDX"
//	format         uint32   IndexFormat
//	header size    uint32   H
//	body size      uint64   B
//	passages size  uint64   A
//	texts size     uint64   T
//	postings size  uint64   P
//	vectors size   uint64   V = passages × dim × 4 (0 for a lexical-only index)
//	header         H bytes  JSON: embedder, dim, created, builder, root, counts
//	body           B bytes  gob: documents (without their text), each
//	                        document's text length, the texts of passages
//	                        that are not slices of their document's, source
//	                        files
//	passages       A bytes  the passages (without their text), see
//	                        appendPassages
//	texts          T bytes  the documents' texts, UTF-8, one after the other
//	padding        0-3 zero bytes, so that postings start at a multiple of 4
//	postings       P bytes  the lexical index (retrieval.Postings): uint32s
//	                        Start (terms+1), Lengths (passages), each term's
//	                        length in bytes (terms); then the terms' bytes,
//	                        padded with zeros to 4; then Data (packed
//	                        postings), padded with zeros to 4
//	vectors        V bytes  float32 × dim for each passage, in passage order
//	checksum       uint32   CRC-32C (Castagnoli) of every byte before it
//
// Every size and count is checked against the file's length before anything
// is allocated for it. The body is gob so that the fields of corpus.Document
// travel by name: a field added to them is saved without a change here, and a
// file that lacks it loads with the zero value. The passages, a hundred times
// as many, are not: decoding them from gob was a third of the time a
// lexical-only index of 100,000 passages took to load (see README,
// "Performance"); they are varints, and a field added to corpus.Passage needs
// a new format (TestPassageFields fails until it has one). A passage's
// Text is not stored when it is its document's bytes [Start,End), as it always
// should be; it is sliced from the document on load, which halves the file and
// the memory. The documents' texts, most of a lexical-only index, are not in
// the gob: they, the postings and the vectors are read straight into the
// memory that serves searches (the vectors become the chromem-go documents'
// embeddings), where gob would read the body into a buffer grown 10 MB at a
// time and then copy each string out of it (loading 100k passages allocated
// 3.5 times the body's size that way).
//
// Formats 2 and 3 are still read: format 3 had the passages in the gob body
// and no passages section, and its postings were two uint32s each (after
// Start: Docs and TFs, as many as the header's "postings", before Lengths),
// packed on load; format 2 had no texts section either (the documents' texts
// were in the gob).
//
// A lexical-only index (built when no embedding model is configured, see
// BuildOptions.Lexical) has embedder NoEmbedder, dim 0 and an empty vectors
// section: its passages, their texts and postings are all it holds.
// Lexical-only indexes came with format 3; a Footnote that reads format 2 only
// refuses them as made by a different version.
const (
	indexMagic = "FNOTEIDX"
	// IndexFormat is the version of the index file layout this package writes
	// and the only one it reads. Change it with any change to the layout or to
	// what the header and body hold.
	IndexFormat = 4

	prefixSize    = 8 + 4 + 4 + 8 + 8 + 8 + 8 + 8
	prefixSizeV3  = prefixSize - 8   // format 3 had no passages size
	prefixSizeV2  = prefixSizeV3 - 8 // format 2 had no texts size either
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

// NoEmbedder is the Saved.Embedder (and header "embedder") of a lexical-only
// index: one with no vectors, for lexical search alone.
const NoEmbedder = "none"

// Saved is an index as an index file holds it: the documents and passages of
// a corpus, the passages' vectors, and the files they were read from.
// Build makes one from a folder; NewFromSaved makes a searchable Index of it.
type Saved struct {
	// Embedder names the embedder that made Vectors (see Options.Embedder),
	// or is NoEmbedder for a lexical-only index, which has no Vectors.
	Embedder string
	// Dim is the length of every vector; 0 for a lexical-only index.
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
	// passage with nothing to embed; nil for a lexical-only index. Vectors
	// must not be modified.
	Vectors [][]float32
	// Postings is the passages' lexical index; nil means NewFromSaved
	// analyses the passages again. It must not be modified.
	Postings *retrieval.Postings
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
	// Terms counts the lexical index's terms and TermBytes is the length
	// of its terms together; PostingBytes is the length of its packed
	// postings (since format 4), Postings their number (before format 4,
	// the number of uint32 pairs).
	Terms        int `json:"terms"`
	Postings     int `json:"postings"`
	TermBytes    int `json:"term_bytes"`
	PostingBytes int `json:"posting_bytes,omitempty"`
}

// body is the gob body of an index file. Passages have no Text when it is
// the document's bytes; Texts holds the others' by passage index. Since
// format 4 the passages are in their own section, not here.
type body struct {
	// Docs have no Text (since format 3); TextLens[i] is the length of
	// Docs[i]'s, in the texts section.
	Docs      []corpus.Document
	TextLens  []int
	Passages  []corpus.Passage
	Texts     map[int]string
	Files     []SourceFile
	Manifests []SourceFile
}

// check reports whether s is consistent enough to be written and searched.
func (s *Saved) check() error {
	if err := s.checkVectors(); err != nil {
		return err
	}
	if s.Postings != nil {
		if err := s.Postings.Check(len(s.Passages)); err != nil {
			return err
		}
	}
	return nil
}

// checkVectors is check without the postings', which retrieval.New does.
func (s *Saved) checkVectors() error {
	if s.Embedder == "" {
		return errors.New("the embedder has no name")
	}
	if s.Lexical() {
		if s.Dim != 0 || len(s.Vectors) != 0 {
			return fmt.Errorf("a lexical-only index with %d vectors of %d dimensions", len(s.Vectors), s.Dim)
		}
	} else if len(s.Vectors) != len(s.Passages) {
		return fmt.Errorf("%d vectors for %d passages", len(s.Vectors), len(s.Passages))
	} else if s.Dim <= 0 && len(s.Passages) > 0 {
		return fmt.Errorf("vectors of %d dimensions", s.Dim)
	}
	for i, v := range s.Vectors {
		if len(v) != s.Dim {
			return fmt.Errorf("passage %d has a vector of %d dimensions, not %d", i, len(v), s.Dim)
		}
	}
	return nil
}

// Lexical reports whether s is a lexical-only index: one without vectors,
// made with no embedder (NoEmbedder).
func (s *Saved) Lexical() bool { return s.Embedder == NoEmbedder }

// postingsSize is the size in bytes of the postings section of p.
func postingsSize(p *retrieval.Postings) (n uint64, termBytes int) {
	for _, t := range p.Terms {
		termBytes += len(t)
	}
	words := len(p.Start) + len(p.Lengths) + len(p.Terms)
	return uint64(4*words + pad4(termBytes) + pad4(len(p.Data))), termBytes
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// encodeIndex writes s in the index file format. An s without Postings gets
// them made.
func encodeIndex(w io.Writer, s *Saved) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("cannot save index: %w", err)
	}
	post := s.Postings
	if post == nil {
		var err error
		if post, err = retrieval.NewPostings(context.Background(), s.Passages); err != nil {
			return fmt.Errorf("cannot save index: %w", err)
		}
	}
	pSize, termBytes := postingsSize(post)
	h, err := json.Marshal(header{Embedder: s.Embedder, Dim: s.Dim, Created: s.Created, Builder: s.Builder,
		Root: s.Root, Docs: len(s.Docs), Passages: len(s.Passages), Files: len(s.Files),
		Terms: len(post.Terms), TermBytes: termBytes, PostingBytes: len(post.Data)})
	if err != nil {
		return fmt.Errorf("encode index header: %w", err)
	}
	texts := make(map[string]string, len(s.Docs))
	for _, d := range s.Docs {
		texts[d.Path] = d.Text
	}
	b := body{Docs: make([]corpus.Document, len(s.Docs)), TextLens: make([]int, len(s.Docs)),
		Files: s.Files, Manifests: s.Manifests}
	textBytes := 0
	for i, d := range s.Docs {
		b.TextLens[i] = len(d.Text)
		textBytes += len(d.Text)
		d.Text = ""
		b.Docs[i] = d
	}
	for i, p := range s.Passages {
		if t, ok := texts[p.Doc]; !ok || p.Start < 0 || p.Start > p.End || p.End > len(t) || t[p.Start:p.End] != p.Text {
			if b.Texts == nil {
				b.Texts = map[int]string{}
			}
			b.Texts[i] = p.Text
		}
	}
	var gb bytes.Buffer
	if err := gob.NewEncoder(&gb).Encode(&b); err != nil {
		return fmt.Errorf("encode index body: %w", err)
	}
	pb := appendPassages(nil, s.Docs, s.Passages)

	crc := crc32.New(castagnoli)
	out := io.MultiWriter(w, crc)
	var prefix [prefixSize]byte
	copy(prefix[:8], indexMagic)
	binary.LittleEndian.PutUint32(prefix[8:], IndexFormat)
	binary.LittleEndian.PutUint32(prefix[12:], uint32(len(h)))
	binary.LittleEndian.PutUint64(prefix[16:], uint64(gb.Len()))
	binary.LittleEndian.PutUint64(prefix[24:], uint64(len(pb)))
	binary.LittleEndian.PutUint64(prefix[32:], uint64(textBytes))
	binary.LittleEndian.PutUint64(prefix[40:], pSize)
	binary.LittleEndian.PutUint64(prefix[48:], uint64(len(s.Passages)*s.Dim*4))
	for _, part := range [][]byte{prefix[:], h, gb.Bytes(), pb} {
		if _, err := out.Write(part); err != nil {
			return err
		}
	}
	bw := &wordWriter{w: out, buf: make([]byte, 0, 1<<16)}
	for _, d := range s.Docs {
		bw.bytes([]byte(d.Text))
	}
	n := len(h) + gb.Len() + len(pb) + textBytes
	bw.bytes(make([]byte, pad4(n)-n))
	for _, u := range [][]uint32{post.Start, post.Lengths} {
		bw.uint32s(u)
	}
	for _, t := range post.Terms {
		bw.word(uint32(len(t)))
	}
	for _, t := range post.Terms {
		bw.bytes([]byte(t))
	}
	bw.bytes(make([]byte, pad4(termBytes)-termBytes))
	bw.bytes(post.Data)
	bw.bytes(make([]byte, pad4(len(post.Data))-len(post.Data)))
	for _, v := range s.Vectors {
		for _, x := range v {
			bw.word(math.Float32bits(x))
		}
	}
	if err := bw.flush(); err != nil {
		return err
	}
	_, err = w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// wordWriter writes little-endian words through a buffer, keeping the first
// error.
type wordWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (b *wordWriter) word(u uint32) {
	b.buf = binary.LittleEndian.AppendUint32(b.buf, u)
	if len(b.buf) >= cap(b.buf)-4 {
		b.flush()
	}
}

func (b *wordWriter) uint32s(us []uint32) {
	for _, u := range us {
		b.word(u)
	}
}

func (b *wordWriter) bytes(p []byte) {
	b.flush()
	if b.err == nil {
		_, b.err = b.w.Write(p)
	}
}

func (b *wordWriter) flush() error {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
	}
	b.buf = b.buf[:0]
	return b.err
}

// WriteIndexFile writes s to the index file at path atomically: to a new
// file in the same folder, synced, then renamed over path (over the file a
// symbolic link at path leads to; a path that is or leads to a folder, device,
// pipe or socket is refused with an *OutputError, see OutputTarget). A crash or an error
// at any moment leaves either the old file or the new one at path, whole. A
// new file gets the old one's permissions, or 0666 less the umask. Temporary
// files that a crash left behind are named ".NAME.tmp-*"; the next write
// removes those more than ten minutes old.
func WriteIndexFile(path string, s *Saved) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("cannot save index: %w", err)
	}
	target, _, err := OutputTarget(path)
	if err != nil {
		return err
	}
	return writeAtomic(target, func(w io.Writer) error { return encodeIndex(w, s) })
}

// ReadIndexFile reads the index file at path. A file that is not an index
// file (ErrNotIndexFile), of another format (ErrIndexVersion), truncated or
// failing its checksum (ErrIndexDamaged) is refused, with an error that names
// the file; the file is only read, never changed.
func ReadIndexFile(path string) (*Saved, error) {
	// Opening a named pipe would wait for a writer, and a device may never
	// end: only regular files are read.
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("index file %s: %w: it is %s", path, ErrNotIndexFile, fileKind(info.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("index file %s: %w: it is %s", path, ErrNotIndexFile, fileKind(info.Mode()))
	}
	s, err := decodeIndex(bufio.NewReaderSize(f, 1<<20), info.Size())
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", path, err)
	}
	return s, nil
}

// countingReader feeds what it reads to a checksum and counts it. After
// goAsync, a goroutine of its own computes the checksum, while the next
// section is read: from then on, what is read into must not change until
// sync returns.
type countingReader struct {
	r     io.Reader
	crc   hash.Hash32
	n     int64
	async chan []byte
	done  chan struct{}
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.async == nil {
		c.crc.Write(p[:n])
	} else if n > 0 {
		c.async <- p[:n]
	}
	c.n += int64(n)
	return n, err
}

// goAsync has the checksum computed by a goroutine, until sync.
func (c *countingReader) goAsync() {
	c.async, c.done = make(chan []byte, 64), make(chan struct{})
	go func() {
		for p := range c.async {
			c.crc.Write(p)
		}
		close(c.done)
	}()
}

// sync waits for the checksum of everything read so far.
func (c *countingReader) sync() {
	if c.async != nil {
		close(c.async)
		<-c.done
		c.async = nil
	}
}

// decodeIndex reads an index file of size bytes (-1 when unknown, and then
// r is read to its end first) from r. Every refusal wraps ErrNotIndexFile,
// ErrIndexVersion or ErrIndexDamaged. Nothing is allocated for a section
// before its size is checked against the file's.
func decodeIndex(r io.Reader, size int64) (*Saved, error) {
	if size < 0 {
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrIndexDamaged, err)
		}
		return decodeIndex(bytes.NewReader(data), int64(len(data)))
	}
	cr := &countingReader{r: r, crc: crc32.New(castagnoli)}
	defer cr.sync()
	var prefix [prefixSize]byte
	n, err := io.ReadFull(cr, prefix[:12])
	if n < len(indexMagic) {
		if string(prefix[:n]) != indexMagic[:n] {
			return nil, ErrNotIndexFile
		}
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrIndexDamaged, n)
	}
	if string(prefix[:8]) != indexMagic {
		return nil, ErrNotIndexFile
	}
	format := uint32(0)
	if n >= 12 {
		if format = binary.LittleEndian.Uint32(prefix[8:]); format != IndexFormat && format != 3 && format != 2 {
			return nil, fmt.Errorf("%w (index format %d; this one reads format %d)", ErrIndexVersion, format, IndexFormat)
		}
	}
	pSizeAt, pLen := 12, prefixSize
	switch format {
	case 2:
		pLen = prefixSizeV2
	case 3:
		pLen = prefixSizeV3
	}
	if err == nil {
		var m int
		m, err = io.ReadFull(cr, prefix[12:pLen])
		n += m
	}
	if err != nil {
		return nil, fmt.Errorf("%w: truncated (%d bytes)", ErrIndexDamaged, n)
	}
	word := func() uint64 { v := binary.LittleEndian.Uint64(prefix[pSizeAt:]); pSizeAt += 8; return v }
	hSize := uint64(binary.LittleEndian.Uint32(prefix[pSizeAt:]))
	pSizeAt += 4
	var aSize, tSize uint64
	bSize := word()
	if format >= 4 {
		aSize = word()
	}
	if format >= 3 {
		tSize = word()
	}
	pSize, vSize := word(), word()
	// Each size is below 2^50, so their sum cannot overflow.
	if hSize > maxHeaderSize || bSize > 1<<50 || aSize > 1<<50 || tSize > 1<<50 || pSize > 1<<50 || vSize > 1<<50 || pSize%4 != 0 || vSize%4 != 0 {
		return nil, fmt.Errorf("%w: impossible section sizes", ErrIndexDamaged)
	}
	before := hSize + bSize + aSize + tSize
	pad := uint64(pad4(int(before%4)) - int(before%4))
	want := int64(uint64(pLen) + before + pad + pSize + vSize + checksumSize)
	switch {
	case size < want:
		return nil, fmt.Errorf("%w: truncated (%d of %d bytes)", ErrIndexDamaged, size, want)
	case size > want:
		return nil, fmt.Errorf("%w: %d bytes after the end of the index", ErrIndexDamaged, size-want)
	}

	// Decoding errors are held until the checksum says whether the bytes
	// are damaged or were written by something this code does not understand.
	var decodeErr error
	s := &Saved{}
	hb, err := readSection(cr, hSize)
	if err != nil {
		return nil, truncated(cr, want)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		decodeErr = fmt.Errorf("header: %w", err)
	} else if err := h.fits(format, pSize, vSize); err != nil {
		decodeErr = fmt.Errorf("header: %w", err)
	}
	s.Embedder, s.Dim, s.Created, s.Builder, s.Root = h.Embedder, h.Dim, h.Created, h.Builder, h.Root

	bodyReader := io.LimitReader(cr, int64(bSize))
	var b body
	if decodeErr == nil {
		if err := gob.NewDecoder(bodyReader).Decode(&b); err != nil {
			if cr.n < int64(uint64(pLen)+hSize+bSize) && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, truncated(cr, want)
			}
			decodeErr = fmt.Errorf("body: %w", err)
		}
	}
	if _, err := io.CopyN(io.Discard, cr, int64(uint64(pLen)+hSize+bSize)-cr.n); err != nil {
		return nil, truncated(cr, want)
	}
	if decodeErr == nil && littleEndian {
		// The rest is read into memory that nothing changes (readWords
		// turns words around in place on other machines): checking the
		// CRC as the next chunk is read took ~10 ms off a load of 100,000
		// lexical-only passages (see README, "Performance").
		cr.goAsync()
	}
	var passages []byte
	if decodeErr == nil && aSize > 0 {
		if passages, err = readSection(cr, aSize); err != nil {
			return nil, truncated(cr, want)
		}
	} else if _, err := io.CopyN(io.Discard, cr, int64(aSize)); err != nil {
		return nil, truncated(cr, want)
	}
	// The texts are read into one string, which the documents' and
	// passages' texts are slices of.
	var texts string
	if decodeErr == nil && tSize > 0 {
		tb, err := readSection(cr, tSize)
		if err != nil {
			return nil, truncated(cr, want)
		}
		texts = unsafe.String(&tb[0], len(tb))
	} else if _, err := io.CopyN(io.Discard, cr, int64(tSize)); err != nil {
		return nil, truncated(cr, want)
	}
	if _, err := io.ReadFull(cr, make([]byte, pad)); err != nil {
		return nil, truncated(cr, want)
	}
	if bSize > 16<<20 {
		// gob's copy of the body's bytes is garbage now. The
		// postings and vectors come next, and as large allocations they would
		// land on top of that garbage until the next collection: collecting it
		// first keeps the peak memory of a load of 100,000 passages near what
		// the index holds (see README, "Performance").
		runtime.GC()
	}

	// The postings and vectors are read into the memory that serves them.
	var post *retrieval.Postings
	var old *oldPostings
	var vecs [][]float32
	if decodeErr == nil {
		if post, old, err = readPostings(cr, h, format); err != nil {
			return nil, truncated(cr, want)
		}
		if h.Embedder != NoEmbedder {
			if vecs, err = readVectors(cr, h.Passages, h.Dim); err != nil {
				return nil, truncated(cr, want)
			}
		}
	} else if _, err := io.CopyN(io.Discard, cr, int64(pSize+vSize)); err != nil {
		return nil, truncated(cr, want)
	}
	cr.sync()
	sum := cr.crc.Sum32()
	var tail [checksumSize]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return nil, truncated(cr, want)
	}
	if binary.LittleEndian.Uint32(tail[:]) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrIndexDamaged)
	}
	if decodeErr == nil {
		s.Vectors, s.Postings = vecs, post
		if format >= 4 {
			b.Passages, decodeErr = decodePassages(passages, h.Passages, b.Docs)
		}
	}
	if decodeErr == nil {
		decodeErr = s.fill(h, b, format, texts)
	}
	if decodeErr == nil {
		if old != nil {
			post, decodeErr = retrieval.PackPostings(post.Terms, old.start, old.docs, old.tfs, post.Lengths, len(s.Passages))
			s.Postings = post
		} else {
			decodeErr = post.Check(len(s.Passages))
		}
	}
	if decodeErr != nil {
		// The checksum is right: the writer meant these bytes.
		return nil, fmt.Errorf("%w (%v)", ErrIndexVersion, decodeErr)
	}
	return s, nil
}

// fits checks the header's counts against the sizes of the postings and
// vectors sections, without overflowing whatever the counts.
func (h *header) fits(format uint32, pSize, vSize uint64) error {
	const most = 1 << 50 // no count of a section below 2^50 bytes is larger
	if h.Dim < 0 || h.Passages < 0 || h.Terms < 0 || h.Postings < 0 || h.TermBytes < 0 || h.PostingBytes < 0 ||
		h.Dim > most || h.Passages > most || h.Terms > most || h.Postings > most || h.TermBytes > most || h.PostingBytes > most {
		return fmt.Errorf("impossible counts")
	}
	if h.Embedder == NoEmbedder && h.Dim != 0 {
		return fmt.Errorf("a lexical-only index with vectors of %d dimensions", h.Dim)
	}
	if h.Dim == 0 && h.Passages > 0 && h.Embedder != NoEmbedder || h.Dim > 0 && uint64(h.Passages) != vSize/4/uint64(h.Dim) || uint64(h.Passages)*uint64(h.Dim)*4 != vSize {
		return fmt.Errorf("%d passages of %d dimensions in %d bytes of vectors", h.Passages, h.Dim, vSize)
	}
	words := uint64(h.Terms+1) + uint64(h.Passages) + uint64(h.Terms)
	if format < 4 {
		words += 2 * uint64(h.Postings)
	}
	if 4*words+uint64(pad4(h.TermBytes))+uint64(pad4(h.PostingBytes)) != pSize {
		return fmt.Errorf("%d terms, %d postings and %d passages in %d bytes of postings", h.Terms, h.Postings, h.Passages, pSize)
	}
	return nil
}

// readSection reads n bytes, n checked against the file's size beforehand.
func readSection(r io.Reader, n uint64) ([]byte, error) {
	b := make([]byte, n)
	return b, readFull(r, b)
}

// readFull fills b from r, 4 MiB at a time, so that a countingReader's
// goroutine checks each chunk while the next one is read.
func readFull(r io.Reader, b []byte) error {
	const chunk = 4 << 20
	for len(b) > 0 {
		m := min(len(b), chunk)
		if _, err := io.ReadFull(r, b[:m]); err != nil {
			return err
		}
		b = b[m:]
	}
	return nil
}

// truncated is the error for an index file that ended early.
func truncated(cr *countingReader, want int64) error {
	return fmt.Errorf("%w: truncated (%d of %d bytes)", ErrIndexDamaged, cr.n, want)
}

// littleEndian is whether this machine stores words as the file does, so
// that they can be read into memory as they are.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// readWords reads len(u) little-endian uint32s into u.
func readWords(r io.Reader, u []uint32) error {
	if len(u) == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&u[0])), 4*len(u))
	if err := readFull(r, b); err != nil {
		return err
	}
	if !littleEndian {
		for i := range u {
			u[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
	}
	return nil
}

// oldPostings are the unpacked postings of an index file before format 4.
type oldPostings struct{ start, docs, tfs []uint32 }

// readPostings reads the postings section that h counts, as one allocation
// of words, one string of terms and (since format 4) the packed postings.
// Before format 4 it returns the postings in old, to be packed.
func readPostings(r io.Reader, h header, format uint32) (p *retrieval.Postings, old *oldPostings, err error) {
	nStart, nDocs := h.Terms+1, 0
	if format < 4 {
		nDocs = h.Postings
	}
	words := make([]uint32, nStart+2*nDocs+h.Passages+h.Terms)
	if err := readWords(r, words); err != nil {
		return nil, nil, err
	}
	p = &retrieval.Postings{}
	at := 0
	next := func(n int) []uint32 { s := words[at : at+n : at+n]; at += n; return s }
	p.Start = next(nStart)
	if format < 4 {
		old = &oldPostings{start: p.Start, docs: next(nDocs), tfs: next(nDocs)}
	}
	p.Lengths = next(h.Passages)
	lens := next(h.Terms)
	tb, err := readSection(r, uint64(pad4(h.TermBytes)))
	if err != nil {
		return nil, nil, err
	}
	blob := string(tb[:h.TermBytes])
	p.Terms = make([]string, h.Terms)
	off := 0
	for i, l := range lens {
		if uint64(l) > uint64(len(blob)-off) {
			// Check finds this; the terms stop here.
			p.Terms = p.Terms[:i]
			break
		}
		p.Terms[i] = blob[off : off+int(l)]
		off += int(l)
	}
	if format >= 4 {
		data, err := readSection(r, uint64(pad4(h.PostingBytes)))
		if err != nil {
			return nil, nil, err
		}
		p.Data = data[:h.PostingBytes:h.PostingBytes]
	}
	return p, old, nil
}

// readVectors reads n rows of dim float32s, as one allocation.
func readVectors(r io.Reader, n, dim int) ([][]float32, error) {
	flat := make([]float32, n*dim)
	if len(flat) > 0 {
		if err := readWords(r, unsafe.Slice((*uint32)(unsafe.Pointer(&flat[0])), len(flat))); err != nil {
			return nil, err
		}
	}
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return rows, nil
}

// fill sets the documents, passages and files of s from a decoded body of
// an index file of the format given, the documents' texts from texts (since
// format 3) and the passages' from their documents.
func (s *Saved) fill(h header, b body, format uint32, blob string) error {
	if len(b.Docs) != h.Docs || len(b.Passages) != h.Passages || len(b.Files) != h.Files {
		return fmt.Errorf("the header counts %d documents, %d passages and %d files; the body holds %d, %d and %d",
			h.Docs, h.Passages, h.Files, len(b.Docs), len(b.Passages), len(b.Files))
	}
	if format != 2 {
		if len(b.TextLens) != len(b.Docs) {
			return fmt.Errorf("%d text lengths for %d documents", len(b.TextLens), len(b.Docs))
		}
		off := 0
		for i, n := range b.TextLens {
			if n < 0 || n > len(blob)-off || b.Docs[i].Text != "" {
				return fmt.Errorf("document %d's text lies outside the texts", i)
			}
			b.Docs[i].Text = blob[off : off+n]
			off += n
		}
		if off != len(blob) {
			return fmt.Errorf("%d bytes of texts for documents of %d", len(blob), off)
		}
	}
	texts := make(map[string]string, len(b.Docs))
	docs := make(map[string]*corpus.Document, len(b.Docs))
	for i, d := range b.Docs {
		texts[d.Path] = d.Text
		docs[d.Path] = &b.Docs[i]
	}
	for i := range b.Passages {
		p := &b.Passages[i]
		// Passages share their document's path and title rather than hold
		// copies of their own.
		if d, ok := docs[p.Doc]; ok {
			p.Doc = d.Path
			if p.Title == d.Title {
				p.Title = d.Title
			}
		}
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

// minPassageBytes is the fewest bytes a passage takes in the passages
// section: eight varints.
const minPassageBytes = 8

// appendPassages appends the passages section of an index file of docs and
// passages to b: a string table, then each passage as eight varints. The
// string table is a count then each string's length and bytes, every
// distinct section, kind, and title or document path not of the passage's
// own document once. A passage is
//
//	doc        uvarint  k < len(docs): docs[k].Path; else string k-len(docs)
//	title      uvarint  0: its document's title; else string title-1
//	section    uvarint  string
//	kind       uvarint  string
//	paragraph  varint
//	page       varint
//	start      varint
//	length     varint   End-Start
//
// Its Text is not stored (see the body's Texts and the texts section).
func appendPassages(b []byte, docs []corpus.Document, passages []corpus.Passage) []byte {
	docAt := make(map[string]int, len(docs))
	for i := len(docs) - 1; i >= 0; i-- {
		docAt[docs[i].Path] = i
	}
	ids := map[string]uint64{}
	var table []string
	str := func(s string) uint64 {
		id, ok := ids[s]
		if !ok {
			id = uint64(len(table))
			ids[s] = id
			table = append(table, s)
		}
		return id
	}
	recs := make([]byte, 0, len(passages)*12)
	for _, p := range passages {
		k, ok := docAt[p.Doc]
		if ok {
			recs = binary.AppendUvarint(recs, uint64(k))
		} else {
			recs = binary.AppendUvarint(recs, uint64(len(docs))+str(p.Doc))
		}
		if ok && p.Title == docs[k].Title {
			recs = append(recs, 0)
		} else {
			recs = binary.AppendUvarint(recs, 1+str(p.Title))
		}
		recs = binary.AppendUvarint(recs, str(p.Section))
		recs = binary.AppendUvarint(recs, str(string(p.Kind)))
		recs = binary.AppendVarint(recs, int64(p.Paragraph))
		recs = binary.AppendVarint(recs, int64(p.Page))
		recs = binary.AppendVarint(recs, int64(p.Start))
		recs = binary.AppendVarint(recs, int64(p.End-p.Start))
	}
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, s := range table {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return append(b, recs...)
}

// decodePassages decodes a passages section of n passages (see
// appendPassages) over docs, refusing one whose counts or references do not
// fit it. Their strings are slices of b, which must not be modified.
func decodePassages(b []byte, n int, docs []corpus.Document) ([]corpus.Passage, error) {
	if len(b) == 0 {
		if n == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("passages: %d passages in 0 bytes", n)
	}
	blob := unsafe.String(&b[0], len(b))
	at := 0
	bad := false
	uvarint := func() uint64 {
		v, m := binary.Uvarint(b[at:])
		if m <= 0 {
			bad, m = true, len(b)-at
		}
		at += m
		return v
	}
	varint := func() int64 {
		v, m := binary.Varint(b[at:])
		if m <= 0 {
			bad, m = true, len(b)-at
		}
		at += m
		return v
	}
	count := uvarint()
	if bad || count > uint64(len(b)-at) {
		return nil, fmt.Errorf("passages: a table of %d strings in %d bytes", count, len(b))
	}
	table := make([]string, count)
	for i := range table {
		l := uvarint()
		if bad || l > uint64(len(b)-at) {
			return nil, fmt.Errorf("passages: string %d runs past the end", i)
		}
		table[i] = blob[at : at+int(l)]
		at += int(l)
	}
	if n < 0 || uint64(n) > uint64(len(b)-at)/minPassageBytes {
		return nil, fmt.Errorf("passages: %d passages in %d bytes", n, len(b)-at)
	}
	str := func(id uint64) (string, bool) {
		if id >= uint64(len(table)) {
			bad = true
			return "", false
		}
		return table[id], true
	}
	ps := make([]corpus.Passage, n)
	for i := range ps {
		p := &ps[i]
		var doc *corpus.Document
		if k := uvarint(); k < uint64(len(docs)) {
			doc = &docs[k]
			p.Doc = doc.Path
		} else {
			p.Doc, _ = str(k - uint64(len(docs)))
		}
		if t := uvarint(); t == 0 && doc != nil {
			p.Title = doc.Title
		} else if t == 0 {
			bad = true
		} else {
			p.Title, _ = str(t - 1)
		}
		p.Section, _ = str(uvarint())
		kind, _ := str(uvarint())
		p.Kind = corpus.Kind(kind)
		p.Paragraph, p.Page = int(varint()), int(varint())
		p.Start = int(varint())
		p.End = p.Start + int(varint())
		if bad {
			return nil, fmt.Errorf("passages: passage %d is damaged", i)
		}
	}
	if at != len(b) {
		return nil, fmt.Errorf("passages: %d bytes after the last passage", len(b)-at)
	}
	return ps, nil
}
