package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Button custom IDs carry what a click needs, so buttons keep working after a
// restart: "p:<start>:<doc>" shows a passage, "c:<start>:<doc>" shows it with
// the paragraphs around it, "v:up:<answer>" and "v:down:<answer>" are votes.
// A document path too long for Discord's 100 bytes is replaced by "#" and a
// hash of it, resolved against the corpus's documents.
const (
	kindPassage = "p"
	kindContext = "c"
	kindVote    = "v"
)

func passageID(kind, doc string, start int) string {
	id := kind + ":" + strconv.Itoa(start) + ":" + doc
	if len(id) <= maxCustomID && !strings.HasPrefix(doc, "#") {
		return id
	}
	return kind + ":" + strconv.Itoa(start) + ":#" + docHash(doc)
}

func docHash(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:10])
}

func voteID(helpful bool, answerID string) string {
	if helpful {
		return kindVote + ":up:" + answerID
	}
	return kindVote + ":down:" + answerID
}

// customID is a parsed button ID.
type customID struct {
	Kind string
	// Doc is a document path, or "#" and its hash.
	Doc     string
	Start   int
	Helpful bool
	Answer  string
}

func parseCustomID(id string) (customID, error) {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) != 3 {
		return customID{}, fmt.Errorf("malformed button id %q", id)
	}
	switch parts[0] {
	case kindPassage, kindContext:
		start, err := strconv.Atoi(parts[1])
		if err != nil || start < 0 {
			return customID{}, fmt.Errorf("malformed passage button id %q", id)
		}
		return customID{Kind: parts[0], Start: start, Doc: parts[2]}, nil
	case kindVote:
		if parts[1] != "up" && parts[1] != "down" {
			return customID{}, fmt.Errorf("malformed vote button id %q", id)
		}
		return customID{Kind: kindVote, Helpful: parts[1] == "up", Answer: parts[2]}, nil
	}
	return customID{}, fmt.Errorf("unknown button id %q", id)
}
