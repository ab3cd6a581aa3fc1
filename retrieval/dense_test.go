package retrieval

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/embed"
	"github.com/philippgille/chromem-go"
)

// The scan's top k, single or split across workers, is the head of a full sort.
func TestDenseSearchIsTopK(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const dim = 16
	for _, rows := range []int{0, 1, 7, 100, 3*scanRowsPerWorker + 5} {
		vecs := make([][]float32, rows)
		for i := range vecs {
			v := make([]float64, dim)
			for j := range v {
				v[j] = r.NormFloat64()
			}
			if i%50 == 3 {
				clear(v) // a passage with no features
			}
			vecs[i] = unit64(v)
		}
		if rows > 10 {
			vecs[9] = vecs[8] // a tie
		}
		d, err := newDense(t.Context(), chromem.NewDB(), "t", make([]corpus.Passage, rows), vecs)
		if err != nil {
			t.Fatal(err)
		}
		qv := make([]float64, dim)
		for j := range qv {
			qv[j] = r.NormFloat64()
		}
		q := unit64(qv)
		var all []scored
		for i := range rows {
			all = append(all, scored{i, float64(dot(q, vecs[i]))})
		}
		sortScored(all)
		for _, k := range []int{1, 5, 50, rows + 3} {
			got := d.search(q, k, nil)
			want := all[:min(k, rows)]
			if !slices.Equal(got, want) {
				t.Errorf("rows %d, k %d: got %v, want %v", rows, k, head(got), head(want))
			}
		}
	}
}

func head(s []scored) []scored { return s[:min(len(s), 5)] }

func TestDot(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6, 7}
	b := []float32{7, 6, 5, 4, 3, 2, 1}
	if got := dot(a, b); got != 84 {
		t.Errorf("dot = %g, want 84", got)
	}
}

// unit64 returns v as a unit float32 vector.
func unit64(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return embed.UnitOrZero(out)
}
