package dj

import (
	"context"
	"reflect"
)

// This file holds the few entry points that packages built on dj (such as
// dj/migrate) need to change tables the way DataJoint for Python does.

// Bound returns the table that the struct type typ is declared as on the
// connection (see Schema.Declare), and false when it is not declared.
func (c *Conn) Bound(typ reflect.Type) (*Table, bool) {
	for typ != nil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	return c.boundTable(typ)
}

// LogEvent appends event to the schema's ~log table, as DataJoint for
// Python 0.14 does for the changes it makes (for an altered table it
// writes "Altered `db`.`table`"). Events longer than 255 characters are
// cut. A failure to write is reported to the connection's logger only, as
// DataJoint swallows it.
func (s *Schema) LogEvent(ctx context.Context, event string) {
	s.conn.logEvent(ctx, s.conn, s.name, event)
}
