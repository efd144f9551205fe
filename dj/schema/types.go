package schema

import (
	"context"
	"database/sql"
	"reflect"
	"strconv"
	"strings"
)

// Tier is a DataJoint table tier. It decides the table-name prefix and who
// populates the table.
type Tier uint8

// The tiers of DataJoint 0.14.
const (
	Manual   Tier = iota + 1 // no prefix; rows entered by users
	Lookup                   // prefix "#"; fixed contents declared with the table
	Imported                 // prefix "_"; populated by make from outside data
	Computed                 // prefix "__"; populated by make from other tables
	Part                     // "<master>__<part>"; rows belong to a master row
	System                   // prefix "~"; framework tables (~jobs, ~log, ~external_*)
)

// String returns the tier's DataJoint class name ("Manual", "Lookup", ...).
func (t Tier) String() string {
	switch t {
	case Manual:
		return "Manual"
	case Lookup:
		return "Lookup"
	case Imported:
		return "Imported"
	case Computed:
		return "Computed"
	case Part:
		return "Part"
	case System:
		return "System"
	}
	return "Tier(" + strconv.Itoa(int(t)) + ")"
}

// Prefix returns the table-name prefix of a top-level table of this tier.
// Parts have no prefix of their own: their name starts with the master's name.
func (t Tier) Prefix() string {
	switch t {
	case Lookup:
		return "#"
	case Imported:
		return "_"
	case Computed:
		return "__"
	case System:
		return "~"
	}
	return ""
}

// AutoPopulated reports whether the tier is filled by populate (Imported or
// Computed).
func (t Tier) AutoPopulated() bool { return t == Imported || t == Computed }

// Category classifies an attribute's DataJoint type: it decides the MySQL
// column type, the comment marker, and how values are encoded and decoded.
type Category uint8

// Attribute type categories, as DataJoint 0.14 matches them.
const (
	CatInteger        Category = iota + 1 // tinyint … bigint [unsigned], serial
	CatDecimal                            // decimal/numeric(p,s)
	CatFloat                              // float, double, real
	CatString                             // char(n), varchar(n)
	CatEnum                               // enum('a',…)
	CatBool                               // bool/boolean (tinyint(1) in MySQL)
	CatTemporal                           // date, datetime[(n)], time, timestamp, year
	CatJSON                               // json
	CatBlob                               // tinyblob, blob, mediumblob, longblob: a DataJoint blob
	CatUUID                               // uuid: binary(16), marker :uuid:
	CatAttach                             // attach: longblob holding name\0contents, marker :attach:
	CatExternalBlob                       // blob@store: binary(16) → ~external_store, marker :blob@store:
	CatExternalAttach                     // attach@store
	CatFilepath                           // filepath@store
)

// String names the category.
func (c Category) String() string {
	switch c {
	case CatInteger:
		return "integer"
	case CatDecimal:
		return "decimal"
	case CatFloat:
		return "float"
	case CatString:
		return "string"
	case CatEnum:
		return "enum"
	case CatBool:
		return "bool"
	case CatTemporal:
		return "temporal"
	case CatJSON:
		return "json"
	case CatBlob:
		return "blob"
	case CatUUID:
		return "uuid"
	case CatAttach:
		return "attach"
	case CatExternalBlob:
		return "blob@store"
	case CatExternalAttach:
		return "attach@store"
	case CatFilepath:
		return "filepath@store"
	}
	return "unknown"
}

// External reports whether values of this category live in an object store
// (the column holds a 16-byte hash referencing ~external_<store>).
func (c Category) External() bool {
	return c == CatExternalBlob || c == CatExternalAttach || c == CatFilepath
}

// Numeric reports whether the category holds plain numbers.
func (c Category) Numeric() bool {
	return c == CatInteger || c == CatDecimal || c == CatFloat || c == CatBool
}

// Attribute is one column of a table as DataJoint sees it.
type Attribute struct {
	// Name is the column name (snake_case).
	Name string
	// Type is the DataJoint type text as a definition would write it, in
	// lower case: "int unsigned", "varchar(32)", "uuid", "longblob",
	// "blob@raw", "attach", "enum('a','b')", "datetime(6)".
	Type string
	// SQLType is the MySQL column type emitted in DDL: "binary(16)" for uuid
	// and external types, "longblob" for attach, otherwise Type without
	// "auto_increment".
	SQLType string
	// Category classifies Type.
	Category Category
	// Store names the object store of external categories ("" otherwise).
	Store string
	// Database is the database whose ~external_<store> table an external
	// attribute refers to; empty when unknown.
	Database string
	// Adapter is the adapter name of an attribute of an adapted type,
	// DataJoint's <name> (marker ":<name>:"): "graph" for <graph>. Type,
	// SQLType and Category then describe the column that stores the
	// adapted values, as the database reports it. Empty otherwise.
	Adapter string
	// InKey is true for primary-key attributes.
	InKey bool
	// Nullable is true when the column accepts NULL.
	Nullable bool
	// Default is the SQL default as DataJoint writes it into DDL, without
	// the DEFAULT keyword: `"mouse"`, `"0"`, `CURRENT_TIMESTAMP`, `NULL`.
	// It is meaningful only when HasDefault is true.
	Default string
	// HasDefault is true when the column has a default (including NULL).
	HasDefault bool
	// AutoIncrement is true for auto_increment integer columns.
	AutoIncrement bool
	// Unsigned is true for unsigned numeric types.
	Unsigned bool
	// Comment is the user comment, without any type marker.
	Comment string
	// Field is the index path of the Go struct field bound to this
	// attribute (reflect.Value.FieldByIndex), or nil when the table was not
	// declared from a struct.
	Field []int
	// GoType is the Go type of the bound field, or nil.
	GoType reflect.Type
	// Inherited is true for an attribute copied from a referenced table's
	// primary key (DataJoint's "->"), which CreateSQL writes the way
	// DataJoint copies it. Load sets it for every column of a foreign key
	// to a user table, as the database does not record how a column was
	// declared.
	Inherited bool
}

