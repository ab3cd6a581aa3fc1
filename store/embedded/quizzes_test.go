package embedded

import (
	"context"
	"testing"
)

func TestQuizzesSurviveReopening(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	if rec, err := s.LoadQuiz(ctx, "thread-1"); err != nil || rec != nil {
		t.Fatalf("no quiz yet: %q, %v", rec, err)
	}
	if err := s.SaveQuiz(ctx, "thread-1", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveQuiz(ctx, "thread-1", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveQuiz(ctx, "thread-2", []byte(`{"other":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveQuiz(ctx, "", []byte(`{}`)); err == nil {
		t.Error("a quiz without a thread was saved")
	}
	s.Close()
	if _, err := s.LoadQuiz(ctx, "thread-1"); err == nil {
		t.Error("a closed store loaded a quiz")
	}
	again := openTest(t, dir)
	for thread, want := range map[string]string{"thread-1": `{"v":2}`, "thread-2": `{"other":true}`} {
		rec, err := again.LoadQuiz(ctx, thread)
		if err != nil || string(rec) != want {
			t.Errorf("after reopening, %s: %q, %v; want %s", thread, rec, err, want)
		}
	}
}
