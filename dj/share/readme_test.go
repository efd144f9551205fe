package share_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeMirrorsExample checks that every line of the Go code of the
// README's section "Sharing data" is a line of the Examples of this
// package or of package embedded (which TestServerExamples run), with the
// database names "lab" and "lab_paper" standing for the Examples'
// variables lab and paper.
func TestReadmeMirrorsExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, f := range []string{"example_test.go", "example_release_test.go", "embedded/example_test.go"} {
		example, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(example), "\n") {
			lines[strings.TrimSpace(l)] = true
		}
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
	names := strings.NewReplacer(`"lab_paper"`, "paper", `"lab"`, "lab")
	n, blocks := 0, 0
	for {
		a := strings.Index(text, "```go\n")
		if a < 0 {
			break
		}
		blocks++
		code := text[a+len("```go\n"):]
		code = code[:strings.Index(code, "```")]
		text = text[a+len("```go\n")+len(code):]
		for _, l := range strings.Split(code, "\n") {
			l = strings.TrimSpace(names.Replace(l))
			if l == "" {
				continue
			}
			n++
			if !lines[l] {
				t.Errorf("README line %q is not in an Example", l)
			}
		}
	}
	if blocks == 0 || n < 5 {
		t.Fatalf("%d blocks, %d lines of Go code in the section", blocks, n)
	}
}
