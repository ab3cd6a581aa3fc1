package quiz

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of a hidden term; its distractors are of the same kind.
type Kind string

const (
	KindYear    Kind = "year"    // 1850, 2013
	KindPercent Kind = "percent" // 35%, 12.5 percent
	KindNumber  Kind = "number"  // 46, 3,000, 1.5
	KindCountry Kind = "country" // Brazil, the United States
	KindName    Kind = "name"    // a capitalised name of two to four words: Xi Jinping, Saint-Malo Harbour
)

// term is a candidate answer found in a sentence: bytes [Start,End) of it.
type term struct {
	Text       string
	Kind       Kind
	Start, End int
}

var (
	yearRE    = regexp.MustCompile(`\b(1[5-9]\d\d|20\d\d)\b`)
	percentRE = regexp.MustCompile(`\b\d+(?:[.,]\d+)?(?:%| ?per ?cent| percent)`)
	numberRE  = regexp.MustCompile(`\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b`)
	nameRE    = regexp.MustCompile(`\b[A-Z][\p{Ll}'’-]+(?: (?:of |and |de |la )?[A-Z][\p{Ll}'’-]+){1,3}\b`)
)

// termsOf returns the candidate answers of a sentence, each kind's found
// independently; a span claimed by a more specific kind (a year, a percent)
// is not also a number.
func termsOf(s string) []term {
	var out []term
	taken := func(a, b int) bool {
		for _, t := range out {
			if a < t.End && t.Start < b {
				return true
			}
		}
		return false
	}
	add := func(k Kind, a, b int) {
		if !taken(a, b) {
			out = append(out, term{Text: s[a:b], Kind: k, Start: a, End: b})
		}
	}
	for _, m := range percentRE.FindAllStringIndex(s, -1) {
		add(KindPercent, m[0], m[1])
	}
	for _, m := range yearRE.FindAllStringIndex(s, -1) {
		if numberContinues(s, m[0], m[1]) {
			continue
		}
		add(KindYear, m[0], m[1])
	}
	for _, m := range numberRE.FindAllStringIndex(s, -1) {
		if numberContinues(s, m[0], m[1]) || ordinalOrSection(s, m[0], m[1]) {
			continue
		}
		add(KindNumber, m[0], m[1])
	}
	for _, c := range countriesIn(s) {
		if !compound(s, c[0], c[1]) {
			add(KindCountry, c[0], c[1])
		}
	}
	for _, m := range nameRE.FindAllStringIndex(s, -1) {
		if m[0] == 0 || compound(s, m[0], m[1]) { // the first word of a sentence is capitalised anyway
			continue
		}
		add(KindName, m[0], m[1])
	}
	return out
}

// numberContinues reports whether digits at [a,b) are part of a longer token
// ("1850s", "2013-14", "3.5.1", "No.5").
func numberContinues(s string, a, b int) bool {
	if b < len(s) {
		r, _ := utf8.DecodeRuneInString(s[b:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '–' || r == '/' {
			return true
		}
		if (r == '.' || r == ',') && b+1 < len(s) && isDigit(s[b+1]) {
			return true
		}
	}
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:a])
		if unicode.IsLetter(r) || r == '-' || r == '–' || r == '/' || r == '.' || r == '$' || r == '#' {
			return true
		}
	}
	return false
}

// compound reports whether [a,b) is joined by a hyphen to a word before or
// after it: "China-Cuba", "Sino-Brazilian". Hiding part of it makes a riddle.
func compound(s string, a, b int) bool {
	return a > 0 && (s[a-1] == '-') || b < len(s) && s[b] == '-'
}

// ordinalOrSection skips numbers that label rather than count: "(3)", "No. 10".
func ordinalOrSection(s string, a, b int) bool {
	before := strings.TrimRight(s[:a], " ")
	return strings.HasSuffix(before, "(") || strings.HasSuffix(before, "No.") || strings.HasSuffix(before, "Article")
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// numericValue is a number term's value, for choosing distractors of a
// similar size.
func numericValue(s string) (float64, bool) {
	if s == "" || !isDigit(s[0]) {
		return 0, false
	}
	s = strings.TrimSpace(numberNoise.Replace(s))
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}

var numberNoise = strings.NewReplacer("%", "", "percent", "", "per cent", "", ",", "")

// occurrences counts the places where t occurs in s as a whole word or
// phrase (not inside a longer word or number).
func occurrences(s, t string) int {
	if t == "" {
		return 0
	}
	n := 0
	for from := 0; ; {
		k := strings.Index(s[from:], t)
		if k < 0 {
			return n
		}
		a := from + k
		b := a + len(t)
		if boundary(s, a, b) {
			n++
		}
		from = a + 1
	}
}

// boundary reports whether [a,b) of s starts and ends at a word boundary.
func boundary(s string, a, b int) bool {
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:a])
		if wordRune(r) {
			return false
		}
	}
	if b < len(s) {
		r, _ := utf8.DecodeRuneInString(s[b:])
		if wordRune(r) {
			return false
		}
	}
	return true
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// countriesIn returns the byte spans of country names in s, longest names
// first so that "South Africa" is not read as "Africa".
func countriesIn(s string) [][2]int {
	var out [][2]int
	for _, c := range countryNames {
		for from := 0; ; {
			k := strings.Index(s[from:], c)
			if k < 0 {
				break
			}
			a := from + k
			b := a + len(c)
			from = b
			if !boundary(s, a, b) {
				continue
			}
			overlap := false
			for _, o := range out {
				if a < o[1] && o[0] < b {
					overlap = true
				}
			}
			if !overlap {
				out = append(out, [2]int{a, b})
			}
		}
	}
	return out
}

// countryNames are the world's countries as English texts name them, longest
// first.
var countryNames = func() []string {
	list := strings.Split("Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|"+
		"Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|"+
		"Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Central African Republic|Chad|"+
		"Chile|China|Colombia|Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Denmark|Djibouti|Dominica|"+
		"Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|"+
		"Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|"+
		"India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kuwait|Kyrgyzstan|Laos|"+
		"Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|"+
		"Mauritania|Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|"+
		"New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palau|Panama|Papua New Guinea|"+
		"Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Saint Lucia|Samoa|Saudi Arabia|Senegal|Serbia|"+
		"Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|"+
		"Suriname|Sweden|Switzerland|Syria|Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|"+
		"Turkmenistan|Uganda|Ukraine|United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|Vanuatu|Venezuela|"+
		"Vietnam|Yemen|Zambia|Zimbabwe", "|")
	// Longest first; ties in alphabetical order, so the order is fixed.
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && len(list[j]) > len(list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	return list
}()

// IsCountry reports whether s is one of the countries quizzes know.
func IsCountry(s string) bool {
	for _, c := range countryNames {
		if c == s {
			return true
		}
	}
	return false
}
