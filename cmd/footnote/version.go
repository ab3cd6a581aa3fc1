package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "v0.1.0-dev"

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version",
		setup: func(fs *flag.FlagSet) runFunc {
			return func(ctx context.Context, m *Main, args []string) error {
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
				fmt.Fprintf(m.Stdout, "footnote %s%s (%s)\n", version, rev, runtime.Version())
				return nil
			}
		},
	}
}
