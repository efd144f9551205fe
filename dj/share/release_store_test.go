package share_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
)

// TestStoreReleases publishes two releases to a MinIO bucket and to a
// file store, lists them from their manifests, fetches one by version and
// imports it; a directory release, a manifest whose archive is gone and a
// damaged manifest are handled.
func TestStoreReleases(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	dir := t.TempDir()
	_, err := share.Export(ctx, p.c, filepath.Join(dir, "lab-1.0.tar"), share.ExportOptions{Version: "1.0", Name: "lab", Seeds: subject1(p)})
	must(t, err)
	_, err = share.Export(ctx, p.c, filepath.Join(dir, "lab-2.0.tar"), share.ExportOptions{Version: "2.0", Name: "lab", Databases: []string{p.a, p.b}})
	must(t, err)
	_, err = share.Export(ctx, p.c, filepath.Join(dir, "lab-dir"), share.ExportOptions{Version: "3.0", Name: "lab", Databases: []string{p.a}})
	must(t, err)
	prefix := "releases/" + testenv.Database(t)
	for _, cfg := range []external.StoreConfig{
		s3Store(t, "sharetest"),
		{Protocol: external.ProtocolFile, Location: t.TempDir()},
	} {
		t.Run(string(cfg.Protocol), func(t *testing.T) {
			cfg.Name = "pub"
			st, err := external.Open(cfg)
			must(t, err)
			for _, v := range []string{"1.0", "2.0"} {
				m, err := share.PublishRelease(ctx, st, filepath.Join(dir, "lab-"+v+".tar"), prefix+"/lab-"+v+".tar")
				must(t, err)
				if m.Version != v {
					t.Fatalf("published %s as %s", v, m.Version)
				}
			}
			if _, err := share.PublishRelease(ctx, st, filepath.Join(dir, "lab-dir"), prefix+"/lab-dir.tar"); err == nil {
				t.Error("a directory release was published")
			}
			// A manifest without its archive is not listed; a damaged one is
			// listed with its problem.
			must(t, st.Put(ctx, prefix+"/gone.tar.manifest.json", []byte("{}")))
			must(t, st.Put(ctx, prefix+"/bad.tar", []byte("x")))
			must(t, st.Put(ctx, prefix+"/bad.tar.manifest.json", []byte("{not json")))
			list, err := share.StoreReleases(ctx, st, prefix+"/")
			must(t, err)
			var got []string
			for _, r := range list {
				got = append(got, fmt.Sprintf("%s %s %d %t", r.Version, r.Path, r.Rows, r.Problem != ""))
			}
			want := []string{
				" " + prefix + "/bad.tar 0 true",
				"1.0 " + prefix + "/lab-1.0.tar 17 false",
				"2.0 " + prefix + "/lab-2.0.tar 32 false",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("StoreReleases:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if list[1].Size == 0 || list[1].Created.IsZero() || len(list[1].Databases) != 2 || list[1].Objects != 6 {
				t.Errorf("release 1.0: %+v", list[1])
			}
			local, err := share.FetchRelease(ctx, st, prefix+"/", "2.0", t.TempDir())
			must(t, err)
			if _, err := share.Verify(local); err != nil {
				t.Fatalf("the fetched release: %v", err)
			}
			if _, err := share.FetchRelease(ctx, st, prefix+"/", "9.9", t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("FetchRelease of a missing version: %v", err)
			}
			dstA, dstB := testenv.Database(t), testenv.Database(t)
			_, err = share.Import(ctx, p.c, local, share.ImportOptions{Rename: map[string]string{p.a: dstA, p.b: dstB}})
			must(t, err)
			var n int
			must(t, p.c.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`.sh_session", dstA)).Scan(&n))
			if n != 4 {
				t.Errorf("release 2.0 from the store imported %d sessions, want 4", n)
			}
		})
	}
}
