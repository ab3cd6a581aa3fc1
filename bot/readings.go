package bot

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/footnote-bot/footnote/corpus"
	"github.com/footnote-bot/footnote/readings"
	"github.com/footnote-bot/footnote/store"
)

// Reading lists: /readings add|list|remove and the message command "Add to
// readings". Anyone may list; librarians (Manage Server, or one of
// Options.LibrarianRoles) may add and remove. A file is read in the
// background of its interaction: questions keep being answered meanwhile.

// Command names of the reading lists.
const (
	cmdReadings      = "readings"
	cmdAddToReadings = "Add to readings" // message context menu
)

// DefaultMaxReadingBytes is the largest file /readings add takes: 20 MB.
const DefaultMaxReadingBytes = 20 << 20

// maxAdding is how many files are read at once, all guilds together: reading
// a file keeps a CPU busy, and answers need the other.
const maxAdding = 2

const notLibrarian = "Only librarians can add readings: members with the Manage Server permission or a librarian role."

// readingsCommands are the commands of the reading lists, in guilds only.
func readingsCommands() []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	installs := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	no := false
	cmds := []*discordgo.ApplicationCommand{
		{Name: cmdReadings, Type: discordgo.ChatApplicationCommand, Description: "The readings Footnote quotes in this server and channel",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a file to the reading list (librarians)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "A PDF, Word, HTML, Markdown or text file", Required: true},
						{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "The title to cite it by (default: the file's own)", MaxLength: 200},
						{Type: discordgo.ApplicationCommandOptionBoolean, Name: "channel_only", Description: "Only this channel (and its threads) sees it"},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The readings this channel sees"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a reading (librarians)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "reading", Description: "The reading to remove", Required: true, Autocomplete: true},
					}},
			}},
		{Name: cmdAddToReadings, Type: discordgo.MessageApplicationCommand},
	}
	for _, c := range cmds {
		c.Contexts, c.IntegrationTypes, c.DMPermission = &guildOnly, &installs, &no
	}
	return cmds
}

// librarian reports whether a member may change the reading lists.
func (b *Bot) librarian(m *discordgo.Member) bool {
	if m == nil {
		return false
	}
	if m.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, r := range m.Roles {
		if slices.Contains(b.opts.LibrarianRoles, r) {
			return true
		}
	}
	return false
}

// readingsReady says why reading lists cannot be used here, "" when they can.
func (b *Bot) readingsReady(i *discordgo.Interaction) string {
	switch {
	case b.opts.Library == nil:
		return "Reading lists are not enabled on this bot: its operator can turn them on (see the README, \"Reading lists\")."
	case i.GuildID == "":
		return "Reading lists belong to servers: use this in a server's channel."
	}
	return ""
}

func (b *Bot) onReadings(ctx context.Context, r *interactionReply, user string, d discordgo.ApplicationCommandInteractionData) {
	if why := b.readingsReady(r.i); why != "" {
		b.tell(ctx, r, why)
		return
	}
	if len(d.Options) == 0 {
		b.tell(ctx, r, "Use `/readings add`, `/readings list` or `/readings remove`.")
		return
	}
	sub := d.Options[0]
	switch sub.Name {
	case "list":
		b.readingsList(ctx, r)
	case "add":
		if !b.librarian(r.i.Member) {
			b.tell(ctx, r, notLibrarian)
			return
		}
		var att *discordgo.MessageAttachment
		if o := sub.GetOption("file"); o != nil && d.Resolved != nil {
			if id, ok := o.Value.(string); ok {
				att = d.Resolved.Attachments[id]
			}
		}
		if att == nil {
			b.tell(ctx, r, "Discord did not send me the file: attach it to `/readings add` again.")
			return
		}
		list := store.List{Guild: r.i.GuildID}
		if o := sub.GetOption("channel_only"); o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean && o.BoolValue() {
			list.Channel = b.scopeChannel(ctx, r.i.ChannelID)
		}
		title := ""
		if o := sub.GetOption("title"); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			title = strings.TrimSpace(o.StringValue())
		}
		b.readingsAdd(ctx, r, user, list, []*discordgo.MessageAttachment{att}, title)
	case "remove":
		if !b.librarian(r.i.Member) {
			b.tell(ctx, r, "Only librarians can remove readings: members with the Manage Server permission or a librarian role.")
			return
		}
		reading := ""
		if o := sub.GetOption("reading"); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			reading = strings.TrimSpace(o.StringValue())
		}
		b.readingsRemove(ctx, r, reading)
	default:
		b.tell(ctx, r, "I don't know that subcommand of `/readings`: it may be left over from an older version of me.")
	}
}

