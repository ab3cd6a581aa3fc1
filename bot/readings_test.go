package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/answer"
	"github.com/footnote-bot/footnote/bot/discordtest"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/readings/readingstest"
	"github.com/footnote-bot/footnote/retrieval"
)

// The facts of the field guide: no document of the default corpus has them.
const (
	puffinFact   = "The lighthouse keeper Maribel Ostrander counted 412 puffins on the north cliff in 1931."
	puffinAsk    = "How many puffins did Maribel Ostrander count?"
	puffinQuote  = "412 puffins"
	librarianRol = "770000000000000001"
)

// Two guilds, each with two channels.
var (
	chA1 = discordtest.Channel{ID: "710000000000000001"}
	chA2 = discordtest.Channel{ID: "710000000000000002"}
	chB1 = discordtest.Channel{ID: "720000000000000001", Guild: "820000000000000001"}

	librarian = discordtest.User{ID: "600000000000000001", Name: "librarian", Permissions: int64(discordgo.PermissionManageGuild)}
	roleHold  = discordtest.User{ID: "600000000000000002", Name: "ta", Roles: []string{librarianRol}}
	student   = discordtest.User{ID: "600000000000000003", Name: "student"}
)

// libraryBot is a bot with reading lists over mem and the default corpus.
type libraryBot struct {
	*env
	mem *readingstest.Memory
}

func startLibraryBot(tb testing.TB, fake *discordtest.Server, mem *readingstest.Memory, opts Options) *libraryBot {
	tb.Helper()
	_, base := defaultEngine(tb)
	lib, err := readings.New(readings.Options{Store: mem, Base: func() *answer.Engine { return base }})
	if err != nil {
		tb.Fatal(err)
	}
	opts.Library, opts.ConversationStore, opts.VoteStore = lib, mem, mem
	opts.LibrarianRoles = append(opts.LibrarianRoles, librarianRol)
	opts.Mode = answer.ModeExtractive
	opts.RateEvery = -1
	if fake == nil {
		fake = discordtest.New(tb, discordtest.Options{})
	}
	return &libraryBot{env: startBotOn(tb, fake, opts, base), mem: mem}
}

func fieldGuide(pages int) []byte {
	return readingstest.PDF("Field Guide", readingstest.Pages(pages, map[int]string{pages / 2: puffinFact}))
}

// addReading runs /readings add and waits for its final response.
func addReading(tb testing.TB, e *env, u discordtest.User, ch discordtest.Channel, opts ...discordtest.Option) discordtest.Response {
	tb.Helper()
	ix := e.fake.SlashSub(u, ch, "readings", discordtest.Sub{Name: "add", Options: opts})
	return ix.WaitDone(tb, 60*time.Second, func(r discordtest.Response) bool {
		c := r.Original.Content
		return r.Original.Ephemeral || strings.HasPrefix(c, "Added") || strings.HasPrefix(c, "Not added") || strings.Contains(c, "\n")
	})
}

func askIn(tb testing.TB, e *env, u discordtest.User, ch discordtest.Channel, q string) string {
	tb.Helper()
	r := e.fake.Slash(u, ch, "ask", discordtest.Option{Name: "question", Value: q}).WaitDone(tb, 30*time.Second, answered)
	return shown(r.Messages())
}

