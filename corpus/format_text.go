package corpus

import "context"

// parseText reads a plain text file: the text is the file's bytes, the title
// comes from its first lines (see DeriveTitle).
func parseText(_ context.Context, _ string, data []byte) (Document, error) {
	if err := checkText(data); err != nil {
		return Document{}, err
	}
	text := string(data)
	return Document{Text: text, Title: DeriveTitle(text), Format: "txt"}, nil
}
