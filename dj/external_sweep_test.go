package dj_test

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
)

// ExtOther keeps its blobs in a second store.
type ExtOther struct {
	dj.Manual `comment:"another store"`
	ID        int32     `dj:"pk"`
	Data      []float64 `dj:"type=blob@djext2"`
}

// orphanKeys are the keys (location included) of the blob and attachment
// objects of a row, computed without dj.
func orphanKeys(t *testing.T, env storeEnv, db string, trace []float64, doc dj.Attachment) []string {
	t.Helper()
	packed, err := blob.Marshal(trace)
	must(t, err)
	h := hex.EncodeToString(expectedUUID([]byte(doc.Name), []byte{0}, doc.Data))
	return []string{
		blobKey(env.location(), db, expectedUUID(packed)),
		env.location() + "/" + db + "/" + h[:2] + "/" + h[2:4] + "/" + h + "." + doc.Name,
	}
}

// TestExternalSweep: the uploads of failed inserts are removed once older
// than the grace period; young ones, tracked objects and filepath objects
// (even under the schema's prefix) stay; a dry run removes nothing.
func TestExternalSweep(t *testing.T) {
	t.Parallel() // owns its database and store location; the longest tests overlap
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtRecording{}))
		tbl, err := dj.TableOf[ExtRecording](c)
		must(t, err)
		db := s.Name()

		// Tracked: a blob, an attachment and filepaths, two of them under
		// <db>/, one laid out like a blob key.
		var tracked []string
		var rels []string
		lookalike := db + "/ab/cd/abcd" + randomHex(14)
		for i, rel := range []string{"session/raw.dat", db + "/raw.dat", lookalike} {
			p := filepath.Join(env.stage, filepath.FromSlash(rel))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, []byte("filepath "+rel), 0o644))
			doc := dj.Attachment{Name: "kept.txt", Data: []byte{byte(i)}}
			must(t, tbl.Insert1(ctx, c, map[string]any{"rec_id": i, "trace": []float64{float64(i)}, "doc": doc, "raw": p}))
			tracked = append(tracked, orphanKeys(t, env, db, []float64{float64(i)}, doc)...)
			tracked = append(tracked, env.location()+"/"+rel)
			rels = append(rels, rel)
		}

		// Old orphans: a failed insert (duplicate key) leaves its uploads.
		failed := func(n int, tag string) []string {
			var keys []string
			var rows []map[string]any
			for k := range n {
				trace := []float64{float64(100 + k), float64(len(tag))}
				doc := dj.Attachment{Name: tag + ".bin", Data: []byte(tag + randomHex(4))}
				rows = append(rows, map[string]any{"rec_id": 100 + k, "trace": trace, "doc": doc})
				keys = append(keys, orphanKeys(t, env, db, trace, doc)...)
			}
			// The duplicate row's own objects are orphans too.
			dupTrace := []float64{-1, float64(len(tag))}
			dupDoc := dj.Attachment{Name: "dup.bin", Data: []byte(tag)}
			rows = append(rows, map[string]any{"rec_id": 0, "trace": dupTrace, "doc": dupDoc})
			wantErr(t, tbl.Insert(ctx, c, rows), dj.ErrDuplicate)
			return append(keys, orphanKeys(t, env, db, dupTrace, dupDoc)...)
		}
		// A second store at the same location: its objects are tracked by
		// its own table and must survive a sweep of the first.
		must(t, c.SetStore("djext2", env.cfg))
		must(t, s.Declare(ctx, ExtOther{}))
		must(t, dj.Insert1(ctx, c, ExtOther{ID: 1, Data: []float64{42, 43}}))
		otherPacked, err := blob.Marshal([]float64{42, 43})
		must(t, err)
		otherKey := blobKey(env.location(), db, expectedUUID(otherPacked))
		tracked = append(tracked, otherKey)
		old := failed(3, "old")
		// An untracked filepath object under <db>/ that is not a blob or
		// attachment key: a failed insert's filepath upload.
		strayRel := db + "/stray.dat"
		stray := filepath.Join(env.stage, filepath.FromSlash(strayRel))
		must(t, os.WriteFile(stray, []byte("stray"), 0o644))
		wantErr(t, tbl.Insert(ctx, c, []map[string]any{{"rec_id": 50, "trace": []float64{0}, "raw": stray}, {"rec_id": 1, "trace": []float64{1}, "raw": stray}}), dj.ErrDuplicate)
		// The old orphans are at least 4 s older than the young ones. Each
		// sweep's grace is measured from when the young ones were made, so
		// the split holds however slowly the test runs (a loaded CI machine,
		// -race), with a margin of a second for the store's clock resolution.
		time.Sleep(4 * time.Second)
		youngStart := time.Now()
		young := failed(2, "young")
		grace := func() time.Duration { return time.Since(youngStart) + 1500*time.Millisecond }
		for _, k := range append(append(slices.Clone(old), young...), tracked...) {
			if _, ok := env.read(t, k); !ok {
				t.Fatalf("no object at %s before the sweep", k)
			}
		}
		before := env.list(t, env.location()+"/")

		// A store the schema has no tracking table for tracks nothing that
		// could be known: refused.
		must(t, c.SetStore("nostore", env.cfg))
		_, err = s.External("nostore").Sweep(ctx, dj.SweepOptions{DryRun: true})
		wantErr(t, err, dj.ErrMissingTable)

		x := s.External(extStore)
		opts := dj.SweepOptions{Grace: grace(), DryRun: true}
		rep, err := x.Sweep(ctx, opts)
		must(t, err)
		t.Logf("dry run: %v", rep)
		var keys []string
		var size int64
		for _, o := range rep.Objects {
			keys = append(keys, o.Path)
			size += o.Size
		}
		slices.Sort(keys)
		wantOld := slices.Sorted(slices.Values(old))
		if !slices.Equal(keys, wantOld) {
			t.Fatalf("dry run would remove %v, want %v", keys, wantOld)
		}
		if rep.Bytes != size || size == 0 || !rep.DryRun || len(rep.Errors) != 0 {
			t.Fatalf("dry run report %+v", rep)
		}
		if rep.Young != len(young) {
			t.Fatalf("dry run: %d young objects, want %d", rep.Young, len(young))
		}
		if !slices.Equal(env.list(t, env.location()+"/"), before) {
			t.Fatalf("the dry run removed objects")
		}

		opts.DryRun = false
		opts.Grace = grace()
		rep, err = x.Sweep(ctx, opts)
		must(t, err)
		t.Logf("sweep: %v", rep)
		if len(rep.Objects) != len(old) || len(rep.Errors) != 0 {
			t.Fatalf("sweep report %+v", rep)
		}
		for _, k := range old {
			if _, ok := env.read(t, k); ok {
				t.Errorf("old orphan %s survived", k)
			}
		}
		for _, k := range append(append(slices.Clone(young), tracked...), env.location()+"/"+strayRel) {
			if _, ok := env.read(t, k); !ok {
				t.Errorf("%s was removed", k)
			}
		}
		// Everything tracked still reads back.
		for _, p := range rels {
			must(t, os.Remove(filepath.Join(env.stage, filepath.FromSlash(p))))
		}
		got, err := dj.Fetch[ExtRecording](ctx, c, dj.From[ExtRecording](c).OrderBy("rec_id"), dj.DownloadPath(t.TempDir()))
		must(t, err)
		if len(got) != 3 || got[2].Raw == nil {
			t.Fatalf("fetched %+v", got)
		}
		// A second sweep finds nothing old.
		opts.Grace = grace()
		rep, err = x.Sweep(ctx, opts)
		must(t, err)
		if len(rep.Objects) != 0 {
			t.Fatalf("second sweep removed %+v", rep.Objects)
		}
	})
}
