package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "v0.1.0-dev"

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version",
		flags:   func(fs *flag.FlagSet, o *options) {},
		run: func(ctx context.Context, o *options, args []string, stdout, stderr io.Writer) error {
			if len(args) > 0 {
				return usagef("version takes no arguments")
			}
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" && len(s.Value) >= 12 {
						rev = " " + s.Value[:12]
					}
				}
			}
			fmt.Fprintf(stdout, "footnote %s%s (%s)\n", version, rev, runtime.Version())
			return nil
		},
	}
}
