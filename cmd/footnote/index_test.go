package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/config"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/openaitest"
)

// writeCorpus writes files (path -> text) under dir, dated an hour ago so
// that an index built now can trust their times.
func writeCorpus(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	old := time.Now().Add(-time.Hour)
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			tb.Fatal(err)
		}
	}
}

// testCorpus is a folder with the embedded corpus, a Markdown file in a
// subfolder and a binary file.
func testCorpus(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"notes/tides.md": "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n\n## Tables\n\nThe first tide tables for the port were printed in 1839.\n",
		"scan.txt":       "\x00\x01\x02binary\x00",
	}
	for name, text := range defaultDocs(tb) {
		files[name] = text
	}
	writeCorpus(tb, dir, files)
	return dir
}

// indexJSON runs footnote index --json and returns its summary.
func indexJSON(tb testing.TB, environ []string, args ...string) indexSummary {
	tb.Helper()
	code, out, errOut := runCLI(tb, environ, append([]string{"index", "--json"}, args...)...)
	if code != 0 {
		tb.Fatalf("footnote index: exit %d: %s", code, errOut)
	}
	var s indexSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		tb.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	return s
}

func TestIndexThenAsk(t *testing.T) {
	dir := testCorpus(t)
	file := filepath.Join(t.TempDir(), "corpus.idx")

	code, out, errOut := runCLI(t, nil, "index", dir, "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Indexed " + dir + " into " + file, "files     4: 3 indexed, 1 skipped; 4 read", "lexical-only: no vectors", "skipped   scan.txt: binary file"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	// The saved index answers as the folder does, by flag or environment.
	for _, args := range [][]string{
		{"ask", "--json", "How many Confucius Institutes are there in Latin America?"},
		{"ask", "How high does the tide rise at Brest?"},
		{"search", "--json", "-k", "3", "tide tables"},
	} {
		_, fromFolder, _ := runCLI(t, nil, append(args, "--corpus", dir)...)
		code, fromIndex, errOut := runCLI(t, nil, append(args, "--index", file)...)
		if code != 0 || fromIndex != fromFolder {
			t.Errorf("%v: exit %d (%s); from the index:\n%s\nfrom the folder:\n%s", args, code, errOut, fromIndex, fromFolder)
		}
		if _, fromEnv, _ := runCLI(t, []string{"FOOTNOTE_INDEX=" + file}, args...); fromEnv != fromFolder {
			t.Errorf("%v with FOOTNOTE_INDEX:\n%s", args, fromEnv)
		}
	}

	// With no folder given, the index's own is updated.
	s := indexJSON(t, nil, "-o", file)
	if s.Folder != dir || s.Docs != 3 || s.Unchanged != 4 || s.Embedded != 0 || len(s.Skipped) != 1 || s.Skipped[0].Path != "scan.txt" {
		t.Errorf("summary %+v", s)
	}
}

func TestIndexIncremental(t *testing.T) {
	// Passages are embedded by a fake OpenAI-compatible server, which
	// records every text it is sent.
	srv := openaitest.New(t)
	environ := []string{"FOOTNOTE_EMBEDDINGS_PROVIDER=openai-compatible", "FOOTNOTE_EMBEDDINGS_BASE_URL=" + srv.BaseURL(), "FOOTNOTE_EMBEDDINGS_MODEL=fake"}
	sent := 0
	embedded := func() []string {
		var texts []string
		reqs := srv.Requests()
		for _, r := range reqs[sent:] {
			texts = append(texts, r.Input...)
		}
		sent = len(reqs)
		return texts
	}
	dir := t.TempDir()
	writeCorpus(t, dir, map[string]string{
		"a.txt": "Tides\n\nThe tide at Brest rises seven metres twice a day.\n\nSpring tides come with the new and the full moon.\n",
		"b.md":  "# Bells\n\nChurch bells were cast in a pit dug beside the church.\n",
	})
	file := filepath.Join(t.TempDir(), "corpus.idx")

	s := indexJSON(t, environ, dir, "-o", file)
	first := embedded()
	if s.Embedder != "openai-compatible:fake" || s.Read != 2 || s.Passages == 0 || s.Embedded != s.Passages || len(first) != s.Passages {
		t.Fatalf("first run: %+v, %d texts embedded", s, len(first))
	}

	if s = indexJSON(t, environ, dir, "-o", file); s.Read != 0 || s.Embedded != 0 || s.Unchanged != 2 || len(embedded()) != 0 {
		t.Errorf("unchanged: %+v", s)
	}

	writeCorpus(t, dir, map[string]string{"a.txt": "Tides\n\nThe tide at Brest rises seven metres twice a day.\n\nNeap tides come between spring tides.\n"})
	later := time.Now().Add(-30 * time.Minute)
	os.Chtimes(filepath.Join(dir, "a.txt"), later, later)
	s = indexJSON(t, environ, dir, "-o", file)
	if got := embedded(); s.Read != 1 || !slices.Equal(got, []string{"Neap tides come between spring tides."}) {
		t.Errorf("changed: %+v, embedded %q", s, got)
	}

	writeCorpus(t, dir, map[string]string{"c/d.txt": "Harbours\n\nThe harbour master kept a log of every tide.\n"})
	s = indexJSON(t, environ, dir, "-o", file)
	if got := embedded(); s.Read != 1 || s.Docs != 3 || !slices.Contains(got, "The harbour master kept a log of every tide.") || slices.Contains(got, "Neap tides come between spring tides.") {
		t.Errorf("added: %+v, embedded %q", s, got)
	}

	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	s = indexJSON(t, environ, dir, "-o", file)
	if s.Removed != 1 || s.Docs != 2 || s.Read != 0 || len(embedded()) != 0 {
		t.Errorf("deleted: %+v", s)
	}
	if _, out, _ := runCLI(t, environ, "search", "--index", file, "--json", "church bells"); strings.Contains(out, "b.md") {
		t.Errorf("a deleted file is still found:\n%s", out)
	}
	embedded() // the query

	if s = indexJSON(t, environ, dir, "-o", file, "--rebuild"); s.Read != 2 || s.Embedded != s.Passages || len(embedded()) != s.Passages {
		t.Errorf("rebuild: %+v", s)
	}

	// Questions are embedded by the same server.
	code, out, errOut := runCLI(t, environ, "ask", "--index", file, "How high does the tide rise at Brest?")
	if code != 0 || !strings.Contains(out, "seven metres") || len(embedded()) != 1 {
		t.Errorf("ask: exit %d: %s%s", code, out, errOut)
	}
	// Another embedder cannot search these vectors (lexical search, the
	// offline default, needs none).
	code, _, errOut = runCLI(t, nil, "ask", "--retrieval", "hybrid", "--index", file, "How high does the tide rise at Brest?")
	for _, want := range []string{"built with embedder openai-compatible:fake", "selects local-hash-v3", "footnote index " + dir + " -o " + file, "embeddings.provider"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("other embedder: exit %d, %q lacks %q", code, errOut, want)
		}
	}
	// An index rebuilt with another embedder says so.
	if s = indexJSON(t, nil, dir, "-o", file, "--retrieval", "hybrid"); len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "openai-compatible:fake") || s.Embedder != embed.LocalName {
		t.Errorf("switched embedder: %+v", s)
	}
	// With no embedding model configured the vectors are dropped, and the
	// index stays lexical-only when updated.
	if s = indexJSON(t, nil, dir, "-o", file); len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "dropped") || s.Embedder != indexfile.NoEmbedder || s.Dim != 0 {
		t.Errorf("to lexical-only: %+v", s)
	}
	writeCorpus(t, dir, map[string]string{"e.txt": "Ferries\n\nThe ferry to Ushant leaves at nine.\n"})
	if s = indexJSON(t, nil, dir, "-o", file); s.Read != 1 || s.Embedder != indexfile.NoEmbedder || s.Embedded != 0 || len(s.Notes) != 0 {
		t.Errorf("lexical-only, updated: %+v", s)
	}
	if saved, err := indexfile.ReadIndexFile(file); err != nil || !saved.Lexical() || saved.Vectors != nil || saved.Dim != 0 {
		t.Errorf("lexical-only update: %v, %+v", err, saved)
	}
	// Back to vectors, every passage is embedded, and says so.
	s = indexJSON(t, environ, dir, "-o", file)
	if got := embedded(); len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "lexical-only") || s.Embedded != s.Passages || len(got) != s.Passages {
		t.Errorf("from lexical-only: %+v, %d embedded", s, len(got))
	}
}

