package inspect

import (
	"context"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// SchemaInfo summarises one database that holds DataJoint tables.
type SchemaInfo struct {
	Name     string `json:"name"`
	Tables   int    `json:"tables"` // user tables (all tiers but System)
	Manual   int    `json:"manual"`
	Lookup   int    `json:"lookup"`
	Imported int    `json:"imported"`
	Computed int    `json:"computed"`
	Part     int    `json:"part"`
	Hidden   int    `json:"hidden"` // ~jobs, ~log, ~external_<store>
}

// systemDatabases are the server's own databases, never DataJoint schemas.
var systemDatabases = map[string]bool{"information_schema": true, "mysql": true, "performance_schema": true, "sys": true}

// Schemas lists the databases of the server that hold DataJoint tables,
// with the number of tables per tier, by name. A database counts when it
// has one of DataJoint's hidden tables (~log, ~jobs, ~external_<store>) or
// a table of a tier with a name prefix (Lookup, Imported, Computed, Part):
// plain table names alone, which any database has, do not make a schema.
func Schemas(ctx context.Context, c *dj.Conn) ([]SchemaInfo, error) {
	rows, err := c.QueryContext(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' ORDER BY table_schema, table_name`)
	if err != nil {
		return nil, &dj.Error{Op: "list schemas", Err: err}
	}
	defer rows.Close()
	by := map[string]*SchemaInfo{}
	for rows.Next() {
		var db, name string
		if err := rows.Scan(&db, &name); err != nil {
			return nil, &dj.Error{Op: "list schemas", Err: err}
		}
		if systemDatabases[db] {
			continue
		}
		tier, _, ok := schema.ParseTableName(name)
		if !ok {
			continue
		}
		si := by[db]
		if si == nil {
			si = &SchemaInfo{Name: db}
			by[db] = si
		}
		si.count(tier)
	}
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "list schemas", Err: err}
	}
	out := make([]SchemaInfo, 0, len(by))
	for _, si := range by {
		if si.Hidden+si.Lookup+si.Imported+si.Computed+si.Part > 0 {
			out = append(out, *si)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (si *SchemaInfo) count(t schema.Tier) {
	switch t {
	case schema.Manual:
		si.Manual++
	case schema.Lookup:
		si.Lookup++
	case schema.Imported:
		si.Imported++
	case schema.Computed:
		si.Computed++
	case schema.Part:
		si.Part++
	case schema.System:
		si.Hidden++
		return
	}
	si.Tables++
}

// TableInfo describes one table of a schema.
type TableInfo struct {
	// Class is DataJoint's class name: "Session", and "Master.Part" for a
	// part table; a hidden table keeps its MySQL name.
	Class   string `json:"class"`
	Tier    string `json:"tier"`
	Name    string `json:"name"` // the MySQL table name
	Rows    int64  `json:"rows"` // exact row count
	Comment string `json:"comment"`
}

// ClassPath returns DataJoint's class name of a table: the CamelCase of
// its name without the tier prefix, "Master.Part" for a part table, and
// the name itself for tables that follow no tier's pattern or are hidden.
func ClassPath(name string) string {
	tier, master, ok := schema.ParseTableName(name)
	switch {
	case !ok || tier == schema.System:
		return name
	case tier == schema.Part:
		return schema.ClassNameOf(master) + "." + schema.ClassNameOf(name)
	}
	return schema.ClassNameOf(name)
}

// Tables lists the tables of a schema in dependency order (parents before
// children, parts right after their masters), with their exact row counts
// and comments. With all, DataJoint's hidden tables (~jobs, ~log,
// ~external_<store>) follow, by name.
func Tables(ctx context.Context, s *dj.Schema, all bool) ([]TableInfo, error) {
	c := s.Conn()
	rows, err := c.QueryContext(ctx, `SELECT table_name, table_comment FROM information_schema.tables
		WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name`, s.Name())
	if err != nil {
		return nil, &dj.Error{Op: "list tables", Table: schema.QuoteIdent(s.Name()), Err: err}
	}
	comments := map[string]string{}
	var hidden []string
	for rows.Next() {
		var n, cm string
		if err := rows.Scan(&n, &cm); err != nil {
			rows.Close()
			return nil, &dj.Error{Op: "list tables", Table: schema.QuoteIdent(s.Name()), Err: err}
		}
		comments[n] = cm
		if strings.HasPrefix(n, "~") {
			hidden = append(hidden, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "list tables", Table: schema.QuoteIdent(s.Name()), Err: err}
	}
	order, err := tableOrder(ctx, c, s.Name(), comments)
	if err != nil {
		return nil, err
	}
	if all {
		order = append(order, hidden...)
	}
	out := make([]TableInfo, 0, len(order))
	for _, n := range order {
		ti := TableInfo{Class: ClassPath(n), Name: n, Comment: comments[n], Tier: "Manual"}
		if tier, _, ok := schema.ParseTableName(n); ok {
			ti.Tier = tier.String()
		}
		full := schema.QuoteFull(s.Name(), n)
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+full).Scan(&ti.Rows); err != nil {
			return nil, &dj.Error{Op: "list tables", Table: full, Err: err}
		}
		out = append(out, ti)
	}
	return out, nil
}

// tableOrder returns the user tables of db (the keys of names without "~")
// in dependency order.
func tableOrder(ctx context.Context, c *dj.Conn, db string, names map[string]string) ([]string, error) {
	g, err := schema.LoadGraph(ctx, c, db)
	if err != nil {
		return nil, &dj.Error{Op: "list tables", Table: schema.QuoteIdent(db), Err: err}
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range g.Nodes() {
		if n := id.Table; id.Database == db {
			if _, mine := names[n]; mine && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	var rest []string
	for n := range names {
		if !seen[n] && !strings.HasPrefix(n, "~") {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...), nil
}
