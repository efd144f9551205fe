package dj_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// The cascade of the delete benchmark and of the locking test: subject →
// session → trial, keyed by the parent's key plus a number.

type CasSubject struct {
	dj.Manual `comment:"cascade benchmark subject"`
	SubjectID int32 `dj:"pk"`
	Cohort    int32
}

type CasSession struct {
	dj.Manual  `comment:"cascade benchmark session"`
	CasSubject dj.Ref[CasSubject] `dj:"pk"`
	SubjectID  int32              `dj:"pk"`
	SessionID  int32              `dj:"pk"`
}

type CasTrial struct {
	dj.Manual  `comment:"cascade benchmark trial"`
	CasSession dj.Ref[CasSession] `dj:"pk"`
	SubjectID  int32              `dj:"pk"`
	SessionID  int32              `dj:"pk"`
	TrialID    int32              `dj:"pk"`
	V          float64
}

// casShape is the size of a cascade: subjects, sessions per subject,
// trials per session.
type casShape struct{ subjects, sessions, trials int }

// casShapeFor gives the shape with n trials in cohort 1 and as many in
// cohort 0 (odd and even subjects), 10 sessions per subject and 10 trials
// per session; deleting cohort 1 removes n trials, n/10 sessions and n/100
// subjects.
func casShapeFor(n int) casShape { return casShape{subjects: 2 * n / 100, sessions: 10, trials: 10} }

// deleted is the number of rows deleting cohort 1 removes from the three
// tables.
func (s casShape) deleted() int { h := s.subjects / 2; return h + h*s.sessions + h*s.sessions*s.trials }

// seedCascade declares the three tables and fills staging copies of them
// (plain tables without keys to the cascade) from which reseed restores the
// rows of cohort 1 after each delete.
func seedCascade(t testing.TB, c *dj.Conn, s *dj.Schema, shape casShape) (reseed func(), names [3]string) {
	t.Helper()
	ctx := context.Background()
	must(t, s.Declare(ctx, CasSubject{}, CasSession{}, CasTrial{}))
	q := "`" + s.Name() + "`."
	names = [3]string{q + "`cas_subject`", q + "`cas_session`", q + "`cas_trial`"}
	db := c.DB()
	exec := func(stmt string, args ...any) {
		if _, err := db.ExecContext(ctx, stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt[:min(len(stmt), 80)], err)
		}
	}
	exec("CREATE TABLE " + q + "`stage_subject` (subject_id int NOT NULL, cohort int NOT NULL, PRIMARY KEY (subject_id))")
	exec("CREATE TABLE " + q + "`stage_session` (subject_id int NOT NULL, session_id int NOT NULL, PRIMARY KEY (subject_id, session_id))")
	exec("CREATE TABLE " + q + "`stage_trial` (subject_id int NOT NULL, session_id int NOT NULL, trial_id int NOT NULL, v double NOT NULL, PRIMARY KEY (subject_id, session_id, trial_id))")
	var sb strings.Builder
	flush := func(table string) {
		if sb.Len() > 0 {
			exec("INSERT INTO " + q + table + " VALUES " + sb.String())
			sb.Reset()
		}
	}
	add := func(table string, row string) {
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(row)
		if sb.Len() > 1<<20 {
			flush(table)
		}
	}
	for i := range shape.subjects {
		add("`stage_subject`", fmt.Sprintf("(%d,%d)", i, i%2))
	}
	flush("`stage_subject`")
	for i := range shape.subjects {
		for j := range shape.sessions {
			add("`stage_session`", fmt.Sprintf("(%d,%d)", i, j))
		}
	}
	flush("`stage_session`")
	for i := range shape.subjects {
		for j := range shape.sessions {
			for k := range shape.trials {
				add("`stage_trial`", fmt.Sprintf("(%d,%d,%d,%d.5)", i, j, k, k))
			}
		}
	}
	flush("`stage_trial`")
	exec("INSERT INTO " + names[0] + " SELECT * FROM " + q + "`stage_subject`")
	exec("INSERT INTO " + names[1] + " SELECT * FROM " + q + "`stage_session`")
	exec("INSERT INTO " + names[2] + " SELECT * FROM " + q + "`stage_trial`")
	reseed = func() {
		n, err := dj.Count(ctx, c, dj.From[CasSubject](c).Restrict(dj.Match(dj.Key{"cohort": 1})))
		must(t, err)
		if n > 0 {
			return
		}
		exec("INSERT INTO " + names[0] + " SELECT * FROM " + q + "`stage_subject` WHERE cohort = 1")
		exec("INSERT INTO " + names[1] + " SELECT s.* FROM " + q + "`stage_session` s JOIN " + q + "`stage_subject` USING (subject_id) WHERE cohort = 1")
		exec("INSERT INTO " + names[2] + " SELECT s.* FROM " + q + "`stage_trial` s JOIN " + q + "`stage_subject` USING (subject_id) WHERE cohort = 1")
	}
	return reseed, names
}

// plainCascade is the hand-written linear cascade: one multi-table DELETE
// … JOIN per table, leaves first, in one transaction.
func plainCascade(ctx context.Context, c *dj.Conn, names [3]string) (int64, error) {
	tx, err := c.DB().BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var total int64
	for _, stmt := range []string{
		"DELETE " + names[2] + " FROM " + names[0] + " s JOIN " + names[2] + " USING (subject_id) WHERE s.cohort = 1",
		"DELETE " + names[1] + " FROM " + names[0] + " s JOIN " + names[1] + " USING (subject_id) WHERE s.cohort = 1",
		"DELETE FROM " + names[0] + " WHERE cohort = 1",
	} {
		r, err := tx.ExecContext(ctx, stmt)
		if err != nil {
			return 0, err
		}
		n, _ := r.RowsAffected()
		total += n
	}
	return total, tx.Commit()
}

// BenchmarkDeleteCascade deletes one cohort of subjects with their
// sessions and trials (n trials, n/10 sessions, n/100 subjects, out of
// twice as many) with dj.Delete and with the hand-written cascade,
// interleaved. The 1M-trial size runs only without -short.
func BenchmarkDeleteCascade(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			if n > 100_000 && skipLarge() {
				b.Skip("1M trials only without -short")
			}
			c, s := connect(b)
			ctx := context.Background()
			shape := casShapeFor(n)
			reseed, names := seedCascade(b, c, s, shape)
			want := int64(shape.deleted())
			expr := dj.From[CasSubject](c).Restrict(dj.Match(dj.Key{"cohort": 1}))
			versus(b, shape.deleted(), reseed, func() {
				got, err := plainCascade(ctx, c, names)
				must(b, err)
				if got != want {
					b.Fatalf("plain deleted %d rows, want %d", got, want)
				}
			}, func() {
				res, err := dj.Delete(ctx, c, expr)
				must(b, err)
				if res.Total() != want {
					b.Fatalf("dj deleted %d rows, want %d", res.Total(), want)
				}
			})
		})
	}
}
