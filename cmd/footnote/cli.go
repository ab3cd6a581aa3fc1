package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/footnote-bot/footnote/config"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// Main is the footnote program: its standard streams, its environment, and
// the commands it runs. main fills it from the process; tests fill it with
// buffers and run it in process.
type Main struct {
	Stdin  io.Reader // nil: no input
	Stdout io.Writer
	Stderr io.Writer
	// Environ is the environment as os.Environ gives it.
	Environ env
	// StdinIsTerminal and StdoutIsTerminal say whether the streams are a
	// terminal: ask reads its question from a stdin that is not, and extract
	// prints exact bytes to a stdout that is not.
	StdinIsTerminal, StdoutIsTerminal bool
}

// usageError is a mistake in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is the process environment as os.Environ gives it.
type env []string

func (e env) get(key string) string {
	for i := len(e) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// runFunc runs a command with the arguments left after its flags.
type runFunc func(ctx context.Context, m *Main, args []string) error

// command is one subcommand. Its setup defines its flags on fs, into options
// of its own, and returns the function that runs it with them.
type command struct {
	name    string
	args    string // shown after the name in usage
	summary string
	setup   func(fs *flag.FlagSet) runFunc
}

func commands() []command {
	return []command{
		askCommand(),
		searchCommand(),
		citeCommand(),
		quizCommand(),
		evalCommand(),
		indexCommand(),
		readingsCommand(),
		migrateStoreCommand(),
		benchCommand(),
		extractCommand(),
		botCommand(),
		versionCommand(),
	}
}

const mainUsage = `footnote answers questions over a corpus of documents with verbatim, cited quotes.

Usage:
  footnote COMMAND [flags] [arguments]

Commands:
%s
Run "footnote COMMAND --help" for a command's flags.
With no --corpus, footnote uses its embedded default corpus.
`

// run is Main.Run for tests: footnote with no standard input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	m := &Main{Stdout: stdout, Stderr: stderr, Environ: environ, StdinIsTerminal: true}
	return m.Run(ctx, args)
}

// Run runs the command that args name and returns the exit status. Errors are
// one line on Stderr. ctx ending (SIGINT, SIGTERM) stops the command.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		var b strings.Builder
		width := 0
		for _, c := range commands() {
			width = max(width, len(c.name))
		}
		for _, c := range commands() {
			fmt.Fprintf(&b, "  %-*s %s\n", width, c.name, c.summary)
		}
		w := m.Stdout
		code := exitOK
		if len(args) == 0 {
			w, code = m.Stderr, exitUsage
		}
		fmt.Fprintf(w, mainUsage, b.String())
		return code
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return m.runCommand(ctx, c, args[1:])
		}
	}
	fmt.Fprintf(m.Stderr, "footnote: unknown command %s (run footnote --help for the list)\n", terminalText(strconv.Quote(args[0])))
	return exitUsage
}

func (m *Main) runCommand(ctx context.Context, c command, args []string) int {
	fs := flag.NewFlagSet("footnote "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runIt := c.setup(fs)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(m.Stdout, c, fs)
		return exitOK
	}
	if err == nil {
		err = runIt(ctx, m, pos)
	}
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintf(m.Stderr, "footnote %s: interrupted\n", c.name)
		return exitInterrupted
	}
	fmt.Fprintf(m.Stderr, "footnote %s: %s\n", c.name, terminalText(oneLine(err.Error())))
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

// oneLine joins a multi-line error (errors.Join) into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

func printUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: footnote %s [flags] %s\n\n%s\n\nFlags:\n", c.name, c.args, c.summary)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseInterspersed parses flags anywhere among the arguments (before "--")
// and returns the other arguments in order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			rest = args[i+1:]
			args = args[:i]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s", flagError(err))
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return append(pos, rest...), nil
}

func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return fmt.Sprintf("unknown flag %s (see --help)", name)
	}
	return msg
}

// configFlags is --config, taken by every command that reads the configuration.
type configFlags struct {
	configPath string
}

func (f *configFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.configPath, "config", "", "YAML config `file` (default $FOOTNOTE_CONFIG)")
}

// load reads the config file and the environment; bad configuration is a
// usage error. The caller applies its flags, then validates.
func (f *configFlags) load(environ env) (config.Config, error) {
	path := f.configPath
	if path == "" {
		path = environ.get("FOOTNOTE_CONFIG")
	}
	cfg, err := config.Load(path, environ)
	if err != nil {
		return cfg, usageError{err.Error()}
	}
	return cfg, nil
}

// sourceFlags are the flags of the commands that answer from a corpus (ask,
// search, eval, bot): where the passages come from and how they are ranked.
type sourceFlags struct {
	configFlags
	corpus    string
	index     string
	retrieval string
	mode      string
	k         int
	kSet      bool
}

// define defines the flags; modeUsage, when not "", adds --mode with it.
func (f *sourceFlags) define(fs *flag.FlagSet, modeUsage string) {
	f.configFlags.define(fs)
	fs.StringVar(&f.corpus, "corpus", "", "folder of documents: .txt, .md, .html, .pdf, .docx (default: the embedded corpus)")
	fs.StringVar(&f.index, "index", "", "index `file` made by footnote index, loaded instead of reading a corpus (default $FOOTNOTE_INDEX)")
	fs.Func("k", "retrieve `N` passages, 1 to 50 (default 5)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("-k %q is not a whole number", v)
		}
		f.k, f.kSet = n, true
		return nil
	})
	fs.StringVar(&f.retrieval, "retrieval", "", "ranking: auto, hybrid, dense or lexical (default auto: lexical with the local embedder, hybrid with an embedding model)")
	if modeUsage != "" {
		fs.StringVar(&f.mode, "mode", "", modeUsage)
	}
}

// config reads the config file and the environment, applies the flags over
// them and validates the result (config.Validate is the one check).
func (f *sourceFlags) config(environ env) (config.Config, error) {
	cfg, err := f.load(environ)
	if err != nil {
		return cfg, err
	}
	if f.corpus != "" {
		cfg.Corpus = f.corpus
	}
	if f.index != "" {
		cfg.Index = f.index
	}
	if f.kSet {
		cfg.K = f.k
	}
	if f.mode != "" {
		cfg.Mode = f.mode
	}
	if f.retrieval != "" {
		cfg.Retrieval = f.retrieval
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err.Error()}
	}
	return cfg, nil
}
