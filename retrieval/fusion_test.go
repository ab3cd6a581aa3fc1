package retrieval

import "testing"

func TestFuseRewardsAgreement(t *testing.T) {
	// Passage 1 is second in both lists; 0 and 2 top one list each and are
	// missing from the other.
	dense := []scored{{0, 0.9}, {1, 0.8}, {3, 0.1}}
	lex := []scored{{2, 12}, {1, 10}, {4, 1}}
	for _, p := range []fusion{defaultFusion, localFusion, {k: 60, denseWeight: 1, lexicalWeight: 1}} {
		fs := p.fuse(dense, lex)
		sortFused(fs)
		if fs[0].i != 1 {
			t.Errorf("%+v: first is passage %d, want 1 (ranked well in both lists)", p, fs[0].i)
		}
		f := fs[0]
		if f.denseRank != 2 || f.lexRank != 2 || f.denseScore != 0.8 || f.lexScore != 10 {
			t.Errorf("%+v: passage 1 fused as %+v", p, f)
		}
		if len(fs) != 5 {
			t.Errorf("%+v: %d fused, want the union of 5", p, len(fs))
		}
	}
}

func TestFuseWeights(t *testing.T) {
	dense := []scored{{0, 0.9}, {1, 0.8}}
	lex := []scored{{1, 12}, {0, 10}}
	p := fusion{k: 10, denseWeight: 0.5, lexicalWeight: 1}
	fs := p.fuse(dense, lex)
	sortFused(fs)
	if fs[0].i != 1 {
		t.Errorf("with lexical weighed more, first is %d, want the lexical list's first", fs[0].i)
	}
	want := 0.5/(10+2) + 1/(10+1.0)
	if fs[0].score != want {
		t.Errorf("score %g, want %g", fs[0].score, want)
	}
}

func TestFuseTiesInPassageOrder(t *testing.T) {
	fs := defaultFusion.fuse([]scored{{5, 1}}, []scored{{3, 1}})
	sortFused(fs)
	if fs[0].i != 3 || fs[1].i != 5 {
		t.Errorf("equal scores ordered %d, %d; want passage order", fs[0].i, fs[1].i)
	}
}

func TestDemote(t *testing.T) {
	p := fusion{referenceFactor: 0.5}
	for _, s := range []float64{2, 0.3, 0, -0.3} {
		if d := p.demote(s); d > s || (s != 0 && d == s) {
			t.Errorf("demote(%g) = %g, want lower", s, d)
		}
	}
}