// TestLexicalOnlyIndex: with no embedding model configured, footnote index
// saves no vectors; the file is smaller, searches and answers as an index
// with vectors does in lexical mode, and a search that needs vectors is
// refused with one line saying how to rebuild it.
func TestLexicalOnlyIndex(t *testing.T) {
	dir := testCorpus(t)
	tmp := t.TempDir()
	lex, vec := filepath.Join(tmp, "lexical.idx"), filepath.Join(tmp, "vectors.idx")
	ls := indexJSON(t, nil, dir, "-o", lex)
	vs := indexJSON(t, []string{"FOOTNOTE_RETRIEVAL=hybrid"}, dir, "-o", vec)
	if ls.Embedder != indexfile.NoEmbedder || ls.Dim != 0 || ls.Embedded != 0 || vs.Embedder != embed.LocalName || vs.Dim == 0 || vs.Embedded != vs.Passages {
		t.Fatalf("lexical-only %+v\nwith vectors %+v", ls, vs)
	}
	if ls.Passages != vs.Passages || ls.Bytes >= vs.Bytes/2 {
		t.Errorf("lexical-only: %d passages in %d bytes; with vectors %d in %d", ls.Passages, ls.Bytes, vs.Passages, vs.Bytes)
	}
	saved, err := indexfile.ReadIndexFile(lex)
	if err != nil || !saved.Lexical() || saved.Vectors != nil || saved.Postings == nil {
		t.Fatalf("%v, %+v", err, saved)
	}

	// The dev questions find the same passages and get the same answers.
	data, err := os.ReadFile(filepath.Join("..", "..", "eval", "testdata", "extra.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(data)) {
		var q struct{ Question string }
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"search", "--json", "-k", "5"}, {"ask", "--json"}} {
			args := append(cmd, "--retrieval", "lexical", q.Question)
			code, fromLex, errOut := runCLI(t, nil, append(args, "--index", lex)...)
			_, fromVec, _ := runCLI(t, nil, append(args, "--index", vec)...)
			if code != 0 || fromLex != fromVec || !strings.Contains(fromLex, ".txt") {
				t.Errorf("%v: exit %d (%s); lexical-only:\n%s\nwith vectors:\n%s", args, code, errOut, fromLex, fromVec)
			}
		}
		n++
	}
	if n < 30 {
		t.Fatalf("%d questions", n)
	}

	// Hybrid and dense search need vectors.
	for _, mode := range []string{"hybrid", "dense"} {
		code, out, errOut := runCLI(t, nil, "search", "--retrieval", mode, "--index", lex, "tide tables")
		want := "index file " + lex + " has no vectors"
		if code != 1 || out != "" || !strings.Contains(errOut, want) || !strings.Contains(errOut, "footnote index "+dir+" -o "+lex+" --retrieval "+mode) ||
			strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, %q", mode, code, errOut)
		}
	}
	// Following the advice works.
	if s := indexJSON(t, nil, "-o", lex, "--retrieval", "hybrid"); s.Embedder != embed.LocalName || s.Embedded != s.Passages || s.Read != 0 || len(s.Notes) != 1 {
		t.Errorf("rebuilt with vectors: %+v", s)
	}
	if code, _, errOut := runCLI(t, nil, "search", "--retrieval", "hybrid", "--index", lex, "tide tables"); code != 0 {
		t.Errorf("hybrid after the rebuild: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "index", "-o", lex, "--retrieval", "sideways"); code != 2 || !strings.Contains(errOut, "sideways") {
		t.Errorf("bad --retrieval: exit %d: %s", code, errOut)
	}
}

