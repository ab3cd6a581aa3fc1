package bot

import (
	"slices"

	"github.com/bwmarrin/discordgo"
)

// allowed applies the allow-lists. It returns false and the reason, in words
// for the user, when the bot should not answer.
func (b *Bot) allowed(s *discordgo.Session, guildID, channelID, user string, roles []string) (bool, string) {
	o := b.opts
	if guildID == "" {
		if !o.DMs {
			return false, "I don't answer in direct messages: ask me in a server."
		}
	} else if len(o.Channels) > 0 && !slices.Contains(o.Channels, channelID) &&
		!slices.Contains(o.Channels, b.parentChannel(s, channelID)) {
		return false, "I'm not enabled in this channel."
	}
	if len(o.Users) > 0 || len(o.Roles) > 0 {
		if slices.Contains(o.Users, user) {
			return true, ""
		}
		for _, r := range roles {
			if slices.Contains(o.Roles, r) {
				return true, ""
			}
		}
		return false, "You're not on the list of people who can use me here."
	}
	return true, ""
}

// parentChannel is the channel a thread was started in; for other channels,
// the channel itself.
func (b *Bot) parentChannel(s *discordgo.Session, channelID string) string {
	if c, ok := b.convs.get(channelID); ok && c.Parent != "" {
		return c.Parent
	}
	if ch, err := s.State.Channel(channelID); err == nil && ch.IsThread() {
		return ch.ParentID
	}
	return channelID
}
