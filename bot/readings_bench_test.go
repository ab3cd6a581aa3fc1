package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/readings/readingstest"
)

// BenchmarkReadingsAdd measures, through the fake Discord with the real
// engine (extractive, local embedder) and the in-memory store, the time from
// /readings add of a 40-page PDF to "Added", and to the first /ask answered
// with a quote from it; and the p50/p95 of /ask answers (about the default
// corpus, in another channel) while the addition runs. Run with
//
//	go test ./bot -run '^$' -bench ReadingsAdd -benchtime 3x
func BenchmarkReadingsAdd(b *testing.B) {
	e := startLibraryBot(b, nil, readingstest.NewMemory(), Options{Queue: 256})
	other := "When did Xi Jinping meet the leaders of Latin American and Caribbean countries in Brazil?"
	var added, cited, during []time.Duration
	for i := 0; i < b.N; i++ {
		// Each round adds a new file to a new guild (the same bytes would be a duplicate).
		ch := discordtest.Channel{ID: e.fake.NewID(), Guild: e.fake.NewID()}
		pdf := readingstest.PDF(fmt.Sprintf("Field Guide %d", i), readingstest.Pages(40, map[int]string{29: puffinFact}))
		att := e.fake.Attach("field-guide.pdf", pdf)
		ix := e.fake.SlashSub(librarian, ch, "readings", discordtest.Sub{Name: "add", Options: []discordtest.Option{{Name: "file", Value: att}}})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for !strings.HasPrefix(ix.Response().Original.Content, "Added") {
				q := e.fake.Slash(student, chA2, "ask", discordtest.Option{Name: "question", Value: other})
				r := q.WaitDone(b, time.Minute, answered)
				during = append(during, r.Original.Updated.Sub(q.Sent))
			}
		}()
		r := ix.WaitDone(b, 5*time.Minute, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
		added = append(added, r.Original.Updated.Sub(ix.Sent))
		<-done
		q := e.fake.Slash(student, ch, "ask", discordtest.Option{Name: "question", Value: puffinAsk})
		a := q.WaitDone(b, time.Minute, answered)
		if !strings.Contains(shown(a.Messages()), puffinQuote) {
			b.Fatalf("not answered from the reading:\n%s", shown(a.Messages()))
		}
		cited = append(cited, a.Original.Updated.Sub(ix.Sent))
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(percentile(added, 50)), "added-ms")
	b.ReportMetric(ms(percentile(cited, 50)), "first-cited-answer-ms")
	b.ReportMetric(ms(percentile(during, 50)), "answer-during-p50-ms")
	b.ReportMetric(ms(percentile(during, 95)), "answer-during-p95-ms")
	b.ReportMetric(float64(len(during))/float64(b.N), "answers-during/op")
}
