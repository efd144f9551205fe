package share_test

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
)

// subject1 is the seed of the closure of subject 1.
func subject1(p *pipeline) []share.Seed {
	return []share.Seed{share.Restrict(dj.From[ShSubject](p.c).Restrict(dj.Where("subject_id = 1")))}
}

// dropLater drops databases of c when the test ends, in two passes: a
// database whose tables another one references drops in the second.
func dropLater(t *testing.T, c *dj.Conn, dbs ...string) {
	t.Cleanup(func() {
		for range 2 {
			for _, db := range dbs {
				_, _ = c.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`")
			}
		}
	})
}

// TestExportImport exports the closure of subject 1 as a tar file and as
// a directory, and imports each, renamed, into the second server and
// into the source server; the copies equal the closure (see verify).
func TestExportImport(t *testing.T) {
	host2 := secondServer(t)
	p := newPipeline(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"rel.tar", "rel"} {
		path := filepath.Join(dir, name)
		m, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "1.0", Name: "paper", Seeds: subject1(p)})
		must(t, err)
		if m.Version != "1.0" || m.Name != "paper" || m.Format != share.FormatName || m.FormatVersion != share.FormatVersion {
			t.Errorf("manifest: %+v", m)
		}
		want := []string{p.a, p.b}
		sort.Strings(want)
		if strings.Join(m.Source.Databases, ",") != strings.Join(want, ",") {
			t.Errorf("databases %v, want %v", m.Source.Databases, want)
		}
		// subjects 1, people 1 and 3, two labs, two sessions, one scan,
		// two channels, one review, and six tracking rows.
		if got := m.TotalRows(); got != 1+2+2+2+1+2+1+6 {
			t.Errorf("%d rows in the release, want 17", got)
		}
		if len(m.Objects) != 6 {
			t.Errorf("%d objects in the release, want 6", len(m.Objects))
		}
		if _, err := os.Stat(path + ".partial"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the staging directory is left: %v", err)
		}
		v, err := share.Verify(path)
		must(t, err)
		if v.TotalRows() != m.TotalRows() {
			t.Errorf("Verify read %d rows, Export wrote %d", v.TotalRows(), m.TotalRows())
		}
		if _, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "1.1", Seeds: subject1(p)}); !errors.Is(err, fs.ErrExist) {
			t.Errorf("export over an existing release: err = %v, want fs.ErrExist", err)
		}

		// Into the second server, twice: the second import finds
		// everything there.
		dst := connectTo(t, host2, s3Store(t, "share-imp2-"+randomHex(4)))
		dstA, dstB := "djtest_share_"+randomHex(4), "djtest_share_"+randomHex(4)
		dropLater(t, dst, dstA, dstB)
		opts := share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}, BatchRows: 2}
		res, err := share.Import(ctx, dst, path, opts)
		must(t, err)
		if res.Objects != 6 || len(res.Created) == 0 {
			t.Errorf("import wrote %d objects (want 6), created %d tables", res.Objects, len(res.Created))
		}
		verify(t, p, dst, dstA, dstB)
		res, err = share.Import(ctx, dst, path, opts)
		must(t, err)
		if res.Objects != 0 || res.Skipped != 6 || len(res.Created) != 0 {
			t.Errorf("second import: %d objects written, %d skipped, %d tables created; want 0, 6, 0", res.Objects, res.Skipped, len(res.Created))
		}
		verify(t, p, dst, dstA, dstB)

		// Into the source server, under other names.
		same := connectTo(t, testenv.MySQL(t).Host, s3Store(t, "share-imp1-"+randomHex(4)))
		sameA, sameB := testenv.Database(t), testenv.Database(t)
		_, err = share.Import(ctx, same, path, share.ImportOptions{Rename: map[string]string{p.a: sameA, p.b: sameB}})
		must(t, err)
		verify(t, p, same, sameA, sameB)
	}
}

// TestExportWholeSchemas exports both databases whole and imports them
// into the second server under their own names.
func TestExportWholeSchemas(t *testing.T) {
	host2 := secondServer(t)
	p := newPipeline(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "all.tar")
	m, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "2", Databases: []string{p.a, p.b}})
	must(t, err)
	if m.Name != m.Source.Databases[0] || len(m.Source.Seeds) != 0 {
		t.Errorf("name %q, seeds %v", m.Name, m.Source.Seeds)
	}
	dst := connectTo(t, host2, s3Store(t, "share-whole-"+randomHex(4)))
	dropLater(t, dst, p.a, p.b)
	_, err = share.Import(ctx, dst, path, share.ImportOptions{})
	must(t, err)
	for _, db := range []string{p.a, p.b} {
		for _, table := range names(t, p.c, "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", db) {
			q := fmt.Sprintf("SELECT * FROM `%s`.`%s`", db, table)
			if table != "~log" { // the source's log is not part of a release
				equalRows(t, db+"."+table, rowsOf(t, dst, q), rowsOf(t, p.c, q))
			}
			if got, want := showCreate(t, dst, id(db, table)), showCreate(t, p.c, id(db, table)); got != want {
				t.Errorf("SHOW CREATE TABLE %s.%s:\n%s\nwant\n%s", db, table, got, want)
			}
		}
	}
}

// corruptions damage an archive at path in one way each.
var corruptions = []struct {
	name string
	tar  bool // applies to a tar file, else to a directory
	do   func(t *testing.T, path string)
}{
	{"flip a byte of rows", false, func(t *testing.T, path string) { flip(t, filepath.Join(path, "rows", "00003.bin.zst"), 5) }},
	{"flip a byte of an object", false, func(t *testing.T, path string) {
		objs, err := filepath.Glob(filepath.Join(path, "objects", store, "*"))
		must(t, err)
		flip(t, objs[0], 0)
	}},
	{"flip a byte of the manifest", false, func(t *testing.T, path string) { flip(t, filepath.Join(path, "manifest.json"), 40) }},
	{"drop a member", false, func(t *testing.T, path string) { must(t, os.Remove(filepath.Join(path, "rows", "00004.bin.zst"))) }},
	{"add a member", false, func(t *testing.T, path string) {
		must(t, os.WriteFile(filepath.Join(path, "rows", "99999.bin.zst"), []byte("x"), 0o644))
	}},
	{"truncate a member", false, func(t *testing.T, path string) {
		f := filepath.Join(path, "rows", "00005.bin.zst")
		st, err := os.Stat(f)
		must(t, err)
		must(t, os.Truncate(f, st.Size()-1))
	}},
	{"truncate the tar", true, func(t *testing.T, path string) {
		st, err := os.Stat(path)
		must(t, err)
		must(t, os.Truncate(path, st.Size()/2))
	}},
	{"flip a byte of a tar member", true, func(t *testing.T, path string) { flip(t, path, tarOffset(t, path, "rows/00005.bin.zst")+3) }},
}

// flip inverts the byte at off of file f.
func flip(t *testing.T, f string, off int64) {
	t.Helper()
	b, err := os.ReadFile(f)
	must(t, err)
	if off >= int64(len(b)) {
		t.Fatalf("%s has %d bytes, cannot flip byte %d", f, len(b), off)
	}
	b[off] ^= 0xff
	must(t, os.WriteFile(f, b, 0o644))
}

// tarOffset is the offset of the contents of member name in a tar file.
func tarOffset(t *testing.T, path, name string) int64 {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s has no member %s", path, name)
		}
		must(t, err)
		if h.Name == name {
			off, err := f.Seek(0, io.SeekCurrent)
			must(t, err)
			return off
		}
	}
}

// TestImportRefusesCorruptArchive damages an archive in every way of
// corruptions; Verify and Import refuse it and the destination server and
// store are left untouched.
func TestImportRefusesCorruptArchive(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	dir := t.TempDir()
	dst := connectTo(t, testenv.MySQL(t).Host, s3Store(t, "share-corrupt-"+randomHex(4)))
	st, err := dst.Store(store)
	must(t, err)
	for i, c := range corruptions {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("r%d", i))
			if c.tar {
				path += ".tar"
			}
			_, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "1", Seeds: subject1(p)})
			must(t, err)
			c.do(t, path)
			if _, err := share.Verify(path); !errors.Is(err, share.ErrCorruptArchive) {
				t.Errorf("Verify: err = %v, want ErrCorruptArchive", err)
			}
			dstA, dstB := "djtest_share_"+randomHex(4), "djtest_share_"+randomHex(4)
			dropLater(t, dst, dstA, dstB)
			_, err = share.Import(ctx, dst, path, share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}})
			if !errors.Is(err, share.ErrCorruptArchive) {
				t.Errorf("Import: err = %v, want ErrCorruptArchive", err)
			}
			if n := names(t, dst, "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN (?, ?)", dstA, dstB); len(n) != 0 {
				t.Errorf("the refused import created databases %v", n)
			}
			for info, err := range st.List(ctx, "") {
				must(t, err)
				t.Errorf("the refused import wrote object %s", info.Key)
			}
		})
	}
}

// TestImportRefusals: a destination table with another definition, and
// a store missing on the destination; nothing is created.
func TestImportRefusals(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.tar")
	_, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "1", Seeds: subject1(p)})
	must(t, err)
	dstA, dstB := testenv.Database(t), testenv.Database(t)
	_, err = p.c.ExecContext(ctx, fmt.Sprintf("CREATE TABLE `%s`.`sh_subject` (subject_id int NOT NULL PRIMARY KEY)", dstA))
	must(t, err)
	_, err = share.Import(ctx, p.c, path, share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}})
	if !errors.Is(err, dj.ErrHeadingMismatch) {
		t.Errorf("existing table: err = %v, want ErrHeadingMismatch", err)
	}
	if n := names(t, p.c, "SELECT table_name FROM information_schema.tables WHERE table_schema IN (?, ?)", dstA, dstB); len(n) != 1 {
		t.Errorf("the refused import created tables: %v", n)
	}
	bare, err := dj.Connect(ctx, dj.Config{Host: testenv.MySQL(t).Host, User: testenv.MySQL(t).User, Password: testenv.MySQL(t).Pass})
	must(t, err)
	defer bare.Close()
	dstC := "djtest_share_" + randomHex(4)
	dropLater(t, p.c, dstC)
	_, err = share.Import(ctx, bare, path, share.ImportOptions{Rename: map[string]string{p.a: dstC, p.b: dstC + "b"}})
	if !errors.Is(err, dj.ErrConfig) && !errors.Is(err, dj.ErrStore) {
		t.Errorf("missing store: err = %v, want ErrConfig or ErrStore", err)
	}
	if n := names(t, p.c, "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ?", dstC); len(n) != 0 {
		t.Errorf("the refused import created %v", n)
	}
}

// TestReleases lists two releases of a directory, one a tar file and one
// a directory, and imports the one of a chosen version.
func TestReleases(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	dir := t.TempDir()
	_, err := share.Export(ctx, p.c, filepath.Join(dir, "lab-1.0.tar"), share.ExportOptions{Version: "1.0", Name: "lab", Seeds: subject1(p)})
	must(t, err)
	_, err = share.Export(ctx, p.c, filepath.Join(dir, "lab-2.0"), share.ExportOptions{Version: "2.0", Name: "lab", Databases: []string{p.a, p.b}})
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a release"), 0o644))
	// An interrupted export leaves a staging directory, which is no release.
	must(t, os.CopyFS(filepath.Join(dir, "lab-3.0.partial"), os.DirFS(filepath.Join(dir, "lab-2.0"))))
	must(t, os.WriteFile(filepath.Join(dir, "broken.tar"), []byte("not a tar"), 0o644))
	list, err := share.Releases(dir)
	must(t, err)
	byVersion := map[string]share.Release{}
	for _, r := range list {
		byVersion[r.Version] = r
	}
	if len(list) != 3 || byVersion[""].Problem == "" {
		t.Fatalf("releases: %+v; want 1.0, 2.0 and broken.tar with a problem", list)
	}
	if r := byVersion["1.0"]; r.Name != "lab" || r.Rows != 17 || r.Size == 0 || r.Created.IsZero() || len(r.Databases) != 2 || r.Objects != 6 {
		t.Errorf("release 1.0: %+v", r)
	}
	// Whole databases: 5 people, 3 subjects, 2 labs, 4 sessions, 2 scans,
	// 4 channels, 2 reviews, 10 tracking rows.
	if r := byVersion["2.0"]; r.Rows != 5+3+2+4+2+4+2+10 {
		t.Errorf("release 2.0 has %d rows, want 32", r.Rows)
	}
	path, err := share.FindRelease(dir, "2.0")
	must(t, err)
	if path != filepath.Join(dir, "lab-2.0") {
		t.Errorf("FindRelease = %s", path)
	}
	if _, err := share.FindRelease(dir, "3.0"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FindRelease of a missing version: err = %v", err)
	}
	dstA, dstB := testenv.Database(t), testenv.Database(t)
	_, err = share.Import(ctx, p.c, path, share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}})
	must(t, err)
	var n int
	must(t, p.c.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`.sh_session", dstA)).Scan(&n))
	if n != 4 {
		t.Errorf("release 2.0 imported %d sessions, want 4", n)
	}
}

// TestImportResume interrupts an import into the second server after its
// first table of rows and runs it again: the copy equals the closure,
// without duplicates, and the objects are not written twice.
func TestImportResume(t *testing.T) {
	host2 := secondServer(t)
	p := newPipeline(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.tar")
	_, err := share.Export(ctx, p.c, path, share.ExportOptions{Version: "1", Seeds: subject1(p)})
	must(t, err)
	dst := connectTo(t, host2, s3Store(t, "share-resume-"+randomHex(4)))
	dstA, dstB := "djtest_share_"+randomHex(4), "djtest_share_"+randomHex(4)
	dropLater(t, dst, dstA, dstB)
	opts := share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}, BatchRows: 1}
	cctx, cancel := context.WithCancel(ctx)
	first := opts
	first.Progress = func(pr share.Progress) {
		if pr.Rows > 0 && !strings.HasPrefix(pr.Table.Table, "~") {
			cancel()
		}
	}
	if _, err := share.Import(cctx, dst, path, first); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: err = %v, want context.Canceled", err)
	}
	var sessions int
	must(t, dst.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`.sh_session", dstA)).Scan(&sessions))
	if sessions != 0 {
		t.Fatalf("the interrupted import loaded %d sessions; it should have stopped before", sessions)
	}
	res, err := share.Import(ctx, dst, path, opts)
	must(t, err)
	if res.Objects != 0 || res.Skipped != 6 {
		t.Errorf("resumed import wrote %d objects and skipped %d, want 0 and 6", res.Objects, res.Skipped)
	}
	verify(t, p, dst, dstA, dstB)
}

// TestExportSeedsAndDatabases exports the closure of subject 1 together
// with an unrelated database, whose tables come without rows.
func TestExportSeedsAndDatabases(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	other := testenv.Database(t)
	_, err := p.c.ExecContext(ctx, "CREATE TABLE `"+other+"`.`thing` (id int NOT NULL PRIMARY KEY)")
	must(t, err)
	_, err = p.c.ExecContext(ctx, "INSERT INTO `"+other+"`.`thing` VALUES (1)")
	must(t, err)
	m, err := share.Export(ctx, p.c, filepath.Join(t.TempDir(), "r"), share.ExportOptions{Version: "1", Seeds: subject1(p), Databases: []string{other}})
	must(t, err)
	found := false
	for _, te := range m.Tables {
		if te.Database == other && te.Table == "thing" {
			found = true
			if te.Rows != 0 || te.Member != "" {
				t.Errorf("thing: %d rows in %q, want none", te.Rows, te.Member)
			}
		}
	}
	if !found || len(m.Source.Databases) != 3 || m.TotalRows() != 17 {
		t.Errorf("thing found: %v; databases %v; %d rows, want 17", found, m.Source.Databases, m.TotalRows())
	}
	if _, err := share.Export(ctx, p.c, filepath.Join(t.TempDir(), "none"), share.ExportOptions{Version: "1"}); !errors.Is(err, dj.ErrConfig) {
		t.Errorf("export of nothing: err = %v, want ErrConfig", err)
	}
}
