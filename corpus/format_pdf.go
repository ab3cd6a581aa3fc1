package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/responses"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// PDFs are read by PDFium, the PDF engine of Chromium, compiled to
// WebAssembly and run by wazero: pure Go, no cgo, and the WebAssembly binary
// is embedded in the go-pdfium module, so nothing is downloaded. A crash or
// an endless loop inside PDFium stays inside its sandbox and becomes the
// reason a file was skipped. See PDF_EVAL.md for how it was chosen.

// Errors for PDFs that are skipped, wrapped.
var (
	ErrEncrypted = errors.New("encrypted PDF (password-protected)")
	ErrImageOnly = errors.New("no extractable text (scanned/image-only PDF?)")
	// ErrTooManyPages is for PDFs of more than MaxPDFPages pages: a page
	// tree that lists one page half a million times is a few megabytes.
	ErrTooManyPages = errors.New("too many pages")
	// ErrTooMuchText is for files whose extracted text passes
	// MaxTextBytes, or a PDF page that holds more than MaxPDFPageChars
	// characters: a few kilobytes of compressed drawing commands can draw
	// millions of characters.
	ErrTooMuchText = errors.New("too much text")
	// ErrEngineMemory is for PDFs that need more memory than the PDF
	// engine may use (PDFMemoryLimit): a stream that inflates to gigabytes,
	// a page of millions of text objects.
	ErrEngineMemory = errors.New("the PDF engine ran out of memory")
)

// What one file may cost, past MaxFileBytes: a file that passes a limit is
// skipped with the reason. Together they keep one PDF from taking the
// process past about a gigabyte, whatever it holds.
const (
	// PDFMemoryLimit is the memory the PDF engine may use for one PDF. The
	// engine reads at most pdfInstances PDFs at once.
	PDFMemoryLimit = 256 << 20
	// MaxPDFPages is the most pages a PDF may have.
	MaxPDFPages = 10_000
	// MaxPDFPageChars is the most characters one page of a PDF may hold; a
	// dense page of small print holds some ten thousand.
	MaxPDFPageChars = 200_000
	// MaxTextBytes is the most text extracted from one file: as much as
	// the largest text file read (DefaultMaxFileBytes).
	MaxTextBytes = DefaultMaxFileBytes
)

// pdfLimits are the limits readPDF applies; tests lower them.
type pdfLimits struct {
	pages, pageChars, text int
}

var defaultPDFLimits = pdfLimits{pages: MaxPDFPages, pageChars: MaxPDFPageChars, text: MaxTextBytes}

// pdfTimeout is the longest time one PDF may take to read.
const pdfTimeout = 2 * time.Minute

// pdfInstances is how many PDFs the engine reads at once, at most: callers
// that read more wait their turn.
var pdfInstances = min(runtime.GOMAXPROCS(0), 3)

// sharedPDFium compiles PDFium once per process, when the first PDF is read:
// compiling takes about two seconds (much longer under the race detector),
// after which each PDF gets a fresh instance from the pool. Compiled code
// holds no state between files. It is kept in the user's cache folder
// (footnote/wazero), so later processes start in a fraction of that time; if
// the folder cannot be used, each process compiles again. Each instance's
// memory is capped at PDFMemoryLimit.
var sharedPDFium = sync.OnceValues(func() (pdfium.Pool, error) {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(PDFMemoryLimit / wasmPage)
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "footnote", "wazero")); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	return webassembly.Init(webassembly.Config{
		// Instances' memory comes from pdfMemoryAllocator.
		Context:  experimental.WithMemoryAllocator(context.Background(), pdfMemoryAllocator()),
		MinIdle:  1,
		MaxIdle:  1,
		MaxTotal: pdfInstances,
		// No file system: PDFs are handed over as bytes.
		FSConfig: wazero.NewFSConfig(),
		// The features go-pdfium's module needs, and a way to stop a PDF that
		// takes too long or is no longer wanted (Kill cancels the instance's
		// context).
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
})

// wasmPage is the size of a page of WebAssembly memory.
const wasmPage = 64 << 10

