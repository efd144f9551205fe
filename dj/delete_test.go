package dj_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
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
	full := func(n string) schema.TableID { return schema.TableID{Database: s.Name(), Table: n} }

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
	if got := res.Rows(schema.TableID{Database: s.Name(), Table: "subject"}); got != 2 {
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
	if seen != 7 {
		t.Fatalf("confirm saw %d rows, want 7", seen)
	}
	if res.Total() != 0 || len(res.Counts) != 0 {
		t.Fatalf("a declined delete reports %+v", res.Counts)
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

// TestDeleteConfirmSeesRowsBeforeDeleting checks, inside the delete's
// transaction, that Confirm runs before any row is deleted, and that the
// counts it sees are what an accepted delete then removes.
func TestDeleteConfirmSeesRowsBeforeDeleting(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	seedComputed(t, c)
	full := func(n string) schema.TableID { return schema.TableID{Database: s.Name(), Table: n} }
	var planned dj.DeleteResult
	var res dj.DeleteResult
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		var inside [2]int64
		var err error
		res, err = dj.Delete(ctx, tx, dj.From[Subject](tx).Restrict(dj.Match(dj.Key{"subject_id": 1})), dj.Confirm(func(r dj.DeleteResult) bool {
			planned = r
			var cerr error
			inside[0], cerr = dj.Count(ctx, tx, dj.From[Session](tx))
			must(t, cerr)
			inside[1], cerr = dj.Count(ctx, tx, dj.From[FilteredChannel](tx))
			must(t, cerr)
			return true
		}))
		if inside != [2]int64{4, 4} {
			t.Errorf("inside Confirm the transaction sees %d sessions and %d channels, want 4 and 4", inside[0], inside[1])
		}
		return err
	}))
	want := map[string]int64{"subject": 1, "session": 2, "__filtered": 2, "__filtered__channel": 3}
	for tbl, n := range want {
		if got := planned.Rows(full(tbl)); got != n {
			t.Errorf("confirm saw %d rows of %s, want %d (%+v)", got, tbl, n, planned.Counts)
		}
		if got := res.Rows(full(tbl)); got != n {
			t.Errorf("deleted %d rows of %s, want %d (%+v)", got, tbl, n, res.Counts)
		}
	}
	n, err := dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	if n != 2 {
		t.Fatalf("sessions left = %d, want 2", n)
	}
}

