package terms

import (
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
)

// Chinese is written in Traditional and in Simplified characters: a question in
// one script should find text in the other. Before analysis, every text with
// Han characters is folded to Simplified with OpenCC's t2s tables (phrases,
// then characters). Folding changes only what is searched; passages keep their
// bytes and offsets.

var t2s = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("t2s") })

// FoldScript returns text with Traditional Chinese folded to Simplified and
// the accents of Latin letters removed (see FoldAccents); ASCII text is
// returned as it is, at no cost. Every text is analysed through it.
func FoldScript(text string) string {
	text = FoldAccents(text)
	if !hasHan(text) {
		return text
	}
	cc, err := t2s()
	if err != nil {
		return text // the tables are embedded in the module: this does not happen
	}
	out, err := cc.Convert(text)
	if err != nil {
		return text
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
