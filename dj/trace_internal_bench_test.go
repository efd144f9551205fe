package dj

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"
)

// instantRunner answers every statement at once, so that a benchmark
// measures only what the funnel adds.
type instantRunner struct{}

func (instantRunner) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return driver.RowsAffected(1), nil
}
func (instantRunner) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, nil
}
func (instantRunner) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

type nopTracer struct{ n int }

func (t *nopTracer) QueryStart(ctx context.Context, _ QueryStart) context.Context { return ctx }
func (t *nopTracer) QueryEnd(context.Context, QueryEnd)                           { t.n++ }

// BenchmarkTracerFunnel measures the cost a Tracer adds to one statement:
// the funnel without a tracer, and with one that does nothing, around a
// statement that takes no time. A populate key runs about six statements
// (see BenchmarkPopulateObserved's statements/key) of some 100 µs each.
func BenchmarkTracerFunnel(b *testing.B) {
	ctx := context.Background()
	for _, traced := range []bool{false, true} {
		name := "untraced"
		c := &Conn{cfg: &Config{}}
		if traced {
			name = "traced"
			c.cfg.Tracer = &nopTracer{}
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.exec(ctx, instantRunner{}, "INSERT INTO `db`.`t` (`a`,`b`) VALUES (?,?)", 1, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
