package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/answer"
)

func TestVotesSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "votes.jsonl")
	cite := []answer.Citation{{N: 1, Doc: "a.md", Quote: "q"}}
	v1, err := openVotes(path)
	if err != nil {
		t.Fatal(err)
	}
	ann := v1.hashUser("111")
	if ann == "111" || len(ann) != 64 {
		t.Fatalf("user hash %q", ann)
	}
	for _, v := range []Vote{
		{Time: time.Unix(1, 0), Helpful: true, AnswerID: "a1", Question: "Q1", Answer: "A1", Citations: cite, User: ann},
		{Time: time.Unix(2, 0), Helpful: false, AnswerID: "a1", Question: "Q1", Answer: "A1", Citations: cite, User: v1.hashUser("222")},
	} {
		if err := v1.add(v); err != nil {
			t.Fatal(err)
		}
	}
	// A restart: the same file and key, so the same user hashes the same.
	v2, err := openVotes(path)
	if err != nil {
		t.Fatal(err)
	}
	if v2.hashUser("111") != ann {
		t.Fatal("the user hash changed across a restart")
	}
	if err := v2.add(Vote{Time: time.Unix(3, 0), Helpful: false, AnswerID: "a1", Question: "Q1", User: ann}); err != nil {
		t.Fatal(err)
	}
	votes, err := ReadVotes(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 2 {
		t.Fatalf("%d votes, want 2 (ann changed her mind): %+v", len(votes), votes)
	}
	if votes[0].User == ann || votes[1].User != ann || votes[1].Helpful {
		t.Errorf("ann's last vote should supersede her first: %+v", votes)
	}
	if votes[0].Question != "Q1" || votes[0].Answer != "A1" || len(votes[0].Citations) != 1 {
		t.Errorf("vote lost its answer: %+v", votes[0])
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), `"111"`) || strings.Contains(string(raw), `"222"`) {
		t.Error("the votes file holds raw user IDs")
	}
	if info, err := os.Stat(path + ".key"); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v", info, err)
	}
}
