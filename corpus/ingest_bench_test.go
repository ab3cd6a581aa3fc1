package corpus

import (
	"fmt"
	"html"
	"strings"
	"testing"
)

// The ingest benchmarks parse and chunk the same article, the English one of
// the default corpus (61 KB of text), written in each format, and report the
// file bytes per second (MB/s) and passages per second. The PDF's engine is
// started before timing; starting it costs about two seconds once per
// process (see sharedPDFium).
//
//	go test ./corpus -run '^$' -bench Ingest

// articleBlocks returns the blocks of the English article: its paragraphs,
// headings and references, white space collapsed.
func articleBlocks(tb testing.TB) []string {
	doc := parseDefault(tb, "000_74868021a2453573.txt")
	var out []string
	for _, b := range splitBlocks(doc.Text, 0, false) {
		out = append(out, collapseSpace(doc.Text[b.Start:b.End]))
	}
	return out
}

// isShortLine reports whether block s reads as a heading: short, no sentence end.
func isShortLine(s string) bool { return len(s) < 100 && !endsSentence(s) }

func articleFile(tb testing.TB, format string) []byte {
	blocks := articleBlocks(tb)
	switch format {
	case "txt":
		return []byte(strings.Join(blocks, "\n\n"))
	case "md":
		var b strings.Builder
		b.WriteString("---\ntitle: China and Latin America\nauthor: A. Writer\nyear: 2022\n---\n\n")
		for _, s := range blocks {
			if isShortLine(s) {
				b.WriteString("## ")
			}
			b.WriteString(s + "\n\n")
		}
		return []byte(b.String())
	case "html":
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>China and Latin America</title><meta name="author" content="A. Writer"></head><body><nav><a href="/">Home</a></nav><main>`)
		for _, s := range blocks {
			if isShortLine(s) {
				fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(s))
			} else {
				fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(s))
			}
		}
		b.WriteString("</main><footer>Footer</footer></body></html>")
		return []byte(b.String())
	case "docx":
		var ps []docxPara
		for _, s := range blocks {
			p := docxPara{Text: s}
			if isShortLine(s) {
				p.Style = "Heading1"
			}
			ps = append(ps, p)
		}
		return makeDOCX(ps, docxCore{Title: "China and Latin America", Creator: "A. Writer", Created: "2022-01-01T00:00:00Z"})
	case "pdf":
		return makePDF(articlePDF(blocks))
	}
	tb.Fatalf("no format %q", format)
	return nil
}

// articlePDF lays the blocks out on US Letter pages: lines of at most 95
// characters in 10 point Helvetica, a blank line between blocks.
func articlePDF(blocks []string) pdfDoc {
	var d pdfDoc
	var page []pdfLine
	y := 740.0
	newLine := func(gap float64) {
		y -= gap
		if y < 60 {
			d.Pages = append(d.Pages, pdfPage{Lines: page})
			page, y = nil, 740
		}
	}
	for _, s := range blocks {
		line := ""
		for _, w := range strings.Fields(s) {
			if line != "" && len(line)+1+len(w) > 95 {
				page = append(page, pdfLine{Font: "F1", Size: 10, X: 72, Y: y, Text: line})
				newLine(12)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		page = append(page, pdfLine{Font: "F1", Size: 10, X: 72, Y: y, Text: line})
		newLine(24)
	}
	if len(page) > 0 {
		d.Pages = append(d.Pages, pdfPage{Lines: page})
	}
	d.Info = map[string]string{"Title": "China and Latin America", "Author": "A. Writer", "CreationDate": "D:20220101"}
	return d
}

func benchmarkIngest(b *testing.B, format string) {
	data := articleFile(b, format)
	name := "article." + format
	// The first parse starts the PDF engine; it is not timed.
	d, err := Parse(name, data)
	if err != nil {
		b.Fatal(err)
	}
	checkPassages(b, d, Chunk(d))
	b.SetBytes(int64(len(data)))
	passages := 0
	for b.Loop() {
		d, err := Parse(name, data)
		if err != nil {
			b.Fatal(err)
		}
		passages += len(Chunk(d))
	}
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
}

func BenchmarkIngest_txt(b *testing.B)  { benchmarkIngest(b, "txt") }
func BenchmarkIngest_md(b *testing.B)   { benchmarkIngest(b, "md") }
func BenchmarkIngest_html(b *testing.B) { benchmarkIngest(b, "html") }
func BenchmarkIngest_docx(b *testing.B) { benchmarkIngest(b, "docx") }
func BenchmarkIngest_pdf(b *testing.B)  { benchmarkIngest(b, "pdf") }

// TestIngestFixtures checks that the benchmark files read back as the article.
func TestIngestFixtures(t *testing.T) {
	blocks := articleBlocks(t)
	for _, format := range []string{"txt", "md", "html", "docx", "pdf"} {
		t.Run(format, func(t *testing.T) {
			d, err := Parse("article."+format, articleFile(t, format))
			if err != nil {
				t.Fatal(err)
			}
			checkPassages(t, d, Chunk(d))
			flat := collapseSpace(d.Text)
			for _, s := range []string{blocks[len(blocks)/2], blocks[len(blocks)-1]} {
				if !strings.Contains(flat, strings.TrimPrefix(s, "## ")) {
					t.Errorf("text lacks %.60q", s)
				}
			}
		})
	}
}
