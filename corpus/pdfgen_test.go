package corpus

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// This file writes small, valid PDFs with known text on known pages, for the
// tests and benchmarks of the PDF parser: no tool outside Go is needed to make
// the fixtures. The files use what real producers use: the standard Type 1
// fonts with WinAnsiEncoding, a Type 0 (CID) font with Identity-H encoding and
// a ToUnicode CMap for Chinese, Flate-compressed content streams, an Info
// dictionary, RC4 encryption (the standard security handler, revision 2) and
// image XObjects.

// pdfDoc describes a PDF to write with makePDF.
type pdfDoc struct {
	Pages []pdfPage
	// Info is the document information dictionary: Title, Author, Subject,
	// CreationDate ("D:20190304120000Z"), ... Values that are not ASCII are
	// written in UTF-16BE.
	Info map[string]string
	// Encrypt encrypts the file with the standard security handler, with
	// UserPassword as the password needed to open it ("" opens it without one,
	// as PDFs that only restrict printing or copying do).
	Encrypt      bool
	UserPassword string
}

// pdfPage is one page: lines of text and, optionally, an image.
type pdfPage struct {
	Lines []pdfLine
	Image bool // draw a small grey image (a page scan, as far as text goes)
}

// pdfLine is one line of text at (X, Y) in points from the bottom left of a
// US Letter page (612 x 792).
type pdfLine struct {
	Font string // "F1" Helvetica, "F2" Times-Bold, "F3" Courier, "F4" a CID font for Chinese
	Size float64
	X, Y float64
	Text string
}

// pdfColumn lays out lines of text from the top of a page down, at x, in font.
func pdfColumn(font string, size, x, top float64, lines ...string) []pdfLine {
	out := make([]pdfLine, len(lines))
	for i, l := range lines {
		out[i] = pdfLine{Font: font, Size: size, X: x, Y: top - float64(i)*size*1.4, Text: l}
	}
	return out
}

// The objects every file has, by number; pages and the rest follow.
const (
	pdfCatalog = 1 + iota
	pdfPages
	pdfHelvetica
	pdfTimesBold
	pdfCourier
	pdfCJKFont
	pdfCIDFont
	pdfToUnicode
	pdfDescriptor
	pdfImage
	pdfInfo
	pdfFirstPage // page n is object pdfFirstPage+2n, its content the one after
)

// pdfPadding pads passwords (PDF 1.7, 7.6.3.3, algorithm 2).
var pdfPadding = []byte("\x28\xbf\x4e\x5e\x4e\x75\x8a\x41\x64\x00\x4e\x56\xff\xfa\x01\x08\x2e\x2e\x00\xb6\xd0\x68\x3e\x80\x2f\x0c\xa9\xfe\x64\x53\x69\x7a")