// TestReadingsAddAndAsk: a librarian uploads a PDF, and a later /ask in the
// guild is answered with a verbatim quote from it; the same question in
// another guild is not; /sources, /readings list and buttons see it only
// where it belongs.
func TestReadingsAddAndAsk(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{StreamEvery: time.Millisecond, DMs: true})
	pdf := fieldGuide(40) // long enough for progress to show between batches
	att := e.fake.Attach("field-guide.pdf", pdf)
	ix := e.fake.SlashSub(librarian, chA1, "readings", discordtest.Sub{Name: "add", Options: []discordtest.Option{{Name: "file", Value: att}}})
	if r := ix.WaitAcked(t, wait); r.Type != 5 || r.Original.Ephemeral {
		t.Fatalf("/readings add not deferred publicly at once: %+v", r)
	}
	r := ix.WaitDone(t, 60*time.Second, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
	got := unescapeMarkdown(r.Original.Content)
	if !strings.Contains(got, "Field Guide") || !strings.Contains(got, "40 pages") || !strings.Contains(got, "whole server") {
		t.Errorf("added: %q", got)
	}
	progress := false
	for _, q := range requestsTo(e.fake, http.MethodPatch, "/messages/@original") {
		if strings.Contains(string(q.Body), "Reading 'Field Guide': page ") && strings.Contains(string(q.Body), " of 40") {
			progress = true
		}
	}
	if !progress {
		t.Error("no progress edit \"Reading 'Field Guide': page N of 40\"")
	}

	ar := e.fake.Slash(student, chA2, "ask", discordtest.Option{Name: "question", Value: puffinAsk}).WaitDone(t, 30*time.Second, answered)
	a := shown(ar.Messages())
	if !strings.Contains(a, puffinQuote) || !strings.Contains(a, "Field Guide") {
		t.Fatalf("not answered from the reading:\n%s", a)
	}
	last := ar.Messages()[len(ar.Messages())-1]
	e.fake.Click(student, last, buttonWithPrefix(t, last, "v:up:").CustomID).WaitAcked(t, wait)
	if vs, _ := e.mem.Votes(context.Background()); len(vs) != 1 || !vs[0].Helpful || vs[0].Question != puffinAsk || vs[0].User != student.ID {
		t.Errorf("votes in the store: %+v", vs)
	}
	quoted := false
	for _, line := range strings.Split(a, "\n") {
		if strings.HasPrefix(line, "> \"") && strings.Contains(line, puffinQuote) {
			quoted = true
			if q := strings.TrimSuffix(strings.TrimSuffix(line[3:], "\""), " […]"); !strings.Contains(puffinFact, q) && !strings.Contains(q, puffinQuote) {
				t.Errorf("quote not verbatim: %q", q)
			}
		}
	}
	if !quoted {
		t.Errorf("no verbatim quote of the fact:\n%s", a)
	}
	if b := askIn(t, e.env, student, chB1, puffinAsk); strings.Contains(b, puffinQuote) || strings.Contains(b, "Field Guide") {
		t.Errorf("another guild is answered from the reading:\n%s", b)
	}
	dm := discordtest.Channel{ID: "dm-" + student.ID, DM: true}
	if b := askIn(t, e.env, student, dm, puffinAsk); strings.Contains(b, puffinQuote) || strings.Contains(b, "Field Guide") {
		t.Errorf("a DM is answered from a guild's reading:\n%s", b)
	}

	// /cite checks a quote against what the channel sees: the reading in
	// guild A, not in guild B.
	cite := func(ch discordtest.Channel) string {
		r := e.fake.Slash(student, ch, "cite", discordtest.Option{Name: "text", Value: puffinFact}).
			WaitDone(t, 30*time.Second, func(r discordtest.Response) bool { return len(r.Messages()) > 0 })
		return unescapeMarkdown(shown(r.Messages()))
	}
	if c := cite(chA2); !strings.Contains(c, "Verbatim") || !strings.Contains(c, "Field Guide") {
		t.Errorf("/cite in guild A does not find the reading's sentence:\n%s", c)
	}
	if c := cite(chB1); strings.Contains(c, "Field Guide") || strings.Contains(c, "**Verbatim**") {
		t.Errorf("/cite in guild B finds guild A's reading:\n%s", c)
	}

	// /sources and /readings list: in guild A, not in guild B.
	src := e.fake.Slash(student, chA1, "sources").WaitAcked(t, wait)
	if !strings.Contains(unescapeMarkdown(shown(src.Messages())), "Field Guide") {
		t.Errorf("/sources in guild A lacks the reading: %q", src.Original.Content)
	}
	if src := e.fake.Slash(student, chB1, "sources").WaitAcked(t, wait); strings.Contains(shown(src.Messages()), "Field Guide") {
		t.Error("/sources in guild B lists guild A's reading")
	}
	list := e.fake.SlashSub(student, chA2, "readings", discordtest.Sub{Name: "list"}).WaitAcked(t, wait)
	lt := unescapeMarkdown(shown(list.Messages()))
	if !strings.Contains(lt, "This server's list__ (1)") || !strings.Contains(lt, "Field Guide") || !strings.Contains(lt, "<@"+librarian.ID+">") ||
		!strings.Contains(lt, "operator's corpus") {
		t.Errorf("/readings list:\n%s", lt)
	}
	if l := e.fake.SlashSub(student, chB1, "readings", discordtest.Sub{Name: "list"}).WaitAcked(t, wait); strings.Contains(shown(l.Messages()), "Field Guide") {
		t.Error("/readings list in guild B shows guild A's reading")
	}

	// A passage button of guild A's answer, crafted or copied into guild B,
	// shows nothing.
	rs, _ := e.mem.Readings(context.Background(), discordtest.GuildID)
	id := passageID(kindPassage, rs[0].DocPath, 0)
	m := discordtest.Message{ID: e.fake.NewID(), ChannelID: chB1.ID, Author: discordtest.User{ID: e.fake.BotID}}
	if p := e.fake.Click(student, m, id).WaitAcked(t, wait); !strings.Contains(p.Original.Content, "no longer in the sources") {
		t.Errorf("a crafted button in guild B: %q", p.Original.Content)
	}
	checkEveryPayload(t, e.fake)
}

