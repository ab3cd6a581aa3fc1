//go:build race

package corpus

// raceDetector is set when the tests run with -race.
const raceDetector = true
