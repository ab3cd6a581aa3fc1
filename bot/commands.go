package bot

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Command names.
const (
	cmdAsk         = "ask"
	cmdQuote       = "quote"
	cmdCheck       = "check"
	cmdSources     = "sources"
	cmdHelp        = "help"
	cmdFindSources = "Find sources" // message context menu
	cmdReindex     = "reindex"      // administrators only, when Options.Reload is set
	cmdCite        = "cite"
	cmdQuiz        = "quiz"
)

// commandList is what the bot registers: slash commands need no privileged
// intent, and the context-menu command receives the message it is run on.
func commandList(dms, reindex bool) []*discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	if dms {
		contexts = append(contexts, discordgo.InteractionContextBotDM)
	}
	installs := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	text := func(name, desc string, maxLen int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name,
			Description: desc, Required: true, MaxLength: maxLen}
	}
	private := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private",
		Description: "Show the reply to you alone"}
	cmds := []*discordgo.ApplicationCommand{
		{Name: cmdAsk, Type: discordgo.ChatApplicationCommand, Description: "Ask a question: the answer quotes the passages it rests on",
			Options: []*discordgo.ApplicationCommandOption{text("question", "What you want to know", 1000), private}},
		{Name: cmdQuote, Type: discordgo.ChatApplicationCommand, Description: "The best passages on a topic, word for word",
			Options: []*discordgo.ApplicationCommandOption{text("topic", "What the passages should be about", 1000), private}},
		{Name: cmdCheck, Type: discordgo.ChatApplicationCommand, Description: "The passages that bear on a claim, to check your notes against",
			Options: []*discordgo.ApplicationCommandOption{text("claim", "The statement to check", 1000), private}},
		{Name: cmdSources, Type: discordgo.ChatApplicationCommand, Description: "The documents Footnote can quote"},
		{Name: cmdHelp, Type: discordgo.ChatApplicationCommand, Description: "What Footnote can do"},
		{Name: cmdFindSources, Type: discordgo.MessageApplicationCommand},
		citeCommandSpec(), quizCommandSpec(),
	}
	if reindex {
		// Discord shows it to administrators only; the handler checks again.
		admin := int64(discordgo.PermissionAdministrator)
		cmds = append(cmds, &discordgo.ApplicationCommand{Name: cmdReindex, Type: discordgo.ChatApplicationCommand,
			Description: "Reload the index of the documents (administrators)", DefaultMemberPermissions: &admin})
	}
	for _, c := range cmds {
		if c.Name == cmdReindex {
			guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
			no := false
			c.Contexts, c.IntegrationTypes, c.DMPermission = &guildOnly, &installs, &no
			continue
		}
		c.Contexts = &contexts
		c.IntegrationTypes = &installs
		c.DMPermission = &dms
	}
	return cmds
}

// registerCommands replaces the application's commands with Footnote's, in
// one guild when Options.Guild is set, else globally.
func (b *Bot) registerCommands(ctx context.Context, appID string) error {
	if appID == "" {
		return fmt.Errorf("register commands: the gateway did not say which application this bot is")
	}
	cmds := commandList(b.opts.DMs, b.opts.Reload != nil)
	if b.opts.Library != nil {
		cmds = append(cmds, readingsCommands()...)
	}
	err := b.putCommands(ctx, appID, cmds)
	if err != nil {
		return fmt.Errorf("register commands: %s", b.redact(err.Error()))
	}
	return nil
}

func optionString(d discordgo.ApplicationCommandInteractionData, name string) string {
	if o := d.GetOption(name); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
		return o.StringValue()
	}
	return ""
}

func optionBool(d discordgo.ApplicationCommandInteractionData, name string) bool {
	if o := d.GetOption(name); o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
		return o.BoolValue()
	}
	return false
}

// citeCommandSpec is /cite text [style].
func citeCommandSpec() *discordgo.ApplicationCommand {
	var styles []*discordgo.ApplicationCommandOptionChoice
	for _, s := range []struct{ name, value string }{{"APA 7th", "apa"}, {"MLA 9th", "mla"}, {"Chicago author-date", "chicago"}} {
		styles = append(styles, &discordgo.ApplicationCommandOptionChoice{Name: s.name, Value: s.value})
	}
	return &discordgo.ApplicationCommand{Name: cmdCite, Type: discordgo.ChatApplicationCommand,
		Description: "Check a quote against the readings and get its citation",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "The quote, as in your essay", Required: true, MaxLength: 1000},
			{Type: discordgo.ApplicationCommandOptionString, Name: "style", Description: "Citation style (default: the server's)", Choices: styles},
		}}
}

// quizCommandSpec is /quiz [topic] [count] [stop].
func quizCommandSpec() *discordgo.ApplicationCommand {
	one, most := 1.0, 10.0
	return &discordgo.ApplicationCommand{Name: cmdQuiz, Type: discordgo.ChatApplicationCommand,
		Description: "A multiple-choice quiz from the readings, in a new thread",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "What the questions should be about", MaxLength: 200},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many questions (1-10, default 5)", MinValue: &one, MaxValue: most},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "stop", Description: "End this thread's quiz and show the answers and scores"},
		}}
}