func TestIndexRefusals(t *testing.T) {
	dir := testCorpus(t)
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good.idx")
	indexJSON(t, nil, dir, "-o", good)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	file := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := file("truncated.idx", goodBytes[:len(goodBytes)/2])
	newer := bytes.Clone(goodBytes)
	newer[8]++
	other := file("newer.idx", newer)
	text := file("notes.txt", []byte("my notes, not an index\n"))
	junk := t.TempDir()
	writeCorpus(t, junk, map[string]string{"x.txt": "\x00\x00", "y.md": ""})

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
		keep   string // a file that must be left as it was
	}{
		{"truncated", []string{"ask", "--index", truncated, "q"}, 1, []string{truncated, "damaged: truncated", "rebuild it with footnote index DIR -o " + truncated}, truncated},
		{"newer format", []string{"search", "--index", other, "q"}, 1, []string{other, "different version of Footnote", "rebuild it with footnote index"}, other},
		{"not an index", []string{"ask", "--index", text, "q"}, 1, []string{text, "not a Footnote index file"}, text},
		{"missing", []string{"ask", "--index", filepath.Join(tmp, "none.idx"), "q"}, 1, []string{"does not exist: build it with footnote index DIR -o"}, ""},
		{"index and corpus", []string{"ask", "--index", good, "--corpus", dir, "q"}, 2, []string{"use one"}, good},
		{"index over a text file", []string{"index", dir, "-o", text}, 1, []string{text, "is not a Footnote index"}, text},
		{"nothing to index", []string{"index", junk, "-o", good}, 1, []string{"skipped x.txt: binary file", "skipped y.md: empty file", "nothing could be indexed in " + junk, good + " was not written"}, good},
		{"no output", []string{"index", dir}, 2, []string{"no index file given"}, ""},
		{"output is a folder", []string{"index", dir, "-o", tmp}, 2, []string{"is a folder"}, ""},
		{"missing folder", []string{"index", filepath.Join(tmp, "nope"), "-o", good}, 1, []string{"does not exist"}, good},
		{"two folders", []string{"index", dir, dir, "-o", good}, 2, []string{"give one folder"}, good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if tt.keep != "" {
				before, _ = os.ReadFile(tt.keep)
			}
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "footnote ") {
				t.Errorf("the error is not one line: %q", errOut)
			}
			if tt.keep != "" {
				if after, _ := os.ReadFile(tt.keep); !bytes.Equal(after, before) {
					t.Errorf("%s was changed", tt.keep)
				}
			}
		})
	}

	// footnote index replaces a damaged index, saying so.
	code, out, errOut := runCLI(t, nil, "index", dir, "-o", truncated)
	if code != 0 || !strings.Contains(errOut, "warning: index file "+truncated+": damaged") || !strings.Contains(out, "Indexed") {
		t.Errorf("exit %d: %s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "ask", "--index", truncated, "How high does the tide rise at Brest?"); code != 0 {
		t.Errorf("the replaced index: exit %d: %s", code, errOut)
	}
}

