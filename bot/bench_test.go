package bot

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
)

// BenchmarkAsk measures, through the fake Discord, the time from
// INTERACTION_CREATE to the deferral and to the final answer's edit, with 1,
// 10 and 50 /ask arriving at once. The answerer is the instant fake, so this
// is the bot's own cost plus Discord's round trips on loopback. Run with
//
//	go test ./bot -run '^$' -bench Ask -benchtime 20x
func BenchmarkAsk(b *testing.B) {
	benchAsk(b, newFakeAnswerer(), "What is the division of labour?")
}

// BenchmarkAskEngine is BenchmarkAsk with the real engine (extractive, local
// embedder) over the default corpus.
func BenchmarkAskEngine(b *testing.B) {
	_, eng := defaultEngine(b)
	benchAsk(b, eng, "When did Xi Jinping meet the leaders of Latin American and Caribbean countries in Brazil?")
}

func benchAsk(b *testing.B, a Answerer, question string) {
	e := startBot(b, Options{Guild: discordtest.GuildID, RateEvery: -1, Queue: 256, Mode: answer.ModeExtractive}, a)
	channel := discordtest.Channel{ID: "700000000000000001"}
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("Concurrent_%d", n), func(b *testing.B) {
			var deferral, final []time.Duration
			for i := 0; i < b.N; i++ {
				ixs := make([]*discordtest.Interaction, n)
				var wg sync.WaitGroup
				for j := range ixs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						u := discordtest.User{ID: e.fake.NewID(), Name: "bench"}
						ixs[j] = e.fake.Slash(u, channel, "ask", discordtest.Option{Name: "question", Value: question})
					}()
				}
				wg.Wait()
				for _, ix := range ixs {
					r := ix.WaitDone(b, time.Minute, answered)
					deferral = append(deferral, r.At.Sub(ix.Sent))
					final = append(final, r.Original.Updated.Sub(ix.Sent))
				}
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(percentile(deferral, 50)), "defer-p50-ms")
			b.ReportMetric(ms(percentile(deferral, 95)), "defer-p95-ms")
			b.ReportMetric(ms(percentile(deferral, 100)), "defer-max-ms")
			b.ReportMetric(ms(percentile(final, 50)), "final-p50-ms")
			b.ReportMetric(ms(percentile(final, 95)), "final-p95-ms")
		})
	}
}