// parsePDF reads a PDF file. The text is the text of its pages in PDFium's
// reading order, lines as they are laid out, paragraphs separated by blank
// lines where the vertical space between lines grows, the font size changes
// or a column ends; pages are separated by a line holding a form feed, and
// Document.Pages has the offset of each. The title, authors and year come
// from the Info dictionary (Title, Author, CreationDate) when it has them,
// else the title is derived from the first page as for plain text (see
// pdfTitle for titles a program put there). Password-protected files fail
// with ErrEncrypted, files without text (a scan) with ErrImageOnly, files
// past a limit with ErrTooManyPages, ErrTooMuchText or ErrEngineMemory.
// Files that need no password to open (encrypted only against printing or
// copying) are read. When ctx is done, reading stops within moments and the
// error wraps ctx's.
func parsePDF(ctx context.Context, _ string, data []byte) (d Document, err error) {
	return parsePDFWith(ctx, data, defaultPDFLimits)
}

func parsePDFWith(ctx context.Context, data []byte, lim pdfLimits) (d Document, err error) {
	if len(data) == 0 {
		return Document{}, ErrEmpty
	}
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return Document{}, fmt.Errorf("%w: not a PDF file (no %%PDF header)", ErrUnreadable)
	}
	pool, err := sharedPDFium()
	if err != nil {
		return Document{}, fmt.Errorf("%w: the PDF engine failed to start: %v", ErrUnreadable, err)
	}
	// Wait for the engine (it reads pdfInstances PDFs at once), then give
	// the file pdfTimeout.
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Document{}, context.Cause(ctx)
		}
		return Document{}, fmt.Errorf("%w: the PDF engine: %v", ErrUnreadable, err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, pdfTimeout, errPDFTimeout)
	defer cancel()
	type result struct {
		d   Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if x := recover(); x != nil {
				r = result{err: fmt.Errorf("%w: the PDF engine failed: %v", ErrUnreadable, x)}
			}
			done <- r
		}()
		r.d, r.err = readPDF(ctx, inst, data, lim)
	}()
	select {
	case r := <-done:
		inst.Close()
		if r.err != nil && ctx.Err() != nil {
			return Document{}, context.Cause(ctx)
		}
		return r.d, r.err
	case <-ctx.Done():
		returned := pdfStopping()
		inst.Kill()
		go func() {
			<-done
			returned()
		}()
		return Document{}, context.Cause(ctx)
	}
}

// errPDFTimeout is the error of a PDF that takes over pdfTimeout to read.
var errPDFTimeout = fmt.Errorf("%w: reading the PDF took over %v", ErrUnreadable, pdfTimeout)

// readPDF extracts the text and metadata of the PDF data with inst.
func readPDF(ctx context.Context, inst pdfium.Pdfium, data []byte, lim pdfLimits) (Document, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return Document{}, ErrEncrypted
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return Document{}, fmt.Errorf("%w: unsupported PDF encryption", ErrUnreadable)
	case err != nil:
		if e := engineFailure(inst, err, "the file"); e != nil {
			return Document{}, e
		}
		return Document{}, fmt.Errorf("%w: not a valid PDF (corrupt or truncated?): %v", ErrUnreadable, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return Document{}, fmt.Errorf("%w: PDF pages: %v", ErrUnreadable, err)
	}
	if n.PageCount > lim.pages {
		return Document{}, fmt.Errorf("%w: %d pages, the limit is %d", ErrTooManyPages, n.PageCount, lim.pages)
	}
	var text strings.Builder
	var pages []int
	hasText := false
	for i := range n.PageCount {
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		if i > 0 {
			text.WriteString("\n\f\n")
		}
		pages = append(pages, text.Len())
		t, err := pdfPageText(inst, doc.Document, i, lim)
		if err != nil {
			return Document{}, err
		}
		if t != "" {
			hasText = true
		}
		if text.Len()+len(t) > lim.text {
			return Document{}, fmt.Errorf("%w: the text passes %s at page %d, the limit for one file", ErrTooMuchText, bytesWord(lim.text), i+1)
		}
		text.WriteString(t)
	}
	if !hasText {
		return Document{}, ErrImageOnly
	}
	d := Document{Text: text.String(), Format: "pdf", Pages: pages}
	meta := func(tag string) string {
		m, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: tag})
		if err != nil {
			return ""
		}
		return collapseSpace(strings.Trim(m.Value, "\x00"))
	}
	d.Title = pdfTitle(meta("Title"))
	d.Authors = splitAuthors(meta("Author"))
	if d.Title != "" || meta("Title") == "" {
		// A title a program put there says the date is the file's, when
		// it was printed, not the work's.
		d.Year = yearOf(meta("CreationDate"))
	}
	if d.Title == "" {
		end := len(d.Text)
		if len(pages) > 1 {
			end = pages[1]
		}
		d.Title = DeriveTitle(d.Text[:end])
	}
	return d, nil
}

