package readings_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/readings/readingstest"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
)

const fact = "The lighthouse keeper Maribel Ostrander counted 412 puffins on the north cliff in 1931."

func newLibrary(t *testing.T, mem *readingstest.Memory, opts readings.Options) *readings.Library {
	t.Helper()
	c, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieval.New(context.Background(), c.Passages, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := answer.New(c, ix, answer.Options{})
	opts.Store = mem
	opts.Base = func() *answer.Engine { return base }
	lib, err := readings.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestAddPDFAndScopes(t *testing.T) {
	ctx := context.Background()
	mem := readingstest.NewMemory()
	lib := newLibrary(t, mem, readings.Options{})
	pdf := readingstest.PDF("Field Guide", readingstest.Pages(6, map[int]string{3: fact}))
	var seen []readings.Progress
	var mu sync.Mutex
	r, err := lib.Add(ctx, readings.Upload{List: store.List{Guild: "g1", Channel: "c1"}, Name: "guide.pdf", Data: pdf, AddedBy: "u1"},
		func(p readings.Progress) { mu.Lock(); seen = append(seen, p); mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	if r.Pages != 6 || r.Passages == 0 || r.Title != "Field Guide" {
		t.Errorf("reading %+v", r)
	}
	if last := seen[len(seen)-1]; last.Pages != 6 || last.Page < 1 {
		t.Errorf("progress %+v", seen)
	}
	q := answer.Request{Question: "How many puffins did Maribel Ostrander count?", Mode: answer.ModeExtractive}
	ask := func(s readings.Scope) *answer.Answer {
		t.Helper()
		eng, err := lib.In(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		a, err := eng.Ask(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := ask(readings.Scope{Guild: "g1", Channel: "c1"})
	if a.Abstained || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "412 puffins") || !strings.HasPrefix(a.Citations[0].Doc, r.ID+"/") {
		t.Fatalf("not answered from the reading: %+v", a)
	}
	for _, s := range []readings.Scope{{Guild: "g1", Channel: "c2"}, {Guild: "g2", Channel: "c1"}, {}} {
		for _, c := range ask(s).Citations {
			if strings.HasPrefix(c.Doc, r.ID) {
				t.Errorf("scope %+v cites the reading of g1/c1", s)
			}
		}
	}

	// The same bytes again: a duplicate, refused with the reason.
	_, err = lib.Add(ctx, readings.Upload{List: store.List{Guild: "g1", Channel: "c1"}, Name: "again.pdf", Data: pdf}, nil)
	var ref *readings.Refusal
	if !errors.As(err, &ref) || !errors.Is(err, store.ErrDuplicate) || !strings.Contains(ref.Reason, "Field Guide") {
		t.Errorf("duplicate: %v", err)
	}
	// Removed: no longer answered.
	if _, err := lib.Remove(ctx, "g2", r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another guild removed it: %v", err)
	}
	if _, err := lib.Remove(ctx, "g1", r.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range ask(readings.Scope{Guild: "g1", Channel: "c1"}).Citations {
		if strings.HasPrefix(c.Doc, r.ID) {
			t.Error("a removed reading is still cited")
		}
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	lib := newLibrary(t, readingstest.NewMemory(), readings.Options{Limits: store.Limits{MaxReadings: 1}})
	g := store.List{Guild: "g"}
	for _, tc := range []struct {
		name string
		data []byte
		want error
		says string
	}{
		{"slides.pptx", []byte("PK..."), corpus.ErrUnsupported, "not a format"},
		{"empty.txt", nil, corpus.ErrEmpty, "empty"},
		{"blank.md", []byte("   \n\n "), corpus.ErrNoText, "no text"},
		{"scan.pdf", readingstest.PDF("Scan", [][]string{{}}), corpus.ErrImageOnly, "no text"},
	} {
		_, err := lib.Add(ctx, readings.Upload{List: g, Name: tc.name, Data: tc.data}, nil)
		var ref *readings.Refusal
		if !errors.As(err, &ref) || !errors.Is(err, tc.want) || !strings.Contains(ref.Reason, tc.says) {
			t.Errorf("%s: %v, want a refusal wrapping %v saying %q", tc.name, err, tc.want, tc.says)
		}
	}
	if _, err := lib.Add(ctx, readings.Upload{List: g, Name: "a.md", Data: []byte("# A\n\nSome text about owls.\n")}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := lib.Add(ctx, readings.Upload{List: g, Name: "b.md", Data: []byte("# B\n\nSome text about bats.\n")}, nil)
	var ref *readings.Refusal
	if !errors.As(err, &ref) || !errors.Is(err, store.ErrLimit) || !strings.Contains(ref.Reason, "full") {
		t.Errorf("over the limit: %v", err)
	}
}

func TestNoBase(t *testing.T) {
	ctx := context.Background()
	lib := newLibrary(t, readingstest.NewMemory(), readings.Options{NoBase: true})
	eng, err := lib.In(ctx, readings.Scope{Guild: "g", Channel: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(eng.Sources()); n != 0 {
		t.Errorf("base_corpus none: a guild sees %d documents", n)
	}
	dm, err := lib.In(ctx, readings.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dm.Sources()) == 0 {
		t.Error("a DM does not see the operator's corpus")
	}
}

// TestConcurrentAdditions: two additions racing for the last place in a
// guild: one lands, the other says why not.
func TestConcurrentAdditions(t *testing.T) {
	ctx := context.Background()
	lib := newLibrary(t, readingstest.NewMemory(), readings.Options{Limits: store.Limits{MaxReadings: 1}})
	errs := make(chan error, 2)
	for i, text := range []string{"# Owls\n\nOwls hunt at night.\n", "# Bats\n\nBats hunt at night too.\n"} {
		go func() {
			_, err := lib.Add(ctx, readings.Upload{List: store.List{Guild: "g", Channel: []string{"c1", "c2"}[i]}, Name: "r.md", Data: []byte(text)}, nil)
			errs <- err
		}()
	}
	landed, refused := 0, 0
	for range 2 {
		err := <-errs
		var ref *readings.Refusal
		switch {
		case err == nil:
			landed++
		case errors.As(err, &ref) && errors.Is(err, store.ErrLimit):
			refused++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if landed != 1 || refused != 1 {
		t.Errorf("%d landed, %d refused; want 1 and 1", landed, refused)
	}
}

// TestInterruptedAddition: an addition cancelled while its passages are
// embedded stores nothing.
func TestInterruptedAddition(t *testing.T) {
	mem := readingstest.NewMemory()
	lib := newLibrary(t, mem, readings.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pdf := readingstest.PDF("Field Guide", readingstest.Pages(20, map[int]string{3: fact}))
	_, err := lib.Add(ctx, readings.Upload{List: store.List{Guild: "g"}, Name: "guide.pdf", Data: pdf}, func(p readings.Progress) {
		if p.Page >= 5 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled addition: %v", err)
	}
	if rs, _ := mem.Readings(context.Background(), "g"); len(rs) != 0 || mem.Adds != 0 {
		t.Errorf("an interrupted addition left %d readings", len(rs))
	}
}
