package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/embed"
	"github.com/footnote-bot/footnote/indexfile"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/embedded"
)

// writeReadings writes files (slash path -> text) under a new folder.
func writeReadings(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

var courseReadings = map[string]string{
	"week1/tides.md":        "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n\n## Tables\n\nThe first tide tables for the port were printed in 1839.\n",
	"week2/lighthouses.txt": "Lighthouses\n\nThe Cordouan lighthouse was finished in 1611 and is still lit every night.\n",
	"week2/copy.txt":        "Lighthouses\n\nThe Cordouan lighthouse was finished in 1611 and is still lit every night.\n",
	"scan.txt":              "\x00\x01\x02binary\x00",
}

func listJSON(tb testing.TB, environ []string, args ...string) []store.Reading {
	tb.Helper()
	code, out, errOut := runCLI(tb, environ, append([]string{"readings", "list", "--json"}, args...)...)
	if code != 0 {
		tb.Fatalf("readings list: exit %d: %s", code, errOut)
	}
	var rs []store.Reading
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		tb.Fatalf("readings list --json: %v\n%s", err, out)
	}
	return rs
}

func titles(rs []store.Reading) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Title+"@"+r.Channel)
	}
	slices.Sort(out)
	return out
}

func TestReadingsAddListRemove(t *testing.T) {
	data := t.TempDir()
	environ := []string{"FOOTNOTE_DATA_DIR=" + data}
	src := writeReadings(t, courseReadings)

	code, out, errOut := runCLI(t, environ, "readings", "add", "--guild", "100", src)
	if code != 0 {
		t.Fatalf("add a folder: exit %d: %s", code, errOut)
	}
	// The copy is refused as a duplicate, the binary file as footnote index refuses it.
	if strings.Count(out, "added ") != 2 || strings.Count(errOut, ".txt: already in the list as") != 1 ||
		!strings.Contains(errOut, "scan.txt: binary file") {
		t.Errorf("add a folder said:\n%s\n%s", out, errOut)
	}
	code, _, errOut = runCLI(t, environ, "readings", "add", "--guild", "100", "--channel", "7", "--title", "Brest notes",
		filepath.Join(src, "week1", "tides.md"))
	if code != 0 || !strings.Contains(errOut, "already in the list") {
		t.Errorf("a channel's copy of a guild-wide reading: exit %d: %s", code, errOut)
	}
	notes := writeReadings(t, map[string]string{"brest.md": "# Brest\n\nThe harbour of Brest shelters the Atlantic fleet.\n"})
	code, out, errOut = runCLI(t, environ, "readings", "add", "--guild", "100", "--channel", "7", "--title", "Brest notes",
		"--by", "42", filepath.Join(notes, "brest.md"))
	if code != 0 || !strings.Contains(out, `"Brest notes"`) || !strings.Contains(out, "channel 7's list") {
		t.Errorf("add a file to a channel: exit %d: %s %s", code, out, errOut)
	}

	all := listJSON(t, environ, "--guild", "100")
	if got := titles(all); !slices.Equal(got, []string{"Brest notes@7", "Lighthouses@", "Tides@"}) {
		t.Errorf("guild 100 holds %v", got)
	}
	if got := titles(listJSON(t, environ, "--guild", "100", "--channel", "8")); !slices.Equal(got, []string{"Lighthouses@", "Tides@"}) {
		t.Errorf("channel 8 sees %v", got)
	}
	if got := listJSON(t, environ, "--guild", "200"); len(got) != 0 {
		t.Errorf("guild 200 sees %v", titles(got))
	}
	code, out, _ = runCLI(t, environ, "readings", "list", "--guild", "100")
	if code != 0 || !strings.Contains(out, "Brest notes") || !strings.Contains(out, "channel 7") || !strings.Contains(out, "42") {
		t.Errorf("readings list:\n%s", out)
	}

	// What was added is searchable with the configured embedder.
	st, err := embedded.Open(context.Background(), embedded.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.LoadList(context.Background(), store.List{Guild: "100"}, embed.LocalName)
	st.Close()
	if err != nil || len(l.Readings) != 2 {
		t.Fatalf("load: %v, %v", l, err)
	}
	ix, err := indexfile.NewFromSaved(context.Background(), l.Index, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := ix.Search(context.Background(), "When were the first tide tables printed?", 1)
	if err != nil || len(hits) == 0 || !strings.Contains(hits[0].Passage.Text, "1839") {
		t.Errorf("search: %v, %v", hits, err)
	}

	var brest store.Reading
	for _, r := range all {
		if r.Channel == "7" {
			brest = r
		}
	}
	if code, _, errOut := runCLI(t, environ, "readings", "remove", "--guild", "200", brest.ID); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("remove from another guild: exit %d: %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, environ, "readings", "remove", "--guild", "100", brest.ID); code != 0 || !strings.Contains(out, "Brest notes") {
		t.Errorf("remove: exit %d: %s %s", code, out, errOut)
	}
	if got := titles(listJSON(t, environ, "--guild", "100")); !slices.Equal(got, []string{"Lighthouses@", "Tides@"}) {
		t.Errorf("after remove: %v", got)
	}
}

func TestReadingsExportRoundTrip(t *testing.T) {
	data := t.TempDir()
	environ := []string{"FOOTNOTE_DATA_DIR=" + data}
	src := writeReadings(t, map[string]string{
		"a/notes.md": "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n",
		"b/notes.md": "# Lighthouses\n\nThe Cordouan lighthouse was finished in 1611.\n",
	})
	chan1 := writeReadings(t, map[string]string{"mine.txt": "Only channel 5 reads this about harbours.\n"})
	for _, args := range [][]string{
		{"--guild", "1", src},
		{"--guild", "1", "--channel", "5", filepath.Join(chan1, "mine.txt")},
	} {
		if code, _, errOut := runCLI(t, environ, append([]string{"readings", "add"}, args...)...); code != 0 {
			t.Fatalf("add %v: %s", args, errOut)
		}
	}
	out := filepath.Join(t.TempDir(), "export")
	code, stdout, errOut := runCLI(t, environ, "readings", "export", "--guild", "1", out)
	if code != 0 || !strings.Contains(stdout, "exported 3 readings") {
		t.Fatalf("export: exit %d: %s %s", code, stdout, errOut)
	}
	got := map[string]string{}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(out, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	want := map[string]string{
		"notes.md":           "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n",
		"notes (2).md":       "# Lighthouses\n\nThe Cordouan lighthouse was finished in 1611.\n",
		"channel-5/mine.txt": "Only channel 5 reads this about harbours.\n",
	}
	if len(got) != len(want) {
		t.Errorf("exported %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("exported %s = %q, want %q", k, got[k], v)
		}
	}
	// Into another guild it lands whole, with the same bytes.
	if code, _, errOut := runCLI(t, environ, "readings", "add", "--guild", "2", out); code != 0 {
		t.Fatalf("add the export to guild 2: %s", errOut)
	}
	var h1, h2 []string
	for _, r := range listJSON(t, environ, "--guild", "1") {
		h1 = append(h1, r.SHA256)
	}
	for _, r := range listJSON(t, environ, "--guild", "2") {
		h2 = append(h2, r.SHA256)
	}
	slices.Sort(h1)
	slices.Sort(h2)
	if !slices.Equal(h1, h2) || len(h1) != 3 {
		t.Errorf("hashes %v and %v", h1, h2)
	}
	// Added back, the guild-wide ones are the same readings.
	code, _, errOut = runCLI(t, environ, "readings", "add", "--guild", "1", out)
	if code != 0 || strings.Count(errOut, "already in the list") != 2 || !strings.Contains(errOut, "notes (2).md: already") {
		t.Errorf("adding the export again: exit %d: %s", code, errOut)
	}
	// Export never overwrites.
	if code, _, errOut := runCLI(t, environ, "readings", "export", "--guild", "1", out); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("export over files: exit %d: %s", code, errOut)
	}
}

func TestReadingsUsage(t *testing.T) {
	environ := []string{"FOOTNOTE_DATA_DIR=" + t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"readings"}, "say what to do"},
		{[]string{"readings", "shelve", "--guild", "1"}, "unknown readings command"},
		{[]string{"readings", "list"}, "no guild given"},
		{[]string{"readings", "add", "--guild", "1"}, "no file or folder"},
		{[]string{"readings", "remove", "--guild", "1"}, "no reading given"},
		{[]string{"readings", "export", "--guild", "1"}, "give one folder"},
		{[]string{"readings", "add", "--guild", "1", "--title", "T", "a.md", "b.md"}, "--title names one reading"},
	} {
		code, _, errOut := runCLI(t, environ, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, environ, "readings", "add", "--guild", "1", "/no/such/file.md"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("missing file: exit %d: %s", code, errOut)
	}
}

// discord.max_readings and max_passages bound what footnote readings add
// puts in a guild's lists, with the numbers in the refusal.
func TestReadingsAddLimits(t *testing.T) {
	src := writeReadings(t, map[string]string{
		"a.md": "# Tides\n\nThe tide at Brest rises seven metres twice a day.\n",
		"b.md": "# Bells\n\nThe bells of Quimper were cast in 1620 by a foundry in Nantes.\n",
	})
	for _, tt := range []struct {
		env, what string
	}{
		{"FOOTNOTE_DISCORD_MAX_READINGS=1", "2 readings, more than the limit of 1"},
		{"FOOTNOTE_DISCORD_MAX_PASSAGES=1", "passages, more than the limit of 1"},
	} {
		environ := []string{"FOOTNOTE_DATA_DIR=" + t.TempDir(), tt.env}
		code, _, errOut := runCLI(t, environ, "readings", "add", "--guild", "100", src)
		if code != 1 || !strings.Contains(errOut, tt.what) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 saying %q", tt.env, code, errOut, tt.what)
		}
	}
	code, _, errOut := runCLI(t, []string{"FOOTNOTE_DATA_DIR=" + t.TempDir(), "FOOTNOTE_DISCORD_MAX_READINGS=0"}, "readings", "list", "--guild", "1")
	if code != 2 || !strings.Contains(errOut, "discord.max_readings") {
		t.Errorf("max_readings 0: exit %d, %q; want exit 2 naming the key", code, errOut)
	}
}
