package cite

import (
	"strings"
	"unicode"
)

// diffContext is how many unchanged words a diff keeps on each side of a change.
const diffContext = 3

// WordDiff shows how quote differs from source, word by word: words of the
// source the quote drops as [-word-], words it adds as {+word+}, a changed
// word as both. Long unchanged stretches are shortened to "…". Words are
// compared without case and punctuation; "" means no word differs.
func WordDiff(source, quote string) string {
	a, b := diffWords(source), diffWords(quote)
	ka, kb := keys(a), keys(b)
	// LCS table from the end, so the walk below goes forward.
	t := make([][]int, len(a)+1)
	for i := range t {
		t[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if ka[i] == kb[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // '=', '-', '+'
		word string
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && ka[i] == kb[j]:
			ops = append(ops, op{'=', b[j]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || t[i][j+1] >= t[i+1][j]):
			ops = append(ops, op{'+', b[j]})
			j++
		default:
			ops = append(ops, op{'-', a[i]})
			i++
		}
	}
	changed := false
	for _, o := range ops {
		if o.kind != '=' {
			changed = true
		}
	}
	if !changed {
		return ""
	}
	// Keep the words within diffContext of a change.
	keep := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind == '=' {
			continue
		}
		for d := max(0, k-diffContext); d <= min(len(ops)-1, k+diffContext); d++ {
			keep[d] = true
		}
	}
	var out []string
	for k := 0; k < len(ops); {
		if !keep[k] {
			if len(out) == 0 || out[len(out)-1] != "…" {
				out = append(out, "…")
			}
			k++
			continue
		}
		if ops[k].kind == '=' {
			out = append(out, ops[k].word)
			k++
			continue
		}
		var del, add []string
		for ; k < len(ops) && ops[k].kind != '='; k++ {
			if ops[k].kind == '-' {
				del = append(del, ops[k].word)
			} else {
				add = append(add, ops[k].word)
			}
		}
		s := ""
		if len(del) > 0 {
			s += "[-" + strings.Join(del, " ") + "-]"
		}
		if len(add) > 0 {
			s += "{+" + strings.Join(add, " ") + "+}"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// diffWords splits text at white space, and each Han character apart (Chinese
// has no spaces between words).
func diffWords(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		start := 0
		for i, r := range f {
			if unicode.Is(unicode.Han, r) {
				if i > start {
					out = append(out, f[start:i])
				}
				out = append(out, string(r))
				start = i + len(string(r))
			}
		}
		if start < len(f) {
			out = append(out, f[start:])
		}
	}
	return out
}

// keys are words as compared: lowercase letters and digits only (a word of
// punctuation alone keeps itself).
func keys(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		k := strings.Join(tokens(w), "")
		if k == "" {
			k = w
		}
		out[i] = k
	}
	return out
}
