package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Errors of planning and applying. They are wrapped in a *dj.Error that
// names the table.
var (
	// ErrNotAlterable reports differences that cannot be altered in place:
	// primary key, foreign keys (references and external storage) and
	// tier. It also wraps dj.ErrHeadingMismatch.
	ErrNotAlterable = errors.New("change cannot be altered in place")
	// ErrDataLoss reports a plan that would lose data, applied without
	// AllowDataLoss.
	ErrDataLoss = errors.New("the migration would lose data")
	// ErrPlanChanged reports that the database changed between Plan and
	// Apply, so the reviewed plan is no longer the one that would run. It
	// also wraps dj.ErrConflict.
	ErrPlanChanged = errors.New("the database changed since the plan was made")
)

// TableChange is the change of one table: a CREATE TABLE for a new table,
// or one ALTER TABLE made of several operations.
type TableChange struct {
	// Table is the full name `db`.`table`; Name the bare table name.
	Table, Name string
	// Type is the struct type declared as this table.
	Type reflect.Type
	// Ops are the operations, in the order of the statement's clauses.
	Ops []Op
	// Before are statements run before the ALTER (FillNulls).
	Before []Op
	// Statement is the CREATE TABLE or ALTER TABLE statement.
	Statement string
}

// Create reports whether the change creates the table.
func (t *TableChange) Create() bool { return len(t.Ops) == 1 && t.Ops[0].Kind == CreateTable }

// Plan is the difference between a set of structs and the tables of a
// schema, and the statements that remove it, in the order to run them.
type Plan struct {
	// Schema is the database name.
	Schema string
	// Tables are the tables to create or alter, parents first.
	Tables []TableChange
	// Warnings are the operations that can lose data, with the rows they
	// affect.
	Warnings []Warning
	// Refusals are the differences that cannot be altered in place. A plan
	// with refusals cannot be applied.
	Refusals []Refusal
	// Hash is the definition hash of the structs: the SHA-256 of their
	// CREATE TABLE statements with the database name left out. It is
	// recorded in the history by Apply.
	Hash string

	rows []any
}

// Empty reports whether the database already matches the structs.
func (p *Plan) Empty() bool { return len(p.Tables) == 0 && len(p.Refusals) == 0 }

// Statements lists the SQL statements of the plan in the order Apply runs
// them (before choosing an algorithm for each ALTER).
func (p *Plan) Statements() []string {
	var out []string
	for _, t := range p.Tables {
		for _, b := range t.Before {
			out = append(out, b.Clause)
		}
		out = append(out, t.Statement)
	}
	return out
}

// NeedsConfirmation reports whether applying the plan needs AllowDataLoss.
func (p *Plan) NeedsConfirmation() bool {
	for _, w := range p.Warnings {
		if w.NeedsConfirmation() {
			return true
		}
	}
	return false
}

// Err returns the refusals as one error wrapping ErrNotAlterable, or nil.
func (p *Plan) Err() error {
	if len(p.Refusals) == 0 {
		return nil
	}
	msgs := make([]string, len(p.Refusals))
	for i, r := range p.Refusals {
		msgs[i] = r.String()
	}
	return &dj.Error{Op: "migrate", Table: p.Refusals[0].Table,
		Err: fmt.Errorf("%w (%w): %s", ErrNotAlterable, dj.ErrHeadingMismatch, strings.Join(msgs, "; "))}
}

