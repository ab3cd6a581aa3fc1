package corpus

import (
	"context"
	"strings"
	"unicode"
)

// Chunk cuts a document into passages: body passages that follow its logical
// paragraphs and sentences, and reference passages for everything that is not
// running text. For every passage, doc.Text[p.Start:p.End] == p.Text; passages
// are in order, do not overlap, and neither start nor end with white space.
//
// The text is read as blocks between blank lines, each of which is
//
//   - front matter: the short lines at the top (column header, title, byline,
//     dateline; YAML front matter in Markdown), one KindReference passage;
//   - a heading: numbered ("2. ", "(1) ", "3) ", "第一章", "一、"), a Markdown
//     "#" line, or an unnumbered short title line standing alone. It opens a
//     section; sections nest, and Passage.Section joins the open titles with
//     SectionSep. A heading is the first line of the first passage after it, so
//     a heading that breaks off mid-sentence reads on into its paragraph. A
//     heading with no text of its own becomes a KindReference passage.
//   - a reference: a bibliography or footnote block (see referenceScore).
//     Consecutive reference blocks, the pieces of an entry split over several
//     blocks, make one KindReference passage, with Paragraph 0.
//   - noise: a stray glyph standing alone ("ÿ"). Not indexed.
//   - body text.
//
// Body blocks join into logical paragraphs: a block that does not end a
// sentence continues into the next one when that starts in lower case, or when
// it ends in a comma, "and", "the" or an open quote ("The overall cooperation" /
// "mechanism has been continuously improved, and" / "China-Latin America
// exchanges ..." is one paragraph; the passage text keeps the blank lines). A
// paragraph that references interrupt mid-sentence (it breaks off in a word or
// a comma, or the text after them starts in lower case) goes on after them, in
// a new passage with the same paragraph number, since a passage is one
// contiguous span. Paragraphs are numbered from 1 through the document. A
// numbered "(N) ..." heading in the middle of a paragraph, right after a
// sentence end and continuing the numbering, starts a new section and a new
// paragraph there.
//
// Each paragraph is cut at sentence ends into passages of about 250 to 800
// characters (80 to 250 for CJK text), balanced so that no short tail is left
// over; a longer single sentence stays whole, and a short paragraph is one
// passage.
func Chunk(doc Document) []Passage {
	ps, _ := ChunkContext(context.Background(), doc)
	return ps
}

// ChunkContext is Chunk, stopped when ctx is done: then it returns ctx's
// error (or cause) and no passages. Chunking 20 MiB of text takes seconds.
func ChunkContext(ctx context.Context, doc Document) ([]Passage, error) {
	c := &chunker{ctx: ctx, doc: doc, text: doc.Text, head: -1}
	c.run()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if len(doc.Pages) > 0 {
		return splitPages(doc, c.out), nil
	}
	return c.out, nil
}

// splitPages cuts every passage that runs over a page break of doc in two at
// the break, both halves keeping its kind, section and paragraph, and sets
// each passage's page.
func splitPages(doc Document, ps []Passage) []Passage {
	out := make([]Passage, 0, len(ps))
	for _, p := range ps {
		for {
			page := doc.PageAt(p.Start)
			if page >= len(doc.Pages) || doc.Pages[page] >= p.End {
				p.Page = max(page, 1)
				out = append(out, p)
				break
			}
			next := doc.Pages[page]
			if s, e := trimSpan(doc.Text, p.Start, next); s < e {
				head := p
				head.Start, head.End, head.Text, head.Page = s, e, doc.Text[s:e], max(page, 1)
				out = append(out, head)
			}
			s, e := trimSpan(doc.Text, next, p.End)
			if s >= e {
				break
			}
			p.Start, p.End, p.Text = s, e, doc.Text[s:e]
		}
	}
	return out
}

// markdownHeadings reports whether the text of a format marks its headings
// as Markdown does, with "#" lines: Markdown itself, and the text that Parse
// extracts from HTML and DOCX files.
func markdownHeadings(format string) bool {
	return format == "md" || format == "html" || format == "docx"
}

// maxRefPassage is the size, in bytes, past which a run of reference blocks
// is cut into several passages.
const maxRefPassage = 1500

type chunker struct {
	ctx    context.Context // checked between blocks
	doc    Document
	text   string
	blocks []block
	out    []Passage
	secs   sections

	para     int    // number of the current logical paragraph
	paraOpen bool   // the current paragraph may go on after an interruption
	broken   bool   // references or noise came after the last body text
	lastBody string // the last body text emitted

	piece    Span // the body text not yet emitted, contiguous
	hasPiece bool
	fresh    bool // the piece starts a new paragraph
	headed   bool // the piece starts with its heading block

	refs    []Span // reference blocks not yet emitted
	head    int    // index of a heading block waiting for its text, -1 if none
	section string // section of the waiting heading
}

func (c *chunker) run() {
	md := markdownHeadings(c.doc.Format)
	from, marker := 0, ""
	if md {
		if fm := markdownFrontMatter(c.text); fm.End > 0 {
			c.emit(fm, KindReference, 0)
			from = fm.End
		}
	}
	c.blocks = splitBlocks(c.text, from, md)
	bs := c.blocks
	if md {
		// A first "# " heading is the title, unless the front matter names
		// another title: then it is the first section.
		if len(bs) > 0 && atxLevel(c.text[bs[0].Start:bs[0].End]) == 1 &&
			(from == 0 || strings.TrimSpace(strings.Trim(strings.TrimSpace(c.text[bs[0].Start:bs[0].End]), "#")) == c.doc.Title) {
			c.emit(bs[0].Span, KindReference, 0) // the title
			bs = bs[1:]
		}
		c.classifyMarkdown(bs)
	} else {
		f := frontMatter(c.text, bs)
		if f.n > 0 {
			c.emit(Span{bs[0].Start, bs[f.n-1].End}, KindReference, 0)
		}
		marker = f.marker
		bs = bs[f.n:]
		c.classify(bs, marker)
	}
	c.blocks = bs
	for i := range bs {
		if i%256 == 0 && c.ctx.Err() != nil {
			return
		}
		c.step(i)
	}
	c.flushPiece()
	c.flushHeading()
	c.flushRefs()
}

