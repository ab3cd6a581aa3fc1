package corpus

import (
	"context"
	"strings"
)

// parseMarkdown reads a Markdown file. The text is the file's bytes, markup and
// all, so that offsets index the original; the chunker treats "#" lines as
// headings and a YAML front matter block ("---" ... "---" at the top) as
// metadata. The title is the front matter's "title:", else the first "# "
// heading, else as for plain text; authors, year and URL come from the front
// matter too (see frontMatterMeta).
func parseMarkdown(_ context.Context, _ string, data []byte) (Document, error) {
	if err := checkText(data); err != nil {
		return Document{}, err
	}
	text := string(data)
	d := Document{Text: text, Format: "md"}
	fm := markdownFrontMatter(text)
	meta := frontMatterMeta(text[fm.Start:fm.End])
	d.Authors, d.Year, d.URL = meta.Authors, meta.Year, meta.URL
	d.Title = meta.Title
	if d.Title == "" {
		d.Title = frontMatterTitle(text[fm.Start:fm.End])
	}
	blocks := splitBlocks(text, fm.End, true)
	if d.Title == "" {
		for _, b := range blocks {
			if s := text[b.Start:b.End]; atxLevel(s) == 1 {
				d.Title = markdownTitle(s)
				break
			}
		}
	}
	if d.Title == "" && len(blocks) > 0 && !isMarkup(text[blocks[0].Start:blocks[0].End]) {
		d.Title = DeriveTitle(text[fm.End:])
	}
	return d, nil
}

// isMarkup reports whether a Markdown block starts with markup rather than
// prose: a heading, list, quote, code, table, HTML or image.
func isMarkup(s string) bool {
	for _, p := range []string{"#", "- ", "* ", "+ ", ">", "`", "~~~", "<", "|", "![", "[^"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// markdownFrontMatter returns the span of a YAML front matter block at the top
// of text, from the opening "---" through the closing "---" or "...", or an
// empty span.
func markdownFrontMatter(text string) Span {
	t := strings.TrimPrefix(text, "\ufeff")
	off := len(text) - len(t)
	first, rest, ok := strings.Cut(t, "\n")
	if !ok || strings.TrimRight(first, " \t\r") != "---" {
		return Span{}
	}
	at := off + len(first) + 1
	for rest != "" {
		line, more, _ := strings.Cut(rest, "\n")
		if l := strings.TrimRight(line, " \t\r"); l == "---" || l == "..." {
			return Span{off, at + len(strings.TrimRight(line, " \t\r"))}
		}
		at += len(line) + 1
		rest = more
	}
	return Span{}
}

// frontMatterTitle returns the value of the "title:" key of YAML front matter.
func frontMatterTitle(fm string) string {
	for _, line := range strings.Split(fm, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "title" || line[0] == ' ' {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		return collapseSpace(v)
	}
	return ""
}
