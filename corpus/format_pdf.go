package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
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
)

// pdfTimeout is the longest time one PDF may take to read.
const pdfTimeout = 2 * time.Minute

// sharedPDFium compiles PDFium once per process, when the first PDF is read:
// compiling takes about two seconds (much longer under the race detector),
// after which each PDF gets a fresh instance from the pool. Compiled code
// holds no state between files. It is kept in the user's cache folder
// (footnote/wazero), so later processes start in a fraction of that time; if
// the folder cannot be used, each process compiles again.
var sharedPDFium = sync.OnceValues(func() (pdfium.Pool, error) {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true)
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "footnote", "wazero")); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	return webassembly.Init(webassembly.Config{
		MinIdle:  1,
		MaxIdle:  1,
		MaxTotal: min(runtime.GOMAXPROCS(0), 4),
		// No file system: PDFs are handed over as bytes.
		FSConfig: wazero.NewFSConfig(),
		// The features go-pdfium's module needs, and a way to stop a PDF that
		// takes too long (Kill cancels the instance's context).
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
})

// parsePDF reads a PDF file. The text is the text of its pages in PDFium's
// reading order, lines as they are laid out, paragraphs separated by blank
// lines where the vertical space between lines grows, the font size changes
// or a column ends; pages are separated by a line holding a form feed, and
// Document.Pages has the offset of each. The title, authors and year come
// from the Info dictionary (Title, Author, CreationDate) when it has them,
// else the title is derived from the first page as for plain text.
// Password-protected files fail with ErrEncrypted, files without text (a
// scan) with ErrImageOnly. Files that need no password to open (encrypted
// only against printing or copying) are read.
func parsePDF(_ string, data []byte) (d Document, err error) {
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
	inst, err := pool.GetInstance(pdfTimeout)
	if err != nil {
		return Document{}, fmt.Errorf("%w: the PDF engine: %v", ErrUnreadable, err)
	}
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
		r.d, r.err = readPDF(inst, data)
	}()
	select {
	case r := <-done:
		inst.Close()
		return r.d, r.err
	case <-time.After(pdfTimeout):
		inst.Kill()
		return Document{}, fmt.Errorf("%w: reading the PDF took over %v", ErrUnreadable, pdfTimeout)
	}
}

// readPDF extracts the text and metadata of the PDF data with inst.
func readPDF(inst pdfium.Pdfium, data []byte) (Document, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return Document{}, ErrEncrypted
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return Document{}, fmt.Errorf("%w: unsupported PDF encryption", ErrUnreadable)
	case err != nil:
		return Document{}, fmt.Errorf("%w: not a valid PDF (corrupt or truncated?): %v", ErrUnreadable, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return Document{}, fmt.Errorf("%w: PDF pages: %v", ErrUnreadable, err)
	}
	var text strings.Builder
	var pages []int
	hasText := false
	for i := range n.PageCount {
		if i > 0 {
			text.WriteString("\n\f\n")
		}
		pages = append(pages, text.Len())
		page := requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}
		s, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{Page: page, Mode: requests.GetPageTextStructuredModeChars})
		if err != nil {
			continue // a broken page has no text; the others still count
		}
		t := layoutPDFPage(s.Chars)
		if t != "" {
			hasText = true
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
	d.Year = yearOf(meta("CreationDate"))
	if d.Title == "" {
		end := len(d.Text)
		if len(pages) > 1 {
			end = pages[1]
		}
		d.Title = DeriveTitle(d.Text[:end])
	}
	return d, nil
}

// pdfTitle returns the Title of a PDF's Info dictionary unless it is what
// a program put there rather than the document's title: a file name
// ("Microsoft Word - draft3.docx", "paper.dvi"), "untitled".
func pdfTitle(t string) string {
	l := strings.ToLower(t)
	for _, ext := range []string{".doc", ".docx", ".pdf", ".tex", ".dvi", ".rtf", ".odt", ".indd", ".qxd", ".ps", ".txt"} {
		if strings.HasSuffix(l, ext) {
			return ""
		}
	}
	if strings.HasPrefix(l, "microsoft word - ") || l == "untitled" || l == "title" || letterCount(t) < 2 {
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