func TestDeleteQuick(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	// Subject 1 has sessions: nothing is deleted.
	_, err := dj.DeleteQuick(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	wantErr(t, err, dj.ErrIntegrity)
	n, err := dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 3 {
		t.Fatalf("subjects left after a refused quick delete = %d", n)
	}
	got, err := dj.DeleteQuick(ctx, c, dj.From[Session](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	must(t, err)
	if got != 2 {
		t.Fatalf("quick delete removed %d sessions, want 2", got)
	}
	got, err = dj.DeleteQuick(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	must(t, err)
	if got != 1 {
		t.Fatalf("quick delete removed %d subjects, want 1", got)
	}
	n, err = dj.Count(ctx, c, dj.From[Session](c))
	must(t, err)
	if n != 2 {
		t.Fatalf("sessions left = %d", n)
	}
	_, err = dj.DeleteQuick(ctx, c, dj.From[Subject](c).Join(dj.From[Session](c)))
	wantErr(t, err, dj.ErrInvalidQuery)
}

// CasPair references CasSubject twice, under two names.
type CasPair struct {
	dj.Manual `comment:"pairs of subjects"`
	Pre       dj.Ref[CasSubject] `dj:"pk,proj=(pre_id=subject_id)"`
	PreID     int32              `dj:"pk"`
	Post      dj.Ref[CasSubject] `dj:"pk,proj=(post_id=subject_id)"`
	PostID    int32              `dj:"pk"`
}

// TestDeleteThroughTwoForeignKeys deletes subjects referenced by a table
// through two renamed foreign keys: rows referencing them through either
// are deleted and counted once, with and without Confirm.
func TestDeleteThroughTwoForeignKeys(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	seedCascade(t, c, s, casShape{subjects: 6, sessions: 2, trials: 2})
	must(t, s.Declare(ctx, CasPair{}))
	pairs := func() []CasPair {
		var ps []CasPair
		for i := range int32(6) {
			for j := range int32(6) {
				ps = append(ps, CasPair{PreID: i, PostID: j})
			}
		}
		return ps
	}
	table := schema.TableID{Database: s.Name(), Table: "cas_pair"}
	must(t, dj.Insert(ctx, c, pairs()))
	// Subject 4 is in 11 of the 36 pairs: (4, x) and (x, 4).
	res, err := dj.Delete(ctx, c, dj.From[CasSubject](c).Restrict(dj.Match(dj.Key{"subject_id": 4})))
	must(t, err)
	if res.Rows(table) != 11 {
		t.Errorf("deleted %d pairs, want 11 (%+v)", res.Rows(table), res.Counts)
	}
	// Subject 3 is in 9 of the 25 pairs left.
	res, err = dj.Delete(ctx, c, dj.From[CasSubject](c).Restrict(dj.Match(dj.Key{"subject_id": 3})), dj.Confirm(func(r dj.DeleteResult) bool {
		if r.Rows(table) != 9 {
			t.Errorf("confirm saw %d pairs, want 9", r.Rows(table))
		}
		return true
	}))
	must(t, err)
	if res.Rows(table) != 9 {
		t.Errorf("deleted %d pairs, want 9 (%+v)", res.Rows(table), res.Counts)
	}
	n, err := dj.Count(ctx, c, dj.From[CasPair](c))
	must(t, err)
	if n != 16 { // 4 subjects left: 4x4 pairs
		t.Fatalf("pairs left = %d, want 16", n)
	}
}

// TestDeleteLogsStatements checks that each table's DELETE of a cascade is
// recorded in the schema's ~log table, leaves first, as DataJoint does.
func TestDeleteLogsStatements(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	seedLab(t, c)
	seedComputed(t, c)
	_, err := dj.Delete(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	must(t, err)
	n, err := dj.DeleteQuick(ctx, c, dj.From[Session](c).Restrict(dj.Match(dj.Key{"subject_id": 3})))
	must(t, err)
	if n != 1 {
		t.Fatalf("quick delete removed %d rows", n)
	}
	rows, err := c.DB().QueryContext(ctx, "SELECT event FROM `"+s.Name()+"`.`~log` WHERE event LIKE 'DELETE %' ORDER BY id")
	must(t, err)
	defer rows.Close()
	var events []string
	for rows.Next() {
		var e string
		must(t, rows.Scan(&e))
		events = append(events, e)
	}
	must(t, rows.Err())
	full := func(n string) string { return "`" + s.Name() + "`.`" + n + "`" }
	want := []string{full("__filtered__channel"), full("__filtered"), full("session"), full("subject"), full("session")}
	if len(events) != len(want) {
		t.Fatalf("logged %d deletes, want %d: %q", len(events), len(want), events)
	}
	for i, e := range events {
		if len(e) > 255 {
			t.Errorf("event %d has %d characters", i, len(e))
		}
		if !strings.HasPrefix(e, "DELETE ") || !strings.Contains(e, want[i]) {
			t.Errorf("event %d = %q, want a DELETE of %s", i, e, want[i])
		}
	}
}

// TestDeleteInBatches deletes a cascade with a batch size far below its
// size, so that every table is deleted in many statements over ranges of
// its keys, with exact counts first (Confirm) and without, and checks the
// counts and what is left.
func TestDeleteInBatches(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	shape := casShape{subjects: 20, sessions: 10, trials: 20}
	seedCascade(t, c, s, shape)
	defer dj.SetDeleteBatch(7)()
	full := func(n string) schema.TableID { return schema.TableID{Database: s.Name(), Table: n} }
	cohort1 := dj.From[CasSubject](c).Restrict(dj.Match(dj.Key{"cohort": 1}))

	// A Confirm that declines after seeing the counts: nothing is deleted.
	var seen dj.DeleteResult
	res, err := dj.Delete(ctx, c, cohort1, dj.Confirm(func(r dj.DeleteResult) bool { seen = r; return false }))
	must(t, err)
	if res.Total() != 0 || seen.Rows(full("cas_trial")) != 2000 {
		t.Fatalf("declined: result %+v, confirm saw %+v", res.Counts, seen.Counts)
	}
	// Subjects 1, 3, 5, 7 and 9 with exact counts first, then the rest of
	// cohort 1 without.
	res, err = dj.Delete(ctx, c, cohort1.Restrict(dj.Where("subject_id < 10")), dj.Confirm(func(r dj.DeleteResult) bool { seen = r; return true }))
	must(t, err)
	want := map[string]int64{"cas_subject": 5, "cas_session": 50, "cas_trial": 1000}
	for tbl, n := range want {
		if got, planned := res.Rows(full(tbl)), seen.Rows(full(tbl)); got != n || planned != n {
			t.Errorf("%s: deleted %d, confirmed %d, want %d (%+v)", tbl, got, planned, n, res.Counts)
		}
	}
	res, err = dj.Delete(ctx, c, cohort1)
	must(t, err)
	for tbl, n := range want {
		if got := res.Rows(full(tbl)); got != n {
			t.Errorf("%s: deleted %d, want %d (%+v)", tbl, got, n, res.Counts)
		}
	}
	left, err := dj.Count(ctx, c, dj.From[CasTrial](c))
	must(t, err)
	odd, err := dj.Count(ctx, c, dj.From[CasTrial](c).Restrict(dj.Where("subject_id % 2 = 1")))
	must(t, err)
	if left != 2000 || odd != 0 {
		t.Fatalf("trials left = %d (%d of odd subjects), want 2000 (0)", left, odd)
	}
	var statements int
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.`~log` WHERE event LIKE 'DELETE %'").Scan(&statements))
	if statements < 1000/7 {
		t.Errorf("%d DELETE statements for 2110 rows in batches of 7", statements)
	}
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
	must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=? AND table_name NOT LIKE '~%'", s.Name()).Scan(&n))
	if n != 2 { // #species and subject remain
		t.Fatalf("tables left = %d", n)
	}
	if _, err := dj.TableOf[Filtered](c); err == nil {
		t.Fatal("dropped type is still bound")
	}
	must(t, s.Drop(ctx))
}
