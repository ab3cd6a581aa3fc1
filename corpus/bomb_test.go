package corpus

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// PDFs made to cost far more to read than their size: what an attacker (or a
// broken producer) can put in a corpus folder. To write them to a folder, to
// measure `footnote index` on them by hand:
//
//	go test ./corpus -run TestWriteBombs -bombs /tmp/bombs
var bombDir = flag.String("bombs", "", "write the PDF bombs to this `folder` (TestWriteBombs)")

// textBombPDF is a one-page PDF whose page draws chars characters in one
// Flate-compressed content stream: a few KB that PDFium turns into a text
// page of chars characters. They are drawn small, in lines across the page
// and over again from the top, as PDFium drops a character drawn twice at
// one spot.
func textBombPDF(chars int) []byte {
	const perTj, perLine, lines = 32, 60, 1500
	line := strings.Repeat("("+strings.Repeat("Aa", perTj/2)+") Tj ", perLine) + "0 -0.5 Td\n"
	return streamPDF(1, func(w io.Writer) {
		io.WriteString(w, "BT /F1 0.5 Tf 5 780 Td\n")
		for n := chars / (perTj * perLine); n > 0; n -= lines {
			repeat(w, line, min(n, lines))
			io.WriteString(w, "0 750 Td\n")
		}
		io.WriteString(w, "ET\n")
	})
}

// deflateBombPDF is a one-page PDF whose content stream inflates to size
// bytes of white space before a line of text.
func deflateBombPDF(size int) []byte {
	return streamPDF(1, func(w io.Writer) {
		repeat(w, " ", size)
		io.WriteString(w, "BT /F1 12 Tf 72 700 Td (Past the padding.) Tj ET\n")
	})
}

// pagesBombPDF is a PDF whose page tree lists the one page it has n times.
func pagesBombPDF(n int) []byte {
	return streamPDF(n, func(w io.Writer) {
		io.WriteString(w, "BT /F1 12 Tf 72 700 Td (The same page again, and again.) Tj ET\n")
	})
}

// repeat writes s n times to w.
func repeat(w io.Writer, s string, n int) {
	chunk := strings.Repeat(s, max(1, min(n, (1<<20)/len(s))))
	per := len(chunk) / len(s)
	for ; n >= per; n -= per {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, strings.Repeat(s, n))
}

// streamPDF writes a PDF whose page tree lists one page refs times, with
// the content stream that content writes.
func streamPDF(refs int, content func(io.Writer)) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	content(zw)
	zw.Close()
	kids := strings.TrimSpace(strings.Repeat("3 0 R ", refs))
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, refs),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	)
}

// The bombs of issue 9, about the sizes it reported them (the text bombs
// are larger: PDFium drops a character drawn twice at one spot, so these
// draw theirs across the page).
var bombs = map[string]func() []byte{
	"text-bomb.pdf":    func() []byte { return textBombPDF(16 << 20) },
	"text-bomb-xl.pdf": func() []byte { return textBombPDF(180 << 20) },
	"deflate-bomb.pdf": func() []byte { return deflateBombPDF(3 << 30) },
	"pages-bomb.pdf":   func() []byte { return pagesBombPDF(500_000) },
	// Within every limit, and slow to read: for Ctrl-C.
	"slow.pdf": func() []byte { return pagesBombPDF(MaxPDFPages) },
}

