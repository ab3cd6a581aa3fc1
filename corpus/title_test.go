package corpus

import "testing"

func TestDeriveTitle(t *testing.T) {
	const body = "\n\nThe body of the document runs on in sentences. It says what it says, at length."
	tests := []struct {
		name, text, want string
	}{
		{"article", string(mustDefault(t, "000_74868021a2453573.txt")), "The Practice and Expansion of Xi Jinping's Diplomatic Thought in Latin America"},
		{"web page", string(mustDefault(t, "003_34d4872a9bd209dd.txt")), "China-LatAm Comprehensive Cooperative Partnership"},
		{"empty", "", ""},
		{"first short line", "A Plain Title" + body, "A Plain Title"},
		{"white space collapsed", "  A   Plain\tTitle  " + body, "A Plain Title"},
		{"byline after title", "Column header\n\nThe Real Title\n\nBy Jane Doe" + body, "The Real Title"},
		{"line of names after title", "Column header\n\nThe Real Title\n\nJane Doe and John Roe" + body, "The Real Title"},
		{"dateline after title", "Column header\n\nThe Real Title\n\nJanuary 19, 2020" + body, "The Real Title"},
		{"line before abstract", "Column header\n\nThe Real Title\n\nAbstract: It is about things.", "The Real Title"},
		{"footnote marker wins", "The Real Title†\n\nA subtitle of sorts" + body, "The Real Title"},
		{"footnote number", "The Real Title[1]" + body, "The Real Title"},
		{"starts with prose", "This document has no title. It starts right away." + body, ""},
		{"starts with a numbered heading", "1. Introduction" + body, ""},
		{"only short lines", "Roses are red\n\nViolets are blue", "Roses are red"},
		{"chinese", "中拉全面合作伙伴關系\n\n2014年7月,習近平訪問巴西期間,在中方倡議下,中拉領導人舉行首次會晤。", "中拉全面合作伙伴關系"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DeriveTitle(tt.text); got != tt.want {
				t.Errorf("DeriveTitle() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTitle(t *testing.T) {
	tests := []struct {
		name, path, text, want string
	}{
		{"text", "a/notes.txt", "My Notes\n\nSome text here that runs on.", "My Notes"},
		{"text without title falls back to the file name", "a/notes.txt", "Some text here. It runs on.", "notes"},
		{"markdown front matter", "doc.md", "---\ntitle: \"Front Title\"\nauthor: x\n---\n\n# Heading Title\n\nText.", "Front Title"},
		{"markdown heading", "doc.md", "Intro line.\n\n# Heading Title\n\nText.", "Heading Title"},
		{"markdown level 2 is not a title", "doc.md", "## Section\n\nText goes here. More.", "doc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.path, []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.want || doc.Path != tt.path {
				t.Errorf("Parse(%q): title %q path %q, want %q %q", tt.path, doc.Title, doc.Path, tt.want, tt.path)
			}
		})
	}
}

func mustDefault(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := defaultFiles.ReadFile("default/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// A PDF's Info title that a program put there is not the document's: the
// title comes from the first page, and the creation date is the file's,
// not the year of the work.
func TestPDFTitleProgramDefault(t *testing.T) {
	page := []pdfPage{{Lines: append(pdfColumn("F2", 18, 72, 700, "Krakatoa 1883"),
		pdfColumn("F1", 11, 72, 660, "The eruption of Krakatoa in August 1883 was heard", "thousands of kilometres away, on islands far across", "the Indian Ocean.")...)}}
	tests := []struct {
		info      string
		wantTitle string
		wantYear  int
	}{
		{"Enscript Output", "Krakatoa 1883", 0},
		{"Microsoft Word - krakatoa-draft3", "Krakatoa 1883", 0},
		{"untitled", "Krakatoa 1883", 0},
		{"Untitled-1", "Krakatoa 1883", 0},
		{"Slide 1", "Krakatoa 1883", 0},
		{"krakatoa.dvi", "Krakatoa 1883", 0},
		{"The Year Without a Summer", "The Year Without a Summer", 2024},
	}
	for _, tt := range tests {
		t.Run(tt.info, func(t *testing.T) {
			data := makePDF(pdfDoc{Pages: page, Info: map[string]string{"Title": tt.info, "CreationDate": "D:20240102120000Z"}})
			d, err := Parse("k.pdf", data)
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != tt.wantTitle || d.Year != tt.wantYear {
				t.Errorf("title %q year %d, want %q %d", d.Title, d.Year, tt.wantTitle, tt.wantYear)
			}
		})
	}
}

// An HTML page's <title> often names the site after the page: the <h1>
// is preferred when the <title> holds it, else the site's part is cut.
func TestHTMLTitleWithoutSiteName(t *testing.T) {
	const body = "<p>The eruption of Krakatoa in August 1883 was heard thousands of kilometres away.</p>"
	tests := []struct {
		name, page, want string
	}{
		{"h1 inside the title", "<title>Krakatoa 1883 | Volcano Site</title><body><h1>Krakatoa 1883</h1>" + body, "Krakatoa 1883"},
		{"no h1", "<title>Krakatoa 1883 | Site</title><body>" + body, "Krakatoa 1883"},
		{"dash", "<title>Volcano Site - The Eruption of Krakatoa in 1883</title><body>" + body, "The Eruption of Krakatoa in 1883"},
		{"h1 elsewhere", "<title>Krakatoa 1883 | Site</title><body><h1>Contents</h1>" + body, "Krakatoa 1883"},
		{"meta title as is", `<meta name="citation_title" content="Krakatoa | A Study"><title>x | y</title><body>` + body, "Krakatoa | A Study"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("k.html", []byte(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != tt.want {
				t.Errorf("title %q, want %q", d.Title, tt.want)
			}
		})
	}
}
