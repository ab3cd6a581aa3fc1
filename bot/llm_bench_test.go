package bot

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/openaitest"
)

// BenchmarkFirstTokenToEdit measures, with the real engine and bot between the
// fake OpenAI server and the fake Discord, the time from the server flushing
// an answer's first token to the first edit of the interaction's response
// (the "thinking…" turning into text) reaching Discord.
//
// The bot edits on a ticker that starts with the answer, every StreamEvery, so
// this wait is mostly where the first token falls between two ticks: the
// model's time to its first token is varied across iterations to spread that
// phase evenly, as real models do, and the ladder over StreamEvery shows the
// wait following it. min-ms is the bot's own cost when a tick comes right
// after the token.
//
// Also reported, Footnote's overhead around the model: before-model, from
// INTERACTION_CREATE to the chat request reaching the model (deferral,
// retrieval, prompt); after-model, from the last token to the final edit
// reaching Discord (checking quotes, rendering, the PATCH). Run with
//
//	go test ./bot -run '^$' -bench FirstTokenToEdit -benchtime 20x
func BenchmarkFirstTokenToEdit(b *testing.B) {
	for _, every := range []time.Duration{time.Second, 500 * time.Millisecond, 250 * time.Millisecond} {
		b.Run(fmt.Sprintf("StreamEvery_%v", every), func(b *testing.B) {
			e := startLLMBot(b, Options{StreamEvery: every, Queue: 256}, nil)
			channel := discordtest.Channel{ID: "700000000000000001"}
			var toEdit, before, after []time.Duration
			noPartial := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The first token comes 50 ms to StreamEvery+50 ms after the
				// request, spread evenly (golden-ratio steps), and the stream
				// lasts a StreamEvery and more after it.
				phase := math.Mod(float64(i)*0.6180339887, 1)
				delay := 50*time.Millisecond + time.Duration(phase*float64(every))
				e.model.Script(openaitest.Reply{Chunks: streamChunks(int((every+200*time.Millisecond)/delay) + 2), Delay: delay})
				from := len(e.model.Requests())

				u := discordtest.User{ID: e.fake.NewID(), Name: "bench"}
				ix := e.fake.Slash(u, channel, "ask", discordtest.Option{Name: "question", Value: xiQuestion})
				ix.WaitDone(b, time.Minute, answered)

				edits := originalEdits(b, e.fake, ix)
				reqs := e.model.Requests()
				var chunks []openaitest.Chunk
				for _, c := range e.model.Chunks() {
					if c.Request >= from {
						chunks = append(chunks, c)
					}
				}
				if len(edits) == 0 || len(chunks) == 0 || len(reqs) <= from {
					b.Fatalf("iteration %d: %d edits, %d chunks, %d requests", i, len(edits), len(chunks), len(reqs)-from)
				}
				if edits[0].Final {
					noPartial++
				}
				toEdit = append(toEdit, edits[0].At.Sub(chunks[0].At))
				before = append(before, reqs[from].At.Sub(ix.Sent))
				after = append(after, edits[len(edits)-1].At.Sub(chunks[len(chunks)-1].At))
			}
			b.StopTimer()
			waitFor(b, wait, "an answer by the model in the log", func() bool { return strings.Contains(e.logs.String(), "mode=llm") })
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(percentile(toEdit, 50)), "first-edit-p50-ms")
			b.ReportMetric(ms(percentile(toEdit, 95)), "first-edit-p95-ms")
			b.ReportMetric(ms(percentile(toEdit, 0)), "first-edit-min-ms")
			b.ReportMetric(ms(percentile(toEdit, 100)), "first-edit-max-ms")
			b.ReportMetric(ms(percentile(before, 50)), "before-model-p50-ms")
			b.ReportMetric(ms(percentile(after, 50)), "after-model-p50-ms")
			b.ReportMetric(float64(noPartial), "final-first")
		})
	}
}

// streamChunks is a grounded answer to xiQuestion in n chunks, the citation
// last.
func streamChunks(n int) []string {
	words := strings.Fields("Xi Jinping met the state leaders of eleven Latin American and Caribbean countries during his visit to Brazil in July 2014")
	out := make([]string, 0, n)
	for i := 0; i < n-1; i++ {
		out = append(out, words[i%len(words)]+" ")
	}
	return append(out, "[1].")
}
