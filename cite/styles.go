package cite

import (
	"strconv"
	"strings"
)

// APA 7th (Publication Manual, chapters 8 and 9).

// apaAuthors lists authors as "Lima, A., Zhang, W., & Park, J.": up to 20
// names; from 21, the first 19, an ellipsis, and the last (9.8).
func apaAuthors(ns []name) string {
	one := func(n name) string {
		if n.given == "" {
			return n.family
		}
		return n.family + ", " + initials(n.given)
	}
	var parts []string
	switch {
	case len(ns) == 1:
		return endWith(one(ns[0]))
	case len(ns) <= 20:
		for _, n := range ns[:len(ns)-1] {
			parts = append(parts, one(n))
		}
		return endWith(strings.Join(parts, ", ") + ", & " + one(ns[len(ns)-1]))
	default:
		for _, n := range ns[:19] {
			parts = append(parts, one(n))
		}
		return endWith(strings.Join(parts, ", ") + ", . . . " + one(ns[len(ns)-1]))
	}
}

// apaReference: Author, A. (Year). Title. Site. URL — with no author, the
// title moves to the author's place (9.12); with no date, "n.d." (9.17).
func apaReference(s Source) string {
	ns := names(s.Authors)
	date := "(" + year(s.Year, "n.d.") + ")."
	site := ""
	if s.Site != "" && s.Site != s.title() {
		site = endWith(s.Site)
	}
	if len(ns) == 0 {
		return joinWords(endWith(s.title()), date, site, s.URL)
	}
	return joinWords(apaAuthors(ns), date, endWith(s.title()), site, s.URL)
}

// apaInText: (Lima, 2019, p. 12), (Lima & Zhang, 2019, para. 16),
// (Lima et al., n.d.); with no author, a short title in quotation marks (8.14).
func apaInText(s Source, at Locator) string {
	ns := names(s.Authors)
	var who string
	switch len(ns) {
	case 0:
		who = "\u201c" + shortTitle(s.title()) + ",\u201d"
	case 1:
		who = ns[0].family + ","
	case 2:
		who = ns[0].family + " & " + ns[1].family + ","
	default:
		who = ns[0].family + " et al.,"
	}
	out := who + " " + year(s.Year, "n.d.")
	switch {
	case at.Page > 0:
		out += ", p. " + strconv.Itoa(at.Page)
	case at.Paragraph > 0:
		out += ", para. " + strconv.Itoa(at.Paragraph)
	}
	return "(" + out + ")"
}

// MLA 9th (MLA Handbook, chapters 5 and 6).

// mlaAuthors: "Lima, Ana." / "Lima, Ana, and Wei Zhang." / "Lima, Ana, et al." (5.6–5.8).
func mlaAuthors(ns []name) string {
	switch len(ns) {
	case 1:
		return endWith(ns[0].inverted())
	case 2:
		return endWith(ns[0].inverted() + ", and " + ns[1].natural())
	}
	return ns[0].inverted() + ", et al."
}

// mlaReference: Author. Title. Site, Year, URL. — a web page's title in
// quotation marks; no author: the title first (5.14); no date: left out.
// URLs are given without http:// or https:// (5.95).
func mlaReference(s Source) string {
	ns := names(s.Authors)
	title := endWith(s.title())
	if s.webPage() {
		title = quoted(s.title())
	}
	var tail []string
	if s.Site != "" && s.Site != s.title() {
		tail = append(tail, s.Site)
	}
	if s.Year > 0 {
		tail = append(tail, strconv.Itoa(s.Year))
	}
	if s.URL != "" {
		u := strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
		tail = append(tail, strings.TrimSuffix(u, "/"))
	}
	rest := ""
	if len(tail) > 0 {
		rest = endWith(strings.Join(tail, ", "))
	}
	if len(ns) == 0 {
		return joinWords(title, rest)
	}
	return joinWords(mlaAuthors(ns), title, rest)
}

// mlaInText: (Lima 12), (Lima and Zhang 12), (Lima et al. 12); a source
// without pages is cited by paragraph: (Lima, par. 16); no author: a short
// title (6.7–6.22).
func mlaInText(s Source, at Locator) string {
	ns := names(s.Authors)
	var who string
	switch len(ns) {
	case 0:
		who = "\u201c" + shortTitle(s.title()) + "\u201d"
	case 1:
		who = ns[0].family
	case 2:
		who = ns[0].family + " and " + ns[1].family
	default:
		who = ns[0].family + " et al."
	}
	switch {
	case at.Page > 0:
		return "(" + who + " " + strconv.Itoa(at.Page) + ")"
	case at.Paragraph > 0:
		if len(ns) == 0 {
			who = "\u201c" + shortTitle(s.title()) + ",\u201d"
			return "(" + who + " par. " + strconv.Itoa(at.Paragraph) + ")"
		}
		return "(" + who + ", par. " + strconv.Itoa(at.Paragraph) + ")"
	}
	return "(" + who + ")"
}

// Chicago author-date, 17th (chapter 15, with 14.76 for many authors).

// chicagoAuthors: first author inverted, the others natural; up to ten listed
// in full; more than ten: the first seven and "et al." (14.76, 15.9).
func chicagoAuthors(ns []name) string {
	if len(ns) == 1 {
		return endWith(ns[0].inverted())
	}
	if len(ns) > 10 {
		parts := []string{ns[0].inverted()}
		for _, n := range ns[1:7] {
			parts = append(parts, n.natural())
		}
		return strings.Join(parts, ", ") + ", et al."
	}
	parts := []string{ns[0].inverted()}
	for _, n := range ns[1 : len(ns)-1] {
		parts = append(parts, n.natural())
	}
	return endWith(strings.Join(parts, ", ") + ", and " + ns[len(ns)-1].natural())
}

// chicagoReference: Author. Year. Title. Site. URL. — no author: the title
// first (15.32); no date: "n.d." (15.44).
func chicagoReference(s Source) string {
	ns := names(s.Authors)
	title := endWith(s.title())
	if s.webPage() {
		title = quoted(s.title())
	}
	date := endWith(year(s.Year, "n.d."))
	site := ""
	if s.Site != "" && s.Site != s.title() {
		site = endWith(s.Site)
	}
	u := ""
	if s.URL != "" {
		u = endWith(s.URL)
	}
	if len(ns) == 0 {
		return joinWords(title, date, site, u)
	}
	return joinWords(chicagoAuthors(ns), date, title, site, u)
}

// chicagoInText: (Lima 2019, 12), (Lima and Zhang 2019, 12), (Lima, Zhang,
// and Park 2019, 12), four or more: (Lima et al. 2019, 12) (15.28); no page:
// the paragraph, para. 16; no author: a short title (15.32).
func chicagoInText(s Source, at Locator) string {
	ns := names(s.Authors)
	var who string
	switch len(ns) {
	case 0:
		who = "\u201c" + shortTitle(s.title()) + "\u201d"
	case 1:
		who = ns[0].family
	case 2:
		who = ns[0].family + " and " + ns[1].family
	case 3:
		who = ns[0].family + ", " + ns[1].family + ", and " + ns[2].family
	default:
		who = ns[0].family + " et al."
	}
	out := who + " " + year(s.Year, "n.d.")
	switch {
	case at.Page > 0:
		out += ", " + strconv.Itoa(at.Page)
	case at.Paragraph > 0:
		out += ", para. " + strconv.Itoa(at.Paragraph)
	}
	return "(" + out + ")"
}
