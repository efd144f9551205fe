package dj_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// writeObject replaces the object at key (location included) behind dj's
// back.
func writeObject(t *testing.T, env storeEnv, key string, data []byte) {
	t.Helper()
	if env.kind == "file" {
		must(t, os.WriteFile(filepath.FromSlash(key), data, 0o644))
		return
	}
	srv := testenv.S3(t)
	_, err := minioClient(t, srv).PutObject(context.Background(), srv.Bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
	must(t, err)
}

// flip returns data with every byte changed: same size, other contents.
func flip(data []byte) []byte {
	out := bytes.Clone(data)
	for i := range out {
		out[i] ^= 0x5a
	}
	return out
}

func wantMismatch(t *testing.T, err error, names ...string) {
	t.Helper()
	wantErr(t, err, dj.ErrMissingExternal)
	if !errors.Is(err, external.ErrHashMismatch) {
		t.Fatalf("error does not match external.ErrHashMismatch: %v", err)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Fatalf("error %q does not name %q", err, n)
		}
	}
}

// TestExternalVerifiesObjects: blob, attachment and filepath objects
// replaced in the store by other bytes of the same size are refused on
// fetch, naming the store, the object and the row.
func TestExternalVerifiesObjects(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtRecording{}))
		tbl, err := dj.TableOf[ExtRecording](c)
		must(t, err)
		trace := []float64{1, 2, 3, 4}
		doc := []byte("an attached document")
		rel := "verify/raw.dat"
		rawPath := filepath.Join(env.stage, filepath.FromSlash(rel))
		must(t, os.MkdirAll(filepath.Dir(rawPath), 0o755))
		rawData := bytes.Repeat([]byte("raw"), 100)
		must(t, os.WriteFile(rawPath, rawData, 0o644))
		must(t, tbl.Insert1(ctx, c, map[string]any{"rec_id": 7, "trace": trace, "doc": dj.Attachment{Name: "doc.txt", Data: doc}, "raw": rawPath}))

		packed, err := blob.Marshal(trace)
		must(t, err)
		blobAt := blobKey(env.location(), s.Name(), expectedUUID(packed))
		h := hex.EncodeToString(expectedUUID([]byte("doc.txt"), []byte{0}, doc))
		docAt := env.location() + "/" + s.Name() + "/" + h[:2] + "/" + h[2:4] + "/" + h + ".doc.txt"
		rawAt := env.location() + "/" + rel
		q := dj.From[ExtRecording](c)

		// The blob.
		writeObject(t, env, blobAt, flip(packed))
		_, err = dj.Fetch[ExtRecording](ctx, c, q, dj.DownloadPath(t.TempDir()))
		wantMismatch(t, err, extStore, blobAt, "rec_id=7")
		_, err = dj.FetchMaps(ctx, c, q, dj.DownloadPath(t.TempDir()))
		wantMismatch(t, err, extStore, blobAt)
		_, err = dj.FetchColumn[[]float64](ctx, c, q, "trace")
		wantMismatch(t, err, extStore, blobAt)
		writeObject(t, env, blobAt, packed)

		// The attachment, read into memory and into a download directory.
		writeObject(t, env, docAt, flip(doc))
		_, err = dj.FetchMaps(ctx, c, q.Proj("doc"), dj.DownloadPath(t.TempDir()))
		wantMismatch(t, err, extStore, docAt, "rec_id=7")
		_, err = dj.Fetch[ExtRecording](ctx, c, q, dj.DownloadPath(t.TempDir()))
		wantMismatch(t, err, extStore, docAt)
		writeObject(t, env, docAt, doc)

		// The filepath, whose local copy is gone.
		must(t, os.Remove(rawPath))
		writeObject(t, env, rawAt, flip(rawData))
		_, err = dj.Fetch[ExtRecording](ctx, c, q, dj.DownloadPath(t.TempDir()))
		wantMismatch(t, err, extStore, rawAt, "rec_id=7")
		writeObject(t, env, rawAt, rawData)

		got, err := dj.FetchOne[ExtRecording](ctx, c, q, dj.DownloadPath(t.TempDir()))
		must(t, err)
		if b, _ := os.ReadFile(*got.Raw); !bytes.Equal(b, rawData) || len(got.Trace) != 4 {
			t.Fatalf("restored objects: %v %q", got.Trace, b)
		}
	})
}

