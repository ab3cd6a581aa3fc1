package store

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// ReadVotesFile reads a votes file of the bot's former format (JSON lines)
// and its key (path+".key", nil when there is none), for ImportVotes. A
// missing votes file is an error that errors.Is fs.ErrNotExist.
func ReadVotesFile(path string) ([]Vote, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var out []Vote
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v Vote
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, nil, fmt.Errorf("votes file %s line %d: %w", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read votes file %s: %w", path, err)
	}
	data, err := os.ReadFile(path + ".key")
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read votes key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) < 16 {
		return nil, nil, fmt.Errorf("votes key %s.key is damaged", path)
	}
	return out, key, nil
}

// HashUserWith is the stored form of a Discord user id under key: the hex
// HMAC-SHA256 that Store.HashUser returns, and the votes file holds.
func HashUserWith(key []byte, userID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}
