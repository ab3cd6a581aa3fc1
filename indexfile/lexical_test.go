package indexfile

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/retrieval"
)

// TestBuildLexicalOnly: a lexical-only build embeds nothing, saves no
// vectors, round-trips through a file, and searches lexically as the index
// with vectors does.
func TestBuildLexicalOnly(t *testing.T) {
	ctx := context.Background()
	fsys := testFS(time.Now().Add(-time.Hour))
	emb := &recordingEmbedder{}
	lex, st, err := Build(ctx, fsys, BuildOptions{Lexical: true, Embedder: emb.embedder("counting"), Root: "/corpus", Builder: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := emb.take(); len(got) != 0 || st.Embedded != 0 || st.Reused != 0 {
		t.Errorf("a lexical-only build embedded %d texts (stats %+v)", len(got), st)
	}
	if !lex.Lexical() || lex.Embedder != NoEmbedder || lex.Dim != 0 || lex.Vectors != nil || lex.Postings == nil || len(lex.Passages) == 0 {
		t.Fatalf("lexical-only index: embedder %q, dim %d, %d vectors, postings %v, %d passages",
			lex.Embedder, lex.Dim, len(lex.Vectors), lex.Postings != nil, len(lex.Passages))
	}
	vec, _ := buildTest(t, fsys, nil)
	if !reflect.DeepEqual(lex.Passages, vec.Passages) || !reflect.DeepEqual(lex.Postings, vec.Postings) {
		t.Error("the lexical-only index holds other passages or postings than the one with vectors")
	}

	var lb, vb bytes.Buffer
	if err := encodeIndex(&lb, lex); err != nil {
		t.Fatal(err)
	}
	if err := encodeIndex(&vb, vec); err != nil {
		t.Fatal(err)
	}
	if want := vb.Len() - len(vec.Passages)*vec.Dim*4; lb.Len() > want+16 || !bytes.Contains(lb.Bytes(), []byte(`"embedder":"none","dim":0`)) {
		t.Errorf("lexical-only file of %d bytes, want about %d (the other less its vectors)", lb.Len(), want)
	}
	got, err := ReadIndexFile(writeTest(t, lex))
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, got, lex)
	if got.Vectors != nil || !reflect.DeepEqual(got.Postings, lex.Postings) {
		t.Errorf("read back: %d vectors, postings equal %v", len(got.Vectors), reflect.DeepEqual(got.Postings, lex.Postings))
	}

	lexOpts := retrieval.Options{Mode: retrieval.ModeLexical}
	lix, err := NewFromSaved(ctx, got, lexOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer lix.Close()
	if lix.Collection() != nil || len(lix.DB().ListCollections()) != 0 {
		t.Error("a lexical-only index filled a chromem-go collection")
	}
	vix, err := NewFromSaved(ctx, vec, lexOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer vix.Close()
	for _, q := range []string{"tide tables 1839", "bell founder", "church bells cast in the parish", "布雷斯特港", "spring tides moon"} {
		a, err := lix.Search(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, err := vix.Search(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Errorf("%q: lexical-only %+v, with vectors %+v", q, a, b)
		}
	}
}

// TestNewFromSavedRefusesLexicalOnly: hybrid (also as "") and dense search of
// a lexical-only index is a *NoVectorsError, whatever the embedder.
func TestNewFromSavedRefusesLexicalOnly(t *testing.T) {
	s, _, err := Build(context.Background(), testFS(time.Now()), BuildOptions{Lexical: true, Root: "/corpus", Builder: "test"})
	if err != nil {
		t.Fatal(err)
	}
	other := embed.FromBatch("openai:text-embedding-3-small", func(context.Context, []string) ([][]float32, error) {
		t.Error("the embedder was called")
		return nil, errors.New("no")
	})
	for _, o := range []retrieval.Options{{}, {Mode: retrieval.ModeHybrid}, {Mode: retrieval.ModeDense, Embedder: other}} {
		_, err := NewFromSaved(context.Background(), s, o)
		var nv *NoVectorsError
		want := o.Mode
		if want == "" {
			want = retrieval.ModeHybrid
		}
		if !errors.As(err, &nv) || nv.Mode != want || !strings.Contains(err.Error(), "no vectors") {
			t.Errorf("mode %q: %v", o.Mode, err)
		}
	}
	ix, err := NewFromSaved(context.Background(), s, retrieval.Options{Mode: retrieval.ModeLexical, Embedder: other})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
}

// TestBuildLexicalIncremental: an update of a lexical-only index stays
// lexical-only and reads only what changed; switching between lexical-only
// and vectors embeds every passage, or drops the vectors, with a note.
func TestBuildLexicalIncremental(t *testing.T) {
	ctx := context.Background()
	fsys := testFS(time.Now().Add(-time.Hour).Truncate(time.Second))
	emb := &recordingEmbedder{}
	build := func(prev *Saved, lexical bool) (*Saved, BuildStats) {
		t.Helper()
		s, st, err := Build(ctx, fsys, BuildOptions{Lexical: lexical, Previous: prev, Embedder: emb.embedder("counting"), Root: "/corpus", Builder: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return s, st
	}
	first, _ := build(nil, true)
	again, st := build(first, true)
	if !again.Lexical() || again.Vectors != nil || st.Read != 0 || st.Unchanged != 4 || len(st.Notes) != 0 || again.Postings != first.Postings {
		t.Errorf("unchanged update: lexical %v, stats %+v", again.Lexical(), st)
	}
	fsys["bells.md"].Data = append(bytes.Clone(fsys["bells.md"].Data), []byte("\nThe bells of Brest were melted down in 1793.\n")...)
	fsys["bells.md"].ModTime = time.Now().Add(-time.Minute)
	changed, st := build(again, true)
	fresh, _ := build(nil, true)
	if !changed.Lexical() || st.Read != 1 || len(st.Notes) != 0 || len(emb.take()) != 0 {
		t.Errorf("changed update: lexical %v, stats %+v", changed.Lexical(), st)
	}
	fresh.Created = changed.Created
	sameSaved(t, changed, fresh)
	if !reflect.DeepEqual(changed.Postings, fresh.Postings) {
		t.Error("the postings of the update are not a fresh build's")
	}

	withVecs, st := build(changed, false)
	if withVecs.Lexical() || withVecs.Embedder != "counting" || len(withVecs.Vectors) != len(withVecs.Passages) ||
		st.Embedded != len(withVecs.Passages) || st.Read != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "lexical-only") {
		t.Errorf("to vectors: embedder %q, stats %+v", withVecs.Embedder, st)
	}
	emb.take()
	back, st := build(withVecs, true)
	if !back.Lexical() || back.Vectors != nil || st.Read != 0 || len(st.Notes) != 1 || !strings.Contains(st.Notes[0], "dropped") || len(emb.take()) != 0 {
		t.Errorf("back to lexical-only: embedder %q, stats %+v", back.Embedder, st)
	}
}

// TestLexicalHeaderChecks: a lexical-only header must claim no dimensions and
// no vectors, and an index with vectors must have a dimension.
func TestLexicalHeaderChecks(t *testing.T) {
	s, _, err := Build(context.Background(), testFS(time.Now()), BuildOptions{Lexical: true, Root: "/corpus", Builder: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := encodeIndex(&b, s); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	hEnd := prefixSize + int(uint32(good[12])|uint32(good[13])<<8|uint32(good[14])<<16|uint32(good[15])<<24)
	for name, data := range map[string][]byte{
		"embedder":  resum(replaceJSON(good, prefixSize, hEnd, `"embedder":"none"`, `"embedder":"local"`)),
		"dimension": resum(replaceJSON(good, prefixSize, hEnd, `"dim":0`, `"dim":8`)),
	} {
		if _, err := decodeIndex(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrIndexVersion) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := *s
	bad.Vectors = [][]float32{{1}}
	bad.Dim = 1
	if err := encodeIndex(&b, &bad); err == nil {
		t.Error("a lexical-only index with vectors was encoded")
	}
}
