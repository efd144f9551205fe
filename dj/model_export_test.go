package dj

import (
	"context"
	"reflect"
	"sort"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// InsertPaths returns the field index path of every attribute of meta
// that an insert of struct type typ writes.
func InsertPaths(meta *schema.Table, typ reflect.Type) (map[string][]int, error) {
	src, err := structSourceFor(meta, typ, false)
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for i, a := range src.attrs {
		out[a.Name] = src.index[i]
	}
	return out, nil
}

// FetchPaths returns the field index path of every attribute of h that a
// strict fetch into struct type typ fills.
func FetchPaths(typ reflect.Type, h *schema.Heading) (map[string][]int, error) {
	p, err := planFor(typ, h, false)
	if err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, c := range p.cols {
		if c.index != nil {
			out[c.attr.Name] = c.index
		}
	}
	return out, nil
}

// MatchColumns returns the attributes a restriction by row (Match) names,
// sorted.
func MatchColumns(row any) ([]string, error) {
	m, err := matchMap(row)
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// ConnectHooked is Connect with a hook that sees every statement the
// connection sends, from the first one on.
func ConnectHooked(ctx context.Context, cfg Config, hook func(query string)) (*Conn, error) {
	return connect(ctx, cfg, hook)
}
