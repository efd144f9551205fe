package migrate_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

// TestRunCommandLine checks the exit codes of a migration program: usage
// errors, a plan with a refusal, status on a missing schema, and a data
// loss that needs -allow-data-loss.
func TestRunCommandLine(t *testing.T) {
	ctx := context.Background()
	srv := testenv.MySQL(t)
	t.Setenv("DJ_HOST", srv.Host)
	t.Setenv("DJ_USER", srv.User)
	t.Setenv("DJ_PASS", srv.Pass)
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := migrate.Run(ctx, args, &out, &out, Item{})
		return code, out.String()
	}
	for _, args := range [][]string{nil, {"drop", "x"}, {"plan"}, {"plan", "a", "b"}, {"apply", "-no-such-flag", "x"}} {
		if code, out := run(args...); code != migrate.ExitUsage {
			t.Errorf("%q: exit %d\n%s", args, code, out)
		}
	}
	if code, out := run("status", "djtest_no_such_schema_14"); code != migrate.ExitMismatch || !strings.Contains(out, "does not exist") {
		t.Errorf("status of a missing schema: exit %d\n%s", code, out)
	}

	c, s := connect(t)
	must(t, s.Declare(ctx, Owner{}, Item{}))
	_, err := c.DB().ExecContext(ctx, "ALTER TABLE `"+s.Name()+"`.`item` ADD `legacy` int DEFAULT 1")
	must(t, err)
	code, out := run("apply", s.Name())
	if code != migrate.ExitError || !strings.Contains(out, "would lose data") || !strings.Contains(out, "drop legacy") {
		t.Errorf("apply with data loss: exit %d\n%s", code, out)
	}
	if code, out := run("status", s.Name()); code != migrate.ExitMismatch {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	code, out = run("apply", "-allow-data-loss", "-revision", "r2", s.Name())
	if code != migrate.ExitOK || !strings.Contains(out, "migration #1") || !strings.Contains(out, `revision "r2"`) {
		t.Errorf("apply -allow-data-loss: exit %d\n%s", code, out)
	}
	if code, out := run("status", s.Name()); code != migrate.ExitOK || !strings.Contains(out, "revision r2") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	// A refusal makes plan fail.
	_, err = c.DB().ExecContext(ctx, "ALTER TABLE `"+s.Name()+"`.`item` MODIFY `item_id` bigint NOT NULL")
	must(t, err)
	if code, out := run("plan", s.Name()); code != migrate.ExitError || !strings.Contains(out, "cannot be altered in place") {
		t.Errorf("plan with a refusal: exit %d\n%s", code, out)
	}
}
