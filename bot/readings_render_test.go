package bot

import (
	"testing"
	"time"

	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/store"
)

// TestRenderReadings: what people read of the reading lists, against golden files.
func TestRenderReadings(t *testing.T) {
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	guide := store.Reading{ID: "0123456789abcdef", Guild: "g", Title: "Field Guide *to* Puffins", Passages: 84, Pages: 40,
		AddedBy: "600000000000000001", AddedAt: at, FileName: "guide.pdf"}
	notes := store.Reading{ID: "fedcba9876543210", Guild: "g", Channel: "710000000000000001", Title: "Week 3 notes", Passages: 12,
		AddedBy: "600000000000000002", AddedAt: at.Add(-48 * time.Hour), FileName: "notes.md"}
	golden(t, "readings_list", renderReadingList([]store.Reading{guide}, []store.Reading{notes},
		[]string{"• The Practice of Diplomacy — 120 passages"}))
	golden(t, "readings_list_empty", renderReadingList(nil, nil, nil))
	golden(t, "readings_added", []message{
		{Content: renderAdded(guide)},
		{Content: renderAdded(notes)},
		{Content: renderProgress(readings.Progress{Title: "Field Guide", Page: 12, Pages: 40})},
		{Content: renderProgress(readings.Progress{Title: "Week 3 notes", Done: 3, Total: 12})},
		{Content: renderProgress(readings.Progress{Title: "Week 3 notes"})},
	})
}
