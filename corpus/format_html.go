package corpus

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// parseHTML reads an HTML page. The text is the page's main text, extracted:
// the <main> element, else the <article> (the longest, if several), else the
// <body>, without navigation, headers and footers, sidebars, scripts, forms
// and hidden elements. Headings h1 to h6 become Markdown "#" lines, so that
// they open sections; paragraphs, list items, table cells and other blocks are
// separated by blank lines; white space is collapsed except in <pre>, and
// entities are decoded. The charset comes from the byte order mark or a <meta
// charset>, else UTF-8, else Windows-1252. Title, authors, year and URL come
// from the citation_* and Dublin Core meta tags, Open Graph and article meta
// tags, <meta name="author">, <link rel="canonical"> and <title>.
func parseHTML(_ context.Context, _ string, data []byte) (Document, error) {
	if err := checkBinary(data, true); err != nil {
		return Document{}, err
	}
	enc, _, _ := charset.DetermineEncoding(data, "text/html")
	r := enc.NewDecoder().Reader(bytes.NewReader(data))
	root, err := html.Parse(r)
	if err != nil {
		return Document{}, fmt.Errorf("%w: malformed HTML: %v", ErrUnreadable, err)
	}
	d := Document{Format: "html"}
	m := htmlMeta(root)
	d.Title, d.Authors, d.Year, d.URL = m.title, m.authors, m.year, m.url

	body := find(root, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		body = root
	}
	main := mainContent(body)
	x := &htmlText{}
	x.walk(main, false)
	text := x.finish()
	if main != body && len(text) < 200 {
		// A <main> or <article> with hardly any text of its own: a teaser.
		x = &htmlText{}
		x.walk(body, false)
		text = x.finish()
	}
	if strings.TrimFunc(text, isSpace) == "" {
		return Document{}, fmt.Errorf("%w (the page's main text is empty)", ErrNoText)
	}
	d.Text = text
	if h1 := firstHeading(text, 1); d.Title == "" || m.titleTag && h1 != "" && strings.Contains(strings.ToLower(d.Title), strings.ToLower(h1)) {
		d.Title = h1
	} else if m.titleTag {
		d.Title = stripSiteName(d.Title)
	}
	return d, nil
}

// firstHeading returns the title of the first Markdown heading of level in
// text, or "".
func firstHeading(text string, level int) string {
	for _, b := range splitBlocks(text, 0, true) {
		if s := text[b.Start:b.End]; atxLevel(s) == level {
			return markdownTitle(s)
		}
	}
	return ""
}

// find returns the first node under n, depth first, for which match holds.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

// mainContent returns the element of body that holds the main text: <main>
// (or role="main"), else the <article> with the most text, else body.
func mainContent(body *html.Node) *html.Node {
	if m := find(body, func(n *html.Node) bool {
		return n.Type == html.ElementNode && (n.DataAtom == atom.Main || attr(n, "role") == "main") && !dropped(n)
	}); m != nil {
		return m
	}
	var best *html.Node
	bestLen := 0
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && dropped(n) {
			return
		}
		if n.DataAtom == atom.Article {
			if l := textLen(n); l > bestLen {
				best, bestLen = n, l
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(body)
	if best != nil {
		return best
	}
	return body
}

// textLen counts the bytes of text under n.
func textLen(n *html.Node) int {
	if n.Type == html.TextNode {
		return len(strings.TrimSpace(n.Data))
	}
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		l += textLen(c)
	}
	return l
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// droppedTags are elements whose text is never part of the main text.
var droppedTags = map[atom.Atom]bool{
	atom.Nav: true, atom.Aside: true, atom.Footer: true, atom.Script: true, atom.Style: true,
	atom.Form: true, atom.Noscript: true, atom.Template: true, atom.Svg: true, atom.Math: true,
	atom.Iframe: true, atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Dialog: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Head: true,
}

// droppedRoles are ARIA roles of page chrome.
var droppedRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true,
	"search": true, "menu": true, "menubar": true, "dialog": true, "alert": true,
}

// chromeWords are words in class and id attributes that mark page chrome.
var chromeWords = map[string]bool{
	"nav": true, "navbar": true, "navigation": true, "menu": true, "menubar": true,
	"sidebar": true, "footer": true, "breadcrumb": true, "breadcrumbs": true,
	"cookie": true, "cookies": true, "consent": true, "skip": true, "skiplink": true,
	"share": true, "sharing": true, "social": true, "newsletter": true, "advert": true,
	"ad": true, "ads": true, "related": true, "comments": true, "masthead": true,
}

// dropped reports whether element n is page chrome: navigation, header,
// footer, sidebar, menu, cookie banner, script, form, hidden, ...
func dropped(n *html.Node) bool {
	if droppedTags[n.DataAtom] {
		return true
	}
	if n.DataAtom == atom.Header && !inside(n, atom.Article) {
		return true // the site's header; an article's header holds its title
	}
	if droppedRoles[strings.ToLower(attr(n, "role"))] {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			if s := strings.ReplaceAll(strings.ToLower(a.Val), " ", ""); strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		case "class", "id":
			for _, w := range strings.FieldsFunc(strings.ToLower(a.Val), func(r rune) bool {
				return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
			}) {
				if chromeWords[w] {
					return true
				}
			}
		}
	}
	return false
}

