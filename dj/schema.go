package dj

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Schema is one MySQL database used as a DataJoint schema.
type Schema struct {
	conn *Conn
	name string
}

// SchemaOption configures Conn.Schema.
type SchemaOption func(*schemaOptions)

type schemaOptions struct{ noCreate bool }

// NoCreate makes Conn.Schema fail with ErrMissingTable instead of creating
// a database that does not exist.
func NoCreate() SchemaOption { return func(o *schemaOptions) { o.noCreate = true } }

// Schema returns the schema (database) name, creating the database if it
// does not exist unless NoCreate is given. A name that
// schema.ValidateDatabaseName refuses (anything but 1 to 64 ASCII letters,
// digits, '_', '$' and '-') is an ErrConfig, and nothing is sent to the
// server.
//
// As DataJoint for Python 0.14 does, every schema has the event log table
// ~log: it is created here when missing, and the creation of the database
// ("created") and each table declaration ("Declared `db`.`table`") are
// written to it.
//
// On a read-only connection (Config.ReadOnly) a database that does not
// exist is an ErrReadOnly, ~log is not created, and Declare binds existing
// tables but refuses to create one (nor does it insert Lookup contents).
func (c *Conn) Schema(ctx context.Context, name string, opts ...SchemaOption) (*Schema, error) {
	var o schemaOptions
	for _, f := range opts {
		f(&o)
	}
	// The name reaches DDL, object-store paths and Python's unquoted SQL:
	// refuse anything outside DataJoint's safe set before any statement.
	if err := schema.ValidateDatabaseName(name); err != nil {
		return nil, &Error{Op: "schema", Err: err}
	}
	if c.offline {
		return &Schema{conn: c, name: name}, nil
	}
	var exists, hasLog int
	err := c.queryRow(ctx, c.db, schemaStateSQL,
		name, name, logTable).Scan(&exists, &hasLog)
	if err != nil {
		return nil, opError("schema", schema.QuoteIdent(name), "", err)
	}
	created := false
	if exists == 0 {
		if o.noCreate {
			return nil, &Error{Op: "schema", Table: schema.QuoteIdent(name), Err: fmt.Errorf("%w: database does not exist", ErrMissingTable)}
		}
		if err := c.refuseWrite("create schema", schema.QuoteIdent(name)); err != nil {
			return nil, err
		}
		r, err := c.ExecContext(ctx, createDatabaseSQL(name))
		if err != nil {
			return nil, opError("schema", schema.QuoteIdent(name), "", err)
		}
		// Another client may have created it since the check.
		n, _ := r.RowsAffected()
		created = n > 0
	}
	// DataJoint keeps an event log in every schema; creating it here
	// spares DataJoint for Python from declaring it inside a transaction.
	if hasLog == 0 && !c.cfg.ReadOnly {
		c.createLog(ctx, name)
	}
	if created {
		c.logEvent(ctx, c, name, "created")
	}
	return &Schema{conn: c, name: name}, nil
}

// Name returns the database name.
func (s *Schema) Name() string { return s.name }

// Conn returns the connection the schema belongs to.
func (s *Schema) Conn() *Conn { return s.conn }

// Declare creates the tables of the given structs (values or pointers of
// struct types embedding a tier marker) in dependency order, and binds each
// Go type to its table on the connection. Parents referenced with dj.Ref
// must be declared in the same call or earlier (in any schema of the
// connection). A table that already exists is checked against the struct:
// any difference is an ErrHeadingMismatch naming the attribute, and nothing
// is altered. Lookup tables with a Contents method get their rows.
func (s *Schema) Declare(ctx context.Context, tables ...any) error {
	return s.eachType("declare", tables, func(t reflect.Type) error { return s.declareOne(ctx, t) })
}

