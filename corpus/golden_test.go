package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden lists every passage of the default corpus in testdata/*.golden,
// for people to read: refresh with go test ./corpus -update.
func TestGolden(t *testing.T) {
	tests := []struct {
		file, golden string
	}{
		{"000_74868021a2453573.txt", "000.golden"},
		{"003_34d4872a9bd209dd.txt", "003.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			doc := parseDefault(t, tt.file)
			ps := Chunk(doc)
			checkPassages(t, doc, ps)
			got := renderPassages(doc, ps)
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./corpus -update)", err)
			}
			if got != string(want) {
				t.Errorf("passages of %s differ from %s (run go test ./corpus -update and review the diff)", tt.file, path)
			}
		})
	}
}

// parseDefault parses one file of the embedded corpus.
func parseDefault(tb testing.TB, name string) Document {
	tb.Helper()
	data, err := defaultFiles.ReadFile("default/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := Parse(name, data)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// renderPassages writes passages for reading: a header line per passage with
// kind, paragraph, byte span and length, the section, and the text with each
// line prefixed by "| ".
func renderPassages(doc Document, ps []Passage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "path: %s\ntitle: %s\nformat: %s\npassages: %d\n", doc.Path, doc.Title, doc.Format, len(ps))
	for i, p := range ps {
		fmt.Fprintf(&b, "\n#%d %s ¶%d [%d:%d] %d runes\n", i+1, p.Kind, p.Paragraph, p.Start, p.End, len([]rune(p.Text)))
		fmt.Fprintf(&b, "§ %s\n", p.Section)
		for _, line := range strings.Split(p.Text, "\n") {
			fmt.Fprintf(&b, "| %s\n", line)
		}
	}
	return b.String()
}