// addToReadings adds every attachment of the message it is run on to the
// guild's list.
func (b *Bot) addToReadings(ctx context.Context, r *interactionReply, user string, d discordgo.ApplicationCommandInteractionData) {
	if why := b.readingsReady(r.i); why != "" {
		b.tell(ctx, r, why)
		return
	}
	if !b.librarian(r.i.Member) {
		b.tell(ctx, r, notLibrarian)
		return
	}
	var atts []*discordgo.MessageAttachment
	if d.Resolved != nil {
		if m := d.Resolved.Messages[d.TargetID]; m != nil {
			atts = m.Attachments
		}
	}
	if len(atts) == 0 {
		b.tell(ctx, r, "That message has no attached files to add.")
		return
	}
	b.readingsAdd(ctx, r, user, store.List{Guild: r.i.GuildID}, atts, "")
}

// readingsAdd reads files into list, one after the other, showing progress
// in the interaction's response and then what became of each.
func (b *Bot) readingsAdd(ctx context.Context, r *interactionReply, user string, list store.List, atts []*discordgo.MessageAttachment, title string) {
	// What can be refused without a download is refused at once, privately.
	if len(atts) == 1 {
		if why := b.precheck(atts[0]); why != "" {
			b.tell(ctx, r, fmt.Sprintf("I can't add “%s”: %s", escapeMarkdown(atts[0].Filename), why))
			return
		}
	}
	if err := r.deferReply(ctx, false); err != nil {
		b.failed("defer /readings add", err)
		return
	}
	select {
	case b.adding <- struct{}{}:
	default:
		if err := r.edit(ctx, message{Content: "Waiting for the files being read to finish…"}, false); err != nil {
			b.log.Debug("waiting edit failed", "err", b.redact(err.Error()))
		}
		select {
		case b.adding <- struct{}{}:
		case <-ctx.Done():
			lctx, cancel := lastWords(ctx)
			defer cancel()
			_ = r.edit(lctx, message{Content: renderShuttingDown()}, false)
			return
		}
	}
	defer func() { <-b.adding }()
	st := startStreamer(ctx, b.opts.StreamEvery, func(ctx context.Context, text string) error {
		return r.edit(ctx, message{Content: text}, false)
	}, func(err error) { b.log.Debug("progress edit failed", "err", b.redact(err.Error())) })
	defer st.stop()
	var lines []string
	for n, att := range atts {
		prefix := ""
		if len(atts) > 1 {
			prefix = fmt.Sprintf("(%d of %d) ", n+1, len(atts))
		}
		t := ""
		if len(atts) == 1 {
			t = title
		}
		lines = append(lines, b.addOne(ctx, att, list, t, user, func(text string) { st.update(prefix + text) }))
	}
	st.stop()
	text := strings.Join(lines, "\n")
	lctx, cancel := lastWords(ctx)
	defer cancel()
	if err := r.edit(lctx, message{Content: splitLine(text, 1900)[0]}, false); err != nil {
		b.failed("reply to /readings add", err)
	}
}

// precheck refuses an attachment by its name and declared size.
func (b *Bot) precheck(att *discordgo.MessageAttachment) string {
	if !corpus.Supported(att.Filename) {
		ext := path.Ext(att.Filename)
		if ext == "" {
			ext = "a file without an extension"
		} else {
			ext = "“" + ext + "”"
		}
		return escapeMarkdown(ext) + " is not a format I read: send a PDF, Word (.docx), HTML, Markdown or text file."
	}
	if max := b.maxReadingBytes(); int64(att.Size) > max {
		return fmt.Sprintf("the file is %s, and the limit is %s.", readings.Size(int64(att.Size)), readings.Size(max))
	}
	return ""
}

func (b *Bot) maxReadingBytes() int64 {
	if b.opts.MaxReadingBytes > 0 {
		return b.opts.MaxReadingBytes
	}
	return DefaultMaxReadingBytes
}

