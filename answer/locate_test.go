package answer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLocate(t *testing.T) {
	long := strings.Repeat("Part the first, being a very long heading › ", 5) + "Origins"
	for _, tt := range []struct {
		title, section string
		authors        []string
		year           int
		page, para     int
		want           string
	}{
		{"The Wealth of Nations", "Book I › Of the Division of Labour", []string{"Adam Smith"}, 1776, 9, 3,
			"The Wealth of Nations (Adam Smith, 1776), Book I › Of the Division of Labour, p. 9, ¶ 3"},
		{"Notes", "", nil, 0, 0, 4, "Notes, ¶ 4"},
		{"Notes", "Notes", nil, 0, 2, 0, "Notes, p. 2"},
		{"Notes", "Notes › Intro", nil, 0, 0, 1, "Notes, Intro, ¶ 1"},
		{"", "Intro", nil, 0, 0, 0, "Untitled, Intro"},
	} {
		if got := Locate(tt.title, tt.authors, tt.year, tt.section, tt.page, tt.para); got != tt.want {
			t.Errorf("Locate(%q, %q, p%d ¶%d) = %q, want %q", tt.title, tt.section, tt.page, tt.para, got, tt.want)
		}
	}
	got := Locate("T", nil, 0, long, 0, 1)
	if !strings.HasPrefix(got, "T, … › ") || !strings.HasSuffix(got, "› Origins, ¶ 1") || utf8.RuneCountInString(got) > maxSection+len("T, , ¶ 1") {
		t.Errorf("long section: %q", got)
	}
}