// pdfPageText returns the text of page i (0-based) of doc, laid out, "" for
// a page that cannot be read. A page of more than lim.pageChars characters,
// and a page that makes the engine fail, fail the file.
func pdfPageText(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int, lim pdfLimits) (string, error) {
	p, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: i})
	if err != nil {
		if e := engineFailure(inst, err, fmt.Sprintf("page %d", i+1)); e != nil {
			return "", e
		}
		return "", nil // a broken page has no text; the others still count
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: p.Page})
	page := requests.Page{ByReference: &p.Page}
	// A page of many objects may hold millions of characters: count them
	// before asking for each. (Counting costs a second text page; most
	// pages need not.)
	if o, err := inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: page}); err != nil || o.Count > pdfManyObjects {
		tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: page})
		if err != nil {
			if e := engineFailure(inst, err, fmt.Sprintf("page %d", i+1)); e != nil {
				return "", e
			}
			return "", nil
		}
		c, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
		inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
		if err == nil && c.Count > lim.pageChars {
			return "", pageCharsError(i, c.Count, lim)
		}
	}
	s, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{Page: page, Mode: requests.GetPageTextStructuredModeChars})
	if err != nil {
		if e := engineFailure(inst, err, fmt.Sprintf("page %d", i+1)); e != nil {
			return "", e
		}
		return "", nil
	}
	if len(s.Chars) > lim.pageChars {
		return "", pageCharsError(i, len(s.Chars), lim)
	}
	return layoutPDFPage(s.Chars), nil
}

// pdfManyObjects is the number of objects past which a page's characters
// are counted before they are read.
const pdfManyObjects = 2000

// pageCharsError is the error of page i (0-based) that holds n characters,
// past lim.pageChars.
func pageCharsError(i, n int, lim pdfLimits) error {
	return fmt.Errorf("%w: page %d holds %d characters, the limit is %d a page", ErrTooMuchText, i+1, n, lim.pageChars)
}

// engineFailure returns the error for err, an error of the PDF engine while
// it was doing what, when the engine itself failed (a trap of its
// WebAssembly code, after which it is not to be used again): ErrEngineMemory
// when it had used most of the memory it may, else ErrUnreadable. It returns
// nil for other errors, which say what is wrong with the file.
func engineFailure(inst pdfium.Pdfium, err error, what string) error {
	if !strings.Contains(err.Error(), "wasm error") {
		return nil
	}
	if m := engineMemory(inst); m >= PDFMemoryLimit/2 {
		return fmt.Errorf("%w reading %s: it may use %s", ErrEngineMemory, what, bytesWord(PDFMemoryLimit))
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Errorf("%w: the PDF engine failed reading %s: %s", ErrUnreadable, what, msg)
}

// engineMemory returns the size of inst's WebAssembly memory in bytes, or
// -1 if it cannot tell. go-pdfium does not export it: it is read from the
// Module field of the instance's implementation.
func engineMemory(inst pdfium.Pdfium) int64 {
	v := reflect.ValueOf(inst.GetImplementation())
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return -1
	}
	f := v.Elem().FieldByName("Module")
	if !f.IsValid() || !f.CanInterface() {
		return -1
	}
	if f.Kind() == reflect.Interface {
		if f.IsNil() {
			return -1
		}
		f = f.Elem()
	}
	memory := f.MethodByName("Memory")
	if !memory.IsValid() || memory.Type().NumIn() != 0 || memory.Type().NumOut() != 1 {
		return -1
	}
	m, ok := memory.Call(nil)[0].Interface().(interface{ Size() uint32 })
	if !ok || m == nil {
		return -1
	}
	return int64(m.Size())
}