// TestExternalVerifiesCache: the read-through cache serves a blob only when
// it is intact, and a store object that does not match is refused rather
// than cached.
func TestExternalVerifiesCache(t *testing.T) {
	ctx := context.Background()
	env := s3Env(t)
	srv := testenv.MySQL(t)
	cache := t.TempDir()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, Cache: cache})
	must(t, err)
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, testenv.Database(t))
	must(t, err)
	must(t, c.SetStore(extStore, env.cfg))
	must(t, s.Declare(ctx, ExtBlob{}))
	data := bytes.Repeat([]byte("verified "), 200)
	must(t, dj.Insert1(ctx, c, ExtBlob{ID: 3, Data: data}))
	packed, _ := blob.Marshal(data)
	sum := expectedUUID(packed)
	h := hex.EncodeToString(sum)
	cached := filepath.Join(cache, h[:2], h[2:4], h)
	at := blobKey(env.location(), s.Name(), sum)

	// A damaged cached copy is not used: the store's object is.
	must(t, os.WriteFile(cached, flip(packed), 0o644))
	got, err := dj.FetchOne[ExtBlob](ctx, c, dj.From[ExtBlob](c))
	must(t, err)
	if !bytes.Equal(got.Data, data) {
		t.Fatalf("fetched a damaged cached copy")
	}
	// A damaged store object with no cached copy is refused and not cached.
	must(t, os.Remove(cached))
	writeObject(t, env, at, flip(packed))
	_, err = dj.FetchOne[ExtBlob](ctx, c, dj.From[ExtBlob](c))
	wantMismatch(t, err, extStore, "id=3")
	if _, err := os.Stat(cached); err == nil {
		t.Fatalf("the damaged object was cached")
	}
}

// TestExternalFilepathTraversal: a filepath tracking row that leaves the
// stage (written with SQL) is refused on fetch before anything is created
// on disk, for every kind of store; a stage file whose relative path is
// not a safe POSIX path is refused on insert.
func TestExternalFilepathTraversal(t *testing.T) {
	hostile := []string{"../escape-%s/x.dat", "a/../../escape-%s/x.dat", "/tmp/escape-%s/x.dat",
		`..\escape-%s\x.dat`, "C:/escape-%s/x.dat", "escape-%s/\x00/x.dat"}
	run := func(t *testing.T, c *dj.Conn, s *dj.Schema, stage string) {
		ctx := context.Background()
		must(t, s.Declare(ctx, ExtRecording{}))
		must(t, dj.Insert1(ctx, c, ExtRecording{RecID: 1, Trace: []float64{1}}))
		for i, pattern := range hostile {
			tag := randomHex(4)
			rel := strings.ReplaceAll(pattern, "%s", tag)
			sum := expectedUUID([]byte(rel))
			_, err := c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`~external_"+extStore+"` (hash,size,filepath,contents_hash) VALUES (?,?,?,?)",
				sum, 4, rel, expectedUUID([]byte("data")))
			must(t, err)
			_, err = c.DB().ExecContext(ctx, "UPDATE `"+s.Name()+"`.`ext_recording` SET raw=? WHERE rec_id=1", sum)
			must(t, err)
			_, err = dj.Fetch[ExtRecording](ctx, c, dj.From[ExtRecording](c), dj.DownloadPath(t.TempDir()))
			wantErr(t, err, dj.ErrStore)
			if !strings.Contains(err.Error(), "rec_id=1") {
				t.Errorf("%d: error does not name the row: %v", i, err)
			}
			for _, dir := range []string{filepath.Join(filepath.Dir(stage), "escape-"+tag), filepath.Join("/tmp", "escape-"+tag), filepath.Join(stage, "escape-"+tag)} {
				if _, err := os.Stat(dir); err == nil {
					t.Errorf("%q: fetch created %s", rel, dir)
				}
			}
		}
	}
	eachStore(t, func(t *testing.T, env storeEnv) {
		c, s := connectStore(t, env)
		run(t, c, s, env.stage)

		// Insert: a stage file whose name holds a backslash.
		p := filepath.Join(env.stage, `a\b.dat`)
		must(t, os.WriteFile(p, []byte("x"), 0o644))
		err := dj.Insert1(context.Background(), c, ExtRecording{RecID: 2, Trace: []float64{2}, Raw: &p})
		wantErr(t, err, dj.ErrType)
		if n := countRows(t, c, "`"+s.Name()+"`.`ext_recording`"); n != 1 {
			t.Fatalf("%d rows after the refused insert", n)
		}
	})
	t.Run("memory", func(t *testing.T) {
		c, s := connect(t)
		must(t, c.UseStore(external.NewMemory(extStore)))
		run(t, c, s, t.TempDir())
	})
}
