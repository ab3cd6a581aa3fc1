package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// The embedded corpus must stay byte for byte what the project was given, so
// that quotes and offsets computed on it stay verbatim.
func TestDefaultBytes(t *testing.T) {
	tests := []struct {
		name, sha256 string
	}{
		{"000_74868021a2453573.txt", "ddac1782bc4c9ce9ad1bc7f905b937d0eb2487110f844c0659b1af4cf8ebdb0e"},
		{"003_34d4872a9bd209dd.txt", "0af6e973b8275de8081f4201a47d7cf8a2a55aaaa7aba3aea2e44cb8cc3780d0"},
	}
	for _, tt := range tests {
		sum := sha256.Sum256(mustDefault(t, tt.name))
		if got := hex.EncodeToString(sum[:]); got != tt.sha256 {
			t.Errorf("sha256 of embedded %s = %s, want %s", tt.name, got, tt.sha256)
		}
	}
}

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ path, title, format string }{
		{"000_74868021a2453573.txt", "The Practice and Expansion of Xi Jinping's Diplomatic Thought in Latin America", "txt"},
		{"003_34d4872a9bd209dd.txt", "China-LatAm Comprehensive Cooperative Partnership", "txt"},
	}
	if len(c.Docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(c.Docs), len(want))
	}
	for i, w := range want {
		d := c.Docs[i]
		if d.Path != w.path || d.Title != w.title || d.Format != w.format {
			t.Errorf("doc %d = %q %q %q, want %q %q %q", i, d.Path, d.Title, d.Format, w.path, w.title, w.format)
		}
		if got, _ := c.Doc(w.path); got.Text != string(mustDefault(t, w.path)) {
			t.Errorf("%s: Text is not the embedded bytes", w.path)
		}
		var ps []Passage
		for _, p := range c.Passages {
			if p.Doc == w.path {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			t.Errorf("%s: no passages", w.path)
		}
		checkPassages(t, d, ps)
	}
}

// The body of the article never leaks bibliography into body passages.
func TestDefaultReferencesStayOut(t *testing.T) {
	doc := parseDefault(t, "000_74868021a2453573.txt")
	for _, p := range Chunk(doc) {
		if p.Kind != KindBody {
			continue
		}
		for _, sign := range []string{"http", "[2022", "Xinhua News Agency", "Page 14", "□", "ÿ", "Editor in charge", "This article is part of"} {
			if strings.Contains(p.Text, sign) {
				t.Errorf("body passage [%d:%d] contains %q: %.80q", p.Start, p.End, sign, p.Text)
			}
		}
	}
}

// BenchmarkDefault parses and chunks the embedded corpus.
func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunk chunks the article repeated 1, 10 and 100 times.
func BenchmarkChunk(b *testing.B) {
	doc := parseDefault(b, "000_74868021a2453573.txt")
	for _, n := range []int{1, 10, 100} {
		big := doc
		big.Text = strings.Repeat(doc.Text+"\n\n", n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(big.Text)))
			for b.Loop() {
				Chunk(big)
			}
		})
	}
}