// makePDF writes doc as a PDF file.
func makePDF(doc pdfDoc) []byte {
	w := &pdfWriter{}
	fileID := md5.Sum([]byte(fmt.Sprint(doc.Pages, doc.Info)))
	if doc.Encrypt {
		w.setupRC4(doc.UserPassword, fileID[:])
	}
	// The CID font gives each distinct rune a glyph number, from 1.
	var runes []rune
	for _, p := range doc.Pages {
		for _, l := range p.Lines {
			if l.Font == "F4" {
				runes = append(runes, []rune(l.Text)...)
			}
		}
	}
	slices.Sort(runes)
	runes = slices.Compact(runes)
	cid := map[rune]int{}
	for i, r := range runes {
		cid[r] = i + 1
	}

	w.header()
	w.object(pdfCatalog, "<< /Type /Catalog /Pages 2 0 R >>", nil)
	var kids []string
	for i := range doc.Pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", pdfFirstPage+2*i))
	}
	w.object(pdfPages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)), nil)
	w.object(pdfHelvetica, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", nil)
	w.object(pdfTimesBold, "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Bold /Encoding /WinAnsiEncoding >>", nil)
	w.object(pdfCourier, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>", nil)
	w.object(pdfCJKFont, "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>", nil)
	w.object(pdfCIDFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry %s /Ordering %s /Supplement 0 >> /FontDescriptor 9 0 R /DW 1000 /CIDToGIDMap /Identity >>",
		w.str(pdfCIDFont, "Adobe"), w.str(pdfCIDFont, "Identity")), nil)
	w.object(pdfToUnicode, "", toUnicodeCMap(runes))
	w.object(pdfDescriptor, "<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>", nil)
	img := make([]byte, 16*16)
	for i := range img {
		img[i] = byte(i * 7)
	}
	w.object(pdfImage, "<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8", img)
	keys := make([]string, 0, len(doc.Info))
	for k := range doc.Info {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var info strings.Builder
	info.WriteString("<<")
	for _, k := range keys {
		fmt.Fprintf(&info, " /%s %s", k, w.str(pdfInfo, doc.Info[k]))
	}
	info.WriteString(" >>")
	w.object(pdfInfo, info.String(), nil)

	for i, p := range doc.Pages {
		var c bytes.Buffer
		if p.Image {
			c.WriteString("q 400 0 0 500 100 150 cm /Im1 Do Q\n")
		}
		for _, l := range p.Lines {
			fmt.Fprintf(&c, "BT /%s %g Tf 1 0 0 1 %g %g Tm ", l.Font, l.Size, l.X, l.Y)
			if l.Font == "F4" {
				c.WriteString("<")
				for _, r := range l.Text {
					fmt.Fprintf(&c, "%04X", cid[r])
				}
				c.WriteString("> Tj ET\n")
				continue
			}
			c.WriteString(pdfLiteral(l.Text))
			c.WriteString(" Tj ET\n")
		}
		page := pdfFirstPage + 2*i
		w.object(page, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R /F4 6 0 R >> /XObject << /Im1 10 0 R >> >> >>", page+1), nil)
		w.object(page+1, "", c.Bytes())
	}
	return w.finish(fileID[:])
}

// pdfLiteral writes s as a PDF literal string in WinAnsiEncoding.
func pdfLiteral(s string) string {
	win := map[rune]byte{'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, '…': 0x85, '€': 0x80}
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case win[r] != 0:
			fmt.Fprintf(&b, "\\%03o", win[r])
		case r < 0x80:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

// toUnicodeCMap maps glyph i+1 to runes[i].
func toUnicodeCMap(runes []rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for from := 0; from < len(runes); from += 100 {
		chunk := runes[from:min(from+100, len(runes))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for i, r := range chunk {
			fmt.Fprintf(&b, "<%04X> <", from+i+1)
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// pdfWriter writes the objects of a PDF and its cross-reference table.
type pdfWriter struct {
	buf     bytes.Buffer
	offsets map[int]int
	key     []byte // the RC4 file key, nil if not encrypted
	o, u    []byte
}

func (w *pdfWriter) header() {
	w.offsets = map[int]int{}
	w.buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
}

// object writes object num: a dictionary, or a stream with the dictionary
// dict (without its closing ">>", to which Length and Filter are added) when
// stream is not nil.
func (w *pdfWriter) object(num int, dict string, stream []byte) {
	w.offsets[num] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n", num)
	if stream == nil {
		w.buf.WriteString(dict)
		w.buf.WriteString("\nendobj\n")
		return
	}
	if dict == "" {
		dict = "<<"
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(stream)
	zw.Close()
	data := w.crypt(num, z.Bytes())
	fmt.Fprintf(&w.buf, "%s /Length %d /Filter /FlateDecode >>\nstream\n", dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

// str writes s as a hex string of object num: PDFDocEncoding (ASCII) or
// UTF-16BE with a byte order mark, encrypted when the file is.
func (w *pdfWriter) str(num int, s string) string {
	var raw []byte
	ascii := true
	for _, r := range s {
		if r >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		raw = []byte(s)
	} else {
		raw = []byte{0xfe, 0xff}
		for _, u := range utf16.Encode([]rune(s)) {
			raw = binary.BigEndian.AppendUint16(raw, u)
		}
	}
	return fmt.Sprintf("<%X>", w.crypt(num, raw))
}

// setupRC4 computes the file key and the O and U entries of the standard
// security handler, revision 2 (40-bit RC4), for the user password; the owner
// password is fixed.
func (w *pdfWriter) setupRC4(user string, fileID []byte) {
	pad := func(p string) []byte { return append([]byte(p), pdfPadding...)[:32] }
	ownerKey := md5.Sum(pad("owner secret"))
	c, _ := rc4.NewCipher(ownerKey[:5])
	w.o = make([]byte, 32)
	c.XORKeyStream(w.o, pad(user))
	h := md5.New()
	h.Write(pad(user))
	h.Write(w.o)
	h.Write([]byte{0xc4, 0xff, 0xff, 0xff}) // P = -60: no printing or copying
	h.Write(fileID)
	w.key = h.Sum(nil)[:5]
	c, _ = rc4.NewCipher(w.key)
	w.u = make([]byte, 32)
	c.XORKeyStream(w.u, pdfPadding)
}

// crypt encrypts the data of object num (algorithm 1), if the file is encrypted.
func (w *pdfWriter) crypt(num int, data []byte) []byte {
	if w.key == nil {
		return data
	}
	k := md5.Sum(append(append([]byte{}, w.key...), byte(num), byte(num>>8), byte(num>>16), 0, 0))
	c, _ := rc4.NewCipher(k[:len(w.key)+5])
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// finish writes the encryption dictionary, the cross-reference table and the
// trailer.
func (w *pdfWriter) finish(fileID []byte) []byte {
	last := 0
	for n := range w.offsets {
		last = max(last, n)
	}
	encrypt := ""
	if w.key != nil {
		last++
		w.offsets[last] = w.buf.Len()
		fmt.Fprintf(&w.buf, "%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /Length 40 /P -60 /O <%X> /U <%X> >>\nendobj\n", last, w.o, w.u)
		encrypt = fmt.Sprintf(" /Encrypt %d 0 R", last)
	}
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", last+1)
	for n := 1; n <= last; n++ {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", w.offsets[n])
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R%s /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		last+1, pdfInfo, encrypt, fileID, fileID, xref)
	return w.buf.Bytes()
}

// rawPDF writes objs as objects 1, 2, ... of a PDF whose catalog is object 1,
// with a correct cross-reference table: for files broken on purpose.
func rawPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}
