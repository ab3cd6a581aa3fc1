// Package cite writes citations of a source in a citation style: the
// reference-list entry and the in-text citation of a quote, in APA 7th, MLA
// 9th and Chicago author-date (17th), following each manual's rules for
// missing authors, dates and page numbers. It also checks whether a quote is
// verbatim in the readings (check.go). The text it writes is plain: a student
// pastes it, so there is no markup (titles a manual sets in italics are left
// plain).
package cite

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Style is a citation style.
type Style string

const (
	APA     Style = "apa"     // APA 7th edition
	MLA     Style = "mla"     // MLA Handbook 9th edition
	Chicago Style = "chicago" // Chicago Manual of Style 17th, author-date
)

// DefaultStyle is the style used when none is chosen.
const DefaultStyle = APA

// Styles lists the styles in the order they are offered.
func Styles() []Style { return []Style{APA, MLA, Chicago} }

// Name is the style's name for people: "APA 7th".
func (s Style) Name() string {
	switch s {
	case MLA:
		return "MLA 9th"
	case Chicago:
		return "Chicago author-date (17th)"
	}
	return "APA 7th"
}

// ParseStyle reads a style name: apa, mla or chicago (any case); "" is APA.
func ParseStyle(s string) (Style, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "apa":
		return APA, nil
	case "mla":
		return MLA, nil
	case "chicago":
		return Chicago, nil
	}
	return "", fmt.Errorf("unknown citation style %q: use apa, mla or chicago", s)
}

// Source is what a citation says about a document. Empty fields are unknown.
type Source struct {
	Title   string
	Authors []string // as written: "Ana Lima", "Lima, Ana", or an organisation
	Year    int
	URL     string
	// Site is the website or publisher, when known.
	Site string
	// Format is the file's format ("pdf", "html", "txt", ...): a web page's
	// title is quoted, a standalone work's is not.
	Format string
	// Path names the file; its base name stands in for a missing title.
	Path string
}

// Locator is where in a source a quote is: its page, or, for a source without
// pages, its paragraph. Zero is unknown.
type Locator struct {
	Page      int
	Paragraph int
}

// Citation is a source cited in one style.
type Citation struct {
	Style     Style  `json:"style"`
	Reference string `json:"reference"`
	InText    string `json:"in_text"`
}

// Of cites source s at locator at in style st.
func Of(st Style, s Source, at Locator) Citation {
	return Citation{Style: st, Reference: Reference(st, s), InText: InText(st, s, at)}
}

// Reference is the reference-list entry of s.
func Reference(st Style, s Source) string {
	switch st {
	case MLA:
		return mlaReference(s)
	case Chicago:
		return chicagoReference(s)
	}
	return apaReference(s)
}

// InText is the parenthetical in-text citation of a quote from s at at.
func InText(st Style, s Source, at Locator) string {
	switch st {
	case MLA:
		return mlaInText(s, at)
	case Chicago:
		return chicagoInText(s, at)
	}
	return apaInText(s, at)
}

// name is an author's name split into family and given names. An
// organisation (or a name written without spaces, as Chinese names are) has
// only a family part, used whole.
type name struct {
	family, given string
}

// particles are lowercase words that belong to the family name: "Ludwig van
// Beethoven" is "van Beethoven, Ludwig".
var particles = map[string]bool{"van": true, "von": true, "de": true, "der": true, "den": true, "da": true,
	"del": true, "della": true, "di": true, "du": true, "la": true, "le": true, "dos": true, "das": true, "ter": true}

func parseName(s string) name {
	s = strings.Join(strings.Fields(s), " ")
	if fam, given, ok := strings.Cut(s, ","); ok {
		return name{family: strings.TrimSpace(fam), given: strings.TrimSpace(given)}
	}
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 4 || organisation(words) {
		return name{family: s}
	}
	i := len(words) - 1
	for i > 1 && particles[words[i-1]] {
		i--
	}
	return name{family: strings.Join(words[i:], " "), given: strings.Join(words[:i], " ")}
}

// organisation reports whether a name looks like a group's, not a person's.
func organisation(words []string) bool {
	for _, w := range words {
		switch strings.ToLower(strings.Trim(w, ".,")) {
		case "institute", "university", "ministry", "department", "office", "council", "association",
			"organization", "organisation", "committee", "agency", "bank", "foundation", "center", "centre",
			"society", "group", "commission", "press", "bureau", "government", "of", "for", "the":
			return true
		}
	}
	return false
}

// initials is "A. B." for given names "Ana Beatriz", "J.-P." for "Jean-Pierre".
func initials(given string) string {
	var out []string
	for _, w := range strings.Fields(given) {
		var parts []string
		for _, h := range strings.Split(w, "-") {
			r := []rune(strings.Trim(h, "."))
			if len(r) == 0 {
				continue
			}
			parts = append(parts, string(r[0])+".")
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, "-"))
		}
	}
	return strings.Join(out, " ")
}

// inverted is "Family, Given" (or the whole name for an organisation).
func (n name) inverted() string {
	if n.given == "" {
		return n.family
	}
	return n.family + ", " + n.given
}

// natural is "Given Family".
func (n name) natural() string {
	if n.given == "" {
		return n.family
	}
	return n.given + " " + n.family
}

func names(authors []string) []name {
	var out []name
	for _, a := range authors {
		if strings.TrimSpace(a) != "" {
			out = append(out, parseName(a))
		}
	}
	return out
}

// title is the source's title, or its file's base name without extension.
func (s Source) title() string {
	t := strings.Join(strings.Fields(s.Title), " ")
	if t != "" {
		return t
	}
	base := path.Base(strings.ReplaceAll(s.Path, "\\", "/"))
	if base == "." || base == "/" || base == "" {
		return "Untitled"
	}
	return strings.TrimSuffix(base, path.Ext(base))
}

// webPage reports whether s is a page of a website: its title is quoted.
func (s Source) webPage() bool {
	switch s.Format {
	case "html", "htm", "xhtml":
		return true
	}
	return false
}

// shortTitle is the first few words of a title, for an in-text citation of a
// work with no author.
func shortTitle(t string) string {
	words := strings.Fields(t)
	if len(words) <= 4 {
		return strings.Join(words, " ")
	}
	short := words[:4]
	// Do not end on a small word: "The Practice and" -> "The Practice".
	for len(short) > 1 && smallWord(short[len(short)-1]) {
		short = short[:len(short)-1]
	}
	return strings.TrimRight(strings.Join(short, " "), ",:;")
}

func smallWord(w string) bool {
	switch strings.ToLower(w) {
	case "a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "with", "at", "by", "from":
		return true
	}
	return false
}

// endWith ends s with a period unless it already ends with punctuation that
// closes a sentence.
func endWith(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch s[len(s)-1] {
	case '.', '?', '!':
		return s
	}
	return s + "."
}

// quoted puts a title in quotation marks with the period inside, as MLA and
// Chicago do: “Title.” (or “Title?” when it ends with one).
func quoted(t string) string {
	return "\u201c" + endWith(t) + "\u201d"
}

func year(y int, none string) string {
	if y <= 0 {
		return none
	}
	return strconv.Itoa(y)
}

// joinWords writes the sentences of an entry separated by single spaces.
func joinWords(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// SourceOf is the source of a document at path (relative to the corpus) with
// the metadata a passage or citation carries; the format is the file's
// extension.
func SourceOf(title, docPath string, authors []string, year int, url string) Source {
	return Source{Title: title, Authors: authors, Year: year, URL: url, Path: docPath,
		Format: strings.TrimPrefix(strings.ToLower(path.Ext(docPath)), ".")}
}
