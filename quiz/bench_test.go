package quiz

import (
	"context"
	"testing"
)

// BenchmarkOffline makes a quiz of 5 questions over the default corpus:
// go test ./quiz -run '^$' -bench Offline -benchtime 10x
func BenchmarkOffline(b *testing.B) {
	eng, _ := defaultEngine(b)
	for _, topic := range []string{"", "Confucius Institutes"} {
		name := "all"
		if topic != "" {
			name = "topic"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Offline(context.Background(), eng, Options{N: 5, Topic: topic}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
