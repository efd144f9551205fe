package inspect_test

import (
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestServerExamples runs the Examples of this package that need a server
// and checks what they print (see testenv.RunExample).
func TestServerExamples(t *testing.T) {
	t.Run("ExampleDescribe", func(t *testing.T) {
		testenv.RunExample(t, ExampleDescribe, "-> Mouse\nscan_idx             : smallint\n---\nframes               : longblob\n// ScanKey is the primary key of Scan.\ntype ScanKey struct {\n\tMouseKey\n\tScanIdx int16 `dj:\"pk\"`\n}\n\n// Scan is the Imported table _scan.\n//\n// DataJoint definition:\n//\n//\t-> Mouse\n//\tscan_idx             : smallint\n//\t---\n//\tframes               : longblob\ntype Scan struct {\n\tdj.Imported\n\tMouse dj.Ref[Mouse] `dj:\"pk\"`\n\tScanKey\n\tFrames any\n}")
	})
	t.Run("ExampleTables", func(t *testing.T) {
		testenv.RunExample(t, ExampleTables, `Mouse  Manual    mouse  2 "laboratory mice"
Scan   Imported  _scan  0 ""`)
	})
}
