package answer

import (
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// Token counting, offline. Passages are fitted into the model's context by
// counting their tokens with tiktoken's BPE tables, which ship inside the
// tiktoken-go-loader module (about 7 MB in the binary): nothing is fetched.
//
// A model tiktoken knows (gpt-4o, gpt-4, gpt-3.5, ...) is counted with its own
// encoding. Any other model (Llama, Mistral, Qwen, ... behind Ollama, vLLM or
// llama.cpp) is counted with cl100k_base and the count raised by
// unknownModelMargin, since their tokenizers split text into more pieces
// than cl100k does, most of all outside English. If the tables cannot be
// loaded at all, estimateTokens is used: it overestimates, never under.

// unknownModelMargin scales counts for models whose tokenizer is not known.
const unknownModelMargin = 1.25

// tokenCounter counts the tokens of a text for one model.
type tokenCounter func(text string) int

var setOfflineLoader sync.Once

// encodings are loaded once each, on first use.
var encodings sync.Map // name -> func() (*tiktoken.Tiktoken, error)

func encoding(name string) (*tiktoken.Tiktoken, error) {
	setOfflineLoader.Do(func() { tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader()) })
	load, _ := encodings.LoadOrStore(name, sync.OnceValues(func() (*tiktoken.Tiktoken, error) {
		return tiktoken.GetEncoding(name)
	}))
	return load.(func() (*tiktoken.Tiktoken, error))()
}

// counterFor returns the token counter for a model.
func counterFor(model string) tokenCounter {
	name, margin := "cl100k_base", unknownModelMargin
	if enc, ok := tiktoken.MODEL_TO_ENCODING[model]; ok {
		name, margin = enc, 1
	} else {
		longest := ""
		for prefix, enc := range tiktoken.MODEL_PREFIX_TO_ENCODING {
			if strings.HasPrefix(model, prefix) && len(prefix) > len(longest) {
				longest, name, margin = prefix, enc, 1
			}
		}
	}
	enc, err := encoding(name)
	if err != nil {
		return estimateTokens
	}
	return func(text string) int {
		return int(math.Ceil(float64(len(enc.EncodeOrdinary(text))) * margin))
	}
}

// estimateTokens is a conservative count without tables: one token per three
// bytes, or per rune when that is more (CJK text runs about one token per
// character).
func estimateTokens(text string) int {
	return max((len(text)+2)/3, utf8.RuneCountInString(text))
}

// fitPassages returns the leading passages whose rendered text fits in budget
// tokens. When not even the first one fits, it is cut at a word boundary to
// fit, keeping Text == document bytes [Start,End). budget <= 0 means no limit.
func fitPassages(passages []Passage, budget int, count tokenCounter) []Passage {
	if budget <= 0 {
		return passages
	}
	used := 0
	for i, p := range passages {
		n := count(renderPassage(p))
		if used+n > budget {
			if i == 0 {
				return []Passage{truncatePassage(p, budget, count)}
			}
			return passages[:i]
		}
		used += n
	}
	return passages
}

// truncatePassage cuts p's text, by halving, to the longest prefix ending at a
// space whose rendering fits in budget tokens.
func truncatePassage(p Passage, budget int, count tokenCounter) Passage {
	lo, hi := 0, len(p.Text) // a prefix of lo bytes fits; hi bytes do not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		q := p
		q.Text = p.Text[:mid]
		if count(renderPassage(q)) <= budget {
			lo = mid
		} else {
			hi = mid
		}
	}
	cut := lo
	for cut > 0 && !utf8.RuneStart(p.Text[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(p.Text[:cut], " \n\t"); i > 0 {
		cut = i
	}
	cut = len(strings.TrimRight(p.Text[:cut], " \n\t"))
	p.Text = p.Text[:cut]
	p.End = p.Start + cut
	return p
}