// Marker returns the comment type marker DataJoint 0.14 writes for this
// attribute (":uuid:", ":blob@store:", ":<adapter>:", ...), or "" for
// native types.
func (a *Attribute) Marker() string {
	if a.Adapter != "" {
		return ":<" + a.Adapter + ">:"
	}
	switch a.Category {
	case CatUUID, CatAttach, CatExternalBlob, CatExternalAttach, CatFilepath:
		return ":" + a.Type + ":"
	}
	return ""
}

// ColumnComment returns the full column comment: marker plus user comment.
func (a *Attribute) ColumnComment() string { return a.Marker() + a.Comment }

// Heading is the ordered list of a table's (or query's) visible attributes.
// Primary-key attributes are not required to come first in declaration
// order, but PrimaryKey lists them in heading order.
type Heading struct {
	Attributes []Attribute
}

// Attr returns the attribute with the given name.
func (h *Heading) Attr(name string) (*Attribute, bool) {
	for i := range h.Attributes {
		if h.Attributes[i].Name == name {
			return &h.Attributes[i], true
		}
	}
	return nil, false
}

// Names lists all attribute names in heading order.
func (h *Heading) Names() []string {
	out := make([]string, len(h.Attributes))
	for i := range h.Attributes {
		out[i] = h.Attributes[i].Name
	}
	return out
}

// PrimaryKey lists the primary-key attribute names in heading order.
func (h *Heading) PrimaryKey() []string {
	var out []string
	for i := range h.Attributes {
		if h.Attributes[i].InKey {
			out = append(out, h.Attributes[i].Name)
		}
	}
	return out
}

// Secondary lists the non-key attribute names in heading order.
func (h *Heading) Secondary() []string {
	var out []string
	for i := range h.Attributes {
		if !h.Attributes[i].InKey {
			out = append(out, h.Attributes[i].Name)
		}
	}
	return out
}

// ForeignKey is one FOREIGN KEY constraint of a table.
type ForeignKey struct {
	// ParentDatabase and ParentTable name the referenced table (bare name).
	ParentDatabase string
	ParentTable    string
	// Attrs are the child's columns; RefAttrs the parent's columns, in the
	// same order. They differ only for renamed references (proj).
	Attrs    []string
	RefAttrs []string
	// Primary is true when every column of Attrs is in the child's key.
	Primary bool
	// Nullable and Unique repeat DataJoint's [nullable] and [unique] options.
	Nullable bool
	Unique   bool
}

// Renamed reports whether any column is renamed (DataJoint's proj FK).
func (fk *ForeignKey) Renamed() bool {
	for i := range fk.Attrs {
		if fk.Attrs[i] != fk.RefAttrs[i] {
			return true
		}
	}
	return false
}

// ParentFullName returns the quoted `db`.`table` name of the parent.
func (fk *ForeignKey) ParentFullName() string {
	return QuoteFull(fk.ParentDatabase, fk.ParentTable)
}

// Index is a secondary index of a table.
type Index struct {
	Unique bool
	Attrs  []string
}

// Table is the complete metadata of one table: what DataJoint calls a table
// class plus its heading.
type Table struct {
	// Database is the MySQL schema (database) name.
	Database string
	// Name is the bare MySQL table name, prefix included: "#species",
	// "__spikes__unit".
	Name string
	// ClassName is the CamelCase class name: the Go struct name, or the
	// DataJoint class name derived from Name. For parts it is the part's own
	// name ("Unit"), not the master's.
	ClassName string
	// Tier is the table tier.
	Tier Tier
	// Master is the bare table name of the master, for parts ("" otherwise).
	Master string
	// Comment is the table comment (the first "#" line of a definition).
	Comment string
	// Heading lists the visible attributes (hidden "_" columns excluded).
	Heading Heading
	// ForeignKeys lists the constraints in declaration order, including the
	// ones to ~external_<store> tables.
	ForeignKeys []ForeignKey
	// Indexes lists secondary indexes declared by the user (index lines and
	// [unique] references), in declaration order.
	Indexes []Index
	// GoType is the struct type the table was declared from, or nil.
	GoType reflect.Type
}

// FullName returns the quoted `db`.`name`.
func (t *Table) FullName() string { return QuoteFull(t.Database, t.Name) }

// QuoteIdent quotes a MySQL identifier with backticks, doubling any
// backtick inside it.
func QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteFull returns `db`.`name`.
func QuoteFull(db, name string) string { return QuoteIdent(db) + "." + QuoteIdent(name) }

// Querier is what the schema package needs to read metadata from a
// database: *sql.DB, *sql.Conn and *sql.Tx all satisfy it.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
