package corpus

import (
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t ", nil},
		{"one", "  One sentence.  ", []string{"One sentence."}},
		{"no terminal", "A fragment without end", []string{"A fragment without end"}},
		{"two", "First one. Second one!", []string{"First one.", "Second one!"}},
		{"question and quote", `He asked "why?" Then he left.`, []string{`He asked "why?"`, "Then he left."}},
		{"closing quote stays", `He said "it is over." The end.`, []string{`He said "it is over."`, "The end."}},
		{"lower case after period", "The U.S. dollar rose. It fell.", []string{"The U.S. dollar rose.", "It fell."}},
		{"initialism before capital", "Trade with the U.S. President Biden said no.", []string{"Trade with the U.S. President Biden said no."}},
		{"e.g. and i.e.", "Some fields, e.g. Energy, grew. Others, i.e. Trade, did not.", []string{"Some fields, e.g. Energy, grew.", "Others, i.e. Trade, did not."}},
		{"No. with number", "See No. 5 of the list. Then stop.", []string{"See No. 5 of the list.", "Then stop."}},
		{"No. as a word", "He said No. Then he left.", []string{"He said No.", "Then he left."}},
		{"pp.", "Beijing, 2018, pp. 146-147. Next.", []string{"Beijing, 2018, pp. 146-147.", "Next."}},
		{"decimals", "It was US$451.591 billion, up 41.1% on the year. Exports grew.", []string{"It was US$451.591 billion, up 41.1% on the year.", "Exports grew."}},
		{"initials", "J. R. R. Tolkien wrote it. He died in 1973.", []string{"J. R. R. Tolkien wrote it.", "He died in 1973."}},
		{"titles", "Mr. Smith met Dr. Jones. They talked.", []string{"Mr. Smith met Dr. Jones.", "They talked."}},
		{"year then capital", "It opened in 2021. China joined.", []string{"It opened in 2021.", "China joined."}},
		{"list number at line start", "2. Efforts to build a new pattern\n\nSince 2012 it grew.", []string{"2. Efforts to build a new pattern", "Since 2012 it grew."}},
		{"parenthesized heading after sentence", "It worked. (1) Trust deepened. Heads met.", []string{"It worked.", "(1) Trust deepened.", "Heads met."}},
		{"period then comma", "It was in (2022). , the 50th anniversary came.", []string{"It was in (2022). , the 50th anniversary came."}},
		{"ellipsis", "Wait… Then go.", []string{"Wait…", "Then go."}},
		{"guillemets", "It is «Done.» Next one.", []string{"It is «Done.»", "Next one."}},
		{"blank line ends sentence", "A heading\n\nThe text.", []string{"A heading", "The text."}},
		{"broken across blank lines, lower case", "The overall cooperation\n\nmechanism has improved.", []string{"The overall cooperation\n\nmechanism has improved."}},
		{"broken across blank lines, dangling and", "It improved, and\n\nChina gained. Next.", []string{"It improved, and\n\nChina gained.", "Next."}},
		{"broken across blank lines, dangling the", "Named \"Forum\"). The\n\nForum goes on.", []string{"Named \"Forum\").", "The\n\nForum goes on."}},
		{"broken across blank lines, open quote", "the Kyoto Protocol and «Paris\n\nAgreement» jointly works.", []string{"the Kyoto Protocol and «Paris\n\nAgreement» jointly works."}},
		{"single line break is a space", "One line\ngoes on. Next.", []string{"One line\ngoes on.", "Next."}},
		{"bullets", "Items:\n- one\n- two", []string{"Items:", "- one", "- two"}},
		{"markdown heading line", "## Section A\nText in A.", []string{"## Section A", "Text in A."}},
		{"numbered heading line", "2. Method\nWe measured.", []string{"2. Method", "We measured."}},
		{"markdown heading after a sentence", "Done.\n## Section A\nText in A.", []string{"Done.", "## Section A", "Text in A."}},
		{"stray glyph joins the sentence before", "the people . ̄", []string{"the people . ̄"}},
		{"markdown escape", "It exceeded US\\$300 billion. Next.", []string{"It exceeded US\\$300 billion.", "Next."}},
		{"chinese", "中拉論壇開幕。雙方探討合作！是嗎？好。", []string{"中拉論壇開幕。", "雙方探討合作！", "是嗎？", "好。"}},
		{"chinese closing quote", "他說：“好。”然後走了。", []string{"他說：“好。”", "然後走了。"}},
		{"chinese opening quote after end", "打造“1+3+6” 合作新框架。“1” 是一個規劃。", []string{"打造“1+3+6” 合作新框架。", "“1” 是一個規劃。"}},
		{"ascii punctuation after CJK", "中拉合作!雙方;共贏?", []string{"中拉合作!", "雙方;", "共贏?"}},
		{"english then chinese", "It ended.\n\n\n2014年7月,習近平訪問巴西。", []string{"It ended.", "2014年7月,習近平訪問巴西。"}},
		{"english period before CJK", "In English.中文句子。", []string{"In English.", "中文句子。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := Sentences(tt.text)
			var got []string
			for _, s := range spans {
				got = append(got, tt.text[s.Start:s.End])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
			checkSpans(t, tt.text, spans)
		})
	}
}

// checkSpans asserts that spans are in order, non-empty, trimmed, and cover
// every non-space byte of text.
func checkSpans(tb testing.TB, text string, spans []Span) {
	tb.Helper()
	at := 0
	for i, s := range spans {
		if s.Start < at || s.Start >= s.End || s.End > len(text) {
			tb.Fatalf("span %d %v out of order or empty (after %d, text %d bytes)", i, s, at, len(text))
		}
		if gap := text[at:s.Start]; strings.TrimFunc(gap, isSpace) != "" {
			tb.Fatalf("text %q between spans is not covered", gap)
		}
		if a, b := trimSpan(text, s.Start, s.End); a != s.Start || b != s.End {
			tb.Fatalf("span %d %q is not trimmed", i, text[s.Start:s.End])
		}
		at = s.End
	}
	if rest := text[at:]; strings.TrimFunc(rest, isSpace) != "" {
		tb.Fatalf("text %q after the last span is not covered", rest)
	}
}

// The default corpus has no sentence break inside numbers or abbreviations.
func TestSentencesDefaultCorpus(t *testing.T) {
	doc := parseDefault(t, "000_74868021a2453573.txt")
	spans := Sentences(doc.Text)
	checkSpans(t, doc.Text, spans)
	for _, s := range spans {
		text := doc.Text[s.Start:s.End]
		for _, bad := range []string{"U.S.", "pp.", "No."} {
			if strings.HasSuffix(text, bad) {
				t.Errorf("sentence ends in %q: %q", bad, text)
			}
		}
	}
}

func BenchmarkSentences(b *testing.B) {
	doc := parseDefault(b, "000_74868021a2453573.txt")
	b.SetBytes(int64(len(doc.Text)))
	for b.Loop() {
		Sentences(doc.Text)
	}
}
