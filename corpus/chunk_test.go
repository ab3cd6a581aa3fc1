package corpus

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// describe renders a passage as "kind ¶n §section | text" for comparisons.
func describe(p Passage) string {
	return fmt.Sprintf("%s ¶%d §%s | %s", p.Kind, p.Paragraph, p.Section, p.Text)
}

func TestChunk(t *testing.T) {
	tests := []struct {
		name   string
		format string
		text   string
		want   []string
	}{
		{
			name: "short paragraphs are one passage each",
			text: "One short paragraph. It has two sentences.\n\nAnother one.",
			want: []string{
				"body ¶1 § | One short paragraph. It has two sentences.",
				"body ¶2 § | Another one.",
			},
		},
		{
			name: "sentence broken across blank lines is one paragraph",
			text: "The overall cooperation\n\nmechanism has been improved, and\n\nexchanges have achieved results.\n\nNext paragraph.",
			want: []string{
				"body ¶1 § | The overall cooperation\n\nmechanism has been improved, and\n\nexchanges have achieved results.",
				"body ¶2 § | Next paragraph.",
			},
		},
		{
			name: "numbered headings nest and lead their first passage",
			text: "Intro text.\n\n2. Efforts to build a pattern\n\nText one.\n\n(1) Trust has deepened\n\nText two.\n\n(2) Trade grew\n\nText three.",
			want: []string{
				"body ¶1 § | Intro text.",
				"body ¶2 §2. Efforts to build a pattern | 2. Efforts to build a pattern\n\nText one.",
				"body ¶3 §2. Efforts to build a pattern › (1) Trust has deepened | (1) Trust has deepened\n\nText two.",
				"body ¶4 §2. Efforts to build a pattern › (2) Trade grew | (2) Trade grew\n\nText three.",
			},
		},
		{
			name: "heading glued to its paragraph takes in its first sentence",
			text: "Intro text.\n\n(2) Economic and trade exchanges have\n\ndeveloped rapidly. Trade grew.",
			want: []string{
				"body ¶1 § | Intro text.",
				"body ¶2 §(2) Economic and trade exchanges have developed rapidly. | (2) Economic and trade exchanges have\n\ndeveloped rapidly. Trade grew.",
			},
		},
		{
			name: "heading that runs on past its sentence end",
			text: "Intro text.\n\n(3) Promote fairness and justice. As\n\nthe largest country, China acts.",
			want: []string{
				"body ¶1 § | Intro text.",
				"body ¶2 §(3) Promote fairness and justice. | (3) Promote fairness and justice. As\n\nthe largest country, China acts.",
			},
		},
		{
			name: "inline heading starts a section and a paragraph",
			text: "Intro text.\n\n2. Efforts\n\nThe exchanges have achieved fruitful results. (1) Political mutual trust has been deepened. Heads of State met.",
			want: []string{
				"body ¶1 § | Intro text.",
				"body ¶2 §2. Efforts | 2. Efforts\n\nThe exchanges have achieved fruitful results.",
				"body ¶3 §2. Efforts › (1) Political mutual trust has been deepened. | (1) Political mutual trust has been deepened. Heads of State met.",
			},
		},
		{
			name: "inline number out of sequence is text",
			text: "It has grown. (3) Something else happened. Fine.",
			want: []string{"body ¶1 § | It has grown. (3) Something else happened. Fine."},
		},
		{
			name: "references interrupt a paragraph, which goes on after them",
			text: "Intro.\n\nBilateral relations grew, planning for the future\n\n«Three visits», Xinhuanet, November 14, 2016, http://www.example.com/a.html\n\nVision for cooperation. He wrote.\n\nNew paragraph.",
			want: []string{
				"body ¶1 § | Intro.",
				"body ¶2 § | Bilateral relations grew, planning for the future",
				"reference ¶0 § | «Three visits», Xinhuanet, November 14, 2016, http://www.example.com/a.html",
				"body ¶2 § | Vision for cooperation. He wrote.",
				"body ¶3 § | New paragraph.",
			},
		},
		{
			name: "a paragraph ending in data does not go on after references",
			text: "Intro.\n\nArticle Number: 1002 - 6649 (2022) 06 - 0002 - 14\n\n* This article is funded by the Example Fund (No.: 21AKS013).\n\nSince 2012 it grew.",
			want: []string{
				"body ¶1 § | Intro.",
				"body ¶2 § | Article Number: 1002 - 6649 (2022) 06 - 0002 - 14",
				"reference ¶0 § | * This article is funded by the Example Fund (No.: 21AKS013).",
				"body ¶3 § | Since 2012 it grew.",
			},
		},
		{
			name: "heading line glued to its paragraph by a line break",
			text: "Intro.\n\n2. Method\nWe measured things. Then more.",
			want: []string{
				"body ¶1 § | Intro.",
				"body ¶2 §2. Method | 2. Method\nWe measured things. Then more.",
			},
		},
		{
			name: "a finished paragraph does not go on after references",
			text: "Relations grew.\n\nSmith: «A Book», Beijing Press, 2018, pp. 146-147.\n\nVision for cooperation.",
			want: []string{
				"body ¶1 § | Relations grew.",
				"reference ¶0 § | Smith: «A Book», Beijing Press, 2018, pp. 146-147.",
				"body ¶2 § | Vision for cooperation.",
			},
		},
		{
			name: "a reference split over blocks is one passage",
			text: "Text before.\n\nCai Wei: «Create opportunities», Published in\n\n\"Foreign Affairs\" Quarterly, Issue\n\n2021, Page 143.\n\nText after.",
			want: []string{
				"body ¶1 § | Text before.",
				"reference ¶0 § | Cai Wei: «Create opportunities», Published in\n\n\"Foreign Affairs\" Quarterly, Issue\n\n2021, Page 143.",
				"body ¶2 § | Text after.",
			},
		},
		{
			name: "stray glyphs are not indexed",
			text: "Text one.\n\nÿ\n\nText two.",
			want: []string{
				"body ¶1 § | Text one.",
				"body ¶2 § | Text two.",
			},
		},
		{
			name: "unnumbered title line opens a section",
			text: "Intro paragraph here.\n\nAccurately grasp the main theme of friendship\n\nThe friendship has a long history.",
			want: []string{
				"body ¶1 § | Intro paragraph here.",
				"body ¶2 §Accurately grasp the main theme of friendship | Accurately grasp the main theme of friendship\n\nThe friendship has a long history.",
			},
		},
		{
			name: "short line continuing a sentence is not a title",
			text: "Intro.\n\nThe overall layout of the\n\nNew Thing is this.",
			want: []string{"body ¶1 § | Intro.", "body ¶2 § | The overall layout of the\n\nNew Thing is this."},
		},
		{
			name: "front matter and notes",
			text: "Column Header\n\nThe Title*\n\nJane Doe\n\nAbstract: It is about things.\n\n* This article is funded by the Example Fund (No.: 21AKS013).\n\nBody text.\n\n(Editor in charge Xu Rui)",
			want: []string{
				"reference ¶0 § | Column Header\n\nThe Title*\n\nJane Doe",
				"body ¶1 § | Abstract: It is about things.",
				"reference ¶0 § | * This article is funded by the Example Fund (No.: 21AKS013).",
				"body ¶2 § | Body text.",
				"reference ¶0 § | (Editor in charge Xu Rui)",
			},
		},
		{
			name: "heading without text of its own",
			text: "Intro.\n\n1. Part one\n\n(1) First point\n\nText.",
			want: []string{
				"body ¶1 § | Intro.",
				"reference ¶0 §1. Part one | 1. Part one",
				"body ¶2 §1. Part one › (1) First point | (1) First point\n\nText.",
			},
		},
		{
			name: "chinese headings",
			text: "前言。\n\n一、總體合作\n\n中拉合作進程開啟。\n\n（一）政治互信\n\n雙方互信加深。",
			want: []string{
				"body ¶1 § | 前言。",
				"body ¶2 §一、總體合作 | 一、總體合作\n\n中拉合作進程開啟。",
				"body ¶3 §一、總體合作 › （一）政治互信 | （一）政治互信\n\n雙方互信加深。",
			},
		},
		{
			name:   "markdown",
			format: "md",
			text:   "---\ntitle: T\n---\n\n# T\n\nIntro text.\n## Section A\nText in A.[^1]\n\n```\ncode\n\nmore code\n```\n\n### Sub\n\nText in sub.\n\n[^1]: A note.",
			want: []string{
				"reference ¶0 § | ---\ntitle: T\n---",
				"reference ¶0 § | # T",
				"body ¶1 § | Intro text.",
				"body ¶2 §Section A | ## Section A\nText in A.[^1]",
				"body ¶3 §Section A | ```\ncode\n\nmore code\n```",
				"body ¶4 §Section A › Sub | ### Sub\n\nText in sub.",
				"reference ¶0 §Section A › Sub | [^1]: A note.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := tt.format
			if format == "" {
				format = "txt"
			}
			doc := Document{Path: "doc." + format, Title: "T", Text: tt.text, Format: format}
			ps := Chunk(doc)
			checkPassages(t, doc, ps)
			var got []string
			for _, p := range ps {
				got = append(got, describe(p))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Chunk:\n got %s\nwant %s", strings.Join(quoteAll(got), "\n     "), strings.Join(quoteAll(tt.want), "\n     "))
			}
		})
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// TestChunkSizes checks passage lengths on long paragraphs: within bounds, a
// single over-long sentence whole, no tiny tail.
func TestChunkSizes(t *testing.T) {
	sentence := func(n int, word string) string { // a sentence of about n bytes
		s := strings.Repeat(word+" ", n/(len(word)+1))
		return strings.ToUpper(s[:1]) + s[1:len(s)-1] + "."
	}
	var long []string
	for range 20 {
		long = append(long, sentence(120, "trade"))
	}
	var cjk []string
	for range 30 {
		cjk = append(cjk, strings.Repeat("中拉合作", 6)+"。")
	}
	tests := []struct {
		name     string
		text     string
		min, max int // rune bounds for every passage
	}{
		{"english", strings.Join(long, " "), 250, 800},
		{"english with a short tail", strings.Join(long, " ") + " " + sentence(40, "end"), 250, 800},
		{"chinese", strings.Join(cjk, ""), 80, 250},
		{"one long sentence stays whole", sentence(1500, "word"), 1400, 1500},
		{"huge run without punctuation is cut evenly", sentence(20000, "word"), 2800, 3200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Document{Path: "x.txt", Text: tt.text, Format: "txt"}
			ps := Chunk(doc)
			checkPassages(t, doc, ps)
			for _, p := range ps {
				if n := utf8.RuneCountInString(p.Text); n < tt.min || n > tt.max {
					t.Errorf("passage of %d runes, want %d..%d: %.60q", n, tt.min, tt.max, p.Text)
				}
				if p.Paragraph != 1 {
					t.Errorf("paragraph %d, want 1", p.Paragraph)
				}
			}
		})
	}
}

// FuzzChunk checks the passage invariants on arbitrary UTF-8 text.
func FuzzChunk(f *testing.F) {
	for _, s := range []string{
		"", "a", "ÿ\n\n□", "Title\n\nBy X\n\nBody. More.\n\n(1) Sub\n\ntext",
		"(2) Heading have\n\ncontinues here. And «ref», News, May 1, 2020\n\nmore",
		"# H\n\n---\n\n```\n\n```\n\n[^1]: x", "中文。\n\n一、標題\n\n正文！",
		string(mustDefault(f, "003_34d4872a9bd209dd.txt")),
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, markdown bool) {
		if !utf8.ValidString(text) {
			t.Skip()
		}
		format := "txt"
		if markdown {
			format = "md"
		}
		doc := Document{Path: "f." + format, Text: text, Format: format}
		checkPassages(t, doc, Chunk(doc))
		checkSpans(t, text, Sentences(text))
		DeriveTitle(text)
	})
}
