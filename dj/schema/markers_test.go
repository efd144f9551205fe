package schema

import (
	"reflect"
	"testing"
)

// Test markers equivalent to package dj's dj.Manual, dj.Lookup, ...,
// dj.Part[M] and dj.Ref[T].

type DJManual struct{}

func (DJManual) DJTier() Tier { return Manual }

type DJLookup struct{}

func (DJLookup) DJTier() Tier { return Lookup }

type DJImported struct{}

func (DJImported) DJTier() Tier { return Imported }

type DJComputed struct{}

func (DJComputed) DJTier() Tier { return Computed }

type DJPart[M any] struct{}

func (DJPart[M]) DJTier() Tier { return Part }

func (DJPart[M]) DJMaster() reflect.Type { return reflect.TypeFor[M]() }

type Ref[T any] struct{}

func (Ref[T]) DJReference() reflect.Type { return reflect.TypeFor[T]() }

// registry resolves referenced types by parsing them into one database,
// caching the results.
type registry struct {
	db     string
	tables map[reflect.Type]*Table
}

func newRegistry(db string) *registry {
	return &registry{db: db, tables: map[reflect.Type]*Table{}}
}

func (r *registry) resolve(t reflect.Type) (*Table, error) {
	if tb, ok := r.tables[t]; ok {
		return tb, nil
	}
	tb, err := Parse(t, r.db, r.resolve)
	if err != nil {
		return nil, err
	}
	r.tables[t] = tb
	return tb, nil
}

func (r *registry) parse(t *testing.T, typ reflect.Type) *Table {
	t.Helper()
	tb, err := r.resolve(typ)
	if err != nil {
		t.Fatalf("Parse(%s): %v", typ.Name(), err)
	}
	return tb
}

func TestMarkerDetection(t *testing.T) {
	type Plain struct {
		DJLookup
		ID int16 `dj:"pk"`
	}
	mf, n, ok := markerField(reflect.TypeFor[Plain]())
	if !ok || n != 1 || mf.Name != "DJLookup" {
		t.Fatalf("markerField = %v %d %v", mf.Name, n, ok)
	}
	tier, master := tierOf(mf.Type)
	if tier != Lookup || master != nil {
		t.Fatalf("tierOf = %v %v", tier, master)
	}
	type P struct {
		DJPart[Plain]
		ID int16 `dj:"pk"`
	}
	mf, _, _ = markerField(reflect.TypeFor[P]())
	tier, master = tierOf(mf.Type)
	if tier != Part || master != reflect.TypeFor[Plain]() {
		t.Fatalf("tierOf(part) = %v %v", tier, master)
	}
	if rt, ok := isReference(reflect.TypeFor[Ref[Plain]]()); !ok || rt != reflect.TypeFor[Plain]() {
		t.Fatalf("isReference = %v %v", rt, ok)
	}
}
