package dj_test

import (
	"context"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

func seedComputed(t *testing.T, c *dj.Conn) {
	t.Helper()
	ctx := context.Background()
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		if err := dj.Insert(ctx, tx, []Filtered{{SubjectID: 1, SessionID: 1, Mean: 2}, {SubjectID: 1, SessionID: 2, Mean: 4}, {SubjectID: 2, SessionID: 1}}); err != nil {
			return err
		}
		return dj.Insert(ctx, tx, []FilteredChannel{
			{SubjectID: 1, SessionID: 1, Channel: 0}, {SubjectID: 1, SessionID: 1, Channel: 1},
			{SubjectID: 1, SessionID: 2, Channel: 0}, {SubjectID: 2, SessionID: 1, Channel: 0},
		})
	}, dj.AllowDirectInsert()))
}

func TestDeleteCascades(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	seedComputed(t, c)
	full := func(n string) string { return "`" + s.Name() + "`.`" + n + "`" }

	res, err := dj.Delete(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	must(t, err)
	want := map[string]int64{"subject": 1, "session": 2, "__filtered": 2, "__filtered__channel": 3}
	for tbl, n := range want {
		if got := res.Rows(full(tbl)); got != n {
			t.Errorf("%s: deleted %d, want %d (all: %+v)", tbl, got, n, res.Counts)
		}
	}
	if res.Counts[0].Table != full("__filtered__channel") {
		t.Errorf("leaves are not deleted first: %+v", res.Counts)
	}
	left, err := dj.Count(ctx, c, dj.From[FilteredChannel](c))
	must(t, err)
	if left != 1 {
		t.Fatalf("channels left = %d", left)
	}
}

func TestDeleteRestrictedBySemijoinOnDescendant(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	seedComputed(t, c)
	// Subjects that have a filtered session: 1 and 2 (not 3).
	res, err := dj.Delete(ctx, c, dj.From[Subject](c).Restrict(dj.From[Filtered](c)))
	must(t, err)
	if got := res.Rows("`" + s.Name() + "`.`subject`"); got != 2 {
		t.Fatalf("subjects deleted = %d (%+v)", got, res.Counts)
	}
	n, err := dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 1 {
		t.Fatalf("subjects left = %d", n)
	}
}

func TestDeletePartIntegrity(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	seedComputed(t, c)
	_, err := dj.Delete(ctx, c, dj.From[FilteredChannel](c).Restrict(dj.Match(dj.Key{"channel": 1})))
	wantErr(t, err, dj.ErrPartIntegrity)
	res, err := dj.Delete(ctx, c, dj.From[FilteredChannel](c).Restrict(dj.Match(dj.Key{"channel": 1})), dj.ForceParts())
	must(t, err)
	if res.Total() != 1 {
		t.Fatalf("deleted %d", res.Total())
	}
	// Deleting the master takes its parts along.
	res, err = dj.Delete(ctx, c, dj.From[Filtered](c).Restrict(dj.Match(dj.Key{"subject_id": 2})))
	must(t, err)
	if res.Total() != 2 {
		t.Fatalf("deleted %+v", res.Counts)
	}
}

func TestDeleteConfirmAndTransaction(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	var seen int64
	res, err := dj.Delete(ctx, c, dj.From[Subject](c), dj.Confirm(func(r dj.DeleteResult) bool {
		seen = r.Total()
		return false
	}))
	must(t, err)
	if seen != 7 || res.Total() != 7 {
		t.Fatalf("confirm saw %d, result %d", seen, res.Total())
	}
	n, err := dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	if n != 4 {
		t.Fatalf("declined delete removed rows: %d sessions left", n)
	}
	// Inside a caller's transaction the delete rolls back with it.
	_ = c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		if _, err := dj.Delete(ctx, tx, dj.From[Session](tx)); err != nil {
			return err
		}
		return context.Canceled
	})
	n, err = dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	if n != 4 {
		t.Fatalf("rolled-back delete removed rows: %d", n)
	}
	_, err = dj.Delete(ctx, c, dj.From[Subject](c).Join(dj.From[Session](c)))
	wantErr(t, err, dj.ErrInvalidQuery)
}

func TestDrop(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	part, err := dj.TableOf[FilteredChannel](c)
	must(t, err)
	wantErr(t, part.Drop(ctx), dj.ErrPartIntegrity)
	sess, err := dj.TableOf[Session](c)
	must(t, err)
	must(t, sess.Drop(ctx))
	var n int
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=?", s.Name()).Scan(&n))
	if n != 2 { // #species and subject remain
		t.Fatalf("tables left = %d", n)
	}
	if _, err := dj.TableOf[Filtered](c); err == nil {
		t.Fatal("dropped type is still bound")
	}
	must(t, s.Drop(ctx))
}
