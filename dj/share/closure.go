package share

import (
	"context"
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Seed is a restriction of one table (or a whole schema) that a closure
// starts from. Make one with Restrict, Where, All or Schema.
type Seed struct {
	table schema.TableID // Table empty: every table of Database
	where string         // condition on the table, or ""
	expr  string         // SELECT of an expression whose heading holds the table's key
	args  []any
	err   error
}

// Restrict is the seed of the rows of e, an expression of one table with
// restrictions, such as dj.From[Subject](c).Restrict(dj.Where("sex = 'F'")).
// An expression that is not a restriction of one table is an error
// (matching dj.ErrInvalidQuery) when the closure is computed.
func Restrict(e dj.Expr) Seed {
	if err := e.Err(); err != nil {
		return Seed{err: err}
	}
	id, ok := parseFullName(e.String())
	if !ok {
		return Seed{err: fmt.Errorf("share: %w: %s is not a restriction of one table", dj.ErrInvalidQuery, e)}
	}
	q, args, err := e.SQL()
	if err != nil {
		return Seed{err: err}
	}
	return Seed{table: id, expr: q, args: args}
}

// Where is the seed of the rows of table t that satisfy the SQL condition
// cond, with ? placeholders bound to args.
func Where(t schema.TableID, cond string, args ...any) Seed {
	return Seed{table: t, where: cond, args: args}
}

// All is the seed of every row of table t.
func All(t schema.TableID) Seed { return Seed{table: t} }

// Schema is the seed of every row of every table of database db. The
// closure holds the rows of other databases that they reference, but not
// those that reference them: seed those tables to include them.
func Schema(db string) Seed { return Seed{table: schema.TableID{Database: db}} }

// parseFullName reads a name quoted as `db`.`table`.
func parseFullName(s string) (schema.TableID, bool) {
	var parts []string
	for len(s) > 0 {
		if s[0] != '`' {
			return schema.TableID{}, false
		}
		var b strings.Builder
		i := 1
		for ; i < len(s); i++ {
			if s[i] == '`' {
				if i+1 < len(s) && s[i+1] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				break
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return schema.TableID{}, false
		}
		parts = append(parts, b.String())
		s = s[i+1:]
		if len(s) > 0 {
			if s[0] != '.' {
				return schema.TableID{}, false
			}
			s = s[1:]
		}
	}
	if len(parts) != 2 {
		return schema.TableID{}, false
	}
	return schema.TableID{Database: parts[0], Table: parts[1]}, true
}

// Subset is a computed closure: the rows and objects to share.
type Subset struct {
	// Tables lists every table of the databases involved, parents before
	// children, with the number of its rows in the closure.
	Tables []TableRows `json:"tables"`
	// Objects lists, per tracking table, the external objects the rows
	// use.
	Objects []ObjectSet `json:"objects"`
	// Databases lists the databases of the tables, sorted.
	Databases []string `json:"databases"`
}

// TableRows is the part of one table in a closure.
type TableRows struct {
	Table schema.TableID `json:"table"`
	Rows  int64          `json:"rows"`
	// All reports that every row of the table is in the closure.
	All bool `json:"all"`
}

// ObjectSet is the set of external objects of one tracking table
// (`db`.`~external_<store>`) that a closure uses.
type ObjectSet struct {
	Tracking schema.TableID `json:"tracking"`
	Store    string         `json:"store"`
	Objects  int64          `json:"objects"`
	Bytes    int64          `json:"bytes"`
}

// Rows returns the number of rows of table t in the closure.
func (s *Subset) Rows(t schema.TableID) int64 {
	for _, r := range s.Tables {
		if r.Table == t {
			return r.Rows
		}
	}
	return 0
}

// TotalRows is the number of rows of all tables of the closure.
func (s *Subset) TotalRows() int64 {
	var n int64
	for _, r := range s.Tables {
		n += r.Rows
	}
	return n
}

// Closure computes the rows that seeds select together with everything
// they need and imply (see the package documentation). It runs on one
// connection of c, with temporary tables that hold the selected keys, and
// leaves nothing behind.
func Closure(ctx context.Context, c *dj.Conn, seeds ...Seed) (*Subset, error) {
	var sub *Subset
	err := c.Session(ctx, func(ctx context.Context, q dj.Querier) error {
		p, err := build(ctx, q, seeds, nil)
		if err != nil {
			return err
		}
		sub, err = p.subset(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}
