// Command prose writes a folder of synthetic prose for measuring `footnote
// index` and `footnote search --index` at sizes no real corpus here has:
//
//	go run ./internal/synthetic/cmd/prose -n 100000 DIR
//
// Each file holds 100 of synthetic.Passages's passages as paragraphs.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/footnote-bot/footnote/internal/synthetic"
)

func main() {
	n := flag.Int("n", 100000, "number of paragraphs")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: prose [-n N] DIR")
		os.Exit(2)
	}
	if err := synthetic.WriteFolder(flag.Arg(0), *n); err != nil {
		fmt.Fprintln(os.Stderr, "prose:", err)
		os.Exit(1)
	}
}
