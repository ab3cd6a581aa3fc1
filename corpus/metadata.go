package corpus

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Metadata is what a citation says about a document besides its path: the
// fields of an entry of a folder's manifest (see LoadFS), which override what
// the file itself says. Empty fields leave the file's own values.
type Metadata struct {
	Title   string   `yaml:"title"`
	Authors []string `yaml:"authors"`
	Year    int      `yaml:"year"`
	URL     string   `yaml:"url"`
}

// apply sets the non-empty fields of m on d.
func (m Metadata) apply(d *Document) {
	if m.Title != "" {
		d.Title = m.Title
	}
	if len(m.Authors) > 0 {
		d.Authors = m.Authors
	}
	if m.Year != 0 {
		d.Year = m.Year
	}
	if m.URL != "" {
		d.URL = m.URL
	}
}

// splitAuthors splits a list of names written as one string: "A; B",
// "A and B", "A & B", or "A, B" when each part is a full name (so "Lima, Ana"
// stays one name).
func splitAuthors(s string) []string {
	s = collapseSpace(s)
	if s == "" {
		return nil
	}
	var parts []string
	for _, p := range strings.Split(s, ";") {
		for _, q := range strings.Split(p, " and ") {
			parts = append(parts, strings.Split(q, " & ")...)
		}
	}
	var out []string
	for _, p := range parts {
		comma := strings.Split(p, ",")
		full := len(comma) > 1
		for _, c := range comma {
			if len(strings.Fields(c)) < 2 {
				full = false
			}
		}
		if !full {
			comma = []string{p}
		}
		for _, c := range comma {
			if c = strings.Trim(strings.TrimSpace(c), ","); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// yearOf returns the year a date starts with ("2019", "2019-03-04T10:00Z",
// "D:20190304", "March 4, 2019", "4 March 2019"), or 0.
func yearOf(s string) int {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	for i := 0; i+4 <= len(s); i++ {
		if i > 0 && isDigit(s[i-1]) {
			continue
		}
		if !isDigit(s[i]) || !isDigit(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
			continue
		}
		if i+4 < len(s) && isDigit(s[i+4]) && !(i == 0 && len(s) >= 8 && allDigits(s[:8])) {
			continue // a longer number, unless a date written as digits: 20190304
		}
		y, _ := strconv.Atoi(s[i : i+4])
		if y >= 1000 && y <= 2999 {
			return y
		}
	}
	return 0
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// frontMatterMeta reads title, authors, year and URL from the YAML front
// matter fm of a Markdown file ("---" lines included). Keys: title; author or
// authors (a string or a list); year, or date; url, source or link. Front
// matter that is not valid YAML gives nothing: it is still indexed as text.
func frontMatterMeta(fm string) Metadata {
	body := strings.TrimSpace(fm)
	body = strings.TrimPrefix(strings.TrimPrefix(body, "\ufeff"), "---")
	body = strings.TrimSuffix(strings.TrimSuffix(body, "..."), "---")
	var raw map[string]any
	if err := yaml.Unmarshal([]byte(body), &raw); err != nil {
		return Metadata{}
	}
	lower := map[string]any{}
	for k, v := range raw {
		lower[strings.ToLower(k)] = v
	}
	var m Metadata
	m.Title = scalar(lower["title"])
	for _, k := range []string{"authors", "author", "creator"} {
		if a := names(lower[k]); len(a) > 0 {
			m.Authors = a
			break
		}
	}
	for _, k := range []string{"year", "date", "published", "created"} {
		if y := yearOf(scalar(lower[k])); y != 0 {
			m.Year = y
			break
		}
	}
	for _, k := range []string{"url", "source", "link"} {
		if u := scalar(lower[k]); strings.Contains(u, "://") {
			m.URL = u
			break
		}
	}
	return m
}

// scalar returns a YAML scalar as a string, "" for anything else.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return collapseSpace(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.Format("2006-01-02")
	}
	return ""
}

// names returns a YAML value as a list of names: a list of strings (or of
// maps with a "name"), or one string split with splitAuthors.
func names(v any) []string {
	switch v := v.(type) {
	case string:
		return splitAuthors(v)
	case []any:
		var out []string
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				e = m["name"]
			}
			if s := scalar(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ManifestNames returns the file names of a corpus folder's manifest, in
// order of precedence: the first one present is read. The manifest is not a
// document.
func ManifestNames() []string { return []string{"footnote.yaml", "corpus.yaml"} }

// manifest is the parsed manifest of a corpus folder: metadata by path.
type manifest struct {
	name string // the manifest's file name
	docs map[string]Metadata
}

// manifestEntry is an entry as written: authors may be one string.
type manifestEntry struct {
	Title   string    `yaml:"title"`
	Authors yaml.Node `yaml:"authors"`
	Author  yaml.Node `yaml:"author"`
	Year    yaml.Node `yaml:"year"`
	URL     string    `yaml:"url"`
}

// manifestKeys are the keys of a manifest's entry, as written.
var manifestKeys = []string{"title", "authors", "author", "year", "url"}

// parseManifest reads a manifest:
//
//	documents:
//	  papers/tides.pdf:
//	    title: Tidal Energy in Small Islands
//	    authors: [Ana Lima, Wei Zhang]   # or one string: "Ana Lima; Wei Zhang"
//	    year: 2019                       # or a date: 2019-03-04
//	    url: https://example.org/tides
//
// Paths are slash-separated and relative to the folder. Unknown keys are
// errors, so that a typo does not silently drop metadata: the error names
// the manifest, the line, the key and the keys known there.
func parseManifest(name string, data []byte) (*manifest, error) {
	fail := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("manifest %s, line %d: %s", name, n.Line, fmt.Sprintf(format, args...))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", name, err)
	}
	m := &manifest{name: name, docs: map[string]Metadata{}}
	if len(root.Content) == 0 {
		return m, nil // empty
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fail(top, "expected \"documents:\" and the documents under it")
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, docs := top.Content[i], top.Content[i+1]
		if k.Value != "documents" {
			return nil, fail(k, "unknown key %q (the known key is \"documents\")", k.Value)
		}
		if docs.Kind == yaml.ScalarNode && docs.Tag == "!!null" {
			continue
		}
		if docs.Kind != yaml.MappingNode {
			return nil, fail(docs, "documents: expected the documents' paths, each with its %s", strings.Join(manifestKeys, ", "))
		}
		for j := 0; j+1 < len(docs.Content); j += 2 {
			pk, entry := docs.Content[j], docs.Content[j+1]
			path := pk.Value
			if entry.Kind == yaml.ScalarNode && entry.Tag == "!!null" {
				continue
			}
			if entry.Kind != yaml.MappingNode {
				return nil, fail(entry, "%s: expected %s under it", path, strings.Join(manifestKeys, ", "))
			}
			for k := 0; k+1 < len(entry.Content); k += 2 {
				if key := entry.Content[k]; !slices.Contains(manifestKeys, key.Value) {
					return nil, fail(key, "%s: unknown key %q (known keys: %s)", path, key.Value, strings.Join(manifestKeys, ", "))
				}
			}
			var e manifestEntry
			if err := entry.Decode(&e); err != nil {
				var te *yaml.TypeError
				if errors.As(err, &te) {
					return nil, fmt.Errorf("manifest %s: %s: %s", name, path, strings.Join(te.Errors, "; "))
				}
				return nil, fmt.Errorf("manifest %s: %s: %w", name, path, err)
			}
			md := Metadata{Title: collapseSpace(e.Title), URL: strings.TrimSpace(e.URL)}
			for _, n := range []*yaml.Node{&e.Authors, &e.Author} {
				var v any
				if n.Kind != 0 {
					if err := n.Decode(&v); err != nil {
						return nil, fail(n, "%s: authors: %v", path, err)
					}
				}
				if a := names(v); len(a) > 0 && len(md.Authors) == 0 {
					md.Authors = a
				}
			}
			if e.Year.Kind != 0 {
				md.Year = yearOf(e.Year.Value)
				if md.Year == 0 {
					return nil, fmt.Errorf("manifest %s: %s: year %q is not a year", name, path, excerpt(e.Year.Value))
				}
			}
			m.docs[strings.TrimPrefix(path, "./")] = md
		}
	}
	return m, nil
}

// excerpt returns s, or its start when it is long, for an error message.
func excerpt(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