// The bot reloads by calling loadEngine again after footnote index rewrote
// the file; the old engine keeps working until its index is closed.
func TestLoadEngineReload(t *testing.T) {
	ctx := context.Background()
	dir := testCorpus(t)
	file := filepath.Join(t.TempDir(), "corpus.idx")
	indexJSON(t, nil, dir, "-o", file)
	cfg := config.Default()
	cfg.Index = file

	old, oldIndex, err := loadEngine(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	writeCorpus(t, dir, map[string]string{"bells.txt": "Bells\n\nChurch bells in Brittany were cast in a pit dug beside the church.\n"})
	indexJSON(t, nil, dir, "-o", file)
	eng, index, err := loadEngine(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer index.Close()

	docs := func(e *answer.Engine) int { return len(e.Sources()) }
	if docs(old) != 3 || docs(eng) != 4 {
		t.Errorf("documents before and after the reload: %d, %d", docs(old), docs(eng))
	}
	hits, err := eng.Search(ctx, "Where were church bells cast?", 1)
	if err != nil || len(hits) != 1 || hits[0].Doc != "bells.txt" {
		t.Errorf("the reloaded engine found %+v (%v)", hits, err)
	}
	if _, err := old.Search(ctx, "Where were church bells cast?", 1); err != nil {
		t.Errorf("the old engine stopped working before its index was closed: %v", err)
	}
	if err := oldIndex.Close(); err != nil {
		t.Error(err)
	}
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	if p := newProgressBar(&b); p != nil {
		t.Fatal("a bar for a buffer, which is no terminal")
	}
	var none *progressBar
	none.update(indexfile.BuildProgress{Stage: "reading", Done: 1, Total: 2})
	none.clear()

	p := &progressBar{w: &b}
	p.update(indexfile.BuildProgress{Stage: "reading", Done: 1, Total: 4})
	p.update(indexfile.BuildProgress{Stage: "reading", Done: 2, Total: 4}) // too soon: not drawn
	p.update(indexfile.BuildProgress{Stage: "embedding", Done: 300, Total: 300})
	p.clear()
	want := "\r\x1b[Kreading   [=======                       ] 1/4 files" +
		"\r\x1b[Kembedding [==============================] 300/300 passages" +
		"\r\x1b[K"
	if b.String() != want {
		t.Errorf("drew %q, want %q", b.String(), want)
	}
}

// TestIndexFollowsLinksAsCorpus checks that footnote index walks a folder as
// --corpus does: a symbolic link to a folder elsewhere is followed, a loop
// and a second way to a file are skipped with the same reasons, and the
// index holds the same documents under the same paths.
func TestIndexFollowsLinksAsCorpus(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeCorpus(t, dir, map[string]string{
		"tides.txt":       "The tide at Brest rises seven metres twice a day.\n",
		"papers/ports.md": "# Ports\n\nThe first tide tables for the port were printed in 1839.\n",
	})
	writeCorpus(t, outside, map[string]string{
		"shelf/lighthouses.txt": "The lighthouse at Ushant flashes twice every ten seconds.\n",
	})
	for _, l := range []struct{ target, name string }{
		{filepath.Join(outside, "shelf"), "shelf"}, // a folder elsewhere
		{"..", "papers/loop"},                      // a loop back to the corpus folder
		{"tides.txt", "tides-again.txt"},           // a file read twice
		{"missing.txt", "broken.txt"},              // a broken link
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, filepath.FromSlash(l.name))); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
	file := filepath.Join(t.TempDir(), "corpus.idx")

	s := indexJSON(t, nil, dir, "-o", file)
	var fromIndex []string
	for _, sk := range s.Skipped {
		fromIndex = append(fromIndex, "warning: skipped "+sk.Path+": "+sk.Reason)
	}
	code, fromFolder, errOut := runCLI(t, nil, "search", "--json", "-v", "-k", "50", "--corpus", dir, "tide lighthouse")
	if code != 0 {
		t.Fatalf("search --corpus: exit %d: %s", code, errOut)
	}
	warnings := strings.Split(strings.TrimSpace(errOut), "\n")
	if !slices.Equal(fromIndex, warnings) {
		t.Errorf("skipped by footnote index:\n%s\nby --corpus:\n%s", strings.Join(fromIndex, "\n"), errOut)
	}
	for _, want := range []string{
		"warning: skipped broken.txt: broken symbolic link",
		"warning: skipped papers/loop: symbolic link loop",
		"warning: skipped tides-again.txt: already read as tides.txt",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("--corpus does not say %q:\n%s", want, errOut)
		}
	}

	saved, err := indexfile.ReadIndexFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := corpus.LoadDir(context.Background(), dir, corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(saved.Docs, c.Docs) {
		t.Errorf("index documents %v, --corpus documents %v", docPaths(saved.Docs), docPaths(c.Docs))
	}
	if want := []string{"papers/ports.md", "shelf/lighthouses.txt", "tides.txt"}; !slices.Equal(docPaths(c.Docs), want) {
		t.Errorf("documents %v, want %v", docPaths(c.Docs), want)
	}

	code, fromIdx, errOut := runCLI(t, nil, "search", "--json", "-k", "50", "--index", file, "tide lighthouse")
	if code != 0 || fromIdx != fromFolder {
		t.Errorf("search --index: exit %d (%s):\n%s\nsearch --corpus:\n%s", code, errOut, fromIdx, fromFolder)
	}

	// Updating the index reads nothing again, through links or not. The
	// broken link and the second link to tides.txt are files, skipped.
	if s := indexJSON(t, nil, dir, "-o", file); s.Files != 5 || s.Read != 0 || s.Unchanged != 3 || s.Embedded != 0 || len(s.Skipped) != len(warnings) {
		t.Errorf("update: %+v", s)
	}
}

func docPaths(docs []corpus.Document) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.Path)
	}
	return out
}

