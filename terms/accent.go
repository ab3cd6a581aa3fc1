package terms

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// People type "Herve" for "Hervé" and "fiancee" for "fiancée": Latin letters
// with diacritics fold to their base letters (and the ligatures æ, œ, ß to
// their letter pairs) before analysis, on both sides: in passages as they are
// indexed and in questions. Only Latin letters fold; other scripts keep their
// marks (a Devanagari vowel sign is a letter, not an accent).

// ligatures are the Latin letters that do not decompose but are spelt as two.
var ligatures = map[rune]string{'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ß': "ss", 'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ı': "i"}

// FoldAccents returns text with the diacritics of Latin letters removed; ASCII
// text is returned as it is, at no cost.
func FoldAccents(text string) string {
	i := 0
	for i < len(text) && text[i] < utf8.RuneSelf {
		i++
	}
	if i == len(text) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	b.WriteString(text[:i])
	for _, r := range text[i:] {
		switch {
		case r < 0xC0:
			b.WriteRune(r)
		case ligatures[r] != "":
			b.WriteString(ligatures[r])
		case r <= 0x24F || (r >= 0x1E00 && r <= 0x1EFF): // Latin-1 Supplement, Extended-A/B, Additional
			d := norm.NFD.String(string(r))
			base, n := utf8.DecodeRuneInString(d)
			rest := d[n:]
			if base < utf8.RuneSelf && unicode.IsLetter(base) && onlyMarks(rest) {
				b.WriteRune(base)
			} else {
				b.WriteRune(r)
			}
		case unicode.Is(unicode.Mn, r) && r >= 0x300 && r <= 0x36F: // combining diacritics after a Latin letter
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func onlyMarks(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}
