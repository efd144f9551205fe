package dj

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/datajoint-go/datajoint/dj/blob"
)

func TestJobsTruncateMessage(t *testing.T) {
	short := strings.Repeat("x", errorMessageLength)
	if got := truncateMessage(short, errorMessageLength); got != short {
		t.Errorf("a message of exactly %d characters was changed", errorMessageLength)
	}
	long := strings.Repeat("é", 3000)
	got := truncateMessage(long, errorMessageLength)
	if n := utf8.RuneCountInString(got); n != errorMessageLength {
		t.Errorf("truncated to %d characters, want %d", n, errorMessageLength)
	}
	if !strings.HasSuffix(got, "...truncated") || !strings.HasPrefix(got, strings.Repeat("é", 2035)) {
		t.Errorf("truncated message %q…", got[:20])
	}
}

func TestJobsErrorStack(t *testing.T) {
	b := errorStack(&PanicError{Value: "boom", Stack: []byte("goroutine 1 [running]:\nmain.f()")})
	v, err := blob.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(string)
	if !ok || !strings.Contains(s, "panic: boom") || !strings.Contains(s, "goroutine 1") {
		t.Errorf("error stack %q", v)
	}
	long := errors.New(strings.Repeat("line\n", 1000))
	v, err = blob.Decode(errorStack(long))
	if err != nil || v.(string) != long.Error() {
		t.Errorf("long error stack did not round-trip: %v", err)
	}
}
