package embedded

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/store"
	"github.com/footnote-bot/footnote/store/storetest"
)

const crashDirEnv = "FOOTNOTE_STORE_CRASH_DIR"

// TestCrashChild is the process TestKillDuringAddition kills: it adds
// readings to one guild, saying "added ID" after each, until killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestKillDuringAddition")
	}
	ctx := context.Background()
	s, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	g := store.List{Guild: "g1"}
	seed := rand.IntN(1 << 30)
	deadline := time.Now().Add(time.Minute) // should the parent not kill it
	for i := 0; time.Now().Before(deadline); i++ {
		a := storetest.Addition(t, g, fmt.Sprintf("r%d-%d.md", seed, i), storetest.Text("justice", seed+i, 300))
		a.Limits = store.Limits{MaxReadings: -1, MaxPassages: -1}
		r, err := s.AddReading(ctx, a)
		if err != nil {
			fmt.Println("add:", err)
			os.Exit(2)
		}
		fmt.Println("added", r.ID)
	}
	os.Exit(0)
}

// TestKillDuringAddition kills (SIGKILL) a process adding readings at
// random moments: the store opens every time, holds every reading the
// process said it added (and at most the one in flight besides), loads
// whole, and keeps no file of an addition that did not land.
func TestKillDuringAddition(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	ctx := context.Background()
	said := map[string]bool{}
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		wantAdded := 1 + rand.IntN(3)
		for n := 0; n < wantAdded && lines.Scan(); {
			id, ok := strings.CutPrefix(lines.Text(), "added ")
			if !ok {
				cmd.Process.Kill()
				t.Fatalf("child: %s", lines.Text())
			}
			said[id] = true
			n++
		}
		time.Sleep(time.Duration(rand.IntN(30_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		// Lines written before the kill still count.
		for lines.Scan() {
			if id, ok := strings.CutPrefix(lines.Text(), "added "); ok {
				said[id] = true
			}
		}
		cmd.Wait()

		before, _ := os.ReadDir(filepath.Join(dir, ReadingsDir))
		t.Logf("round %d: %d files before opening, %d readings said added", round, len(before), len(said))
		s, err := Open(ctx, Options{Dir: dir, OrphanAge: -1})
		if err != nil {
			t.Fatalf("round %d: open after kill -9: %v", round, err)
		}
		rs, err := s.Readings(ctx, "g1")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		held := map[string]bool{}
		for _, r := range rs {
			held[r.ID] = true
		}
		for id := range said {
			if !held[id] {
				t.Errorf("round %d: reading %s was added but is gone", round, id)
			}
		}
		if extra := len(held) - len(said); extra < 0 || extra > 1 {
			t.Errorf("round %d: %d readings held, %d said added", round, len(held), len(said))
		}
		for id := range held {
			said[id] = true // the one in flight that landed
		}
		l, err := s.LoadList(ctx, store.List{Guild: "g1"}, storetest.EmbedderName)
		if err != nil || len(l.Damaged) != 0 || len(l.Readings) != len(held) {
			t.Fatalf("round %d: load: %d readings, damaged %v, %v", round, len(l.Readings), l.Damaged, err)
		}
		entries, _ := os.ReadDir(filepath.Join(dir, ReadingsDir))
		if len(entries) != 2*len(held) {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("round %d: %d readings but files %v", round, len(held), names)
		}
		s.Close()
	}
	t.Logf("%d readings after 8 kills", len(said))
}
