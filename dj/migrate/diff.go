package migrate

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Kind is the kind of one operation of a plan.
type Kind string

// The operations a plan is made of.
const (
	CreateTable  Kind = "create table"       // a table the database does not have yet
	AddAttr      Kind = "add"                // a new secondary attribute
	DropAttr     Kind = "drop"               // a secondary attribute the struct no longer has
	ModifyAttr   Kind = "modify"             // type, default, nullability or comment of an attribute
	RenameAttr   Kind = "rename"             // an attribute renamed (and possibly modified)
	MoveAttr     Kind = "move"               // an attribute moved to its declared position
	AddIndex     Kind = "add index"          // an index or unique index the struct declares
	DropIndex    Kind = "drop index"         // an index the struct no longer declares
	TableComment Kind = "comment"            // the table comment
	FillNulls    Kind = "fill nulls"         // NULLs replaced by the default before NOT NULL
	CreateStore  Kind = "create store table" // the ~external_<store> table of a new external attribute
)

// Op is one change to one table.
type Op struct {
	// Kind is what the operation does.
	Kind Kind
	// Attribute is the attribute (column) it concerns, or "" for table-level
	// operations. For a rename it is the new name.
	Attribute string
	// From is the old name of a renamed attribute.
	From string
	// Changes lists what changes, in words: "type smallint → int",
	// "moved after `name`", "index (`qty`)".
	Changes []string
	// Clause is the clause of the ALTER TABLE statement that makes the
	// change, e.g. "ADD `color` varchar(16) DEFAULT NULL AFTER `note`".
	Clause string
}

// String describes the operation in one line.
func (o Op) String() string {
	var b strings.Builder
	b.WriteString(string(o.Kind))
	if o.From != "" {
		b.WriteString(" " + o.From + " →")
	}
	if o.Attribute != "" {
		b.WriteString(" " + o.Attribute)
	}
	if len(o.Changes) > 0 {
		b.WriteString(": " + strings.Join(o.Changes, "; "))
	}
	return b.String()
}

// Refusal is a difference between the structs and the database that
// cannot be altered in place, with what to do instead.
type Refusal struct {
	// Table is the full name `db`.`table` of the table concerned.
	Table string
	// What describes the difference.
	What string
	// Instead says what the user can do.
	Instead string
}

// String describes the refusal and what to do instead.
func (r Refusal) String() string { return r.Table + ": " + r.What + "; instead, " + r.Instead }

// renameRE matches DataJoint's rename token at the start of a comment:
// "{old_name} rest of the comment".
var renameRE = regexp.MustCompile(`^\{\s*(\w+)\s*\}`)

// renameSource returns the old name an attribute is renamed from: the `was`
// struct tag of its field, else DataJoint's "{old}" comment token.
func renameSource(t *schema.Table, a *schema.Attribute) string {
	if t.GoType != nil && a.Field != nil {
		if f := t.GoType.FieldByIndex(a.Field); f.Tag.Get("was") != "" {
			return f.Tag.Get("was")
		}
	}
	if m := renameRE.FindStringSubmatch(a.Comment); m != nil {
		return m[1]
	}
	return ""
}

