package migrate

import (
	"context"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// liveNames are the server's names of a table's indexes (by indexKey) and
// foreign keys (by fkKey), which statements that drop them need.
type liveNames struct {
	index, fk map[string]string
}

// indexNames reads the server's name of every secondary index, keyed as
// indexKey does.
func indexNames(ctx context.Context, q schema.Querier, db, table string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT index_name, non_unique, column_name FROM information_schema.statistics
		WHERE table_schema = ? AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY index_name, seq_in_index`, db, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type ix struct {
		unique bool
		cols   []string
	}
	byName := map[string]*ix{}
	var order []string
	for rows.Next() {
		var name string
		var nonUnique int
		var col *string
		if err := rows.Scan(&name, &nonUnique, &col); err != nil {
			return nil, err
		}
		x := byName[name]
		if x == nil {
			x = &ix{unique: nonUnique == 0}
			byName[name] = x
			order = append(order, name)
		}
		c := ""
		if col != nil {
			c = *col
		}
		x.cols = append(x.cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range order {
		x := byName[n]
		k := indexKey(schema.Index{Unique: x.unique, Attrs: x.cols})
		if _, ok := out[k]; !ok {
			out[k] = n
		}
	}
	return out, nil
}

// fkNames reads the server's name of every foreign key, keyed as fkKey
// does.
func fkNames(ctx context.Context, q schema.Querier, db, table string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT constraint_name, column_name, referenced_table_schema, referenced_table_name, referenced_column_name
		FROM information_schema.key_column_usage
		WHERE table_schema = ? AND table_name = ? AND referenced_table_name IS NOT NULL
		ORDER BY constraint_name, ordinal_position`, db, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]*schema.ForeignKey{}
	var order []string
	for rows.Next() {
		var name, col, pdb, ptable, pcol string
		if err := rows.Scan(&name, &col, &pdb, &ptable, &pcol); err != nil {
			return nil, err
		}
		fk := byName[name]
		if fk == nil {
			fk = &schema.ForeignKey{ParentDatabase: pdb, ParentTable: ptable}
			byName[name] = fk
			order = append(order, name)
		}
		fk.Attrs = append(fk.Attrs, col)
		fk.RefAttrs = append(fk.RefAttrs, pcol)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range order {
		out[fkKey(byName[n])] = n
	}
	return out, nil
}
