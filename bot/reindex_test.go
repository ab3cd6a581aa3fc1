package bot

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/bot/discordtest"
)

// TestReindex: /reindex is registered for administrators only, reloads for an
// administrator, refuses anyone else, and reports a failed reload without
// dropping the old index.
func TestReindex(t *testing.T) {
	var calls atomic.Int32
	fail := atomic.Bool{}
	reload := func(ctx context.Context) (string, error) {
		calls.Add(1)
		if fail.Load() {
			return "", errors.New("index file is damaged")
		}
		return "2 documents, 116 passages", nil
	}
	e := startBot(t, Options{Guild: discordtest.GuildID, Reload: reload}, newFakeAnswerer())
	t.Cleanup(func() { e.stop() })
	e.fake.WaitReady(t, 1, wait)

	cmds := string(e.fake.Commands(discordtest.GuildID))
	if !strings.Contains(cmds, `"name":"reindex"`) || !strings.Contains(cmds, `"default_member_permissions":"8"`) {
		t.Errorf("reindex not registered for administrators: %s", cmds)
	}
	ch := discordtest.Channel{ID: "700000000000000001"}
	student := discordtest.User{ID: e.fake.NewID(), Name: "student"}
	r := e.fake.Slash(student, ch, "reindex").WaitAcked(t, wait)
	if !strings.Contains(r.Original.Content, "Only server administrators") || calls.Load() != 0 {
		t.Errorf("non-admin: %q, %d reloads", r.Original.Content, calls.Load())
	}
	admin := discordtest.User{ID: e.fake.NewID(), Name: "teacher", Admin: true}
	r = e.fake.Slash(admin, ch, "reindex").WaitDone(t, wait, func(r discordtest.Response) bool {
		return strings.Contains(r.Original.Content, "Reloaded")
	})
	if !r.Original.Ephemeral || !strings.Contains(r.Original.Content, "116 passages") || calls.Load() != 1 {
		t.Errorf("admin reload: %+v, %d reloads", r.Original, calls.Load())
	}
	fail.Store(true)
	r = e.fake.Slash(admin, ch, "reindex").WaitDone(t, wait, func(r discordtest.Response) bool {
		return strings.Contains(r.Original.Content, "could not be reloaded")
	})
	if !strings.Contains(r.Original.Content, "damaged") {
		t.Errorf("failed reload: %q", r.Original.Content)
	}
	checkEveryPayload(t, e.fake)
}
