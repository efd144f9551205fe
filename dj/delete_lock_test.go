package dj_test

import (
	"context"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// TestDeleteLocksOnlyWhatItDeletes deletes one subject of a 20-subject
// cascade inside an open transaction and checks, while that transaction
// still holds its locks, that the server counts about as many locked rows
// as the delete removes, and that another connection can insert unrelated
// rows into each of the three tables at once.
func TestDeleteLocksOnlyWhatItDeletes(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	shape := casShape{subjects: 20, sessions: 10, trials: 20}
	seedCascade(t, c, s, shape)

	deleted := make(chan dj.DeleteResult, 1)
	locked := make(chan int64, 1)
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
			res, err := dj.Delete(ctx, tx, dj.From[CasSubject](tx).Restrict(dj.Match(dj.Key{"subject_id": 7})))
			if err != nil {
				close(deleted)
				return err
			}
			var n int64
			if err := tx.QueryRowContext(ctx, "SELECT trx_rows_locked FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()").Scan(&n); err != nil {
				close(deleted)
				return err
			}
			deleted <- res
			locked <- n
			<-release
			return context.Canceled // roll back
		})
	}()
	res, ok := <-deleted
	if !ok {
		t.Fatal(<-done)
	}
	want := int64(1 + shape.sessions + shape.sessions*shape.trials)
	if res.Total() != want {
		close(release)
		t.Fatalf("deleted %d rows, want %d: %+v", res.Total(), want, res.Counts)
	}
	n := <-locked
	t.Logf("deleting %d rows locked %d rows", want, n)
	if n > 2*want {
		t.Errorf("deleting %d rows locked %d rows", want, n)
	}

	// Rows of other subjects, inserted from another connection while the
	// delete's transaction is open.
	for _, stmt := range []string{
		"INSERT INTO `" + s.Name() + "`.`cas_subject` VALUES (1000, 0)",
		"INSERT INTO `" + s.Name() + "`.`cas_session` VALUES (12, 99)",
		"INSERT INTO `" + s.Name() + "`.`cas_trial` VALUES (12, 3, 99, 1.5)",
		"INSERT INTO `" + s.Name() + "`.`cas_trial` VALUES (3, 9, 99, 1.5)",
	} {
		ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
		start := time.Now()
		_, err := c.DB().ExecContext(ictx, stmt)
		cancel()
		if err != nil {
			t.Errorf("%s: %v after %v", stmt, err, time.Since(start))
		} else if d := time.Since(start); d > time.Second {
			t.Errorf("%s waited %v", stmt, d)
		}
	}
	close(release)
	if err := <-done; err != context.Canceled {
		t.Fatalf("transaction: %v", err)
	}
	left, err := dj.Count(ctx, c, dj.From[CasTrial](c).Restrict(dj.Match(dj.Key{"subject_id": 7})))
	must(t, err)
	if left != int64(shape.sessions*shape.trials) {
		t.Fatalf("rolled-back delete left %d trials of subject 7", left)
	}
}
