package bot

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Discord's limits on what one message may hold. Footnote sends no embeds, so
// their limits (4,096 characters of description, 1,024 per field, 25 fields)
// never come into play: everything is message content and buttons.
const (
	maxContent    = 2000 // characters of message content
	maxRowButtons = 5    // buttons in one action row
	maxRows       = 5    // action rows under one message
	maxLabel      = 80   // characters of a button label
	maxCustomID   = 100  // bytes of a button's custom ID
	maxThreadName = 100  // characters of a thread name
)

// textLen is a message's length as Discord counts it against its limits. Counting
// UTF-16 code units is never less than counting code points, so it is safe under
// either reading of the limit.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// escapeMarkdown backslash-escapes what Discord would read as formatting or as a
// mention, link, emoji or timestamp, so that document text shows exactly as
// written: Discord hides a backslash before punctuation, so the characters a
// reader sees are the verbatim ones.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true // only spaces seen since the last newline
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			lineStart = true
			b.WriteRune(r)
			i += size
			continue
		case strings.ContainsRune("\\*_~`|<", r):
			b.WriteByte('\\')
		case r == ']' && strings.HasPrefix(s[i+size:], "("): // [text](url) masked links
			b.WriteByte('\\')
		case lineStart && strings.ContainsRune("#>-+", r): // headings, quotes, lists, subtext
			b.WriteByte('\\')
		case lineStart && r >= '0' && r <= '9': // "1. " starts an ordered list
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == '.' && (j+1 == len(s) || s[j+1] == ' ') {
				b.WriteString(s[i:j])
				b.WriteString(`\.`)
				i = j + 1
				lineStart = false
				continue
			}
		}
		if r != ' ' && r != '\t' {
			lineStart = false
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// unescapeMarkdown removes the backslashes Discord would hide: what a reader sees.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			r, _ := utf8.DecodeRuneInString(s[i+1:])
			if unicode.IsPunct(r) || unicode.IsSymbol(r) {
				i++
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// quoteLines puts every line of text in a Discord block quote.
func quoteLines(text string) string {
	return "> " + strings.ReplaceAll(text, "\n", "\n> ")
}

// cutWords shortens s to at most n runes, at a word boundary when there is one
// in the last third, and reports whether it cut.
func cutWords(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	end := 0
	for i := range s {
		if n == 0 {
			end = i
			break
		}
		n--
	}
	cut := s[:end]
	if sp := strings.LastIndexFunc(cut, unicode.IsSpace); sp > len(cut)*2/3 {
		cut = cut[:sp]
	}
	return strings.TrimRightFunc(cut, unicode.IsSpace), true
}

// splitMessage splits content into messages of at most limit characters.
// It cuts between blocks (paragraphs, quotes: text separated by a blank line)
// and never inside one that fits in a message; a block longer than a message is
// cut between lines, then after a sentence, then between words, and a quoted
// line keeps its "> " on every piece.
func splitMessage(content string, limit int) []string {
	content = strings.Trim(content, "\n")
	if textLen(content) <= limit {
		return []string{content}
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if s := strings.Trim(cur.String(), "\n"); s != "" {
			out = append(out, s)
		}
		cur.Reset()
		curLen = 0
	}
	add := func(piece, sep string) {
		n := textLen(piece)
		if curLen > 0 && curLen+textLen(sep)+n > limit {
			flush()
		}
		if curLen > 0 {
			cur.WriteString(sep)
			curLen += textLen(sep)
		}
		cur.WriteString(piece)
		curLen += n
	}
	for _, block := range strings.Split(content, "\n\n") {
		if textLen(block) <= limit {
			add(block, "\n\n")
			continue
		}
		flush()
		for _, line := range strings.Split(block, "\n") {
			if textLen(line) <= limit {
				add(line, "\n")
				continue
			}
			for _, piece := range splitLine(line, limit) {
				add(piece, "\n")
			}
		}
		flush()
	}
	flush()
	return out
}

// splitLine cuts one long line into pieces of at most limit characters, after
// a sentence where it can, else between words, else between characters (never
// right after an escaping backslash). A quoted line's pieces are all quoted.
func splitLine(line string, limit int) []string {
	prefix := ""
	if strings.HasPrefix(line, "> ") {
		prefix, line = "> ", line[2:]
	}
	room := limit - textLen(prefix)
	var out []string
	for textLen(line) > room {
		// end is the byte offset of the longest prefix that fits.
		end, n := 0, 0
		for i, r := range line {
			if n+utf16.RuneLen(r) > room {
				break
			}
			n += utf16.RuneLen(r)
			end = i + utf8.RuneLen(r)
		}
		cut := bestCut(line[:end])
		out = append(out, prefix+strings.TrimRightFunc(line[:cut], unicode.IsSpace))
		line = strings.TrimLeftFunc(line[cut:], unicode.IsSpace)
	}
	if line != "" {
		out = append(out, prefix+line)
	}
	return out
}

// bestCut returns where to cut s (which fits): after its last sentence end in
// the second half, else at its last space in the second half, else at its end.
func bestCut(s string) int {
	half := len(s) / 2
	for i := len(s) - 1; i > half; i-- {
		if s[i] == ' ' && i > 0 && strings.ContainsRune(".!?]\"”)", rune(s[i-1])) {
			return i
		}
	}
	for _, end := range []string{"。", "！", "？"} {
		if i := strings.LastIndex(s, end); i > half {
			return i + len(end)
		}
	}
	if i := strings.LastIndexByte(s, ' '); i > half {
		return i
	}
	end := len(s)
	for end > 1 && s[end-1] == '\\' {
		end--
	}
	return end
}
