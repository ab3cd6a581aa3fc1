package embed

import (
	"math"
	"slices"
	"testing"
)

func norm(v []float32) float64 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	return math.Sqrt(ss)
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestLocalEmbedderUnitAndDeterministic(t *testing.T) {
	embed := NewLocal()
	for _, text := range []string{
		"China also helped Grenada formulate The National Development Strategic Plan.",
		"中拉論壇首屆部長級會議在北京開幕",
		"mixed 中拉論壇 CELAC 2015",
		"x",
	} {
		a, err := embed(t.Context(), text)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := embed(t.Context(), text)
		if len(a) != LocalDim {
			t.Errorf("%q: %d dimensions, want %d", text, len(a), LocalDim)
		}
		if n := norm(a); math.Abs(n-1) > 1e-6 {
			t.Errorf("%q: norm %g, want 1", text, n)
		}
		if !slices.Equal(a, b) {
			t.Errorf("%q: two embeddings differ", text)
		}
	}
	// A text with no features is the zero vector, not NaNs.
	for _, text := range []string{"", "the of and", "😀 ?!"} {
		v, _ := embed(t.Context(), text)
		if norm(v) != 0 || len(v) != LocalDim {
			t.Errorf("%q: norm %g, %d dimensions; want the zero vector", text, norm(v), len(v))
		}
	}
}

// The local embedder's vectors must not change without a new name: these are
// a few coordinates of one vector, as local-hash-v2 made it and v3 makes it
// (v3 folds the accents of Latin letters; this text has none).
func TestLocalEmbedderIsStable(t *testing.T) {
	v := localHashV2.embed("China also helped Grenada formulate The National Development Strategic Plan. 中拉論壇")
	want := map[int]float32{0: 0, 1: 0, 2: -0.04828721, 3: -0.04828721, 8: 0.09657442, 13: -0.04828721}
	nonzero := 0
	for _, x := range v {
		if x != 0 {
			nonzero++
		}
	}
	for i, w := range want {
		if math.Abs(float64(v[i]-w)) > 1e-6 || nonzero != 161 {
			t.Fatalf("coordinate %d = %v, want %v; %d non-zero, want 161: the vectors changed, so LocalName must change too (and this test)", i, v[i], w, nonzero)
		}
	}
}

func TestLocalEmbedderSimilarity(t *testing.T) {
	e := localHashV2.embed
	tests := []struct {
		name             string
		query, near, far string
	}{
		{"simplified question, traditional text", "中拉论坛首届部长级会议在哪里开幕?",
			"2015年1月8日,中拉論壇首屆部長級會議在北京開幕,向世界發出中拉深化合作、攜手發展的積極信號",
			"2018年1月22日,中拉論壇第二屆部長級會議在智利首都圣地亞哥舉行,雙方探討了在“一帶一路”框架內實現中拉發展戰略對接"},
		{"chinese", "中拉論壇首屆部長級會議在哪裡開幕?",
			"2015年1月8日,中拉論壇首屆部長級會議在北京開幕,向世界發出中拉深化合作的積極信號。",
			"2014年7月,習近平訪問巴西期間,在中方倡議下,中拉領導人舉行首次會晤。"},
		{"chinese vs english", "中拉論壇首屆部長級會議在哪裡開幕?",
			"2015年1月8日,中拉論壇首屆部長級會議在北京開幕。",
			"On January 8, 2015, the first ministerial meeting of the China-CELAC Forum opened in Beijing."},
		{"morphology", "Which countries formulated development strategies?",
			"China helped Grenada formulate The National Development Strategic Plan.",
			"The trade volume reached a record high in 2021."},
		{"word order", "Confucius Institutes in Latin America",
			"Latin American countries have established 46 Confucius Institutes.",
			"Latin American leaders met Chinese leaders in Brasilia."},
	}
	for _, tt := range tests {
		q := e(tt.query)
		near, far := cosine(q, e(tt.near)), cosine(q, e(tt.far))
		if near <= far {
			t.Errorf("%s: similarity to the related passage %.3f, to the other %.3f", tt.name, near, far)
		}
	}
}

// Weighting a query's words by IDF keeps it a unit vector and leans it towards
// the rare word.
func TestEmbedWeighted(t *testing.T) {
	idf := func(term string) float64 {
		if term == "grenada" {
			return 5
		}
		return 0.5
	}
	q := localHashV2.embedWeighted("Grenada development plan", idf)
	if n := norm(q); math.Abs(n-1) > 1e-6 {
		t.Errorf("norm %g", n)
	}
	rare := localHashV2.embed("Grenada")
	common := localHashV2.embed("development plan")
	if cosine(q, rare) <= cosine(q, common) {
		t.Errorf("weighted query nearer the common words (%.3f) than the rare one (%.3f)", cosine(q, common), cosine(q, rare))
	}
	plain := localHashV2.embedWeighted("Grenada development plan", nil)
	if !slices.Equal(plain, localHashV2.embed("Grenada development plan")) {
		t.Error("embedWeighted with nil weights differs from embed")
	}
}
