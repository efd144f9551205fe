package share_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeMirrorsExample checks that every line of the Go code of the
// README's section "Sharing data" is a line of Example (which
// TestServerExamples runs), with the database names "lab" and "lab_paper"
// standing for the Example's variables lab and paper.
func TestReadmeMirrorsExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, "\n## Sharing data\n")
	if i < 0 {
		t.Fatal("README has no section Sharing data")
	}
	text = text[i+1:]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	a := strings.Index(text, "```go\n")
	if a < 0 {
		t.Fatal("the section has no Go code")
	}
	code := text[a+len("```go\n"):]
	code = code[:strings.Index(code, "```")]
	lines := map[string]bool{}
	for _, l := range strings.Split(string(example), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	names := strings.NewReplacer(`"lab_paper"`, "paper", `"lab"`, "lab")
	n := 0
	for _, l := range strings.Split(code, "\n") {
		l = strings.TrimSpace(names.Replace(l))
		if l == "" {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("README line %q is not in Example", l)
		}
	}
	if n < 5 {
		t.Fatalf("only %d lines of Go code in the section", n)
	}
}
