package main

import (
	"context"
	"errors"
	"io"
)

func botCommand() command {
	return command{
		name:    "bot",
		summary: "run the Discord bot (needs DISCORD_TOKEN)",
		flags:   commonFlags,
		run: func(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error {
			return errors.New("the Discord bot is not wired in yet")
		},
	}
}
