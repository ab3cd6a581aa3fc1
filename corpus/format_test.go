package corpus

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"
)

// want describes what a parsed document must hold.
type want struct {
	title    string
	authors  []string
	year     int
	url      string
	contains []string // each in Text, in this order
	absent   []string // none in Text
	sections []string // each the Section of some passage
	pages    map[string]int
}

// check parses data as name and checks the document and its passages
// against w, and the offset invariant on every passage.
func (w want) check(tb testing.TB, name string, data []byte) (Document, []Passage) {
	tb.Helper()
	d, err := Parse(name, data)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	ps := Chunk(d)
	checkPassages(tb, d, ps)
	if w.title != "" && d.Title != w.title {
		tb.Errorf("title %q, want %q", d.Title, w.title)
	}
	if w.authors != nil && !slices.Equal(d.Authors, w.authors) {
		tb.Errorf("authors %q, want %q", d.Authors, w.authors)
	}
	if d.Year != w.year {
		tb.Errorf("year %d, want %d", d.Year, w.year)
	}
	if d.URL != w.url {
		tb.Errorf("url %q, want %q", d.URL, w.url)
	}
	at := 0
	for _, s := range w.contains {
		i := strings.Index(d.Text[at:], s)
		if i < 0 {
			tb.Errorf("text lacks %q after byte %d:\n%s", s, at, d.Text)
			continue
		}
		at += i + len(s)
	}
	for _, s := range w.absent {
		if strings.Contains(d.Text, s) {
			tb.Errorf("text has %q:\n%s", s, d.Text)
		}
	}
	secs := map[string]bool{}
	for _, p := range ps {
		secs[p.Section] = true
	}
	for _, s := range w.sections {
		if !secs[s] {
			tb.Errorf("no passage in section %q; sections: %q", s, keys(secs))
		}
	}
	for s, page := range w.pages {
		found := false
		for _, p := range ps {
			if strings.Contains(p.Text, s) {
				found = true
				if p.Page != page {
					tb.Errorf("%q is on page %d, want %d", s, p.Page, page)
				}
			}
		}
		if !found {
			tb.Errorf("no passage holds %q", s)
		}
	}
	return d, ps
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestParseHTML(t *testing.T) {
	tests := []struct {
		name string
		html string
		want want
	}{
		{
			name: "article page with chrome and metadata",
			html: `<!DOCTYPE html><html><head>
<meta charset="utf-8">
<title>Tides | The Island Review</title>
<meta property="og:title" content="Tidal Energy in Small Islands">
<meta name="author" content="Ana Lima and Wei Zhang">
<meta property="article:published_time" content="2019-03-04T10:00:00Z">
<link rel="canonical" href="https://example.org/tides">
<style>p { color: red }</style><script>var x = "<p>not text</p>";</script>
</head><body>
<header><a href="/">The Island Review</a> <nav><ul><li>Home</li><li>Archive</li></ul></nav></header>
<div class="cookie-banner">We use cookies.</div>
<main>
<article>
<header><h1>Tidal Energy in Small Islands</h1><p class="byline">By Ana Lima</p></header>
<p>Small islands pay dearly for diesel. The tide, by contrast, arrives twice a day &amp; costs
   nothing to predict &mdash; engineers call it &ldquo;the island&rsquo;s clock&rdquo;.</p>
<h2>Costs</h2>
<p>A turbine costs <em>less</em> than a year of fuel.<br>So the authority said.</p>
<ul><li>First, the survey.</li><li>Then the permit.</li></ul>
<h3>Per island</h3>
<table><tr><th>Island</th><td>Cost in 2018 was low.</td></tr></table>
<pre>power = 0.5 * rho
  * A * v^3</pre>
<aside>Related: Wind power</aside>
<div role="navigation">Next article</div>
<p hidden>Hidden text.</p>
</article>
</main>
<footer>Copyright 2019</footer>
</body></html>`,
			want: want{
				title:   "Tidal Energy in Small Islands",
				authors: []string{"Ana Lima", "Wei Zhang"},
				year:    2019,
				url:     "https://example.org/tides",
				contains: []string{
					"# Tidal Energy in Small Islands\n\nBy Ana Lima\n\n",
					"Small islands pay dearly for diesel. The tide, by contrast, arrives twice a day & costs nothing to predict — engineers call it “the island’s clock”.",
					"## Costs\n\nA turbine costs less than a year of fuel.\nSo the authority said.",
					"First, the survey.\n\nThen the permit.",
					"### Per island\n\nIsland\n\nCost in 2018 was low.",
					"power = 0.5 * rho\n  * A * v^3",
				},
				absent: []string{"Home", "Archive", "cookies", "not text", "color", "Related", "Next article", "Hidden", "Copyright", "The Island Review"},
				// The h1 is the title, as in Markdown: a passage of its own, not a section.
				sections: []string{"Costs", "Costs › Per island"},
			},
		},
		{
			name: "no main: longest article; citation meta; latin-1",
			html: "<html><head><meta charset=\"iso-8859-1\"><title>Page</title>" +
				`<meta name="citation_title" content="Caf` + "\xe9" + ` Economics">` +
				`<meta name="citation_author" content="Lima, Ana"><meta name="citation_author" content="Zhang, Wei">` +
				`<meta name="citation_publication_date" content="2021/05/01"><meta property="og:url" content="https://example.org/cafe">` +
				"</head><body><div id=\"sidebar\">Menu here</div>" +
				"<article><p>Short teaser.</p></article>" +
				"<article><h2>Caf\xe9s</h2><p>Every caf\xe9 on the island sells tea. The owners say so, and the survey agrees with them, twice over, in every season of the year.</p>" +
				"<p>Prices rose in 2020 and fell again in 2021, as the survey of the island's cafés shows for every month.</p></article>" +
				"<div class=\"site-footer\">Footer</div></body></html>",
			want: want{
				title:    "Café Economics",
				authors:  []string{"Lima, Ana", "Zhang, Wei"},
				year:     2021,
				url:      "https://example.org/cafe",
				contains: []string{"## Cafés\n\nEvery café on the island sells tea."},
				absent:   []string{"Menu here", "Short teaser", "Footer"},
				sections: []string{"Cafés"},
			},
		},
		{
			name: "plain body, title from h1 when there is no <title>",
			html: "<p>Intro line.</p><h1>The Heading</h1><p>Body &lt;text&gt; here.</p>",
			want: want{
				title:    "The Heading",
				contains: []string{"Intro line.\n\n# The Heading\n\nBody <text> here."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := tt.want.check(t, "page.html", []byte(tt.html))
			if d.Format != "html" {
				t.Errorf("format %q", d.Format)
			}
		})
	}
}

func TestParseDOCX(t *testing.T) {
	data := makeDOCX([]docxPara{
		{Style: "Title", Text: "Tidal Energy in Small Islands"},
		{Text: "Small islands pay dearly for diesel. The tide, by contrast, arrives twice a day & costs nothing to predict."},
		{Style: "Heading1", Text: "Costs"},
		{Text: "A turbine costs less\tthan a year of fuel.\nSo the authority said."},
		{Style: "berschrift1", Text: "Per island"}, // a localized heading style, by name
		{Cells: []string{"Island", "Cost in 2018 was low."}},
		{Style: "Heading2", Text: "Details"},
		{Text: "中国与拉丁美洲的合作不断深化。"},
		{Text: ""},
	}, docxCore{Title: "Tides of the Islands", Creator: "Ana Lima; Wei Zhang", Created: "2019-03-04T10:00:00Z"})
	w := want{
		title:   "Tides of the Islands",
		authors: []string{"Ana Lima", "Wei Zhang"},
		year:    2019,
		contains: []string{
			"# Tidal Energy in Small Islands\n\nSmall islands pay dearly for diesel. The tide, by contrast, arrives twice a day & costs nothing to predict.",
			"\n\n# Costs\n\nA turbine costs less\tthan a year of fuel.\nSo the authority said.",
			"\n\n# Per island\n\nIsland\n\nCost in 2018 was low.\n\n## Details\n\n中国与拉丁美洲的合作不断深化。",
		},
		sections: []string{"Costs", "Per island", "Per island › Details"},
	}
	d, _ := w.check(t, "essay.docx", data)
	if d.Format != "docx" {
		t.Errorf("format %q", d.Format)
	}
	// Without core properties the title is the first level-1 heading.
	noCore := makeDOCX([]docxPara{{Style: "Heading1", Text: "First Heading"}, {Text: "Text."}}, docxCore{})
	want{title: "First Heading", contains: []string{"# First Heading\n\nText."}}.check(t, "plain.docx", noCore)
}

func TestParseMarkdownMetadata(t *testing.T) {
	tests := []struct {
		name, md string
		want     want
	}{
		{"list of authors, date", "---\ntitle: \"Tides\"\nauthors:\n  - Ana Lima\n  - Wei Zhang\ndate: 2019-03-04\nurl: https://example.org/tides\n---\n\nText of the note.",
			want{title: "Tides", authors: []string{"Ana Lima", "Wei Zhang"}, year: 2019, url: "https://example.org/tides"}},
		{"one author string, year, source", "---\ntitle: Tides\nauthor: Ana Lima and Wei Zhang\nyear: 2020\nsource: https://example.org/x\n---\n\nText.",
			want{title: "Tides", authors: []string{"Ana Lima", "Wei Zhang"}, year: 2020, url: "https://example.org/x"}},
		{"not YAML: title only, by line", "---\ntitle: Tides: a study\nauthor: [unclosed\n---\n\nText.",
			want{title: "Tides: a study"}},
		{"no front matter", "# Heading Title\n\nText.", want{title: "Heading Title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.check(t, "note.md", []byte(tt.md))
		})
	}
}

// readingPDF is a three-page PDF with known text on known pages: several
// fonts and typographic characters on page 1, two columns on page 2, Chinese
// in a CID font on page 3, and an Info dictionary.
func readingPDF() pdfDoc {
	p1 := []pdfLine{{Font: "F2", Size: 18, X: 72, Y: 720, Text: "Tidal Energy in Small Islands"}}
	p1 = append(p1, pdfLine{Font: "F2", Size: 12, X: 72, Y: 690, Text: "1. Introduction"})
	p1 = append(p1, pdfColumn("F1", 11, 72, 670,
		"Small islands pay dearly for diesel. The tide, by contrast,",
		"arrives twice a day and costs nothing to predict.",
		"Engineers call this “the island’s clock” — a café owner agreed.")...)
	p1 = append(p1, pdfLine{Font: "F3", Size: 10, X: 72, Y: 600, Text: "The formula is power = 0.5 * rho * A * v^3 for a turbine."})
	p2 := pdfColumn("F1", 10, 72, 720, "The left column begins the second", "page and runs down the left side", "of it until the column ends here.")
	p2 = append(p2, pdfColumn("F1", 10, 320, 720, "The right column begins at the top", "again and is read after the left", "one, as a reader would read it.")...)
	p3 := pdfColumn("F4", 12, 72, 720, "中国与拉丁美洲的合作不断深化。", "双方贸易额创历史新高。")
	p3 = append(p3, pdfLine{Font: "F1", Size: 10, X: 72, Y: 650, Text: "English follows the Chinese text on page three."})
	return pdfDoc{
		Pages: []pdfPage{{Lines: p1}, {Lines: p2}, {Lines: p3}},
		Info:  map[string]string{"Title": "Énergie marémotrice des îles", "Author": "Ana Lima; Wei Zhang", "CreationDate": "D:20190304120000Z"},
	}
}

func TestParsePDF(t *testing.T) {
	w := want{
		title:   "Énergie marémotrice des îles",
		authors: []string{"Ana Lima", "Wei Zhang"},
		year:    2019,
		contains: []string{
			"Tidal Energy in Small Islands\n\n1. Introduction\n",
			"Small islands pay dearly for diesel. The tide, by contrast,\narrives twice a day and costs nothing to predict.\nEngineers call this “the island’s clock” — a café owner agreed.",
			"The formula is power = 0.5 * rho * A * v^3 for a turbine.",
			"\n\f\n",
			"The left column begins the second\npage and runs down the left side\nof it until the column ends here.\n\nThe right column begins at the top\nagain and is read after the left\none, as a reader would read it.",
			"\n\f\n",
			"中国与拉丁美洲的合作不断深化。\n双方贸易额创历史新高。\n\nEnglish follows the Chinese text on page three.",
		},
		sections: []string{"1. Introduction"},
		pages: map[string]int{
			"Small islands pay dearly": 1,
			"The left column begins":   2,
			"The right column begins":  2,
			"中国与拉丁美洲":                  3,
			"English follows":          3,
		},
	}
	d, _ := w.check(t, "reading.pdf", makePDF(readingPDF()))
	if d.Format != "pdf" || len(d.Pages) != 3 || d.Pages[0] != 0 {
		t.Errorf("format %q, pages %v", d.Format, d.Pages)
	}
	for i, start := range d.Pages[1:] {
		if d.Text[start-3:start] != "\n\f\n" {
			t.Errorf("page %d starts at %d, after %q", i+2, start, d.Text[start-3:start])
		}
	}

	// A file encrypted against copying, that needs no password to open, is read.
	open := readingPDF()
	open.Encrypt = true
	w.check(t, "open.pdf", makePDF(open))

	// Without Info the title comes from the first page.
	bare := readingPDF()
	bare.Info = nil
	want{title: "Tidal Energy in Small Islands", contains: w.contains[:1]}.check(t, "bare.pdf", makePDF(bare))
}

// TestPassageSplitAtPageBreak: a paragraph that runs on over a page break is
// two passages, one per page, with the same paragraph number.
func TestPassageSplitAtPageBreak(t *testing.T) {
	doc := pdfDoc{Pages: []pdfPage{
		{Lines: pdfColumn("F1", 11, 72, 720, "A Study of Tides", "", "The tide comes in twice a day, and the harbour", "authority measures it every time it turns, with a")},
		{Lines: pdfColumn("F1", 11, 72, 720, "gauge that it bought in the year the harbour opened.", "It still works.")},
	}}
	d, ps := want{}.check(t, "split.pdf", makePDF(doc))
	var body []Passage
	for _, p := range ps {
		if p.Kind == KindBody {
			body = append(body, p)
		}
	}
	if len(body) != 2 || body[0].Page != 1 || body[1].Page != 2 || body[0].Paragraph != body[1].Paragraph {
		for _, p := range ps {
			t.Logf("p%d %s ¶%d %q", p.Page, p.Kind, p.Paragraph, p.Text)
		}
		t.Fatalf("want 2 body passages of one paragraph on pages 1 and 2\n%s", d.Text)
	}
	if !strings.HasSuffix(body[0].Text, "with a") || !strings.HasPrefix(body[1].Text, "gauge that") {
		t.Errorf("split at the wrong place: %q | %q", body[0].Text, body[1].Text)
	}
}

func TestParseBroken(t *testing.T) {
	encrypted := readingPDF()
	encrypted.Encrypt, encrypted.UserPassword = true, "secret"
	scan := pdfDoc{Pages: []pdfPage{{Image: true}, {Image: true}}}
	good := makePDF(readingPDF())
	tests := []struct {
		name   string
		data   []byte
		reason string // prefix of the error
	}{
		{"empty.pdf", nil, "empty file"},
		{"empty.docx", nil, "empty file"},
		{"empty.html", nil, "empty file"},
		{"encrypted.pdf", makePDF(encrypted), "encrypted PDF (password-protected)"},
		{"scan.pdf", makePDF(scan), "no extractable text (scanned/image-only PDF?)"},
		{"truncated.pdf", good[:len(good)/3], "cannot read: not a valid PDF"},
		{"fake.pdf", []byte("Just some text named .pdf"), "cannot read: not a PDF file"},
		// Page trees that loop: some PDF libraries never return from these.
		{"kids-loop.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", "<< /Type /Page /Parent 2 0 R >>"), "no extractable text"},
		{"parent-loop.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", "<< /Length 5 >>\nstream\nBT ET\nendstream"), "no extractable text"},
		{"nested.pdf", rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", "<< /Length 100000 >>\nstream\n"+strings.Repeat("[", 100000)+"\nendstream"), "no extractable text"},
		{"corrupt.docx", []byte("PK\x03\x04 this zip is broken"), "cannot read: not a DOCX file (corrupt zip"},
		{"legacy.docx", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 OLE"), "cannot read: an encrypted (password-protected) or legacy Word file"},
		{"nobody.docx", makeDOCX(nil, docxCore{Title: "Empty"}), "no text"},
		{"binary.html", []byte("<html>\x00\x01\x02</html>"), "binary file"},
		{"blank.html", []byte("<html><head><title>Only a title</title></head><body> <nav>Menu</nav> </body></html>"), "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.name, tt.data)
			if err == nil || !strings.HasPrefix(reason(err), tt.reason) {
				t.Errorf("err = %v, want %q", err, tt.reason)
			}
		})
	}
}

func TestSplitAuthorsYear(t *testing.T) {
	authors := []struct {
		in   string
		want []string
	}{
		{"Ana Lima", []string{"Ana Lima"}},
		{"Ana Lima, Wei Zhang", []string{"Ana Lima", "Wei Zhang"}},
		{"Lima, Ana", []string{"Lima, Ana"}},
		{"Lima, A.; Zhang, W.", []string{"Lima, A.", "Zhang, W."}},
		{"Ana Lima, Wei Zhang and Jo Roe", []string{"Ana Lima", "Wei Zhang", "Jo Roe"}},
		{"", nil},
	}
	for _, tt := range authors {
		if got := splitAuthors(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitAuthors(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	years := map[string]int{
		"2019": 2019, "2019-03-04T10:00:00Z": 2019, "D:20190304120000+01'00'": 2019,
		"March 4, 2019": 2019, "4 March 2019": 2019, "2021/05/01": 2021, "12345": 0, "": 0, "n.d.": 0,
	}
	for in, want := range years {
		if got := yearOf(in); got != want {
			t.Errorf("yearOf(%q) = %d, want %d", in, got, want)
		}
	}
}

func FuzzParseHTML(f *testing.F) {
	f.Add([]byte("<html><head><title>T</title><meta name=author content='A, B'></head><body><main><h1>H</h1><p>x &amp; y</p></main></body></html>"))
	f.Add([]byte("<article><header><h2>a<h3>b</h3></h2></header><pre>\n\n x</pre><br><br>y</article>"))
	f.Add([]byte("<p>\xff\xfe</p>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("f.html", data)
		if err != nil {
			return
		}
		checkPassages(t, d, Chunk(d))
	})
}

// FuzzParseDOCX feeds the DOCX parser whole files (inputs that start with
// "PK") and, mostly, document.xml bodies wrapped in a valid zip, since a
// mutated zip rarely gets past its checksums.
func FuzzParseDOCX(f *testing.F) {
	f.Add(makeDOCX([]docxPara{{Style: "Heading1", Text: "H"}, {Text: "a\tb\nc"}, {Cells: []string{"x", "y"}}}, docxCore{Title: "T", Creator: "A", Created: "2019"}))
	f.Add([]byte(`<w:document xmlns:w="w"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/><w:outlineLvl w:val="3"/></w:pPr><w:r><w:t>H</w:t></w:r></w:p><w:p><w:r><w:t>a</w:t><w:tab/><w:br/><w:delText>gone</w:delText><w:t>b</w:t></w:r><w:p><w:r><w:t>nested</w:t></w:r></w:p></w:p></w:body></w:document>`))
	f.Add([]byte("<w:p><w:t>\n\n</w:t></w:p>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("PK")) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("word/document.xml")
			w.Write(data)
			zw.Close()
			data = buf.Bytes()
		}
		d, err := Parse("f.docx", data)
		if err != nil {
			return
		}
		checkPassages(t, d, Chunk(d))
	})
}
