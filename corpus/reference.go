package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reference detection. Bibliography entries and footnotes that a conversion
// interleaved with the body are told apart from running text by a score over
// generic signals: title quotes (« », 《 》), URLs, full dates, locators ("Page 142",
// "Issue 4", "pp. 146-147"), "published in", publisher words (agency, ministry,
// website, daily, press ...), leading footnote markers ("[9]", "□", "*"), an
// "Author: «Title»" opening, shortness; against it count auxiliary verbs
// ("is", "has", "will"), the marks of prose, and length.

const (
	// refStrong is the score at which a block is a reference on its own.
	refStrong = 3.0
	// refWeak is the score at which a block next to a reference is one too:
	// the fragments of an entry split over several blocks ("News Agency,
	// October 25, 2022").
	refWeak = 1.5
)

var (
	authorRe = regexp.MustCompile(`^\p{Lu}[\p{L}.'-]*( [\p{L}.'-]+){0,3}( and [\p{L}.'-]+( [\p{L}.'-]+){0,2})?\s*[:：]\s*[«"“《]`)
	markerRe = regexp.MustCompile(`^(\[\d{1,3}\]|\[\^[^\]]+\]:|[□■†‡※¹²³⁴⁵⁶⁷⁸⁹⁰]|\p{Mn})`)
)

// referenceScore scores how much block s looks like a bibliography entry or a
// footnote; refStrong and above is one. titleMarker is the footnote marker
// after the document's title ("*"): a block that starts with it is the title's
// note.
func referenceScore(s, titleMarker string) float64 {
	score := 0.0
	// A CJK character carries about as much as three Latin letters.
	runes, cjk := 0, false
	for _, r := range s {
		runes++
		if isCJK(r) {
			runes += 2
			cjk = true
		}
	}
	switch i := strings.LastIndex(s, "«"); {
	case strings.Contains(s, "»"):
		score += 3
	case i >= 0 && len(s)-i > 40:
		score += 2
	case i >= 0:
		score++ // a quote opened at the very end goes on in the next block
	case strings.ContainsAny(s, "《》"):
		score += 1.5
	}
	if strings.Contains(s, "http://") || strings.Contains(s, "https://") || strings.Contains(s, "www.") {
		score += 2.5
	}
	sig := scanSignals(s)
	if cjk {
		for _, w := range []string{"出版社", "日报", "日報", "新华社", "新華社", "网站", "網站", "杂志", "雜誌", "学报", "學報"} {
			if strings.Contains(s, w) {
				sig.sources++
			}
		}
	}
	if sig.date < 1.5 {
		sig.date = max(sig.date, numericDate(s))
	}
	score += sig.date
	switch {
	case sig.locator:
		score += 2
	case sig.locatorEnd:
		score += 1.5
	}
	if sig.published {
		score += 2
	}
	score += min(2, 0.75*float64(sig.sources))
	switch {
	case markerRe.MatchString(s):
		score += 3
	case titleMarker != "" && strings.HasPrefix(s, titleMarker+" "):
		score += 3
	case strings.HasPrefix(s, "* "):
		score += 2
	}
	if authorRe.MatchString(s) {
		score += 2
	}
	for _, q := range []string{"»,", "\",", "”,", "》,", "»，", "”，", "》，"} {
		if strings.Contains(s, q) {
			score += 0.5
			break
		}
	}
	if parenthesized(s) && runes < 150 {
		score += 3 // "(Editor in charge: ...)", "(Photo: ...)"
	}
	if runes < 300 {
		score += 0.5
	}
	score -= min(3, 0.75*float64(sig.aux))
	if runes > 400 {
		score -= float64(runes-400) / 150
	}
	return score
}

// signals are the word-level marks of a reference found by scanSignals.
type signals struct {
	aux        int     // auxiliary verbs: "is", "has", "will" ...
	sources    int     // distinct publisher words: "Agency", "Ministry", "Daily" ...
	date       float64 // 1.5 for a full date as a citation field, 0.5 for one in prose or a month and year
	locator    bool    // "Page 142", "Issue 4", "pp. 146", "No. 5", "3rd edition"
	locatorEnd bool    // a locator word ending the block: "... Quarterly, Issue"
	published  bool    // "published in", "retrieved from", "available at"
}

var (
	auxVerbs = map[string]bool{"is": true, "are": true, "was": true, "were": true, "has": true,
		"have": true, "had": true, "will": true, "would": true, "should": true, "can": true,
		"could": true, "must": true}
	sourceWords = map[string]bool{"Agency": true, "News": true, "Ministry": true, "Website": true,
		"website": true, "Daily": true, "Online": true, "Press": true, "Publishing": true,
		"Publisher": true, "Journal": true, "Quarterly": true, "Bureau": true, "Gazette": true,
		"Magazine": true, "Review": true, "Proceedings": true, "Foundation": true, "Fund": true,
		"Project": true}
	locatorWords = map[string]bool{"Page": true, "page": true, "Pages": true, "pages": true,
		"Issue": true, "issue": true, "Volume": true, "Vol": true, "vol": true, "No": true,
		"no": true, "pp": true, "p": true}
	months = map[string]bool{"january": true, "february": true, "march": true, "april": true,
		"may": true, "june": true, "july": true, "august": true, "september": true,
		"october": true, "november": true, "december": true, "jan": true, "feb": true,
		"mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
		"sept": true, "oct": true, "nov": true, "dec": true}
	followers = map[string]string{"published": "in by", "retrieved": "from", "available": "at", "accessed": "on"}
)