// addOne fetches and reads one attachment, and says in a line what became of it.
func (b *Bot) addOne(ctx context.Context, att *discordgo.MessageAttachment, list store.List, title, user string, show func(string)) string {
	name := escapeMarkdown(att.Filename)
	if why := b.precheck(att); why != "" {
		return fmt.Sprintf("Not added: “%s”: %s", name, why)
	}
	show(fmt.Sprintf("Downloading “%s”…", name))
	data, err := b.fetch.fetch(ctx, att.URL, int64(att.Size))
	switch {
	case errors.Is(err, errHostNotAllowed):
		b.log.Warn("refused an attachment URL outside Discord's CDN", "file", att.Filename)
		return fmt.Sprintf("Not added: “%s”: its address is not on Discord's CDN, and I only download from there.", name)
	case errors.Is(err, errTooLarge):
		return fmt.Sprintf("Not added: “%s”: %s.", name, escapeMarkdown(err.Error()))
	case err != nil:
		return fmt.Sprintf("Not added: “%s”: the download failed (error %s); try again.", name, b.failed("download an attachment", err))
	}
	start := time.Now()
	rd, err := b.opts.Library.Add(ctx, readings.Upload{List: list, Name: att.Filename, Title: title, Data: data, AddedBy: user},
		func(p readings.Progress) { show(renderProgress(p)) })
	var ref *readings.Refusal
	switch {
	case errors.As(err, &ref):
		return fmt.Sprintf("Not added: “%s”: %s", name, escapeMarkdown(ref.Reason))
	case err != nil && ctx.Err() != nil:
		return fmt.Sprintf("Not added: “%s”: I was stopped while reading it; the list is as it was. Add it again.", name)
	case err != nil:
		return fmt.Sprintf("Not added: “%s”: something went wrong (error %s); the list is as it was.", name, b.failed("add a reading", err))
	}
	b.log.Info("reading added", "guild", list.Guild, "channel", list.Channel, "reading", rd.ID,
		"passages", rd.Passages, "pages", rd.Pages, "took", time.Since(start))
	return renderAdded(rd)
}

func renderProgress(p readings.Progress) string {
	t := escapeMarkdown(oneLine(p.Title, 150))
	switch {
	case p.Pages > 0 && p.Page > 0:
		return fmt.Sprintf("Reading '%s': page %d of %d", t, p.Page, p.Pages)
	case p.Total > 0:
		return fmt.Sprintf("Reading '%s': passage %d of %d", t, p.Done+1, p.Total)
	}
	return fmt.Sprintf("Reading '%s'…", t)
}

func renderAdded(r store.Reading) string {
	where := "for the whole server"
	if r.Channel != "" {
		where = "for <#" + r.Channel + "> only"
	}
	size := plural(r.Passages, "passage")
	if r.Pages > 0 {
		size += " from " + plural(r.Pages, "page")
	}
	return fmt.Sprintf("Added **%s** to the reading list %s: %s.", escapeMarkdown(oneLine(r.Title, 200)), where, size)
}

// readingsList answers /readings list: what this channel sees, grouped.
func (b *Bot) readingsList(ctx context.Context, r *interactionReply) {
	all, err := b.opts.Library.Readings(ctx, r.i.GuildID)
	if err != nil {
		b.tell(ctx, r, renderApology(b.failed("list readings", err)))
		return
	}
	channel := b.scopeChannel(ctx, r.i.ChannelID)
	var guild, here []store.Reading
	for _, rd := range all {
		switch rd.Channel {
		case "":
			guild = append(guild, rd)
		case channel:
			here = append(here, rd)
		}
	}
	var base []string
	if eng, err := b.answererIn(ctx, r.i.GuildID, r.i.ChannelID); err == nil {
		ids := map[string]bool{}
		for _, rd := range all {
			ids[rd.DocPath] = true
		}
		for _, s := range eng.Sources() {
			if !ids[s.Doc] {
				base = append(base, fmt.Sprintf("• %s — %s", escapeMarkdown(oneLine(orUntitled(s.Title), 120)), plural(s.Passages, "passage")))
			}
		}
	}
	b.reply(ctx, r, renderReadingList(guild, here, base), false)
}

