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
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

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

// command is one subcommand.
type command struct {
	name    string
	args    string // shown after the name in usage
	summary string
	flags   func(fs *flag.FlagSet, o *options)
	run     func(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error
}

// options are the flags every command may take, and what each command adds.
type options struct {
	configPath string
	corpus     string
	index      string
	k          int
	kSet       bool
	json       bool
	mode       string
	retrieval  string
	verbose    bool
	output     string
	benchMax   int
	benchN     int

	environ env
	cfg     config.Config
}

func commands() []command {
	return []command{
		askCommand(),
		searchCommand(),
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		var b strings.Builder
		for _, c := range commands() {
			fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
		}
		w := stdout
		code := exitOK
		if len(args) == 0 {
			w, code = stderr, exitUsage
		}
		fmt.Fprintf(w, mainUsage, b.String())
		return code
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return runCommand(ctx, c, args[1:], stdout, stderr, env(environ))
		}
	}
	fmt.Fprintf(stderr, "footnote: unknown command %q (run footnote --help for the list)\n", args[0])
	return exitUsage
}

func runCommand(ctx context.Context, c command, args []string, stdout, stderr io.Writer, environ env) int {
	o := &options{environ: environ}
	fs := flag.NewFlagSet("footnote "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs, o)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout, c, fs)
		return exitOK
	}
	if err == nil {
		err = c.run(ctx, o, pos, stdout, stderr)
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "footnote %s: %s\n", c.name, oneLine(err.Error()))
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

// commonFlags are taken by every command that reads the corpus.
func commonFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.configPath, "config", "", "YAML config `file` (default $FOOTNOTE_CONFIG)")
	fs.StringVar(&o.corpus, "corpus", "", "folder of documents: .txt, .md, .html, .pdf, .docx (default: the embedded corpus)")
	fs.StringVar(&o.index, "index", "", "index `file` made by footnote index, loaded instead of reading a corpus (default $FOOTNOTE_INDEX)")
	fs.Func("k", "retrieve `N` passages, 1 to 50 (default 5)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("-k %q is not a whole number", v)
		}
		o.k, o.kSet = n, true
		return nil
	})
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.StringVar(&o.retrieval, "retrieval", "", "ranking: hybrid, dense or lexical (default hybrid)")
}

// loadConfig reads the config file and environment, then applies the flags.
func (o *options) loadConfig() error {
	path := o.configPath
	if path == "" {
		path = o.environ.get("FOOTNOTE_CONFIG")
	}
	cfg, err := config.Load(path, o.environ)
	if err != nil {
		return usageError{err.Error()}
	}
	if o.corpus != "" {
		cfg.Corpus = o.corpus
	}
	if o.index != "" {
		cfg.Index = o.index
	}
	if o.kSet {
		if o.k < 1 || o.k > 50 {
			return usagef("-k %d is out of range: use 1 to 50", o.k)
		}
		cfg.K = o.k
	}
	if o.mode != "" {
		cfg.Mode = o.mode
	}
	if o.retrieval != "" {
		cfg.Retrieval = o.retrieval
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	o.cfg = cfg
	return nil
}
