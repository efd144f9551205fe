package dj

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func logTestConn(t *testing.T) (*Conn, *Schema) {
	t.Helper()
	srv := testenv.MySQL(t)
	ctx := context.Background()
	c, err := Connect(ctx, Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func logEvents(t *testing.T, c *Conn, db string) []string {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), "SELECT event FROM `"+db+"`.`~log` ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// Through a *Tx the entry belongs to the transaction: it is committed or
// rolled back with the change it records, as DataJoint's are.
func TestLogEventFollowsTransaction(t *testing.T) {
	c, s := logTestConn(t)
	ctx := context.Background()
	db := s.Name()
	if err := c.Tx(ctx, func(ctx context.Context, tx *Tx) error {
		c.logEvent(ctx, tx, db, "DELETE FROM kept")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("caller's failure")
	if err := c.Tx(ctx, func(ctx context.Context, tx *Tx) error {
		c.logEvent(ctx, tx, db, "DELETE FROM rolled_back")
		return fail
	}); !errors.Is(err, fail) {
		t.Fatalf("Tx = %v", err)
	}
	long := strings.Repeat("é", 300)
	c.logEvent(ctx, c, db, long)
	got := logEvents(t, c, db)
	if len(got) != 2 || got[0] != "DELETE FROM kept" || got[1] != long[:2*255] {
		t.Fatalf("~log events %q", got)
	}
}

// A log entry that cannot be written does not fail the caller's
// transaction.
func TestLogEventSwallowsWriteErrors(t *testing.T) {
	c, s := logTestConn(t)
	ctx := context.Background()
	db := s.Name()
	if _, err := c.ExecContext(ctx, "CREATE TABLE `"+db+"`.t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "DROP TABLE `"+db+"`.`~log`"); err != nil {
		t.Fatal(err)
	}
	if err := c.Tx(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO `"+db+"`.t VALUES (1)"); err != nil {
			return err
		}
		c.logEvent(ctx, tx, db, "INSERT")
		_, err := tx.ExecContext(ctx, "INSERT INTO `"+db+"`.t VALUES (2)")
		return err
	}); err != nil {
		t.Fatalf("Tx with a failing log entry: %v", err)
	}
	c.logEvent(ctx, c, db, "outside a transaction")
	var n int
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+db+"`.t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows %d, %v; want 2", n, err)
	}
}