// TestReadingsLibrarians: others are refused privately; a librarian role may add.
func TestReadingsLibrarians(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{})
	att := e.fake.Attach("notes.md", []byte("# Notes\n\nThe quillwort fern reproduces by spores.\n"))
	r := addReading(t, e.env, student, chA1, discordtest.Option{Name: "file", Value: att})
	if !r.Original.Ephemeral || !strings.Contains(r.Original.Content, "Only librarians can add readings") {
		t.Errorf("a member without the permission: %+v", r.Original)
	}
	if n := len(requestsTo(e.fake, http.MethodGet, "/attachments/")); n != 0 {
		t.Errorf("the file of a refused member was downloaded %d times", n)
	}
	msg := e.fake.SayWithFiles(student, chA1, "my notes", false, att)
	if r := e.fake.MessageCommand(student, chA1, "Add to readings", msg).WaitAcked(t, wait); !r.Original.Ephemeral ||
		!strings.Contains(r.Original.Content, "Only librarians") {
		t.Errorf("Add to readings by a member: %+v", r.Original)
	}
	rm := e.fake.SlashSub(student, chA1, "readings", discordtest.Sub{Name: "remove", Options: []discordtest.Option{{Name: "reading", Value: "x"}}}).WaitAcked(t, wait)
	if !rm.Original.Ephemeral || !strings.Contains(rm.Original.Content, "Only librarians") {
		t.Errorf("/readings remove by a member: %+v", rm.Original)
	}
	if r := addReading(t, e.env, roleHold, chA1, discordtest.Option{Name: "file", Value: att}); !strings.HasPrefix(r.Original.Content, "Added") {
		t.Errorf("a member with a librarian role: %q", r.Original.Content)
	}
}

// TestReadingsChannelOnly: a channel's reading is seen in the channel and its
// threads, not in a sibling channel.
func TestReadingsChannelOnly(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{})
	att := e.fake.Attach("field-guide.pdf", fieldGuide(3))
	r := addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: att}, discordtest.Option{Name: "channel_only", Value: true})
	if !strings.Contains(r.Original.Content, "<#"+chA1.ID+"> only") {
		t.Fatalf("channel_only: %q", r.Original.Content)
	}
	if a := askIn(t, e.env, student, chA1, puffinAsk); !strings.Contains(a, puffinQuote) {
		t.Errorf("the channel does not see its reading:\n%s", a)
	}
	thread := discordtest.Channel{ID: e.fake.NewID(), Parent: chA1.ID, Name: "study"}
	if a := askIn(t, e.env, student, thread, puffinAsk); !strings.Contains(a, puffinQuote) {
		t.Errorf("a thread of the channel does not see its reading:\n%s", a)
	}
	if a := askIn(t, e.env, student, chA2, puffinAsk); strings.Contains(a, puffinQuote) {
		t.Errorf("a sibling channel sees the channel's reading:\n%s", a)
	}
}