// step takes block i into the passages being built.
func (c *chunker) step(i int) {
	b := c.blocks[i]
	s := c.text[b.Start:b.End]
	switch b.kind {
	case blockNoise:
		if c.hasPiece {
			c.flushPiece()
		}
		c.broken = true
	case blockReference:
		c.flushPiece()
		c.flushHeading()
		c.refs = append(c.refs, b.Span)
		c.broken = true
	case blockHeading:
		c.flushPiece()
		c.flushHeading()
		c.flushRefs()
		h := b.head
		if h.title == "" {
			next := ""
			if n := neighbour(c.blocks, i, 1); n >= 0 && c.blocks[n].kind == blockBody {
				next = c.text[c.blocks[n].Start:c.blocks[n].End]
			}
			h.title = headingTitle(s, next)
		}
		c.secs.push(h)
		c.head, c.section = i, c.secs.String()
		c.paraOpen = false
	case blockBody:
		c.flushRefs()
		switch {
		case c.head >= 0:
			c.startPiece(Span{c.blocks[c.head].Start, b.End}, true)
			c.headed = true
			c.head = -1
		case c.hasPiece && continues(c.text[c.piece.Start:c.piece.End], s):
			c.piece.End = b.End
		case !c.hasPiece && c.broken && c.paraOpen && !endsSentence(c.lastBody) &&
			(unicode.IsLower(firstLetter(s)) || brokenOff(c.lastBody)):
			c.startPiece(b.Span, false) // the paragraph goes on after the interruption
		default:
			c.flushPiece()
			c.startPiece(b.Span, true)
		}
		c.broken = false
	}
}

func (c *chunker) startPiece(s Span, fresh bool) {
	if fresh {
		c.para++
	}
	c.piece, c.hasPiece, c.fresh, c.headed = s, true, fresh, false
}

// flushHeading emits a heading that got no text of its own.
func (c *chunker) flushHeading() {
	if c.head < 0 {
		return
	}
	b := c.blocks[c.head]
	c.out = append(c.out, c.passage(b.Span, KindReference, 0, c.section))
	c.head = -1
}

// flushRefs emits the pending reference blocks, cut into passages of at most
// about maxRefPassage bytes at block boundaries.
func (c *chunker) flushRefs() {
	for len(c.refs) > 0 {
		n := 1
		for n < len(c.refs) && c.refs[n].End-c.refs[0].Start <= maxRefPassage {
			n++
		}
		c.emit(Span{c.refs[0].Start, c.refs[n-1].End}, KindReference, 0)
		c.refs = c.refs[n:]
	}
}

// flushPiece emits the pending body text: its sentences, split at inline
// headings, grouped into passages.
func (c *chunker) flushPiece() {
	if !c.hasPiece {
		return
	}
	c.hasPiece = false
	p := c.piece
	ss := Sentences(c.text[p.Start:p.End])
	for i := range ss {
		ss[i].Start += p.Start
		ss[i].End += p.Start
	}
	from := 0
	for k := range ss {
		if k == 0 && c.headed {
			continue
		}
		h, ok := c.secs.inlineHeading(c.text[ss[k].Start:ss[k].End])
		if !ok {
			continue
		}
		if k > from {
			c.body(ss[from:k])
		}
		if k > 0 || !c.fresh {
			c.para++
		}
		c.secs.push(h)
		from = k
	}
	c.body(ss[from:])
	c.paraOpen = true
	c.lastBody = c.text[p.Start:p.End]
}

// brokenOff reports whether text, which does not end a sentence, breaks off
// mid-sentence: it ends in a word, a comma or a dash, not in a number, a code
// or a closing bracket as lists of data do.
func brokenOff(text string) bool {
	r := lastRune(text)
	return unicode.IsLetter(r) || strings.ContainsRune(",;:-–—、，；：", r)
}

// body emits the sentences ss of one paragraph as passages.
func (c *chunker) body(ss []Span) {
	if len(ss) == 0 {
		return
	}
	sz := sizeLatin
	if isCJKText(c.text[ss[0].Start:ss[len(ss)-1].End]) {
		sz = sizeCJK
	}
	ss = splitLong(c.text, ss, 4*sz.max)
	for _, g := range group(c.text, ss, sz) {
		c.emit(Span{ss[g[0]].Start, ss[g[1]-1].End}, KindBody, c.para)
	}
}

func (c *chunker) emit(s Span, kind Kind, para int) {
	c.out = append(c.out, c.passage(s, kind, para, c.secs.String()))
}

func (c *chunker) passage(s Span, kind Kind, para int, section string) Passage {
	if kind != KindBody {
		para = 0
	}
	return Passage{
		Doc:       c.doc.Path,
		Title:     c.doc.Title,
		Section:   section,
		Paragraph: para,
		Start:     s.Start,
		End:       s.End,
		Text:      c.text[s.Start:s.End],
		Kind:      kind,
	}
}