// -o onto a named pipe, a device or a folder is refused in one line; onto a
// symbolic link, the link's target is replaced and the command says so; while
// another footnote index holds the file's lock, this one says so and fails,
// leaving the file alone.
func TestIndexOutputRefusalsAndLock(t *testing.T) {
	dir := testCorpus(t)
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "pipe.idx")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ out, says string }{
		{fifo, "is a named pipe"},
		{"/dev/null", "is a device"},
		{tmp, "is a folder"},
	} {
		code, _, errOut := runCLI(t, nil, "index", dir, "-o", tt.out)
		if code != 2 || !strings.Contains(errOut, tt.says) || strings.Count(strings.TrimSpace(errOut), "\n") > 2 {
			t.Errorf("-o %s: exit %d: %q", tt.out, code, errOut)
		}
	}

	real := filepath.Join(tmp, "real.idx")
	link := filepath.Join(tmp, "link.idx")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	indexJSON(t, nil, dir, "-o", real)
	code, _, errOut := runCLI(t, nil, "index", dir, "-o", link, "--rebuild")
	if code != 0 || !strings.Contains(errOut, "note: "+link+" is a symbolic link: replacing its target, "+real) {
		t.Errorf("through a link: exit %d: %q", code, errOut)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if _, err := indexfile.ReadIndexFile(real); err != nil {
		t.Error(err)
	}

	unlock, err := indexfile.Lock(real)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(real)
	code, _, errOut = runCLI(t, nil, "index", dir, "-o", real, "--rebuild")
	unlock()
	if code != 1 || !strings.Contains(errOut, "another footnote index is writing "+real) {
		t.Errorf("locked: exit %d: %q", code, errOut)
	}
	if after, _ := os.ReadFile(real); !bytes.Equal(after, before) {
		t.Error("the locked file was changed")
	}
	if code, _, errOut := runCLI(t, nil, "index", dir, "-o", real); code != 0 {
		t.Errorf("after the lock was released: exit %d: %s", code, errOut)
	}
}