// eachType checks that every value of tables is a struct (or a pointer to
// one) and calls one for their types, parents first.
func (s *Schema) eachType(op string, tables []any, one func(reflect.Type) error) error {
	types := make([]reflect.Type, 0, len(tables))
	for _, v := range tables {
		t := reflect.TypeOf(v)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return &Error{Op: op, Table: fmt.Sprintf("%T", v), Err: fmt.Errorf("%w: want a struct with a tier marker, got %T", ErrDeclaration, v)}
		}
		types = append(types, t)
	}
	order, err := s.declarationOrder(types)
	if err != nil {
		return err
	}
	for _, t := range order {
		if err := one(t); err != nil {
			return err
		}
	}
	return nil
}

// declarationOrder sorts types parents first (schema.SortTypes); parents
// outside the list must already be bound on the connection.
func (s *Schema) declarationOrder(types []reflect.Type) ([]reflect.Type, error) {
	order, err := schema.SortTypes(types)
	if err != nil {
		return nil, &Error{Op: "declare", Err: err}
	}
	for _, t := range order {
		deps, _ := schema.Dependencies(t) // SortTypes has read them
		for _, d := range deps {
			if d == t || slices.Contains(types, d) {
				continue
			}
			if _, bound := s.conn.boundTable(d); !bound {
				return nil, &Error{Op: "declare", Table: t.Name(), Err: fmt.Errorf("%w: %s references %s, which is not declared: declare %s first or in the same call", ErrDeclaration, t.Name(), d.Name(), d.Name())}
			}
		}
	}
	return order, nil
}

// tableOf parses struct type typ for the schema and compares it with its
// table in the database: exists is false when there is no such table. On
// an offline connection nothing is read and exists is true.
func (s *Schema) tableOf(ctx context.Context, op string, typ reflect.Type) (meta *schema.Table, exists bool, err error) {
	meta, err = schema.Parse(typ, s.name, s.conn.resolve)
	if err != nil {
		return nil, false, &Error{Op: op, Table: typ.Name(), Err: err}
	}
	if s.conn.offline {
		return meta, true, nil
	}
	existing, err := schema.Load(ctx, s.conn, s.name, meta.Name)
	switch {
	case err == nil:
		if err := schema.Compare(meta, existing); err != nil {
			return nil, false, &Error{Op: op, Table: meta.FullName(), Err: err}
		}
		return meta, true, nil
	case errors.Is(err, ErrMissingTable):
		return meta, false, nil
	}
	return nil, false, opError(op, meta.FullName(), "", err)
}

func (s *Schema) declareOne(ctx context.Context, typ reflect.Type) error {
	meta, exists, err := s.tableOf(ctx, "declare", typ)
	if err != nil {
		return err
	}
	if s.conn.offline {
		return s.conn.bind(typ, newTable(s, meta))
	}
	if !exists {
		full := meta.FullName()
		if err := s.conn.refuseWrite("declare", full); err != nil {
			return err
		}
		for _, store := range externalStores(meta) {
			if _, err := s.conn.exec(ctx, s.conn.db, schema.ExternalTableSQL(s.name, store)); err != nil {
				return opError("declare", schema.QuoteFull(s.name, "~external_"+store), "", err)
			}
		}
		if _, err := s.conn.exec(ctx, s.conn.db, meta.CreateSQL()); err != nil {
			return opError("declare", full, "", err)
		}
		s.conn.logEvent(ctx, s.conn, s.name, "Declared "+full)
	}
	t := newTable(s, meta)
	if err := s.conn.bind(typ, t); err != nil {
		return err
	}
	return t.insertContents(ctx, typ)
}

func externalStores(meta *schema.Table) []string {
	var out []string
	seen := map[string]bool{}
	for i := range meta.Heading.Attributes {
		a := &meta.Heading.Attributes[i]
		if a.Category.External() && !seen[a.Store] {
			seen[a.Store] = true
			out = append(out, a.Store)
		}
	}
	sort.Strings(out)
	return out
}