// String is the human-readable summary of the plan: per table its
// operations, then the data-loss warnings and the refusals, then the
// statements.
func (p *Plan) String() string {
	var b strings.Builder
	if p.Empty() {
		fmt.Fprintf(&b, "schema %s matches the definitions (hash %s): nothing to do\n", p.Schema, short(p.Hash))
		return b.String()
	}
	fmt.Fprintf(&b, "schema %s: %d %s to change (definitions hash %s)\n", p.Schema, len(p.Tables), plural(int64(len(p.Tables)), "table", "tables"), short(p.Hash))
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "%s\n", t.Table)
		for _, o := range append(append([]Op(nil), t.Before...), t.Ops...) {
			fmt.Fprintf(&b, "  %s\n", o)
		}
	}
	if len(p.Warnings) > 0 {
		b.WriteString("data loss:\n")
		for _, w := range p.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	if len(p.Refusals) > 0 {
		b.WriteString("cannot be altered in place:\n")
		for _, r := range p.Refusals {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	if len(p.Tables) > 0 {
		b.WriteString("statements:\n")
		for _, s := range p.Statements() {
			fmt.Fprintf(&b, "%s;\n", s)
		}
	}
	return b.String()
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// alterSQL joins the clauses of an ALTER TABLE as DataJoint for Python
// writes them: "ALTER TABLE `db`.`t`\n\tclause,\n\tclause".
func alterSQL(full string, ops []Op) string {
	clauses := make([]string, len(ops))
	for i, o := range ops {
		clauses[i] = o.Clause
	}
	return "ALTER TABLE " + full + "\n\t" + strings.Join(clauses, ",\n\t")
}

// Diff compares the structs (values or pointers of types embedding a
// tier marker, as for Schema.Declare) with the tables of schema s and
// returns the plan that makes the database match them. Tables the
// database does not have are created; tables of the schema that no struct
// names are left alone. Data-loss warnings count the affected rows in the
// database. The plan's refusals list what cannot be altered in place; an
// error is returned only when the comparison itself fails.
//
// A referenced struct that is not among the structs resolves to the table
// it is declared as on the connection, or else to its table in this
// schema.
func Diff(ctx context.Context, s *dj.Schema, rows ...any) (*Plan, error) {
	decls, err := declared(s, rows)
	if err != nil {
		return nil, err
	}
	db := s.Conn()
	p := &Plan{Schema: s.Name(), Hash: definitionHash(decls), rows: rows}
	for _, decl := range decls {
		full := decl.FullName()
		live, err := schema.Load(ctx, db, s.Name(), decl.Name)
		if errors.Is(err, dj.ErrMissingTable) {
			other, err := tierChange(ctx, db, decl)
			if err != nil {
				return nil, &dj.Error{Op: "migrate", Table: full, Err: err}
			}
			if other != "" {
				lt, _, _ := schema.ParseTableName(other)
				p.Refusals = append(p.Refusals, Refusal{Table: schema.QuoteFull(s.Name(), other),
					What:    fmt.Sprintf("%s changes tier from %s to %s (table %s would become %s), which DataJoint cannot alter in place", decl.ClassName, lt, decl.Tier, other, decl.Name),
					Instead: "keep the tier, or declare the new table, copy the rows into it and drop the old one"})
				continue
			}
			op := Op{Kind: CreateTable, Attribute: "", Changes: []string{decl.ClassName + " (" + decl.Tier.String() + ")"}, Clause: decl.CreateSQL()}
			p.Tables = append(p.Tables, TableChange{Table: full, Name: decl.Name, Type: decl.GoType, Ops: []Op{op}, Statement: op.Clause})
			continue
		}
		if err != nil {
			return nil, &dj.Error{Op: "migrate", Table: full, Err: err}
		}
		var names liveNames
		if names.index, err = indexNames(ctx, db, s.Name(), decl.Name); err != nil {
			return nil, &dj.Error{Op: "migrate", Table: full, Err: err}
		}
		if names.fk, err = fkNames(ctx, db, s.Name(), decl.Name); err != nil {
			return nil, &dj.Error{Op: "migrate", Table: full, Err: err}
		}
		d, err := diffTable(decl, live, names)
		if err != nil {
			return nil, err
		}
		if len(d.refusals) > 0 {
			p.Refusals = append(p.Refusals, d.refusals...)
			continue
		}
		if len(d.ops) == 0 {
			continue
		}
		warns, before, refusals, err := checkData(ctx, db, full, d)
		if err != nil {
			return nil, &dj.Error{Op: "migrate", Table: full, Err: err}
		}
		if len(refusals) > 0 {
			p.Refusals = append(p.Refusals, refusals...)
			continue
		}
		p.Warnings = append(p.Warnings, warns...)
		for _, store := range d.stores {
			before = append([]Op{{Kind: CreateStore, Changes: []string{store}, Clause: schema.ExternalTableSQL(s.Name(), store)}}, before...)
		}
		p.Tables = append(p.Tables, TableChange{Table: full, Name: decl.Name, Type: decl.GoType, Ops: d.ops, Before: before, Statement: alterSQL(full, d.ops)})
	}
	return p, nil
}

// definitionHash is the SHA-256 of the tables' CREATE TABLE statements,
// sorted by table name, with the database name replaced so that the hash
// is the same in every database.
func definitionHash(decls []*schema.Table) string {
	stmts := make([]string, 0, len(decls))
	for _, d := range decls {
		c := *d
		c.Database = "schema"
		c.ForeignKeys = append([]schema.ForeignKey(nil), d.ForeignKeys...)
		for i := range c.ForeignKeys {
			if c.ForeignKeys[i].ParentDatabase == d.Database {
				c.ForeignKeys[i].ParentDatabase = "schema"
			}
		}
		stmts = append(stmts, c.CreateSQL())
	}
	sort.Strings(stmts)
	h := sha256.Sum256([]byte(strings.Join(stmts, ";\n")))
	return hex.EncodeToString(h[:])
}