// bytesWord words a number of bytes, in MiB when it is a whole number of them.
func bytesWord(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// pdfTitle returns the Title of a PDF's Info dictionary unless it is what
// a program put there rather than the document's title: a file name
// ("Microsoft Word - draft3.docx", "paper.dvi"), a program's default
// ("Enscript Output", "untitled", "Slide 1").
func pdfTitle(t string) string {
	l := strings.ToLower(strings.TrimSpace(t))
	for _, ext := range []string{".doc", ".docx", ".pdf", ".tex", ".dvi", ".rtf", ".odt", ".indd", ".qxd", ".ps", ".txt", ".ppt", ".pptx", ".xls", ".xlsx", ".html", ".htm"} {
		if strings.HasSuffix(l, ext) {
			return ""
		}
	}
	for _, p := range []string{"microsoft word - ", "microsoft powerpoint - ", "microsoft excel - ", "untitled", "document", "doc1", "slide ", "layout ", "print ", "printing "} {
		if strings.HasPrefix(l, p) && (strings.HasSuffix(p, " ") || letterCount(l) <= letterCount(p)+1) {
			return ""
		}
	}
	switch l {
	case "title", "enscript output", "a2ps output", "print", "printout", "no title", "none", "(anonymous)", "anonymous",
		"powerpoint presentation", "presentation", "slide 1", "layout 1", "word document", "new document",
		"microsoft word document", "adobe acrobat document", "report", "output", "page 1", "default":
		return ""
	}
	if letterCount(t) < 2 {
		return ""
	}
	return t
}

// pdfLineBox is one line of a PDF page as PDFium reads it, with the box of
// its glyphs.
type pdfLineBox struct {
	text        string
	top, bottom float64
}

// layoutPDFPage joins the characters of a page, in PDFium's order, into
// lines, and the lines into blocks separated by blank lines.
func layoutPDFPage(chars []*responses.GetPageTextStructuredChar) string {
	var lines []pdfLineBox
	var b strings.Builder
	cur := pdfLineBox{top: math.Inf(-1), bottom: math.Inf(1)}
	end := func() {
		cur.text = strings.TrimRightFunc(b.String(), isSpace)
		b.Reset()
		if strings.TrimFunc(cur.text, isSpace) != "" && !math.IsInf(cur.top, 0) {
			lines = append(lines, cur)
		}
		cur = pdfLineBox{top: math.Inf(-1), bottom: math.Inf(1)}
	}
	for _, c := range chars {
		if c == nil {
			continue
		}
		switch c.Text {
		case "\r":
			continue
		case "\n":
			end()
			continue
		case "", "\x00", "\x02": // no character; 2 is PDFium's soft hyphen mark
			if c.Text == "\x02" {
				b.WriteByte('-')
			}
			continue
		case "\f":
			continue
		}
		b.WriteString(c.Text)
		if strings.TrimFunc(c.Text, isSpace) != "" {
			p := c.PointPosition
			cur.top = max(cur.top, p.Top, p.Bottom)
			cur.bottom = min(cur.bottom, p.Top, p.Bottom)
		}
	}
	end()
	if len(lines) == 0 {
		return ""
	}
	// The usual distance between the middles of two lines that follow each
	// other: the line pitch of the body text.
	var pitches []float64
	for i := 1; i < len(lines); i++ {
		if d := lines[i-1].mid() - lines[i].mid(); d > 0 {
			pitches = append(pitches, d)
		}
	}
	pitch := 0.0
	if len(pitches) > 0 {
		slices.Sort(pitches)
		pitch = pitches[len(pitches)/2]
	}
	var out strings.Builder
	for i, l := range lines {
		if i > 0 {
			out.WriteString(pdfBreak(lines[i-1], l, pitch))
		}
		out.WriteString(strings.TrimLeftFunc(l.text, isSpace))
	}
	return out.String()
}

func (l pdfLineBox) mid() float64    { return (l.top + l.bottom) / 2 }
func (l pdfLineBox) height() float64 { return l.top - l.bottom }

// pdfBreak returns what separates line a from the line b after it: a blank
// line when b starts a new block (it is above a: a new column; the gap
// between them is well over the usual line pitch; the size of the text
// changes), else a line break.
func pdfBreak(a, b pdfLineBox, pitch float64) string {
	d := a.mid() - b.mid()
	ha, hb := a.height(), b.height()
	switch {
	case d <= 0:
		return "\n\n"
	case pitch > 0 && d > pitch*1.4:
		return "\n\n"
	case ha > 0 && hb > 0 && math.Abs(ha-hb) > 0.35*max(ha, hb):
		return "\n\n"
	}
	return "\n"
}
