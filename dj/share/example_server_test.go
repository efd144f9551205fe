package share_test

import (
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestServerExamples runs the Examples of this package that need a server
// and checks what they print (see testenv.RunExample).
func TestServerExamples(t *testing.T) {
	t.Run("Example", func(t *testing.T) {
		testenv.RunExample(t, Example, "2 3\nsubject 1\nsession 2")
	})
	t.Run("ExampleExport", func(t *testing.T) {
		testenv.RunExample(t, ExampleExport, "1.0 3\n1.0 3 3\n3\nsubject 1\nsession 2")
	})
}