// TestReadingsRefusals: files refused with reasons, and attachment URLs off
// Discord's CDN refused without a request to them.
func TestReadingsRefusals(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write(fieldGuide(2))
	}))
	defer other.Close()
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{MaxReadingBytes: 64 << 10})

	foreign := e.fake.Attach("field-guide.pdf", fieldGuide(2))
	foreign.URL = other.URL + "/attachments/1/field-guide.pdf"
	big := e.fake.Attach("big.txt", []byte(strings.Repeat("Owls hunt at night. ", 5000)))
	lying := big
	lying.Size = 1000 // declares less than it is
	for _, tc := range []struct {
		name string
		att  discordtest.Attachment
		says string
	}{
		{"foreign host", foreign, "not on Discord's CDN"},
		{"oversize", big, "the limit is 64 KB"},
		{"oversize on download", lying, "97 KB, the limit is 64 KB"},
		{"unsupported", e.fake.Attach("slides.pptx", []byte("PK\x03\x04 slides")), "“.pptx” is not a format I read"},
		{"empty", e.fake.Attach("empty.txt", nil), "the file is empty"},
		{"no text", e.fake.Attach("scan.pdf", readingstest.PDF("Scan", [][]string{{}})), "no text"},
	} {
		r := addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: tc.att})
		if got := unescapeMarkdown(r.Original.Content); !strings.Contains(got, tc.says) {
			t.Errorf("%s: %q, want it to say %q", tc.name, got, tc.says)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the bot sent %d requests to a host that is not Discord's CDN", n)
	}
	if e.mem.Adds != 0 {
		t.Errorf("%d refused files were stored", e.mem.Adds)
	}
	// The duplicate of a reading already in the list.
	ok := e.fake.Attach("notes.md", []byte("# Notes\n\nThe quillwort fern reproduces by spores.\n"))
	addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: ok})
	again := e.fake.Attach("copy.md", []byte("# Notes\n\nThe quillwort fern reproduces by spores.\n"))
	if r := addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: again}); !strings.Contains(r.Original.Content, "already in the reading list") {
		t.Errorf("duplicate: %q", r.Original.Content)
	}
	checkEveryPayload(t, e.fake)
}

// TestAddToReadings: the message command adds every attachment of a message.
func TestAddToReadings(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{})
	a1 := e.fake.Attach("field-guide.pdf", fieldGuide(3))
	a2 := e.fake.Attach("ferns.md", []byte("# Ferns\n\nThe quillwort fern reproduces by spores released at the base of its leaves.\n"))
	msg := e.fake.SayWithFiles(student, chA1, "this week's readings", false, a1, a2)
	r := e.fake.MessageCommand(librarian, chA1, "Add to readings", msg).WaitDone(t, 60*time.Second, func(r discordtest.Response) bool {
		return strings.Count(r.Original.Content, "Added") == 2
	})
	if got := unescapeMarkdown(r.Original.Content); !strings.Contains(got, "Field Guide") || !strings.Contains(got, "Ferns") {
		t.Errorf("Add to readings: %q", got)
	}
	if a := askIn(t, e.env, student, chA2, "How does the quillwort fern reproduce?"); !strings.Contains(a, "spores") {
		t.Errorf("the second attachment is not answered from:\n%s", a)
	}
}

// TestReadingsRemoveAutocomplete: removal suggests this guild's readings only.
func TestReadingsRemoveAutocomplete(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{})
	addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: e.fake.Attach("field-guide.pdf", fieldGuide(2))})
	suggest := func(ch discordtest.Channel, typed string) []discordtest.Choice {
		ix := e.fake.Autocomplete(librarian, ch, "readings", discordtest.Sub{Name: "remove",
			Options: []discordtest.Option{{Name: "reading", Value: typed, Focused: true}}})
		var cs []discordtest.Choice
		waitFor(t, wait, "autocomplete choices", func() bool { var ok bool; cs, ok = ix.Choices(); return ok })
		return cs
	}
	cs := suggest(chA2, "fiel")
	if len(cs) != 1 || !strings.Contains(cs[0].Name, "Field Guide") {
		t.Fatalf("choices in guild A: %+v", cs)
	}
	if cs := suggest(chA2, "owls"); len(cs) != 0 {
		t.Errorf("choices for a title no reading has: %+v", cs)
	}
	if cs := suggest(chB1, ""); len(cs) != 0 {
		t.Errorf("guild B is offered guild A's readings: %+v", cs)
	}
	id, _ := cs[0].Value.(string)
	rm := func(ch discordtest.Channel) string {
		return e.fake.SlashSub(librarian, ch, "readings", discordtest.Sub{Name: "remove",
			Options: []discordtest.Option{{Name: "reading", Value: id}}}).WaitAcked(t, wait).Original.Content
	}
	if got := rm(chB1); !strings.Contains(got, "no reading by that name") {
		t.Errorf("guild B removing guild A's reading by its id: %q", got)
	}
	if got := unescapeMarkdown(rm(chA1)); !strings.Contains(got, "Removed **Field Guide**") {
		t.Errorf("remove: %q", got)
	}
	if a := askIn(t, e.env, student, chA1, puffinAsk); strings.Contains(a, puffinQuote) {
		t.Errorf("a removed reading still answers:\n%s", a)
	}
}

