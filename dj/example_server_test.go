package dj_test

import (
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestServerExamples runs the Examples of this package that need a server
// and checks what they print (see testenv.RunExample).
func TestServerExamples(t *testing.T) {
	t.Run("ExampleSchema_LogEvent", func(t *testing.T) {
		testenv.RunExample(t, ExampleSchema_LogEvent, "Altered `dj_example_log_event`.`subject`")
	})
	t.Run("ExampleSchema_Bind", func(t *testing.T) {
		testenv.RunExample(t, ExampleSchema_Bind, `Prob: true
made 2`)
	})
	t.Run("ExampleSlowQueryLog", func(t *testing.T) {
		testenv.RunExample(t, ExampleSlowQueryLog, `level=WARN msg="dj: slow statement" sql="DO SLEEP(?)" args=1 rows=0`)
	})
}