func renderReadingList(guild, here []store.Reading, base []string) []message {
	line := func(rd store.Reading) string {
		s := fmt.Sprintf("• **%s** — %s", escapeMarkdown(oneLine(rd.Title, 120)), plural(rd.Passages, "passage"))
		if rd.Pages > 0 {
			s += ", " + plural(rd.Pages, "page")
		}
		if rd.AddedBy != "" {
			s += ", added by <@" + rd.AddedBy + ">"
		}
		if !rd.AddedAt.IsZero() {
			s += " on " + rd.AddedAt.UTC().Format("2 Jan 2006")
		}
		return s
	}
	var lines []string
	section := func(head string, items []string, empty string) {
		lines = append(lines, "", head)
		if len(items) == 0 {
			lines = append(lines, empty)
		}
		lines = append(lines, items...)
	}
	var g, h []string
	for _, rd := range guild {
		g = append(g, line(rd))
	}
	for _, rd := range here {
		h = append(h, line(rd))
	}
	lines = append(lines, "**Readings this channel sees**")
	section(fmt.Sprintf("__This server's list__ (%d)", len(guild)), g, "*(none yet: librarians add files with `/readings add`)*")
	section(fmt.Sprintf("__This channel's list__ (%d)", len(here)), h, "*(none)*")
	if len(base) > 0 {
		section(fmt.Sprintf("__The operator's corpus__ (%d)", len(base)), base, "")
	}
	return chunkLines(lines, 1900)
}

// chunkLines packs lines into messages of at most n characters.
func chunkLines(lines []string, n int) []message {
	var out []message
	var cur strings.Builder
	for _, l := range lines {
		parts := []string{""} // a blank line between sections
		if l != "" {
			parts = splitLine(l, n)
		}
		for _, part := range parts {
			if cur.Len() > 0 && cur.Len()+1+len(part) > n {
				out = append(out, message{Content: cur.String()})
				cur.Reset()
			}
			if cur.Len() > 0 {
				cur.WriteByte('\n')
			}
			cur.WriteString(part)
		}
	}
	if cur.Len() > 0 {
		out = append(out, message{Content: cur.String()})
	}
	return out
}

// readingsRemove answers /readings remove: by the id autocomplete filled in,
// or a title typed whole.
func (b *Bot) readingsRemove(ctx context.Context, r *interactionReply, reading string) {
	all, err := b.opts.Library.Readings(ctx, r.i.GuildID)
	if err != nil {
		b.tell(ctx, r, renderApology(b.failed("list readings", err)))
		return
	}
	id := ""
	for _, rd := range all {
		if rd.ID == reading {
			id = rd.ID
			break
		}
	}
	if id == "" {
		var matches []store.Reading
		for _, rd := range all {
			if strings.EqualFold(rd.Title, reading) {
				matches = append(matches, rd)
			}
		}
		switch len(matches) {
		case 0:
			b.tell(ctx, r, "This server has no reading by that name: pick one from the list as you type.")
			return
		case 1:
			id = matches[0].ID
		default:
			b.tell(ctx, r, "Several readings have that title: pick one from the list as you type.")
			return
		}
	}
	rd, err := b.opts.Library.Remove(ctx, r.i.GuildID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.tell(ctx, r, "That reading is no longer in the list.")
		return
	case err != nil:
		b.tell(ctx, r, renderApology(b.failed("remove a reading", err)))
		return
	}
	b.reply(ctx, r, []message{{Content: fmt.Sprintf("Removed **%s** from the reading list.", escapeMarkdown(oneLine(rd.Title, 200)))}}, false)
}

// maxChoices is how many suggestions Discord shows as one types.
const maxChoices = 25

// onAutocomplete suggests this guild's readings for /readings remove.
func (b *Bot) onAutocomplete(ctx context.Context, i *discordgo.Interaction) {
	d := i.ApplicationCommandData()
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if d.Name == cmdReadings && b.opts.Library != nil && i.GuildID != "" && len(d.Options) > 0 {
		typed := ""
		if o := d.Options[0].GetOption("reading"); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
			typed = strings.ToLower(strings.TrimSpace(o.StringValue()))
		}
		all, err := b.opts.Library.Readings(ctx, i.GuildID)
		if err != nil {
			b.failed("list readings to suggest", err)
		}
		for _, rd := range all {
			if len(choices) == maxChoices {
				break
			}
			if typed != "" && !strings.Contains(strings.ToLower(rd.Title), typed) && !strings.Contains(strings.ToLower(rd.FileName), typed) {
				continue
			}
			where := "server"
			if rd.Channel != "" {
				where = "one channel"
			}
			label := oneLine(rd.Title, 80) + " (" + where + ", " + rd.FileName + ")"
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: oneLine(label, 100), Value: rd.ID})
		}
	}
	b.suggest(ctx, i, choices)
}

// suggest answers an autocomplete interaction with choices (none: an empty list).
func (b *Bot) suggest(ctx context.Context, i *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) {
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}}
	if _, err := b.interactionCall(ctx, "POST", interactionCallbackURL(i), resp); err != nil {
		b.failed("suggest readings", err)
	}
}