func TestWriteBombs(t *testing.T) {
	if *bombDir == "" {
		t.Skip("no -bombs folder given")
	}
	if err := os.MkdirAll(*bombDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, make := range bombs {
		data := make()
		if err := os.WriteFile(filepath.Join(*bombDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, len(data))
	}
}

// The limits of what one PDF may cost: each is hit by a file made for it,
// skipped with its own reason.
func TestPDFLimits(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		lim  pdfLimits
		want error
		says string
	}{
		{"page tree listing one page over and over", pagesBombPDF(MaxPDFPages + 1), defaultPDFLimits,
			ErrTooManyPages, "10001 pages, the limit is 10000"},
		{"page drawing millions of characters", textBombPDF(2 * MaxPDFPageChars), defaultPDFLimits,
			ErrTooMuchText, "page 1 holds"},
		{"page of few objects and many characters", makePDF(pdfDoc{Pages: []pdfPage{{Lines: pdfColumn("F1", 2, 10, 700, strings.Repeat("Abc ", 100))}}}),
			pdfLimits{pages: MaxPDFPages, pageChars: 300, text: MaxTextBytes}, ErrTooMuchText, "page 1 holds 400 characters, the limit is 300 a page"},
		{"text of all pages past the limit", pagesBombPDF(200), pdfLimits{pages: MaxPDFPages, pageChars: MaxPDFPageChars, text: 4000},
			ErrTooMuchText, "the text passes 4000 bytes at page"},
		{"stream inflating past the engine's memory", deflateBombPDF(PDFMemoryLimit + 64<<20), defaultPDFLimits,
			ErrEngineMemory, "it may use 256 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePDFWith(context.Background(), tt.data, tt.lim)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %v saying %q", err, tt.want, tt.says)
			}
			if errors.Is(err, ErrImageOnly) {
				t.Errorf("%v: a file past a limit is not a scan", err)
			}
		})
	}
	// The engine is not left broken: the next PDF reads.
	doc, err := Parse("after.pdf", makePDF(pdfDoc{Pages: []pdfPage{{Lines: pdfColumn("F1", 12, 72, 700, "Still readable.")}}}))
	if err != nil || !strings.Contains(doc.Text, "Still readable.") {
		t.Fatalf("after the bombs: %q, %v", doc.Text, err)
	}
}

// A PDF skipped for a limit is listed with the reason by LoadFS, and the
// other files load.
func TestLoadFSSkipsPDFPastALimit(t *testing.T) {
	fsys := fstest.MapFS{
		"bomb.pdf":  {Data: pagesBombPDF(MaxPDFPages + 1)},
		"notes.txt": {Data: []byte("Notes\n\nA sentence that is read.")},
	}
	c, skipped, err := LoadFS(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Docs) != 1 || len(skipped) != 1 || skipped[0].Path != "bomb.pdf" || !strings.HasPrefix(skipped[0].Reason, "too many pages: ") {
		t.Fatalf("docs %d, skipped %+v", len(c.Docs), skipped)
	}
}

// Reading a PDF stops soon after its context is cancelled: between pages,
// and in the middle of a page the engine takes long over.
func TestParsePDFStopsWhenCancelled(t *testing.T) {
	if raceDetector {
		// Stopping the engine mid-call closes wazero's module while the call
		// runs: memory-safe (pdfmem_mmap.go keeps the pages until the call
		// returns), but wazero's own fields are not race-detector clean.
		// .ci/run runs this test without -race.
		t.Skip("stopping the PDF engine mid-call trips the race detector inside wazero; run without -race")
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"many pages", pagesBombPDF(MaxPDFPages)},
		{"one long page", textBombPDF(16 << 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := ParseContext(ctx, "big.pdf", tt.data)
				done <- err
			}()
			time.Sleep(300 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("error %v, want context.Canceled", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("still reading 30s after the context was cancelled")
			}
		})
	}
}

// Chunking, and loading a folder, stop when the context is done, rather than
// finish seconds of work first.
func TestChunkAndLoadStopWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc, err := Parse("big.txt", []byte("Big\n\n"+strings.Repeat("A sentence of a long text. It goes on.\n\n", 20000)))
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := ChunkContext(ctx, doc); !errors.Is(err, context.Canceled) || ps != nil {
		t.Errorf("ChunkContext: %d passages, %v; want none and context.Canceled", len(ps), err)
	}
	fsys := fstest.MapFS{"big.txt": {Data: []byte(doc.Text)}}
	l, err := List(context.Background(), fsys, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := l.LoadFile(ctx, l.Files[0]); r.Reason == "" {
		t.Errorf("LoadFile with a cancelled context loaded %d passages", len(r.Passages))
	}
	if _, _, err := l.Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Load: %v, want context.Canceled", err)
	}
}
