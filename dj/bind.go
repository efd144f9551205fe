package dj

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Bind checks struct types against tables that already exist in the
// schema and binds each type to its table, as Declare does, but never
// creates or alters anything: no table, no external tracking table and no
// Lookup contents. It is how a Go program works on a pipeline declared by
// someone else (in DataJoint for Python or in another Go program).
//
// A struct whose table does not exist is an error wrapping
// ErrMissingTable that names the table it looked for and the mapping it
// used (struct name and tier → table name), and lists the tables the
// schema has, so that a misspelled class name never silently creates a new
// table. A table that differs from its struct is an ErrHeadingMismatch,
// as with Declare. Parents referenced with dj.Ref must be bound or
// declared in the same call or earlier. (Conn.Schema, which gives the
// Schema, creates DataJoint's ~log table when the database has none, as
// DataJoint for Python does; open it with NoCreate so that a misspelled
// schema name is an error too.)
func (s *Schema) Bind(ctx context.Context, tables ...any) error {
	return s.eachType("bind", tables, func(t reflect.Type) error { return s.bindOne(ctx, t) })
}

func (s *Schema) bindOne(ctx context.Context, typ reflect.Type) error {
	meta, exists, err := s.tableOf(ctx, "bind", typ)
	if err != nil {
		return err
	}
	if !exists {
		full := meta.FullName()
		have, lerr := schema.ListTables(ctx, s.conn, s.name)
		list := "none"
		if lerr == nil && len(have) > 0 {
			named := make([]string, len(have))
			for i, n := range have {
				named[i] = n + " (" + classPath(n) + ")"
			}
			list = strings.Join(named, ", ")
		}
		return &Error{Op: "bind", Table: full, Err: fmt.Errorf("%w: struct %s (%s) maps to table %s, which does not exist; the class name gives the table name (%s → %q), so the struct must be named after the existing class; tables (classes) of schema %s: %s",
			ErrMissingTable, typ.Name(), meta.Tier, full, meta.ClassName, meta.Name, s.name, list)}
	}
	return s.conn.bind(typ, newTable(s, meta))
}
