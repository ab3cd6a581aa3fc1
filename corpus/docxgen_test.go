package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// This file writes small DOCX files for the tests: the parts Word needs
// ([Content_Types].xml, the relations, word/document.xml, word/styles.xml)
// and the core properties.

// docxPara is one paragraph: Style is a style ID ("Heading1", "Title") or "";
// Text may hold "\t" (a w:tab) and "\n" (a w:br). Cells, if not nil, makes it
// a table row of one-paragraph cells instead.
type docxPara struct {
	Style string
	Text  string
	Cells []string
}

// docxCore is what docProps/core.xml says.
type docxCore struct {
	Title, Creator, Created string
}

func makeDOCX(paras []docxPara, core docxCore) []byte {
	var body strings.Builder
	for _, p := range paras {
		if p.Cells != nil {
			body.WriteString("<w:tbl><w:tr>")
			for _, c := range p.Cells {
				fmt.Fprintf(&body, "<w:tc><w:p>%s</w:p></w:tc>", docxRuns(c))
			}
			body.WriteString("</w:tr></w:tbl>")
			continue
		}
		body.WriteString("<w:p>")
		if p.Style != "" {
			fmt.Fprintf(&body, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, p.Style)
		}
		body.WriteString(docxRuns(p.Text))
		body.WriteString("</w:p>")
	}
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`,
		"word/styles.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style><w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style></w:styles>`,
		"docProps/core.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + xmlEscape(core.Title) + `</dc:title><dc:creator>` + xmlEscape(core.Creator) + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + core.Created + `</dcterms:created></cp:coreProperties>`,
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "docProps/core.xml"} {
		w, _ := zw.Create(name)
		w.Write([]byte(parts[name]))
	}
	zw.Close()
	return buf.Bytes()
}

// docxRuns writes text as runs, a run per word boundary now and then, as
// Word splits runs where formatting or spell-checking changes.
func docxRuns(text string) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<w:r><w:br/></w:r>")
		}
		for j, cell := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString("<w:r><w:tab/></w:r>")
			}
			words := strings.SplitAfter(cell, " ")
			for k := 0; k < len(words); k += 3 {
				chunk := strings.Join(words[k:min(k+3, len(words))], "")
				fmt.Fprintf(&b, `<w:r><w:rPr><w:b w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, k%2, xmlEscape(chunk))
			}
		}
	}
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
