package dj_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
)

func TestExternalCleanup(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtBlob{}))
		var rows []ExtBlob
		for i := range 4 {
			rows = append(rows, ExtBlob{ID: int32(i), Data: bytes.Repeat([]byte{byte(i)}, 2000+i)})
		}
		// Row 3 shares row 2's contents: its object stays while row 2 remains.
		rows[3].Data = rows[2].Data
		must(t, dj.Insert(ctx, c, rows))
		x := s.External(extStore)
		refs, err := x.References(ctx)
		must(t, err)
		if len(refs) != 1 || refs[0].Table != "ext_blob" || refs[0].Column != "data" {
			t.Fatalf("references %+v", refs)
		}
		unused, err := x.Unused(ctx)
		must(t, err)
		if len(unused) != 0 {
			t.Fatalf("unused before delete: %d", len(unused))
		}

		// Deleting rows leaves the objects.
		_, err = dj.Delete(ctx, c, dj.From[ExtBlob](c).Restrict(dj.Where("id IN (0,3)")))
		must(t, err)
		before := env.list(t, env.location()+"/"+s.Name()+"/")
		if len(before) != 3 {
			t.Fatalf("objects after row delete: %v", before)
		}
		unused, err = x.Unused(ctx)
		must(t, err)
		p0, _ := blob.Marshal(rows[0].Data)
		want0 := expectedUUID(p0)
		if len(unused) != 1 || !bytes.Equal(unused[0].Hash[:], want0) {
			t.Fatalf("unused %+v, want only %x", unused, want0)
		}
		if unused[0].Path != blobKey(env.location(), s.Name(), want0) {
			t.Fatalf("path %s", unused[0].Path)
		}
		used, err := x.Used(ctx)
		must(t, err)
		if len(used) != 2 {
			t.Fatalf("used %d, want 2", len(used))
		}

		rep, err := x.Delete(ctx, true)
		must(t, err)
		if len(rep.Rows) != 1 || len(rep.Objects) != 1 || len(rep.Errors) != 0 || rep.Objects[0] != blobKey(env.location(), s.Name(), want0) {
			t.Fatalf("report %+v", rep)
		}
		after := env.list(t, env.location()+"/"+s.Name()+"/")
		if len(after) != 2 || slices.Contains(after, rep.Objects[0]) {
			t.Fatalf("objects after cleanup: %v", after)
		}
		if n := len(trackingRows(t, c, s.Name())); n != 2 {
			t.Fatalf("%d tracking rows after cleanup", n)
		}
		got, err := dj.Fetch[ExtBlob](ctx, c, dj.From[ExtBlob](c).OrderBy("id"))
		must(t, err)
		if len(got) != 2 || !bytes.Equal(got[0].Data, rows[1].Data) || !bytes.Equal(got[1].Data, rows[2].Data) {
			t.Fatalf("remaining rows changed")
		}
		// Nothing is left to clean: a second run deletes nothing.
		rep, err = x.Delete(ctx, true)
		must(t, err)
		if len(rep.Rows) != 0 {
			t.Fatalf("second cleanup deleted %+v", rep)
		}
	})
}

// TestExternalCleanupNullable checks that NULLs in a referencing column do
// not hide unused rows (DataJoint issue #1000).
func TestExternalCleanupNullable(t *testing.T) {
	type ExtMaybe struct {
		dj.Manual `comment:"nullable external blob"`
		ID        int32   `dj:"pk"`
		Data      *[]byte `dj:"type=blob@djext"`
	}
	ctx := context.Background()
	env := fileEnv(t)
	c, s := connectStore(t, env)
	must(t, s.Declare(ctx, ExtMaybe{}))
	d1, d2 := []byte("one one one"), []byte("two two two")
	must(t, dj.Insert(ctx, c, []ExtMaybe{{ID: 1, Data: &d1}, {ID: 2, Data: &d2}, {ID: 3}}))
	_, err := dj.Delete(ctx, c, dj.From[ExtMaybe](c).Restrict(dj.Where("id=1")))
	must(t, err)
	rep, err := s.External(extStore).Delete(ctx, true)
	must(t, err)
	if len(rep.Rows) != 1 {
		t.Fatalf("cleanup with NULLs deleted %d rows, want 1", len(rep.Rows))
	}
	got, err := dj.Fetch[ExtMaybe](ctx, c, dj.From[ExtMaybe](c).OrderBy("id"))
	must(t, err)
	if len(got) != 2 || got[0].Data == nil || !bytes.Equal(*got[0].Data, d2) || got[1].Data != nil {
		t.Fatalf("rows after cleanup: %+v", got)
	}
}

func TestExternalMemoryStore(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	mem := external.NewMemory(extStore)
	must(t, c.UseStore(mem))
	must(t, s.Declare(ctx, ExtBlob{}))
	must(t, dj.Insert(ctx, c, []ExtBlob{{ID: 1, Data: []byte("a")}, {ID: 2, Data: []byte("a")}, {ID: 3, Data: []byte("b")}}))
	if mem.Len() != 2 {
		t.Fatalf("memory store holds %d objects, want 2", mem.Len())
	}
	got, err := dj.Fetch[ExtBlob](ctx, c, dj.From[ExtBlob](c).OrderBy("id"))
	must(t, err)
	if len(got) != 3 || string(got[2].Data) != "b" {
		t.Fatalf("fetched %+v", got)
	}
	// An upload failing mid-batch fails the insert and commits nothing.
	mem.Hook = func(op, key string) error {
		if op == "put" {
			return errors.New("injected failure")
		}
		return nil
	}
	err = dj.Insert(ctx, c, []ExtBlob{{ID: 4, Data: []byte("c")}, {ID: 5, Data: []byte("d")}})
	wantErr(t, err, dj.ErrStore)
	if n := countRows(t, c, "`"+s.Name()+"`.`ext_blob`"); n != 3 {
		t.Fatalf("%d rows after the failed insert", n)
	}

	// A failed object deletion keeps its tracking row for a later cleanup.
	mem.Hook = nil
	_, err = dj.Delete(ctx, c, dj.From[ExtBlob](c).Restrict(dj.Where("id=3")))
	must(t, err)
	mem.Hook = func(op, key string) error {
		if op == "delete" {
			return errors.New("injected failure")
		}
		return nil
	}
	x := s.External(extStore)
	rep, err := x.Delete(ctx, true)
	must(t, err)
	if len(rep.Rows) != 0 || len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], dj.ErrStore) {
		t.Fatalf("report %+v", rep)
	}
	if n := len(trackingRows(t, c, s.Name())); n != 2 {
		t.Fatalf("%d tracking rows after the failed cleanup, want 2", n)
	}
	mem.Hook = nil
	rep, err = x.Delete(ctx, true)
	must(t, err)
	if len(rep.Rows) != 1 || len(rep.Objects) != 1 || mem.Len() != 1 {
		t.Fatalf("report %+v, %d objects left", rep, mem.Len())
	}
}
