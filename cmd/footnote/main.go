// Command footnote answers questions over a corpus of documents with verbatim,
// cited quotes: from the command line (ask, search, eval) or as a Discord bot.
//
// This package is wiring: Main reads the flags and the configuration, builds
// the parts with the plain values each needs, runs one command and tears the
// parts down. The work itself lives in the other packages.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

// stopWithin is how long a command may take to stop after SIGINT or SIGTERM
// before the process exits anyway (a read or a parse that does not watch its
// context, say).
const stopWithin = 2 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &Main{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ(),
		StdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
	}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, os.Args[1:]) }()
	select {
	case code := <-done:
		stop()
		os.Exit(code)
	case <-ctx.Done():
	}
	stop() // from here a second Ctrl-C kills the process at once
	select {
	case code := <-done:
		os.Exit(code)
	case <-time.After(stopWithin):
		fmt.Fprintln(os.Stderr, "footnote: interrupted")
		os.Exit(exitInterrupted)
	}
}