// TestReadingsRestart: on the same data, a new bot answers from the reading,
// and a follow-up in a thread opened before the restart carries its history.
func TestReadingsRestart(t *testing.T) {
	mem := readingstest.NewMemory()
	e := startLibraryBot(t, nil, mem, Options{})
	addReading(t, e.env, librarian, chA1, discordtest.Option{Name: "file", Value: e.fake.Attach("field-guide.pdf", fieldGuide(4))})
	e.fake.Say(student, chA1, puffinAsk, true)
	var thread discordtest.Channel
	waitFor(t, 30*time.Second, "the answer in a thread", func() bool {
		ts := e.fake.Threads(chA1.ID)
		if len(ts) == 0 {
			return false
		}
		thread = ts[0]
		return hasVotes(botPosts(e.fake, thread.ID))
	})
	if got := shown(botPosts(e.fake, thread.ID)); !strings.Contains(got, puffinQuote) {
		t.Fatalf("the first answer:\n%s", got)
	}
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}

	e2 := startLibraryBot(t, e.fake, mem, Options{})
	if a := askIn(t, e2.env, student, chA2, puffinAsk); !strings.Contains(a, puffinQuote) {
		t.Errorf("after the restart, not answered from the reading:\n%s", a)
	}
	before := len(botPosts(e.fake, thread.ID))
	e.fake.Say(student, thread, "And in which year was that?", true)
	waitFor(t, 30*time.Second, "the follow-up's answer", func() bool {
		ps := botPosts(e.fake, thread.ID)
		return len(ps) > before && hasVotes(ps[before:])
	})
	// The follow-up was asked with the turn from before the restart. The
	// bot logs it just after the answer is shown: give it a moment.
	logged := func() bool { return strings.Count(e2.logs.String(), "follow_up=") >= 2 } // the /ask above, then this
	for deadline := time.Now().Add(10 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(e2.logs.String(), "follow_up=true") {
		t.Error("the follow-up after the restart was asked without the thread's history")
	}
	if c, ok := e2.bot.convs.get(thread.ID); !ok || len(c.Turns) != 2 || c.Turns[0].Question != puffinAsk {
		t.Errorf("the thread's history after the restart: %+v", c)
	}
	c, err := mem.Conversation(context.Background(), thread.ID)
	if err != nil || len(c.Turns) != 2 || c.Parent != chA1.ID {
		t.Errorf("stored conversation: %+v, %v", c, err)
	}
}

// TestReadingsAnswersWhileAdding: questions are answered while a file is read.
func TestReadingsAnswersWhileAdding(t *testing.T) {
	e := startLibraryBot(t, nil, readingstest.NewMemory(), Options{StreamEvery: 50 * time.Millisecond})
	ix := e.fake.SlashSub(librarian, chA1, "readings", discordtest.Sub{Name: "add",
		Options: []discordtest.Option{{Name: "file", Value: e.fake.Attach("field-guide.pdf", fieldGuide(60))}}})
	ix.Wait(t, 60*time.Second, "progress", func(r discordtest.Response) bool { return strings.Contains(r.Original.Content, "page") })
	a := askIn(t, e.env, student, chA2, "When did Xi Jinping meet the leaders of Latin American and Caribbean countries in Brazil?")
	if !strings.Contains(a, "2014") {
		t.Errorf("not answered during an addition:\n%s", a)
	}
	if r := ix.Response(); strings.HasPrefix(r.Original.Content, "Added") {
		t.Log("the addition finished before the answer: the test proves less on this machine")
	}
	ix.WaitDone(t, 60*time.Second, func(r discordtest.Response) bool { return strings.HasPrefix(r.Original.Content, "Added") })
}

var _ = retrieval.ModeHybrid
