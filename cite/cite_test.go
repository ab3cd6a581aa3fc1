package cite

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cite -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func manyAuthors(n int) []string {
	given := []string{"Ana", "Wei", "Jo", "Kofi", "Mei", "Luis", "Sara", "Omar", "Ines", "Tom", "Yuki", "Raj", "Eva"}
	family := []string{"Lima", "Zhang", "Park", "Mensah", "Chen", "Garcia", "Berg", "Haddad", "Costa", "Reed",
		"Sato", "Patel", "Novak", "Silva", "Okafor", "Kim", "Rossi", "Dubois", "Nowak", "Ito", "Moreau", "Vargas", "Quinn", "Young", "Zeller"}
	var out []string
	for i := range n {
		out = append(out, given[i%len(given)]+" "+family[i%len(family)])
	}
	return out
}

// TestGolden cites five kinds of source in the three styles.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		src  Source
		at   Locator
	}{
		{"pdf_authors_pages", Source{Title: "Tidal Energy in Small Islands", Authors: []string{"Ana Lima", "Wei Zhang"},
			Year: 2019, URL: "https://example.org/tides.pdf", Format: "pdf", Path: "papers/tides.pdf"}, Locator{Page: 12, Paragraph: 30}},
		{"web_url_no_author", Source{Title: "How Monsoons Form", Year: 2021, URL: "https://weather.example.com/monsoons",
			Format: "html", Path: "web/monsoons.html"}, Locator{Paragraph: 16}},
		{"text_no_metadata", Source{Format: "txt", Path: "notes/week3-reading.txt"}, Locator{Paragraph: 4}},
		{"three_authors", Source{Title: "Trade and Development in the Andes", Authors: []string{"Ana Lima", "Wei Zhang", "Jo Park"},
			Year: 2015, Format: "pdf", Path: "andes.pdf"}, Locator{Page: 7}},
		{"many_authors", Source{Title: "A Global Survey of Coral Reefs", Authors: manyAuthors(25), Year: 2023,
			URL: "https://doi.org/10.1000/reefs", Format: "pdf", Path: "reefs.pdf"}, Locator{Page: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			for _, st := range Styles() {
				ct := Of(st, c.src, c.at)
				fmt.Fprintf(&b, "%s\n  reference: %s\n  in-text:   %s\n", st.Name(), ct.Reference, ct.InText)
			}
			golden(t, c.name, b.String())
		})
	}
}

// TestRules checks the manuals' rules the golden files show, one by one, so a
// careless -update cannot hide a broken rule.
func TestRules(t *testing.T) {
	web := Source{Title: "How Monsoons Form", URL: "https://weather.example.com/monsoons", Format: "html"}
	many := Source{Title: "Reefs", Authors: manyAuthors(25), Year: 2023}
	three := Source{Title: "Andes", Authors: []string{"Ana Lima", "Wei Zhang", "Jo Park"}, Year: 2015}
	for _, c := range []struct{ what, got, want string }{
		{"APA: no author, the title first; no date, n.d.", Reference(APA, web), "How Monsoons Form. (n.d.). https://weather.example.com/monsoons"},
		{"APA in-text: no author, short title in quotes", InText(APA, web, Locator{Paragraph: 16}), "(\u201cHow Monsoons Form,\u201d n.d., para. 16)"},
		{"APA in-text page", InText(APA, three, Locator{Page: 12}), "(Lima et al., 2015, p. 12)"},
		{"APA: three authors with an ampersand", Reference(APA, three), "Lima, A., Zhang, W., & Park, J. (2015). Andes."},
		{"MLA in-text page", InText(MLA, three, Locator{Page: 12}), "(Lima et al. 12)"},
		{"MLA: three or more authors, et al.", Reference(MLA, three), "Lima, Ana, et al. Andes. 2015."},
		{"MLA: web page title quoted, URL without protocol", Reference(MLA, web), "\u201cHow Monsoons Form.\u201d weather.example.com/monsoons."},
		{"Chicago: three authors in full", InText(Chicago, three, Locator{Page: 12}), "(Lima, Zhang, and Park 2015, 12)"},
		{"Chicago: no date", Reference(Chicago, web), "\u201cHow Monsoons Form.\u201d n.d. https://weather.example.com/monsoons."},
		{"Chicago: more than ten authors, seven and et al.", InText(Chicago, many, Locator{}), "(Lima et al. 2023)"},
		{"text with no metadata: file name for title", Reference(APA, Source{Path: "notes/week3.txt"}), "week3. (n.d.)."},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.what, c.got, c.want)
		}
	}
	apa := Reference(APA, many)
	if n := strings.Count(apa, ", "); !strings.Contains(apa, "Nowak, L., . . . Zeller, R.") || n < 19*2 {
		t.Errorf("APA with 25 authors must list 19, an ellipsis and the last: %s", apa)
	}
	if strings.Contains(apa, "Ito,") || strings.Contains(apa, "&") {
		t.Errorf("APA with 25 authors lists the 20th-24th or an ampersand: %s", apa)
	}
	if got := Reference(Chicago, many); strings.Count(got, ",") != 8 || !strings.HasSuffix(strings.Fields(got)[15], "al.") {
		t.Errorf("Chicago with 25 authors: first seven and et al.: %s", got)
	}
	if got := Reference(MLA, many); !strings.HasPrefix(got, "Lima, Ana, et al. Reefs.") {
		t.Errorf("MLA with 25 authors: %s", got)
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]name{
		"Ana Lima":             {family: "Lima", given: "Ana"},
		"Lima, Ana":            {family: "Lima", given: "Ana"},
		"Ludwig van Beethoven": {family: "van Beethoven", given: "Ludwig"},
		"World Bank Group":     {family: "World Bank Group"},
		"习近平":                  {family: "习近平"},
	} {
		if got := parseName(in); got != want {
			t.Errorf("parseName(%q) = %+v, want %+v", in, got, want)
		}
	}
	if got := initials("Jean-Pierre Ana"); got != "J.-P. A." {
		t.Errorf("initials = %q", got)
	}
	if _, err := ParseStyle("harvard"); err == nil || !strings.Contains(err.Error(), "apa, mla or chicago") {
		t.Errorf("ParseStyle(harvard) = %v", err)
	}
}
