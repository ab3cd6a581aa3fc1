package readings_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/embedded"
)

// BenchmarkFirstQuestion measures what a restart costs a guild: the first
// question after it loads the guild's list from the data folder (the
// embedded store) and indexes it, and later ones find it loaded. The list
// holds 10 or 50 readings of about 40 passages each. Start-up itself loads
// nothing. Run with
//
//	go test ./readings -run '^$' -bench FirstQuestion -benchtime 3x
func BenchmarkFirstQuestion(b *testing.B) {
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("Readings_%d", n), func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			st, err := embedded.Open(ctx, embedded.Options{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			lib, err := readings.New(readings.Options{Store: st})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < n; i++ {
				var text strings.Builder
				fmt.Fprintf(&text, "# Reading %d\n\n", i)
				for p := 0; p < 40; p++ {
					fmt.Fprintf(&text, "Paragraph %d of reading %d notes the tide, the wind and %d gulls over the harbour at dawn.\n\n", p, i, i*100+p)
				}
				if _, err := lib.Add(ctx, readings.Upload{List: store.List{Guild: "g"}, Name: fmt.Sprintf("r%d.md", i), Data: []byte(text.String())}, nil); err != nil {
					b.Fatal(err)
				}
			}
			st.Close()
			q := answer.Request{Question: "How many gulls were over the harbour in reading 7?", Mode: answer.ModeExtractive}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st, err := embedded.Open(ctx, embedded.Options{Dir: dir}) // a restart
				if err != nil {
					b.Fatal(err)
				}
				lib, _ := readings.New(readings.Options{Store: st})
				b.StartTimer()
				eng, err := lib.In(ctx, readings.Scope{Guild: "g", Channel: "c"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := eng.Ask(ctx, q); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
		})
	}
}
