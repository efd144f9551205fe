package migrate_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// connect opens a dj connection to the test server and a fresh schema.
func connect(t testing.TB) (*dj.Conn, *dj.Schema) {
	t.Helper()
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return c, s
}

// otherSchema opens a second fresh schema on c.
func otherSchema(t testing.TB, c *dj.Conn) *dj.Schema {
	t.Helper()
	s, err := c.Schema(context.Background(), testenv.Database(t))
	must(t, err)
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error wrapping %v, got nil", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("want an error wrapping %v, got %v", sentinel, err)
	}
}

var autoIncRE = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// showCreate is SHOW CREATE TABLE without the AUTO_INCREMENT counter.
func showCreate(t testing.TB, db *sql.DB, schemaName, table string) string {
	t.Helper()
	var name, ddl string
	must(t, db.QueryRowContext(context.Background(), "SHOW CREATE TABLE `"+schemaName+"`.`"+table+"`").Scan(&name, &ddl))
	return autoIncRE.ReplaceAllString(ddl, "")
}

// alterVector is one line of testdata/alter-vectors.jsonl, written by
// DataJoint for Python 0.14's Table.alter().
type alterVector struct {
	Case             string  `json:"case"`
	DefinitionBefore string  `json:"definition_before"`
	DefinitionAfter  string  `json:"definition_after"`
	ShowCreateBefore string  `json:"show_create_before"`
	ShowCreateAfter  *string `json:"show_create_after"`
	Error            *string `json:"error"`
	Note             *string `json:"note"`
}

func alterVectors(t testing.TB) map[string]alterVector {
	t.Helper()
	f, err := os.Open("testdata/alter-vectors.jsonl")
	must(t, err)
	defer f.Close()
	out := map[string]alterVector{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v alterVector
		must(t, json.Unmarshal(sc.Bytes(), &v))
		out[v.Case] = v
	}
	must(t, sc.Err())
	return out
}