// scanSignals reads s word by word for the marks of a reference. It is one pass
// with map lookups: reference scoring runs on every block of every document.
func scanSignals(s string) signals {
	var sig signals
	seen := map[string]bool{}
	prev := "" // the word before, lower case
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) || isCJK(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) || isCJK(r) {
				break
			}
			j += n
		}
		w, rest := s[i:j], s[j:]
		i = j
		if len(w) > 12 {
			prev = ""
			continue
		}
		lw := strings.ToLower(w)
		switch {
		case auxVerbs[lw]:
			sig.aux++
		case sourceWords[w] && !seen[w]:
			seen[w] = true
			sig.sources++
		case locatorWords[w]:
			t := rest
			if w == "No" || w == "no" || w == "Vol" || w == "vol" || w == "pp" || w == "p" {
				if !strings.HasPrefix(t, ".") {
					break
				}
			}
			t = strings.TrimLeft(t, ".: ")
			if t == "" {
				sig.locatorEnd = true
			} else if k := strings.IndexFunc(t, func(r rune) bool { return r < 'A' || r > 'Z' }); k >= 0 && t[k] >= '0' && t[k] <= '9' {
				sig.locator = true
			}
		case lw == "edition" && ordinalBefore(s[:i-len(w)]):
			sig.locator = true
		case months[lw] && unicode.IsUpper(r):
			sig.date = max(sig.date, dateAfterMonth(s[:i-len(w)], rest))
		}
		if f, ok := followers[prev]; ok && strings.Contains(f, lw) {
			sig.published = true
		}
		prev = lw
	}
	return sig
}

// dateAfterMonth scores a date at a month name, given the text before and
// after it: "October 25, 2022" or "2020 July 23rd" is a full date, worth 1.5
// as a field of a citation (after a comma or a closing quote) and 0.5 in
// prose ("On January 8, 2015, ..."); "March 2018" is worth 0.5.
func dateAfterMonth(before, after string) float64 {
	after = strings.TrimPrefix(after, ".")
	if !strings.HasPrefix(after, " ") {
		return 0
	}
	after = after[1:]
	d := digitRun(after)
	field := func(before string) float64 {
		b := strings.TrimRight(before, " ")
		if b == "" || strings.ContainsRune(",，»>]”\"", lastRune(b)) {
			return 1.5
		}
		return 0.5
	}
	switch {
	case d == 4:
		// "March 2018", or "2020 July 23rd" seen from the month.
		return 0.5
	case d >= 1 && d <= 2:
		t := strings.TrimLeft(after[d:], "stndrh")
		if strings.HasPrefix(t, ", ") || strings.HasPrefix(t, " ") {
			t = strings.TrimLeft(t, ", ")
			if digitRun(t) == 4 {
				return field(before)
			}
		}
		// "2020 July 23rd": the year before the month.
		if b := strings.TrimRight(before, " "); len(b) >= 4 && digitRun(b[len(b)-4:]) == 4 {
			return field(b[:len(b)-4])
		}
	}
	return 0
}

// numericDate scores dates written with digits: "[2022-09-15]", "2022-09-15",
// "2021年7月23日"; as dateAfterMonth.
func numericDate(s string) float64 {
	score := 0.0
	for i := 0; i+4 <= len(s); i++ {
		if (i > 0 && s[i-1] >= '0' && s[i-1] <= '9') || digitRun(s[i:]) != 4 {
			continue
		}
		t := s[i+4:]
		ok := false
		if strings.HasPrefix(t, "年") {
			t = t[len("年"):]
			if d := digitRun(t); d == 1 || d == 2 {
				ok = strings.HasPrefix(t[d:], "月")
			}
		} else if t = strings.TrimLeft(t, " "); strings.HasPrefix(t, "-") {
			t = strings.TrimLeft(t[1:], " ")
			if d := digitRun(t); d == 1 || d == 2 {
				t = strings.TrimLeft(t[d:], " ")
				ok = strings.HasPrefix(t, "-") && digitRun(strings.TrimLeft(t[1:], " ")) >= 1
			}
		}
		if !ok {
			continue
		}
		b := strings.TrimRight(s[:i], " ")
		if b == "" || strings.ContainsRune(",，[»>", lastRune(b)) {
			return 1.5
		}
		score = 0.5
	}
	return score
}

// digitRun returns the number of ASCII digits at the start of s.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// ordinalBefore reports whether s ends in an ordinal such as "3rd ".
func ordinalBefore(s string) bool {
	s = strings.TrimRight(s, " ")
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(s, suf); ok && len(t) > 0 && t[len(t)-1] >= '0' && t[len(t)-1] <= '9' {
			return true
		}
	}
	return false
}

// parenthesized reports whether s is wholly one parenthesized aside.
func parenthesized(s string) bool {
	var open, close string
	switch {
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		open, close = "(", ")"
	case strings.HasPrefix(s, "（") && strings.HasSuffix(s, "）"):
		open, close = "（", "）"
	default:
		return false
	}
	depth := 0
	for i, r := range s {
		switch string(r) {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 && i+len(close) < len(s) {
				return false // "(1) ..." closes early
			}
		}
	}
	return depth == 0 && letterCount(s) > 0 && !unicode.IsDigit(firstRune(s[len(open):]))
}

func distinct(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}
