package terms

import (
	"slices"
	"testing"
)

func TestFoldAccents(t *testing.T) {
	for in, want := range map[string]string{
		"Hervé's fiancée":       "Herve's fiancee",
		"Œuvre, straße, Ærø":    "OEuvre, strasse, AEro",
		"Jerónimo de Ayanz":     "Jeronimo de Ayanz",
		"Cafe\u0301":            "Cafe", // a combining accent
		"plain ASCII text":      "plain ASCII text",
		"नमस्ते":                "नमस्ते", // Devanagari keeps its signs
		"布列斯特港的潮汐":              "布列斯特港的潮汐",
		"Ｆｕｌｌ width stays wide": "Ｆｕｌｌ width stays wide", // width folds in the analyzer
	} {
		if got := FoldAccents(in); got != want {
			t.Errorf("FoldAccents(%q) = %q, want %q", in, got, want)
		}
	}
}

// Both sides fold: a question without accents finds text with them.
func TestOfFoldsAccents(t *testing.T) {
	for _, pair := range [][2]string{{"Hervé", "Herve"}, {"fiancée", "fiancee"}, {"Jérôme", "JEROME"}, {"ＨＥＲＶＥ", "herve"}} {
		if a, b := Of(pair[0]), Of(pair[1]); !slices.Equal(a, b) || len(a) == 0 {
			t.Errorf("Of(%q) = %q, Of(%q) = %q", pair[0], a, pair[1], b)
		}
	}
}

func BenchmarkFoldAccentsASCII(b *testing.B) {
	s := "The tide at Brest rises seven metres twice a day. Fishermen plan their work around it."
	for b.Loop() {
		FoldAccents(s)
	}
}
