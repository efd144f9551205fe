package dj

import (
	"context"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/external"
)

func TestExternalCleanupDeletesUnusedObjects(t *testing.T) {
	ctx := context.Background()
	loc := t.TempDir()
	folds := []int{2, 2}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	used, unused := []byte("used blob"), []byte("unused blob")
	hu, hn := external.BlobHash(used), external.BlobHash(unused)
	for h, data := range map[external.Hash][]byte{hu: used, hn: unused} {
		p := filepath.Join(loc, filepath.FromSlash(external.BlobKey("lab", h, folds)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trackCols := []string{"hash", "size", "attachment_name", "filepath", "contents_hash", "timestamp"}
	db := &scriptDB{answer: func(q string, args []any) scriptAnswer {
		switch {
		case q == externalReferencesSQL:
			return scriptAnswer{cols: []string{"s", "t", "c"}, rows: [][]driver.Value{{"lab", "ext_rec", "data"}}}
		case strings.HasPrefix(q, "SELECT hash,size,attachment_name,filepath,contents_hash,timestamp FROM `lab`.`~external_loc` AS x WHERE NOT "):
			return scriptAnswer{cols: trackCols, rows: [][]driver.Value{{hn[:], int64(len(unused)), nil, nil, nil, ts}}}
		case strings.HasPrefix(q, "SELECT hash,size,attachment_name,filepath,contents_hash,timestamp FROM `lab`.`~external_loc` AS x ORDER BY"):
			return scriptAnswer{cols: trackCols, rows: [][]driver.Value{{hu[:], int64(len(used)), nil, nil, nil, ts}, {hn[:], int64(len(unused)), nil, nil, nil, ts}}}
		case strings.HasPrefix(q, "SELECT x.`hash` FROM `lab`.`~external_loc`"):
			return scriptAnswer{cols: []string{"hash"}, rows: [][]driver.Value{{hn[:]}}}
		}
		return scriptAnswer{affected: 1}
	}}
	c := scriptConnFor(t, db)
	if err := c.SetStore("loc", external.StoreConfig{Protocol: external.ProtocolFile, Location: loc}); err != nil {
		t.Fatal(err)
	}
	s := declareFor(t, c, "lab", ExtRec{})
	x := s.External("loc")
	if x.Store() != "loc" || x.FullName() != "`lab`.`~external_loc`" {
		t.Fatalf("tracking table %s %s", x.Store(), x.FullName())
	}
	refs, err := x.References(ctx)
	if err != nil || !reflect.DeepEqual(refs, []ExternalReference{{"lab", "ext_rec", "data"}}) {
		t.Fatalf("References %v %v", refs, err)
	}
	all, err := x.Objects(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Objects %v %v", all, err)
	}
	wantPath := (external.StoreConfig{Protocol: external.ProtocolFile, Location: loc}).BlobPath("lab", hu)
	if all[0].Path != wantPath || all[0].Size != int64(len(used)) || !all[0].Timestamp.Equal(ts) {
		t.Errorf("object %+v, want path %s", all[0], wantPath)
	}

	rep, err := x.Delete(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].Hash != [16]byte(hn) || len(rep.Objects) != 1 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(loc, filepath.FromSlash(external.BlobKey("lab", hn, folds)))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unused object is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(loc, filepath.FromSlash(external.BlobKey("lab", hu, folds)))); err != nil {
		t.Errorf("the used object is gone: %v", err)
	}
	var del []scriptCall
	for _, call := range db.calls {
		if strings.HasPrefix(call.query, "DELETE FROM `lab`.`~external_loc`") {
			del = append(del, call)
		}
	}
	if len(del) != 1 || del[0].query != "DELETE FROM `lab`.`~external_loc` WHERE `hash` IN (?)" || !reflect.DeepEqual(del[0].args, []any{hn[:]}) {
		t.Fatalf("tracking deletes %#v", del)
	}
}

func TestDropDropsDependentsFirst(t *testing.T) {
	ctx := context.Background()
	db := cascadeScript(nil)
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", DelSession{}, DelSessionNote{})
	tb, err := TableOf[DelSession](c)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	var drops []string
	for _, q := range db.queries() {
		if strings.HasPrefix(q, "DROP") {
			drops = append(drops, q)
		}
	}
	want := []string{
		"DROP TABLE IF EXISTS `lab`.`del_scan__unit`",
		"DROP TABLE IF EXISTS `lab`.`del_scan`",
		"DROP TABLE IF EXISTS `lab`.`del_session`",
	}
	if !reflect.DeepEqual(drops, want) {
		t.Fatalf("drops %q", drops)
	}
	if _, err := TableOf[DelSession](c); err == nil {
		t.Error("the dropped type is still bound")
	}
	note, err := TableOf[DelSessionNote](c)
	if err != nil {
		t.Fatal(err)
	}
	db.calls = nil
	if err := note.Drop(ctx); !errors.Is(err, ErrPartIntegrity) || len(db.calls) != 0 {
		t.Errorf("drop of a part: %v, sent %q", err, db.queries())
	}
}
