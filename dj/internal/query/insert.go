package query

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// InsertMode says what an insert does with a row whose primary key (or a
// unique index) already exists in the destination table.
type InsertMode uint8

const (
	// InsertError fails the whole statement (a duplicate-key error).
	InsertError InsertMode = iota
	// InsertSkipDuplicates keeps the existing row (DataJoint's
	// skip_duplicates=True).
	InsertSkipDuplicates
	// InsertReplace replaces the existing row (REPLACE INTO, DataJoint's
	// replace=True).
	InsertReplace
)

// InsertSQL returns the statement that inserts the rows of e into the
// table dst without bringing them to the client (DataJoint's
// Table.insert(query)):
//
//	INSERT INTO dst (f1,f2,…) SELECT f1,f2,… FROM …
//
// fields names attributes of e, which are also columns of dst; the caller
// matches them by name. With InsertSkipDuplicates the statement ends with
// ON DUPLICATE KEY UPDATE on the first key column of dst (a no-op update,
// so that duplicates are skipped while every other error still fails the
// statement) and the SELECT is a derived table, so that the update refers
// only to dst even when e reads dst itself. With InsertReplace it is a
// REPLACE INTO.
func (e Expr) InsertSQL(dst *schema.Table, fields []string, mode InsertMode) (string, []any, error) {
	n, err := terminal(e)
	if err != nil {
		return "", nil, err
	}
	if dst == nil || dst.Name == "" {
		return "", nil, fmt.Errorf("%w: insert into a table without a name", djerr.ErrInvalidQuery)
	}
	if len(fields) == 0 {
		return "", nil, fmt.Errorf("%w: insert into %s: no attribute of the query is a column of the table", djerr.ErrMissingAttribute, dst.FullName())
	}
	for i, f := range fields {
		if !n.has(f) {
			return "", nil, fmt.Errorf("%w: %q is not an attribute of %s (attributes: %s)",
				djerr.ErrUnknownAttribute, f, n.describe(), joinNames(n.names()))
		}
		for _, g := range fields[:i] {
			if g == f {
				return "", nil, fmt.Errorf("%w: insert lists %q twice", djerr.ErrInvalidQuery, f)
			}
		}
	}
	pk := dst.Heading.PrimaryKey()
	if mode == InsertSkipDuplicates && len(pk) == 0 {
		return "", nil, fmt.Errorf("%w: %s has no primary key to skip duplicates on", djerr.ErrInvalidQuery, dst.FullName())
	}
	r := renderer{b: make([]byte, 0, 256)}
	if mode == InsertReplace {
		r.str("REPLACE INTO ")
	} else {
		r.str("INSERT INTO ")
	}
	r.table(dst)
	r.str(" (")
	for i, f := range fields {
		if i > 0 {
			r.str(",")
		}
		r.ident(f)
	}
	r.str(") ")
	if mode != InsertSkipDuplicates {
		if err := r.selectSQL(n, fields); err != nil {
			return "", nil, err
		}
		return string(r.b), r.args, nil
	}
	r.str("SELECT * FROM (")
	if err := r.selectSQL(n, fields); err != nil {
		return "", nil, err
	}
	r.str(")")
	r.nextAlias()
	r.str(" ON DUPLICATE KEY UPDATE ")
	r.table(dst)
	r.str(".")
	r.ident(pk[0])
	r.str("=")
	r.table(dst)
	r.str(".")
	r.ident(pk[0])
	return string(r.b), r.args, nil
}

// table writes the name of a base table, with its database when it has
// one.
func (r *renderer) table(t *schema.Table) {
	if t.Database != "" {
		r.ident(t.Database)
		r.str(".")
	}
	r.ident(t.Name)
}