// Table opens an existing table by its MySQL name ("#species",
// "__spikes") or its DataJoint class name ("Species", "Spikes"), reading
// its heading from the database. No Go struct is needed: rows go in and
// come out as maps, or as any struct whose fields match by name.
func (s *Schema) Table(ctx context.Context, name string) (*Table, error) {
	names, err := schema.ListTables(ctx, s.conn, s.name)
	if err != nil {
		return nil, opError("open", schema.QuoteFull(s.name, name), "", err)
	}
	found := ""
	for _, n := range names {
		if n == name {
			found = n
			break
		}
	}
	if found == "" {
		for _, n := range names {
			if schema.ToCamelCase(n) == name || classPath(n) == name {
				found = n
				break
			}
		}
	}
	if found == "" {
		return nil, &Error{Op: "open", Table: schema.QuoteFull(s.name, name), Err: fmt.Errorf("%w: no table %q in schema %s", ErrMissingTable, name, s.name)}
	}
	meta, err := schema.Load(ctx, s.conn, s.name, found)
	if err != nil {
		return nil, opError("open", schema.QuoteFull(s.name, found), "", err)
	}
	return newTable(s, meta), nil
}

// classPath is "Master.Part" for a part table and the class name otherwise.
func classPath(name string) string {
	_, master, ok := schema.ParseTableName(name)
	if !ok || master == "" {
		return schema.ToCamelCase(name)
	}
	return schema.ToCamelCase(master) + "." + schema.ToCamelCase(strings.TrimPrefix(name, master+"__"))
}

// Tables opens every user table of the schema (DataJoint's virtual module),
// in the order the database lists them.
func (s *Schema) Tables(ctx context.Context) ([]*Table, error) {
	names, err := schema.ListTables(ctx, s.conn, s.name)
	if err != nil {
		return nil, opError("open", schema.QuoteIdent(s.name), "", err)
	}
	out := make([]*Table, 0, len(names))
	for _, n := range names {
		meta, err := schema.Load(ctx, s.conn, s.name, n)
		if err != nil {
			return nil, opError("open", schema.QuoteFull(s.name, n), "", err)
		}
		out = append(out, newTable(s, meta))
	}
	return out, nil
}

// Drop drops the whole database with all its tables, and unbinds the Go
// types declared in it. Tables of other schemas that reference it make
// the drop fail with ErrIntegrity.
func (s *Schema) Drop(ctx context.Context) error {
	if err := s.conn.refuseWrite("drop", schema.QuoteIdent(s.name)); err != nil {
		return err
	}
	if _, err := s.conn.exec(ctx, s.conn.db, dropDatabaseSQL(s.name)); err != nil {
		return opError("drop", schema.QuoteIdent(s.name), "", err)
	}
	s.conn.unbindSchema(s.name)
	return nil
}

// bind records that typ is stored in table t. A type can be bound to one
// table per connection.
func (c *Conn) bind(typ reflect.Type, t *Table) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.tables[typ]; ok && old.meta.ID() != t.meta.ID() {
		return &Error{Op: "declare", Table: t.meta.FullName(), Err: fmt.Errorf("%w: %s is already declared as %s on this connection; use another connection for a second schema", ErrDeclaration, typ, old.meta.FullName())}
	}
	c.tables[typ] = t
	return nil
}

func (c *Conn) unbindSchema(db string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for typ, t := range c.tables {
		if t.meta.Database == db {
			delete(c.tables, typ)
		}
	}
}

func (c *Conn) unbind(id schema.TableID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for typ, t := range c.tables {
		if t.meta.ID() == id {
			delete(c.tables, typ)
		}
	}
}

func (c *Conn) boundTable(typ reflect.Type) (*Table, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tables[typ]
	return t, ok
}

// resolve is the schema.Resolver of declarations: parents must be bound.
func (c *Conn) resolve(typ reflect.Type) (*schema.Table, error) {
	if t, ok := c.boundTable(typ); ok {
		return t.meta, nil
	}
	return nil, fmt.Errorf("%w: %s is not declared on this connection", ErrDeclaration, typ)
}

// TableOf returns the table that struct type T was declared as on the
// connection of q.
func TableOf[T any](q Querier) (*Table, error) {
	typ := reflect.TypeFor[T]()
	t, ok := q.djConn().boundTable(typ)
	if !ok {
		return nil, &Error{Op: "table", Table: typ.String(), Err: fmt.Errorf("%w: %s is not declared on this connection; call Schema.Declare", ErrMissingTable, typ)}
	}
	return t, nil
}
