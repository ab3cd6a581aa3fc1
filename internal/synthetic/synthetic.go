// Package synthetic makes English-like passages and queries at sizes no real
// corpus here has, for benchmarks and `footnote bench`.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/footnote-bot/footnote/corpus"
)

// Synthetic passages measure the index at sizes no real corpus here has: the
// benchmarks and `footnote bench` use them.

// Passages returns n passages of English-like text, ~60 words each, drawn
// with Zipf frequencies from a vocabulary made from a fixed seed, and queries
// of 6-10 words taken from random passages. The same n gives the same text.
func Passages(n, queries int) ([]corpus.Passage, []string) {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	vocab := syntheticVocab()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(2, uint64(n))), 1.07, 2, uint64(len(vocab)-1))
	ps := make([]corpus.Passage, n)
	words := make([][]string, n)
	for i := range ps {
		var b strings.Builder
		m := 40 + r.IntN(41)
		for j := range m {
			w := vocab[zipf.Uint64()]
			words[i] = append(words[i], w)
			if j > 0 {
				b.WriteByte(' ')
			}
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if j%12 == 11 || j == m-1 {
				b.WriteByte('.')
			}
		}
		doc := fmt.Sprintf("doc%03d.txt", i/100)
		ps[i] = corpus.Passage{Doc: doc, Paragraph: i%100 + 1, Start: i % 100 * 1000, End: i%100*1000 + b.Len(), Text: b.String(), Kind: corpus.KindBody}
		if i%10 == 9 {
			ps[i].Kind = corpus.KindReference
		}
	}
	qs := make([]string, queries)
	for i := range qs {
		ws := words[r.IntN(n)]
		k := 6 + r.IntN(5)
		at := r.IntN(len(ws) - k)
		qs[i] = strings.Join(ws[at:at+k], " ") + "?"
	}
	return ps, qs
}

var syntheticVocab = sync.OnceValue(func() []string {
	r := rand.New(rand.NewPCG(7, 7))
	const consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < 30000 {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteByte(consonants[r.IntN(len(consonants))])
			b.WriteByte(vowels[r.IntN(len(vowels))])
			if r.IntN(3) == 0 {
				b.WriteByte(consonants[r.IntN(len(consonants))])
			}
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return vocab
})

// WriteFolder writes Passages(n, 0) into dir (created if need be) as text
// files of 100 paragraphs each, titled, for building an index of about n
// passages with `footnote index`.
func WriteFolder(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	ps, _ := Passages(n, 0)
	for at := 0; at < len(ps); at += 100 {
		var b strings.Builder
		fmt.Fprintf(&b, "Synthetic reading %d\n\n", at/100)
		for _, p := range ps[at:min(at+100, len(ps))] {
			b.WriteString(p.Text)
			b.WriteString("\n\n")
		}
		name := filepath.Join(dir, fmt.Sprintf("doc%05d.txt", at/100))
		if err := os.WriteFile(name, []byte(b.String()), 0o666); err != nil {
			return err
		}
	}
	return nil
}
