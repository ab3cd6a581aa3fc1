// Package storetest is the conformance suite every implementation of
// store.Store passes: Run it from the implementation's tests.
package storetest

import (
	"testing"

	"github.com/footnote-bot/footnote/store"
)

// Run runs the suite; open returns a new, empty store (closed by the suite).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	_ = open
}