// inside reports whether n has an ancestor element a.
func inside(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

// blockTags are elements that start and end a block of text.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Dt: true, atom.Dd: true,
	atom.Td: true, atom.Th: true, atom.Tr: true, atom.Table: true, atom.Caption: true,
	atom.Blockquote: true, atom.Pre: true, atom.Section: true, atom.Article: true,
	atom.Main: true, atom.Header: true, atom.Figure: true, atom.Figcaption: true,
	atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Address: true, atom.Hr: true,
	atom.Details: true, atom.Summary: true, atom.Body: true, atom.Center: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

// htmlText accumulates the extracted text: finished blocks, and the inline
// text of the block being read.
type htmlText struct {
	out    strings.Builder
	line   strings.Builder // the current block, white space collapsed
	space  bool            // a space is pending before the next word
	prefix string          // "## " while in a heading
}

func (x *htmlText) walk(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		x.text(n.Data, pre)
		return
	case html.ElementNode:
	case html.DocumentNode:
	default:
		return
	}
	if n.Type == html.ElementNode && dropped(n) {
		return
	}
	level := headingLevel(n.DataAtom)
	block := blockTags[n.DataAtom]
	if block {
		x.flush()
	}
	switch {
	case level > 0 && x.prefix == "":
		x.prefix = strings.Repeat("#", level) + " "
		defer func() { x.flush(); x.prefix = "" }()
	case n.DataAtom == atom.Br:
		if x.prefix != "" {
			x.space = true
		} else {
			x.line.WriteString("\n")
			x.space = false
		}
		return
	case n.DataAtom == atom.Img:
		return
	case n.DataAtom == atom.Pre:
		pre = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		x.walk(c, pre)
	}
	if block {
		x.flush()
	}
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// text adds the text s of a text node, collapsing white space unless pre.
func (x *htmlText) text(s string, pre bool) {
	if pre && x.prefix == "" {
		// Blank lines inside <pre> would cut the block: keep them single.
		for strings.Contains(s, "\n\n") {
			s = strings.ReplaceAll(s, "\n\n", "\n")
		}
		x.line.WriteString(strings.ReplaceAll(s, "\r", ""))
		return
	}
	for i, f := range strings.FieldsFunc(s, isSpace) {
		if (i > 0 || x.space || startsWithSpace(s)) && x.line.Len() > 0 && !strings.HasSuffix(x.line.String(), "\n") {
			x.line.WriteByte(' ')
		}
		x.line.WriteString(f)
		x.space = false
	}
	if endsWithSpace(s) {
		x.space = true
	}
}

func startsWithSpace(s string) bool { return s != "" && isSpace(firstRune(s)) }
func endsWithSpace(s string) bool   { return s != "" && isSpace(lastRune(s)) }

// flush ends the current block.
func (x *htmlText) flush() {
	s := strings.TrimFunc(x.line.String(), isSpace)
	x.line.Reset()
	x.space = false
	if s == "" {
		return
	}
	if x.out.Len() > 0 {
		x.out.WriteString("\n\n")
	}
	if x.prefix != "" {
		s = x.prefix + strings.Join(strings.Fields(s), " ")
	}
	x.out.WriteString(s)
}

func (x *htmlText) finish() string {
	x.flush()
	return x.out.String()
}

// htmlMetadata is what an HTML page says about itself.
type htmlMetadata struct {
	title    string
	titleTag bool // the title is the page's <title>, which often names the site too
	authors  []string
	year     int
	url      string
}

// htmlMeta reads the metadata of a page from its <head> (and <meta> tags
// anywhere), best source first.
func htmlMeta(root *html.Node) htmlMetadata {
	metas := map[string][]string{} // lower-case name or property -> contents, in order
	var title, canonical string
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				key := strings.ToLower(attr(n, "name"))
				if key == "" {
					key = strings.ToLower(attr(n, "property"))
				}
				if v := collapseSpace(attr(n, "content")); key != "" && v != "" {
					metas[key] = append(metas[key], v)
				}
			case atom.Title:
				if title == "" && !inside(n, atom.Svg) {
					title = collapseSpace(nodeText(n))
				}
			case atom.Link:
				for _, rel := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
					if rel == "canonical" && canonical == "" {
						canonical = attr(n, "href")
					}
				}
			case atom.Body:
				return // meta tags in the body are rare; titles there are content
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(root)
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := metas[k]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	var m htmlMetadata
	m.title = first("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title")
	if m.title == "" {
		m.title, m.titleTag = title, title != ""
	}
	if as := metas["citation_author"]; len(as) > 0 {
		m.authors = as
	} else {
		for _, k := range []string{"dc.creator", "dcterms.creator", "author", "article:author", "byl"} {
			for _, v := range metas[k] {
				if !strings.Contains(v, "://") {
					m.authors = append(m.authors, splitAuthors(strings.TrimPrefix(v, "By "))...)
				}
			}
			if len(m.authors) > 0 {
				break
			}
		}
	}
	m.year = yearOf(first("citation_publication_date", "citation_date", "citation_online_date", "citation_year",
		"dc.date", "dcterms.date", "dcterms.issued", "article:published_time", "og:published_time", "date", "pubdate"))
	m.url = canonical
	if m.url == "" {
		m.url = first("og:url", "citation_abstract_html_url", "citation_fulltext_html_url", "dc.identifier")
	}
	if !strings.Contains(m.url, "://") {
		m.url = "" // a relative link or an identifier that is no address
	}
	return m
}

// nodeText returns the text under n.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return b.String()
}

// stripSiteName returns the title of a page's <title> without the site's
// name: the longest of the parts separated by " | ", " - ", " – ", " — ",
// " · " or " :: " ("Krakatoa 1883 | Volcano Site" is "Krakatoa 1883").
func stripSiteName(title string) string {
	for _, sep := range []string{" | ", " – ", " — ", " · ", " :: ", " - "} {
		if !strings.Contains(title, sep) {
			continue
		}
		best := ""
		for _, p := range strings.Split(title, sep) {
			if p = strings.TrimSpace(p); utf8.RuneCountInString(p) > utf8.RuneCountInString(best) {
				best = p
			}
		}
		if letterCount(best) >= 2 {
			return best
		}
	}
	return title
}
