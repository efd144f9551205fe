package inspect

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// connect opens a connection and a fresh schema on the test server.
func connect(t testing.TB) (*dj.Conn, *dj.Schema) {
	t.Helper()
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// vector is one table of testdata/describe-vectors.jsonl, written by
// DataJoint for Python 0.14.9.
type vector struct {
	Class      string `json:"class"`
	TableName  string `json:"table_name"`
	Tier       string `json:"tier"`
	Definition string `json:"definition"`
	ShowCreate string `json:"show_create"`
	Describe   string `json:"describe"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/describe-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// createPythonSchema creates the tables of the golden vectors in s, with
// the statements DataJoint for Python's server reported (SHOW CREATE
// TABLE), so that the schema is exactly what Python declared.
func createPythonSchema(t testing.TB, s *dj.Schema) []vector {
	t.Helper()
	ctx := context.Background()
	vs := loadVectors(t)
	conn, err := s.Conn().DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmts := []string{"USE " + schema.QuoteIdent(s.Name()), schema.ExternalTableSQL(s.Name(), "extstore")}
	for _, v := range vs {
		stmts = append(stmts, v.ShowCreate)
	}
	for _, st := range stmts {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return vs
}
