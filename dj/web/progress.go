package web

import (
	"context"
	"database/sql"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// progress is how far an auto-populated table is: Made of the Total keys
// of its key source, Remaining to make.
type progress struct {
	Made, Total, Remaining int64
	// Estimated is set when the counts come from the server's row
	// estimates because the table or a parent is large.
	Estimated bool
	// Unknown is set when the key source joins several large parents,
	// whose size has no estimate.
	Unknown bool
	Err     string
}

// Fraction is Made/Total between 0 and 1; 1 for an empty key source.
func (p progress) Fraction() float64 {
	if p.Total <= 0 {
		return 1
	}
	return min(float64(p.Made)/float64(p.Total), 1)
}

// isAuto reports whether a tier is populated by make.
func isAuto(tier string) bool { return tier == "Imported" || tier == "Computed" }

// progressOf counts the progress of t. counts are the row counts of t's
// schema; a table or parent at or above the large-table estimate makes
// the progress an estimate instead of a count over its key source.
func (s *Server) progressOf(ctx context.Context, t *dj.Table, ks dj.Expr, ksErr error, counts map[string]rowCount) progress {
	db := t.Schema().Name()
	large := counts[t.Name()].Estimated
	var parents []rowCount
	for _, fk := range t.Meta().ForeignKeys {
		if !fk.Primary || strings.HasPrefix(fk.ParentTable, "~") {
			continue
		}
		rc, ok := counts[fk.ParentTable]
		if fk.ParentDatabase != db || !ok {
			rc = s.estimate(ctx, fk.ParentDatabase, fk.ParentTable)
		}
		large = large || rc.Estimated
		parents = append(parents, rc)
	}
	if len(parents) == 0 {
		return progress{Err: "no primary-key parent: the table has no key source to populate from"}
	}
	if !large {
		if ksErr != nil {
			return progress{Err: ksErr.Error()}
		}
		ks = ks.Proj()
		total, err := dj.Count(ctx, s.c, ks)
		if err != nil {
			return progress{Err: err.Error()}
		}
		remaining, err := dj.Count(ctx, s.c, ks.Exclude(t.Expr()))
		if err != nil {
			return progress{Err: err.Error()}
		}
		return progress{Made: total - remaining, Total: total, Remaining: remaining}
	}
	p := progress{Estimated: true, Made: counts[t.Name()].N}
	if len(parents) == 1 {
		p.Total = max(parents[0].N, p.Made)
		p.Remaining = p.Total - p.Made
	} else {
		p.Unknown = true
	}
	return p
}

// estimate is the row count of a table of another schema: the server's
// estimate when large, else exact.
func (s *Server) estimate(ctx context.Context, db, name string) rowCount {
	var est sql.NullInt64
	err := s.c.QueryRowContext(ctx, `SELECT table_rows FROM information_schema.tables
		WHERE table_schema = ? AND table_name = ?`, db, name).Scan(&est)
	if err != nil || est.Int64 >= s.opts.LargeTable {
		return rowCount{N: est.Int64, Estimated: true}
	}
	var n int64
	if err := s.c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+schema.QuoteFull(db, name)).Scan(&n); err != nil {
		return rowCount{N: est.Int64, Estimated: true}
	}
	return rowCount{N: n}
}
