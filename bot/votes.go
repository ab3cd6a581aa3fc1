package bot

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/footnote-bot/footnote/store"
)

// Vote is one click on "Helpful" or "Not helpful": the store's form, which
// the votes file (one JSON object a line) shares.
type Vote = store.Vote

// voteStore appends votes to a file that survives restarts. Later votes by the
// same user on the same answer supersede earlier ones when read.
type voteStore struct {
	mu   sync.Mutex
	path string
	key  []byte
}

func openVotes(path string) (*voteStore, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create votes folder: %w", err)
		}
	}
	key, err := loadOrCreateKey(path + ".key")
	if err != nil {
		return nil, err
	}
	return &voteStore{path: path, key: key}, nil
}

func loadOrCreateKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(key) < 16 {
			return nil, fmt.Errorf("votes key %s is damaged; remove it to start a new one", path)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read votes key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make votes key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write votes key: %w", err)
	}
	return key, nil
}

// hashUser is the stored form of a user ID.
func (v *voteStore) hashUser(userID string) string {
	return store.HashUserWith(v.key, userID)
}

// add appends one vote and syncs it to disk.
func (v *voteStore) add(vote Vote) error {
	line, err := json.Marshal(vote)
	if err != nil {
		return fmt.Errorf("encode vote: %w", err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	f, err := os.OpenFile(v.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open votes file: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write vote: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync votes file: %w", err)
	}
	return f.Close()
}

// ReadVotes reads a votes file, keeping only each user's last vote on each
// answer, in the order they were cast.
func ReadVotes(path string) ([]Vote, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open votes file: %w", err)
	}
	defer f.Close()
	var all []Vote
	var superseded []bool
	last := map[[2]string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var v Vote
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("votes file %s line %d: %w", path, n, err)
		}
		key := [2]string{v.AnswerID, v.User}
		if i, ok := last[key]; ok {
			superseded[i] = true
		}
		last[key] = len(all)
		all = append(all, v)
		superseded = append(superseded, false)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read votes file: %w", err)
	}
	var out []Vote
	for i, v := range all {
		if !superseded[i] {
			out = append(out, v)
		}
	}
	return out, nil
}
