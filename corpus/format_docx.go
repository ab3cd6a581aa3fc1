package corpus

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// maxDOCXPart is the most bytes read from one decompressed part of a DOCX
// file, against zip bombs.
const maxDOCXPart = 64 << 20

// parseDOCX reads a Word (.docx) file. The text is the body's paragraphs,
// separated by blank lines, in document order (table cells are paragraphs
// too): the text runs of each (w:t), with tabs and line breaks. Paragraphs
// styled as headings (Heading 1 to 9, or with an outline level) and the Title
// become Markdown "#" lines, so that they open sections; deleted text, field
// codes, footnotes and comments are left out. Title, authors and year come
// from docProps/core.xml (dc:title, dc:creator, dcterms:created).
func parseDOCX(ctx context.Context, _ string, data []byte) (Document, error) {
	if len(data) == 0 {
		return Document{}, ErrEmpty
	}
	if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")) {
		return Document{}, fmt.Errorf("%w: an encrypted (password-protected) or legacy Word file, not DOCX", ErrUnreadable)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Document{}, fmt.Errorf("%w: not a DOCX file (corrupt zip: %v)", ErrUnreadable, err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	main := "word/document.xml"
	if rels, err := readPart(files, "_rels/.rels"); err == nil {
		if t := officeDocument(rels); t != "" {
			main = strings.TrimPrefix(path.Clean("/"+t), "/")
		}
	}
	body, err := readPart(files, main)
	if err != nil {
		return Document{}, fmt.Errorf("%w: not a DOCX file: %v", ErrUnreadable, err)
	}
	var styles map[string]int
	if s, err := readPart(files, path.Join(path.Dir(main), "styles.xml")); err == nil {
		styles = headingStyles(s)
	}
	text, err := docxText(ctx, body, styles)
	if ctx.Err() != nil {
		return Document{}, context.Cause(ctx)
	}
	if err != nil {
		return Document{}, fmt.Errorf("%w: malformed DOCX: %v", ErrUnreadable, err)
	}
	if strings.TrimFunc(text, isSpace) == "" {
		return Document{}, fmt.Errorf("%w (the document body is empty)", ErrNoText)
	}
	d := Document{Text: text, Format: "docx"}
	if core, err := readPart(files, "docProps/core.xml"); err == nil {
		m := coreProperties(core)
		d.Title, d.Authors, d.Year = m.Title, m.Authors, m.Year
	}
	if d.Title == "" {
		d.Title = firstHeading(text, 1)
	}
	return d, nil
}

// readPart returns the decompressed bytes of the zip entry name.
func readPart(files map[string]*zip.File, name string) ([]byte, error) {
	f := files[name]
	if f == nil {
		return nil, fmt.Errorf("no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxDOCXPart+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxDOCXPart {
		return nil, fmt.Errorf("%s: over %d bytes decompressed", name, maxDOCXPart)
	}
	return data, nil
}

// officeDocument returns the target of the package's officeDocument relation.
func officeDocument(rels []byte) string {
	var r struct {
		Rels []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(rels, &r) != nil {
		return ""
	}
	for _, rel := range r.Rels {
		if strings.HasSuffix(rel.Type, "/officeDocument") {
			return rel.Target
		}
	}
	return ""
}

// headingStyles maps the IDs of the paragraph styles of styles.xml that are
// headings to their level: "heading N" is N, "Title" 1; a style with an
// outline level is that level plus one.
func headingStyles(data []byte) map[string]int {
	var s struct {
		Styles []struct {
			Type string `xml:"type,attr"`
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
			PPr struct {
				Outline *struct {
					Val string `xml:"val,attr"`
				} `xml:"outlineLvl"`
			} `xml:"pPr"`
		} `xml:"style"`
	}
	if xml.Unmarshal(data, &s) != nil {
		return nil
	}
	out := map[string]int{}
	for _, st := range s.Styles {
		if st.Type != "paragraph" {
			continue
		}
		if l := headingStyleLevel(st.Name.Val); l > 0 {
			out[st.ID] = l
		} else if st.PPr.Outline != nil {
			if n, err := strconv.Atoi(st.PPr.Outline.Val); err == nil && n >= 0 && n < 9 {
				out[st.ID] = n + 1
			}
		}
	}
	return out
}

// headingStyleLevel returns the level of a heading style by name or ID
// ("heading 2", "Heading2", "Title"), or 0.
func headingStyleLevel(name string) int {
	n := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	if n == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(n, "heading"); ok && len(rest) == 1 && rest[0] >= '1' && rest[0] <= '9' {
		return int(rest[0] - '0')
	}
	return 0
}

// docxText extracts the paragraphs of document.xml.
func docxText(ctx context.Context, data []byte, styles map[string]int) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	var out, para strings.Builder
	level := 0  // heading level of the current paragraph
	inText := 0 // depth inside w:t
	skip := 0   // depth inside elements whose text is not body text
	depth := 0  // depth of paragraphs (text boxes nest them)
	flush := func() {
		s := strings.TrimFunc(para.String(), isSpace)
		para.Reset()
		if s == "" {
			level = 0
			return
		}
		if level > 0 {
			s = strings.Repeat("#", min(level, 6)) + " " + strings.Join(strings.Fields(s), " ")
		} else {
			// A blank line inside a paragraph would cut it in two blocks.
			for strings.Contains(s, "\n\n") {
				s = strings.ReplaceAll(s, "\n\n", "\n")
			}
		}
		if out.Len() > 0 {
			out.WriteString("\n\n")
		}
		out.WriteString(s)
		level = 0
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				if depth == 0 {
					flush()
				}
				depth++
			case "pStyle":
				if l := styles[xmlAttr(t, "val")]; l > 0 {
					level = l
				} else if l := headingStyleLevel(xmlAttr(t, "val")); l > 0 {
					level = l
				}
			case "outlineLvl":
				if n, err := strconv.Atoi(xmlAttr(t, "val")); err == nil && n >= 0 && n < 9 && level == 0 {
					level = n + 1
				}
			case "t":
				inText++
			case "tab":
				if skip == 0 && inText == 0 {
					para.WriteByte('\t')
				}
			case "br", "cr":
				if skip == 0 {
					para.WriteByte('\n')
				}
			case "delText", "instrText", "footnoteReference", "endnoteReference", "commentReference", "del", "fldData":
				skip++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				depth--
				if depth <= 0 {
					depth = 0
					flush()
				}
			case "t":
				inText = max(inText-1, 0)
			case "delText", "instrText", "footnoteReference", "endnoteReference", "commentReference", "del", "fldData":
				skip = max(skip-1, 0)
			case "tc":
				flush() // a table cell ends its paragraph
			}
		case xml.CharData:
			if inText > 0 && skip == 0 {
				para.Write(t)
			}
		}
	}
	flush()
	return out.String(), nil
}

func xmlAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// coreProperties reads docProps/core.xml.
func coreProperties(data []byte) Metadata {
	var c struct {
		Title   string `xml:"title"`
		Creator string `xml:"creator"`
		Created string `xml:"created"`
	}
	if xml.Unmarshal(data, &c) != nil {
		return Metadata{}
	}
	return Metadata{Title: collapseSpace(c.Title), Authors: splitAuthors(c.Creator), Year: yearOf(c.Created)}
}