// declared parses the structs for the schema, parents first. Parents that
// are declared on the connection resolve to their tables; others are
// parsed for the same schema.
func declared(s *dj.Schema, rows []any) ([]*schema.Table, error) {
	types := make([]reflect.Type, 0, len(rows))
	for _, v := range rows {
		t := structType(v)
		if t == nil || t.Kind() != reflect.Struct {
			return nil, &dj.Error{Op: "migrate", Table: fmt.Sprintf("%T", v), Err: fmt.Errorf("%w: want a struct with a tier marker, got %T", dj.ErrDeclaration, v)}
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	order, err := schema.SortTypes(types)
	if err != nil {
		return nil, &dj.Error{Op: "migrate", Err: err}
	}
	memo := map[reflect.Type]*schema.Table{}
	inList := map[reflect.Type]bool{}
	for _, t := range types {
		inList[t] = true
	}
	var resolve schema.Resolver
	resolve = func(t reflect.Type) (*schema.Table, error) {
		if m, ok := memo[t]; ok {
			return m, nil
		}
		if !inList[t] {
			if b, ok := s.Conn().Bound(t); ok {
				return b.Meta(), nil
			}
		}
		m, err := schema.Parse(t, s.Name(), resolve)
		if err != nil {
			return nil, err
		}
		memo[t] = m
		return m, nil
	}
	out := make([]*schema.Table, 0, len(order))
	for _, t := range order {
		m, err := resolve(t)
		if err != nil {
			return nil, &dj.Error{Op: "migrate", Table: t.Name(), Err: err}
		}
		out = append(out, m)
	}
	return out, nil
}

// baseName strips the tier prefix of a table name ("__spikes" → "spikes").
func baseName(name string) string { return strings.TrimLeft(name, "#_") }

// tierChange looks for a table of another tier with the same base name as
// the declared one, which is a tier change.
func tierChange(ctx context.Context, q schema.Querier, decl *schema.Table) (string, error) {
	names, err := schema.ListTables(ctx, q, decl.Database)
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if n != decl.Name && baseName(n) == baseName(decl.Name) {
			return n, nil
		}
	}
	return "", nil
}

// tableDiff is the difference between one declared table and its live
// counterpart.
type tableDiff struct {
	ops      []Op
	refusals []Refusal
	// pairs maps each added, modified, renamed or dropped attribute to its
	// live and declared versions, for the data checks (live is nil for an
	// addition, declared for a drop).
	pairs map[string][2]*schema.Attribute
	// stores are the object stores of added external attributes, whose
	// ~external_<store> tables must exist.
	stores []string
}

func fkKey(fk *schema.ForeignKey) string {
	return "(" + strings.Join(fk.Attrs, ",") + ") -> " + fk.ParentFullName() + " (" + strings.Join(fk.RefAttrs, ",") + ")"
}

func indexKey(ix schema.Index) string {
	k := "index (" + strings.Join(ix.Attrs, ",") + ")"
	if ix.Unique {
		k = "unique " + k
	}
	return k
}

// diffTable compares a declared table with the live one.
func diffTable(decl, live *schema.Table, names liveNames) (*tableDiff, error) {
	liveIndexNames := names.index
	d := &tableDiff{pairs: map[string][2]*schema.Attribute{}}
	full := decl.FullName()
	refuse := func(what, instead string) {
		d.refusals = append(d.refusals, Refusal{Table: full, What: what, Instead: instead})
	}

	// Primary key: names, order and types must agree.
	dpk, lpk := decl.Heading.PrimaryKey(), live.Heading.PrimaryKey()
	if !slices.Equal(dpk, lpk) {
		refuse(fmt.Sprintf("the primary key changes from (%s) to (%s), which DataJoint cannot alter in place", strings.Join(lpk, ", "), strings.Join(dpk, ", ")),
			"declare the new struct under a new name, copy the rows with an insert from a query, then drop the old table (a primary key change is a new table)")
	} else {
		for _, n := range dpk {
			da, _ := decl.Heading.Attr(n)
			la, _ := live.Heading.Attr(n)
			if dt, lt := schema.ComparableType(da), schema.ComparableType(la); dt != lt {
				refuse(fmt.Sprintf("primary-key attribute %q changes type from %s to %s, which DataJoint cannot alter in place", n, lt, dt),
					"keep the key type, or declare a new table with the new key, copy the rows and drop the old one")
			}
		}
	}

	// Foreign keys (references and external storage).
	dfk, lfk := map[string]*schema.ForeignKey{}, map[string]*schema.ForeignKey{}
	for i := range decl.ForeignKeys {
		dfk[fkKey(&decl.ForeignKeys[i])] = &decl.ForeignKeys[i]
	}
	for i := range live.ForeignKeys {
		lfk[fkKey(&live.ForeignKeys[i])] = &live.ForeignKeys[i]
	}
	// An attribute stored in an object store comes and goes with its
	// foreign key to ~external_<store>: those are added and dropped with it.
	addExt, dropExt := map[string]*schema.ForeignKey{}, map[string]*schema.ForeignKey{}
	for k, fk := range dfk {
		if lfk[k] != nil {
			continue
		}
		if isExternal(fk) && len(fk.Attrs) == 1 {
			da, _ := decl.Heading.Attr(fk.Attrs[0])
			if _, exists := live.Heading.Attr(fk.Attrs[0]); !exists && da != nil {
				if old := renameSource(decl, da); old == "" || !hasAttr(live, old) {
					addExt[da.Name] = fk
					continue
				}
			}
		}
		refuse(externalOr(fk, "the struct adds the reference "+k), fkInstead(fk))
	}
	for k, fk := range lfk {
		if dfk[k] != nil {
			continue
		}
		if isExternal(fk) && len(fk.Attrs) == 1 && !hasAttr(decl, fk.Attrs[0]) && !renamedAway(decl, live, fk.Attrs[0]) && names.fk[k] != "" {
			dropExt[fk.Attrs[0]] = fk
			continue
		}
		refuse(externalOr(fk, "the struct no longer has the reference "+k), fkInstead(fk))
	}
	for i := range decl.Heading.Attributes {
		da := &decl.Heading.Attributes[i]
		la, ok := live.Heading.Attr(da.Name)
		if ok && !da.InKey && da.Inherited && la.Inherited && da.Nullable != la.Nullable {
			refuse(fmt.Sprintf("the reference that brings %q changes from %s to %s", da.Name, nullWord(la.Nullable), nullWord(da.Nullable)),
				"keep the reference as it is, or declare a new table and copy the rows")
		}
	}
	if len(d.refusals) > 0 {
		return d, nil
	}

	// Renames.
	dnames := decl.Heading.Names()
	renamedFrom := map[string]string{} // new → old
	usedOld := map[string]string{}     // old → new
	for i := range decl.Heading.Attributes {
		da := &decl.Heading.Attributes[i]
		if _, ok := live.Heading.Attr(da.Name); ok {
			continue
		}
		old := renameSource(decl, da)
		if old == "" {
			continue
		}
		if _, ok := live.Heading.Attr(old); !ok {
			continue // the rename is done already, or names nothing: an addition
		}
		if slices.Contains(dnames, old) {
			return nil, &dj.Error{Op: "migrate", Table: full, Attr: da.Name, Err: fmt.Errorf("%w: %q is renamed from %q, but the struct still declares %q", dj.ErrDeclaration, da.Name, old, old)}
		}
		if other, dup := usedOld[old]; dup {
			return nil, &dj.Error{Op: "migrate", Table: full, Attr: da.Name, Err: fmt.Errorf("%w: both %q and %q are renamed from %q", dj.ErrDeclaration, other, da.Name, old)}
		}
		if la, _ := live.Heading.Attr(old); la.InKey {
			refuse(fmt.Sprintf("primary-key attribute %q is renamed to %q", old, da.Name), "keep the key attribute's name, or declare a new table with the new key, copy the rows and drop the old one")
			return d, nil
		}
		renamedFrom[da.Name], usedOld[old] = old, da.Name
	}

	// Indexes: drops first, so that dropped columns leave none behind.
	dix, lix := map[string]schema.Index{}, map[string]schema.Index{}
	for _, ix := range decl.Indexes {
		dix[indexKey(ix)] = ix
	}
	for _, ix := range live.Indexes {
		lix[indexKey(ix)] = ix
	}
	// A foreign key needs an index on its columns unless the primary key
	// starts with them: the server made one when the table was created, or
	// uses the unique index of a [unique] reference.
	needsIndex := func(attrs []string) bool {
		for i := range live.ForeignKeys {
			if slices.Equal(live.ForeignKeys[i].Attrs, attrs) && !(len(attrs) <= len(lpk) && slices.Equal(lpk[:len(attrs)], attrs)) {
				return true
			}
		}
		return false
	}
	for _, ix := range live.Indexes {
		k := indexKey(ix)
		if _, ok := dix[k]; ok {
			continue
		}
		name := liveIndexNames[k]
		if name == "" {
			return nil, &dj.Error{Op: "migrate", Table: full, Err: fmt.Errorf("%w: cannot find the name of %s", dj.ErrMissingTable, k)}
		}
		clause := "DROP INDEX " + schema.QuoteIdent(name)
		if ix.Unique && needsIndex(ix.Attrs) {
			// The reference loses [unique]: its foreign key keeps the plain
			// index the server gives it in a fresh declaration.
			clause += ",\n\tADD INDEX " + schema.QuoteIdent(name) + " (" + quoteNames(ix.Attrs) + ")"
		}
		d.ops = append(d.ops, Op{Kind: DropIndex, Changes: []string{k}, Clause: clause})
	}

	// Dropped attributes.
	cur := []string{}
	for i := range live.Heading.Attributes {
		la := &live.Heading.Attributes[i]
		if slices.Contains(dnames, la.Name) || usedOld[la.Name] != "" {
			cur = append(cur, la.Name)
			continue
		}
		clause := "DROP " + schema.QuoteIdent(la.Name)
		if fk := dropExt[la.Name]; fk != nil {
			clause = "DROP FOREIGN KEY " + schema.QuoteIdent(names.fk[fkKey(fk)]) + ",\n\t" + clause
		}
		d.ops = append(d.ops, Op{Kind: DropAttr, Attribute: la.Name, Clause: clause})
		d.pairs[la.Name] = [2]*schema.Attribute{la, nil}
	}

	// Additions, changes, renames and moves, in declared order.
	prev := ""
	for i := range decl.Heading.Attributes {
		da := &decl.Heading.Attributes[i]
		src := da.Name
		if old := renamedFrom[da.Name]; old != "" {
			src = old
		}
		if da.InKey {
			prev = da.Name
			continue
		}
		def := schema.AttributeSQL(da)
		pos := slices.Index(cur, src)
		want := 0
		if prev != "" {
			want = slices.Index(cur, prev) + 1
		}
		after := " FIRST"
		if prev != "" {
			after = " AFTER " + schema.QuoteIdent(prev)
		}
		switch {
		case pos < 0:
			clause := "ADD " + def + afterIf(want != len(cur), after)
			if fk := addExt[da.Name]; fk != nil {
				clause += ",\n\tADD " + schema.ForeignKeySQL(fk)
				d.stores = append(d.stores, da.Store)
			}
			d.ops = append(d.ops, Op{Kind: AddAttr, Attribute: da.Name, Changes: []string{def}, Clause: clause})
			d.pairs[da.Name] = [2]*schema.Attribute{nil, da}
			cur = slices.Insert(cur, want, da.Name)
		default:
			la, _ := live.Heading.Attr(src)
			changes := schema.AttributeDiff(da, la)
			moved := pos != want
			if moved {
				cur = slices.Delete(cur, pos, pos+1)
				if pos < want {
					want--
				}
				cur = slices.Insert(cur, want, da.Name)
				changes = append(changes, "moved"+after)
			} else {
				cur[pos] = da.Name
			}
			op := Op{Attribute: da.Name, Changes: changes}
			switch {
			case src != da.Name:
				op.Kind, op.From = RenameAttr, src
				op.Clause = "CHANGE " + schema.QuoteIdent(src) + " " + def + afterIf(moved, after)
			case len(changes) == 0:
				prev = da.Name
				continue
			case moved && len(changes) == 1:
				op.Kind = MoveAttr
				op.Clause = "MODIFY " + def + after
			default:
				op.Kind = ModifyAttr
				op.Clause = "MODIFY " + def + afterIf(moved, after)
			}
			d.ops = append(d.ops, op)
			d.pairs[da.Name] = [2]*schema.Attribute{la, da}
		}
		prev = da.Name
	}
	if !slices.Equal(cur, dnames) {
		return nil, &dj.Error{Op: "migrate", Table: full, Err: fmt.Errorf("%w: planned column order (%s) is not the declared order (%s)", dj.ErrHeadingMismatch, strings.Join(cur, ", "), strings.Join(dnames, ", "))}
	}

	for _, ix := range decl.Indexes {
		k := indexKey(ix)
		if _, ok := lix[k]; ok {
			continue
		}
		clause := "ADD " + schema.IndexSQL(ix)
		if implicit := liveIndexNames[indexKey(schema.Index{Attrs: ix.Attrs})]; ix.Unique && implicit != "" && needsIndex(ix.Attrs) {
			// The reference becomes [unique]: its unique index replaces the
			// plain one of the foreign key, under the same name.
			clause = "DROP INDEX " + schema.QuoteIdent(implicit) + ",\n\tADD UNIQUE INDEX " + schema.QuoteIdent(implicit) + " (" + quoteNames(ix.Attrs) + ")"
		}
		d.ops = append(d.ops, Op{Kind: AddIndex, Changes: []string{k}, Clause: clause})
	}
	if decl.Comment != live.Comment {
		d.ops = append(d.ops, Op{Kind: TableComment, Changes: []string{fmt.Sprintf("%q → %q", live.Comment, decl.Comment)}, Clause: "COMMENT=\"" + escapeComment(decl.Comment) + "\""})
	}
	return d, nil
}

func afterIf(cond bool, after string) string {
	if cond {
		return after
	}
	return ""
}

func nullWord(n bool) string {
	if n {
		return "nullable"
	}
	return "NOT NULL"
}

func escapeComment(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, `"`, `\"`)
}

