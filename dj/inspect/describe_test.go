package inspect

import (
	"context"
	"strings"
	"testing"
)

// TestDescribePython describes every table DataJoint for Python 0.14.9
// declared (recreated from its SHOW CREATE TABLE) and compares with what
// Python's describe() printed.
func TestDescribePython(t *testing.T) {
	_, s := connect(t)
	ctx := context.Background()
	for _, v := range createPythonSchema(t, s) {
		tb, err := s.Table(ctx, v.TableName)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Describe(ctx, tb)
		if err != nil {
			t.Fatal(err)
		}
		if got != v.Describe {
			t.Errorf("%s: describe differs\n got:\n%s\nwant:\n%s", v.Class, show(got), show(v.Describe))
		}
	}
}

// show makes trailing blanks visible.
func show(s string) string { return strings.ReplaceAll(s, " \n", "·\n") }
