package terms

import (
	"slices"
	"testing"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"stemming", "Strategies strategic planning helped", []string{"strategi", "strateg", "plan", "help"}},
		{"stop words and case", "The Cooperation OF the People", []string{"cooper", "peopl"}},
		{"possessive", "China's and China’s", []string{"china", "china"}},
		{"numbers", "US$451.591 billion in 2021, 1,000 leaders", []string{"us", "451.591", "billion", "2021", "1,000", "leader"}},
		{"full-width Latin", "Ｃｈｉｎａ", []string{"china"}},
		{"chinese bigrams, folded to simplified", "中拉論壇首屆", []string{"中拉", "拉论", "论坛", "坛首", "首届"}},
		{"simplified chinese", "中拉论坛首届", []string{"中拉", "拉论", "论坛", "坛首", "首届"}},
		{"lone chinese character", "在", []string{"在"}},
		{"mixed", "中拉論壇 China-CELAC Forum 開幕", []string{"中拉", "拉论", "论坛", "china", "celac", "forum", "开幕"}},
		{"only stop words", "what is it and how", nil},
		{"punctuation and emoji", `" : * + - ( ) 😀 !?`, nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Of(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Of(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