func externalOr(fk *schema.ForeignKey, what string) string {
	if strings.HasPrefix(fk.ParentTable, "~external_") {
		return fmt.Sprintf("attribute %q moves into or out of object store %q (a foreign key to %s), which DataJoint cannot alter in place", strings.Join(fk.Attrs, ","), strings.TrimPrefix(fk.ParentTable, "~external_"), fk.ParentFullName())
	}
	return what + ", which DataJoint cannot alter in place"
}

func fkInstead(fk *schema.ForeignKey) string {
	if strings.HasPrefix(fk.ParentTable, "~external_") {
		return "add an attribute of the new type under another name, copy the values into it, then drop the old attribute"
	}
	if fk.Primary {
		return "a reference in the primary key is part of the key: declare a new table with it, copy the rows and drop the old one"
	}
	return "declare a new table with the reference, copy the rows and drop the old one; or record the dependency in a secondary attribute without a reference"
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = schema.QuoteIdent(n)
	}
	return strings.Join(q, ",")
}

func isExternal(fk *schema.ForeignKey) bool { return strings.HasPrefix(fk.ParentTable, "~external_") }

func hasAttr(t *schema.Table, name string) bool {
	_, ok := t.Heading.Attr(name)
	return ok
}

// renamedAway reports whether a declared attribute is renamed from the
// live attribute old.
func renamedAway(decl, live *schema.Table, old string) bool {
	for i := range decl.Heading.Attributes {
		da := &decl.Heading.Attributes[i]
		if !hasAttr(live, da.Name) && renameSource(decl, da) == old {
			return true
		}
	}
	return false
}
