package schema

import "strings"

// TableID identifies a table by its database and its bare MySQL name
// ("#species", "__spikes__unit"). Names travel as TableIDs and are quoted
// only when rendered into SQL or text.
type TableID struct {
	Database string
	Table    string
}

// Quoted returns the name as SQL writes it: `db`.`table`.
func (id TableID) Quoted() string { return QuoteFull(id.Database, id.Table) }

// String returns the quoted name.
func (id TableID) String() string { return id.Quoted() }

// IsZero reports whether id names no table.
func (id TableID) IsZero() bool { return id == TableID{} }

// Compare orders TableIDs as their quoted names order.
func (id TableID) Compare(other TableID) int {
	return strings.Compare(id.Quoted(), other.Quoted())
}

// ID returns the table's identifier.
func (t *Table) ID() TableID { return TableID{t.Database, t.Name} }

// ParentID returns the identifier of the referenced table.
func (fk ForeignKey) ParentID() TableID { return TableID{fk.ParentDatabase, fk.ParentTable} }
