package dj_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// The store name used by the test tables.
const extStore = "djext"

// ExtRecording has one attribute of each external type.
type ExtRecording struct {
	dj.Manual `comment:"recording with external data"`
	RecID     int32     `dj:"pk" comment:"recording"`
	Trace     []float64 `dj:"type=blob@djext" comment:"the trace"`
	Doc       *string   `dj:"type=attach@djext" comment:"a document"`
	Raw       *string   `dj:"type=filepath@djext" comment:"raw file"`
}

// ExtBlob holds only an external blob.
type ExtBlob struct {
	dj.Manual `comment:"external blobs"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@djext"`
}

// storeEnv is one configured store and direct access to its objects, for
// checks independent of dj.
type storeEnv struct {
	kind  string
	loc   string // the store location as configured
	cfg   external.StoreConfig
	stage string
	// read returns the object at the path relative to the store root
	// (location included), or false when it does not exist.
	read   func(t *testing.T, key string) ([]byte, bool)
	remove func(t *testing.T, key string)
	list   func(t *testing.T, prefix string) []string
	// meta returns an object's user metadata (S3 only; nil for files).
	meta func(t *testing.T, key string) map[string]string
}

func (e storeEnv) location() string { return e.loc }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func fileEnv(t *testing.T) storeEnv {
	root := t.TempDir()
	stage := t.TempDir()
	loc := filepath.ToSlash(filepath.Join(root, "store"))
	must(t, os.MkdirAll(loc, 0o755))
	return storeEnv{
		kind:  "file",
		loc:   loc,
		cfg:   fileStoreConfig(loc, stage),
		stage: stage,
		read: func(t *testing.T, key string) ([]byte, bool) {
			b, err := os.ReadFile(filepath.FromSlash(key))
			if err != nil {
				return nil, false
			}
			return b, true
		},
		remove: func(t *testing.T, key string) { must(t, os.Remove(filepath.FromSlash(key))) },
		meta:   func(*testing.T, string) map[string]string { return nil },
		list: func(t *testing.T, prefix string) []string {
			var out []string
			_ = filepath.WalkDir(filepath.FromSlash(prefix), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					out = append(out, filepath.ToSlash(p))
				}
				return nil
			})
			slices.Sort(out)
			return out
		},
	}
}

func minioClient(t testing.TB, srv testenv.S3Server) *minio.Client {
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	must(t, err)
	return c
}

func s3Env(t *testing.T) storeEnv {
	srv := testenv.S3(t)
	mc := minioClient(t, srv)
	loc := "dj-ext-test/" + randomHex(6)
	stage := t.TempDir()
	ctx := context.Background()
	t.Cleanup(func() {
		for o := range mc.ListObjects(ctx, srv.Bucket, minio.ListObjectsOptions{Prefix: loc + "/", Recursive: true}) {
			if o.Err == nil {
				_ = mc.RemoveObject(ctx, srv.Bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return storeEnv{
		kind:  "s3",
		loc:   loc,
		cfg:   s3StoreConfig(srv.Endpoint, srv.Bucket, srv.AccessKey, srv.SecretKey, loc, stage),
		stage: stage,
		read: func(t *testing.T, key string) ([]byte, bool) {
			obj, err := mc.GetObject(ctx, srv.Bucket, key, minio.GetObjectOptions{})
			if err != nil {
				return nil, false
			}
			defer obj.Close()
			b, err := io.ReadAll(obj)
			if err != nil {
				return nil, false
			}
			return b, true
		},
		remove: func(t *testing.T, key string) {
			must(t, mc.RemoveObject(ctx, srv.Bucket, key, minio.RemoveObjectOptions{}))
		},
		meta: func(t *testing.T, key string) map[string]string {
			st, err := mc.StatObject(ctx, srv.Bucket, key, minio.StatObjectOptions{})
			must(t, err)
			return st.UserMetadata
		},
		list: func(t *testing.T, prefix string) []string {
			var out []string
			for o := range mc.ListObjects(ctx, srv.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
				must(t, o.Err)
				out = append(out, o.Key)
			}
			slices.Sort(out)
			return out
		},
	}
}

// eachStore runs f against a file store and against MinIO.
func eachStore(t *testing.T, f func(t *testing.T, env storeEnv)) {
	t.Run("file", func(t *testing.T) { f(t, fileEnv(t)) })
	t.Run("s3", func(t *testing.T) { f(t, s3Env(t)) })
}

// connectStore opens a connection and a schema with the store registered
// as extStore.
func connectStore(t *testing.T, env storeEnv) (*dj.Conn, *dj.Schema) {
	t.Helper()
	c, s := connect(t)
	must(t, c.SetStore(extStore, env.cfg))
	return c, s
}

// expectedUUID is DataJoint's content address, computed here without dj.
func expectedUUID(parts ...[]byte) []byte {
	m := md5.New()
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// blobKey builds <location>/<db>/<aa>/<bb>/<hex> by hand.
func blobKey(location, db string, sum []byte) string {
	h := hex.EncodeToString(sum)
	return location + "/" + db + "/" + h[0:2] + "/" + h[2:4] + "/" + h
}

type trackingRow struct {
	Hash           []byte
	Size           int64
	AttachmentName *string
	Filepath       *string
	ContentsHash   []byte
}

func trackingRows(t *testing.T, c *dj.Conn, db string) []trackingRow {
	t.Helper()
	rows, err := c.DB().QueryContext(context.Background(), "SELECT hash,size,attachment_name,filepath,contents_hash FROM `"+db+"`.`~external_"+extStore+"` ORDER BY hash")
	must(t, err)
	defer rows.Close()
	var out []trackingRow
	for rows.Next() {
		var r trackingRow
		must(t, rows.Scan(&r.Hash, &r.Size, &r.AttachmentName, &r.Filepath, &r.ContentsHash))
		out = append(out, r)
	}
	must(t, rows.Err())
	return out
}

func countRows(t *testing.T, c *dj.Conn, full string) int {
	t.Helper()
	var n int
	must(t, c.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+full).Scan(&n))
	return n
}

func TestExternalBlobRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtBlob{}))
		var rows []ExtBlob
		for i := range 20 {
			data := make([]byte, 3000+i*100)
			_, _ = rand.Read(data)
			rows = append(rows, ExtBlob{ID: int32(i), Data: data})
		}
		must(t, dj.Insert(ctx, c, rows))

		got, err := dj.Fetch[ExtBlob](ctx, c, dj.From[ExtBlob](c).OrderBy("id"))
		must(t, err)
		if len(got) != len(rows) {
			t.Fatalf("fetched %d rows, want %d", len(got), len(rows))
		}
		for i := range rows {
			if !bytes.Equal(got[i].Data, rows[i].Data) {
				t.Fatalf("row %d: blob differs", i)
			}
		}

		// Tracking rows and object paths, computed independently.
		track := trackingRows(t, c, s.Name())
		if len(track) != len(rows) {
			t.Fatalf("%d tracking rows, want %d", len(track), len(rows))
		}
		byHash := map[string]trackingRow{}
		for _, r := range track {
			byHash[string(r.Hash)] = r
		}
		for _, r := range rows {
			packed, err := blob.Marshal(r.Data)
			must(t, err)
			sum := expectedUUID(packed)
			tr, ok := byHash[string(sum)]
			if !ok {
				t.Fatalf("row %d: no tracking row with hash %x", r.ID, sum)
			}
			if tr.Size != int64(len(packed)) || tr.AttachmentName != nil || tr.Filepath != nil || tr.ContentsHash != nil {
				t.Fatalf("row %d: tracking row %+v", r.ID, tr)
			}
			var col []byte
			must(t, c.DB().QueryRowContext(ctx, "SELECT data FROM `"+s.Name()+"`.`ext_blob` WHERE id=?", r.ID).Scan(&col))
			if !bytes.Equal(col, sum) {
				t.Fatalf("row %d: column holds %x, want %x", r.ID, col, sum)
			}
			obj, ok := env.read(t, blobKey(env.location(), s.Name(), sum))
			if !ok {
				t.Fatalf("row %d: no object at %s", r.ID, blobKey(env.location(), s.Name(), sum))
			}
			if !bytes.Equal(obj, packed) {
				t.Fatalf("row %d: object bytes differ from the blob", r.ID)
			}
		}

		// FetchMaps decodes external blobs too.
		maps, err := dj.FetchMaps(ctx, c, dj.From[ExtBlob](c).Restrict(dj.Where("id=3")))
		must(t, err)
		if len(maps) != 1 {
			t.Fatalf("FetchMaps: %d rows", len(maps))
		}
		if v, ok := maps[0]["data"].([]byte); !ok || !bytes.Equal(v, rows[3].Data) {
			t.Fatalf("FetchMaps: data = %T", maps[0]["data"])
		}
	})
}

func TestExternalDeduplication(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtBlob{}))
		same := bytes.Repeat([]byte("datajoint"), 500)
		must(t, dj.Insert(ctx, c, []ExtBlob{{ID: 1, Data: same}, {ID: 2, Data: same}}))
		must(t, dj.Insert1(ctx, c, ExtBlob{ID: 3, Data: same}))
		if n := len(trackingRows(t, c, s.Name())); n != 1 {
			t.Fatalf("%d tracking rows, want 1", n)
		}
		objs := env.list(t, env.location()+"/"+s.Name()+"/")
		if len(objs) != 1 {
			t.Fatalf("objects %v, want exactly one", objs)
		}
		got, err := dj.Fetch[ExtBlob](ctx, c, dj.From[ExtBlob](c))
		must(t, err)
		if len(got) != 3 {
			t.Fatalf("fetched %d rows", len(got))
		}
		for _, g := range got {
			if !bytes.Equal(g.Data, same) {
				t.Fatalf("row %d differs", g.ID)
			}
		}
	})
}

func TestExternalAttachFilepath(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtRecording{}))

		src := t.TempDir()
		docPath := filepath.Join(src, "notes.txt")
		docData := []byte("attached notes\n")
		must(t, os.WriteFile(docPath, docData, 0o644))
		rel := "session1/raw.dat"
		rawPath := filepath.Join(env.stage, filepath.FromSlash(rel))
		must(t, os.MkdirAll(filepath.Dir(rawPath), 0o755))
		rawData := bytes.Repeat([]byte{1, 2, 3, 4}, 4096)
		must(t, os.WriteFile(rawPath, rawData, 0o644))

		must(t, dj.Insert1(ctx, c, ExtRecording{RecID: 1, Trace: []float64{1, 2, 3}, Doc: &docPath, Raw: &rawPath}))
		// A map row with a dj.Attachment value and no file on disk.
		tbl, err := dj.TableOf[ExtRecording](c)
		must(t, err)
		must(t, tbl.Insert1(ctx, c, map[string]any{"rec_id": 2, "trace": []float64{4}, "doc": dj.Attachment{Name: "mem.bin", Data: []byte{9, 8, 7}}}))

		// Tracking rows match DataJoint's addressing.
		attSum := expectedUUID([]byte("notes.txt"), []byte{0}, docData)
		memSum := expectedUUID([]byte("mem.bin"), []byte{0}, []byte{9, 8, 7})
		fpSum := expectedUUID([]byte(rel))
		contents := expectedUUID(rawData)
		byHash := map[string]trackingRow{}
		for _, r := range trackingRows(t, c, s.Name()) {
			byHash[string(r.Hash)] = r
		}
		if r, ok := byHash[string(attSum)]; !ok || r.AttachmentName == nil || *r.AttachmentName != "notes.txt" || r.Size != int64(len(docData)) {
			t.Fatalf("attachment tracking row: %+v (found %v)", r, ok)
		}
		if r, ok := byHash[string(fpSum)]; !ok || r.Filepath == nil || *r.Filepath != rel || !bytes.Equal(r.ContentsHash, contents) || r.Size != int64(len(rawData)) {
			t.Fatalf("filepath tracking row: %+v (found %v)", r, ok)
		}
		h := hex.EncodeToString(attSum)
		attKey := env.location() + "/" + s.Name() + "/" + h[:2] + "/" + h[2:4] + "/" + h + ".notes.txt"
		if b, ok := env.read(t, attKey); !ok || !bytes.Equal(b, docData) {
			t.Fatalf("no attachment object at %s", attKey)
		}
		if b, ok := env.read(t, env.location()+"/"+rel); !ok || !bytes.Equal(b, rawData) {
			t.Fatalf("no filepath object at %s", env.location()+"/"+rel)
		}
		// On S3 the object carries DataJoint's contents_hash metadata: the
		// contents hash as a UUID string.
		if m := env.meta(t, env.location()+"/"+rel); env.kind == "s3" {
			var u [16]byte
			copy(u[:], contents)
			want := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
			got := ""
			for k, v := range m {
				if strings.EqualFold(k, "contents_hash") || strings.EqualFold(k, "x-amz-meta-contents_hash") || strings.EqualFold(k, "Contents_hash") {
					got = v
				}
			}
			if got != want {
				t.Fatalf("contents_hash metadata %v, want %s", m, want)
			}
		}

		// Fetch: attachments go to the download directory, filepaths back
		// under the stage (downloaded again when the local copy is gone).
		must(t, os.Remove(rawPath))
		dl := t.TempDir()
		got, err := dj.FetchOne[ExtRecording](ctx, c, dj.From[ExtRecording](c).Restrict(dj.Where("rec_id=1")), dj.DownloadPath(dl))
		must(t, err)
		if got.Doc == nil || *got.Doc != filepath.Join(dl, "notes.txt") {
			t.Fatalf("attachment path %v", got.Doc)
		}
		if b, _ := os.ReadFile(*got.Doc); !bytes.Equal(b, docData) {
			t.Fatalf("attachment contents differ")
		}
		if got.Raw == nil || *got.Raw != rawPath {
			t.Fatalf("filepath %v, want %s", got.Raw, rawPath)
		}
		if b, _ := os.ReadFile(rawPath); !bytes.Equal(b, rawData) {
			t.Fatalf("filepath contents differ")
		}
		if !slices.Equal(got.Trace, []float64{1, 2, 3}) {
			t.Fatalf("trace %v", got.Trace)
		}

		// FetchMaps without a download path returns dj.Attachment values.
		maps, err := dj.FetchMaps(ctx, c, dj.From[ExtRecording](c).Restrict(dj.Where("rec_id=2")))
		must(t, err)
		att, ok := maps[0]["doc"].(dj.Attachment)
		if !ok || att.Name != "mem.bin" || !bytes.Equal(att.Data, []byte{9, 8, 7}) {
			t.Fatalf("FetchMaps attachment: %#v", maps[0]["doc"])
		}
		if _, ok := byHash[string(memSum)]; !ok {
			t.Fatalf("no tracking row for the in-memory attachment")
		}

		// A different version of a placed filepath is refused.
		must(t, os.WriteFile(rawPath, []byte("changed"), 0o644))
		err = dj.Insert1(ctx, c, ExtRecording{RecID: 3, Trace: []float64{0}, Raw: &rawPath})
		wantErr(t, err, dj.ErrStore)
		if !strings.Contains(err.Error(), "different version") {
			t.Fatalf("error %v", err)
		}
		if n := countRows(t, c, "`"+s.Name()+"`.`ext_recording`"); n != 2 {
			t.Fatalf("%d rows after the refused insert", n)
		}
	})
}

func TestExternalInlineAttach(t *testing.T) {
	type ExtInline struct {
		dj.Manual `comment:"inline attachment"`
		ID        int32  `dj:"pk"`
		File      string `dj:"type=attach"`
	}
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, ExtInline{}))
	src := filepath.Join(t.TempDir(), "a.txt")
	must(t, os.WriteFile(src, []byte("hello"), 0o644))
	must(t, dj.Insert1(ctx, c, ExtInline{ID: 1, File: src}))
	var raw []byte
	must(t, c.DB().QueryRowContext(ctx, "SELECT file FROM `"+s.Name()+"`.`ext_inline`").Scan(&raw))
	if string(raw) != "a.txt\x00hello" {
		t.Fatalf("stored %q", raw)
	}
	dl := t.TempDir()
	got, err := dj.FetchOne[ExtInline](ctx, c, dj.From[ExtInline](c), dj.DownloadPath(dl))
	must(t, err)
	if got.File != filepath.Join(dl, "a.txt") {
		t.Fatalf("path %s", got.File)
	}
}

func TestExternalStoreUnreachable(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	cfg := s3StoreConfig(closedPort(t), "djtest", "datajoint", "datajoint", "nowhere", t.TempDir())
	must(t, c.SetStore(extStore, cfg))
	must(t, s.Declare(ctx, ExtBlob{}))
	start := time.Now()
	err := dj.Insert(ctx, c, []ExtBlob{{ID: 1, Data: []byte("x")}, {ID: 2, Data: []byte("y")}})
	wantErr(t, err, dj.ErrStore)
	t.Logf("unreachable store: %v", err)
	if time.Since(start) > 30*time.Second {
		t.Fatalf("the failure took %v", time.Since(start))
	}
	if n := countRows(t, c, "`"+s.Name()+"`.`ext_blob`"); n != 0 {
		t.Fatalf("%d rows committed", n)
	}
	if n := len(trackingRows(t, c, s.Name())); n != 0 {
		t.Fatalf("%d tracking rows committed", n)
	}
	// Inside a caller's transaction the same holds.
	err = c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		return dj.Insert1(ctx, tx, ExtBlob{ID: 3, Data: []byte("z")})
	})
	wantErr(t, err, dj.ErrStore)
	if n := countRows(t, c, "`"+s.Name()+"`.`ext_blob`"); n != 0 {
		t.Fatalf("%d rows committed", n)
	}
}

// closedPort returns host:port of a TCP port nobody listens on.
func closedPort(t *testing.T) string {
	return "127.0.0.1:1"
}

func TestExternalMissingObject(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtBlob{}))
		data := []byte("soon to be lost")
		must(t, dj.Insert1(ctx, c, ExtBlob{ID: 42, Data: data}))
		packed, _ := blob.Marshal(data)
		key := blobKey(env.location(), s.Name(), expectedUUID(packed))
		env.remove(t, key)
		_, err := dj.Fetch[ExtBlob](ctx, c, dj.From[ExtBlob](c))
		wantErr(t, err, dj.ErrMissingExternal)
		t.Logf("missing object: %v", err)
		for _, want := range []string{extStore, key, "id=42"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not name %q", err, want)
			}
		}
		_, err = dj.FetchMaps(ctx, c, dj.From[ExtBlob](c))
		wantErr(t, err, dj.ErrMissingExternal)
	})
}

func TestExternalUpdateAndColumn(t *testing.T) {
	ctx := context.Background()
	env := fileEnv(t)
	c, s := connectStore(t, env)
	must(t, s.Declare(ctx, ExtBlob{}))
	must(t, dj.Insert(ctx, c, []ExtBlob{{ID: 1, Data: []byte("first")}, {ID: 2, Data: []byte("second")}}))
	must(t, dj.Update1(ctx, c, ExtBlob{ID: 1, Data: []byte("replaced")}))
	col, err := dj.FetchColumn[[]byte](ctx, c, dj.From[ExtBlob](c).OrderBy("id"), "data")
	must(t, err)
	if len(col) != 2 || string(col[0]) != "replaced" || string(col[1]) != "second" {
		t.Fatalf("column %q", col)
	}
	// The replaced blob stays tracked until a cleanup.
	unused, err := s.External(extStore).Unused(ctx)
	must(t, err)
	packed, _ := blob.Marshal([]byte("first"))
	if len(unused) != 1 || !bytes.Equal(unused[0].Hash[:], expectedUUID(packed)) {
		t.Fatalf("unused %+v", unused)
	}
	// Update1 of a missing row stores nothing in the table.
	err = dj.Update1(ctx, c, ExtBlob{ID: 9, Data: []byte("nobody")})
	wantErr(t, err, dj.ErrNoRows)
	if n := len(trackingRows(t, c, s.Name())); n != 3 {
		t.Fatalf("%d tracking rows after the failed update, want 3", n)
	}
}

func TestExternalCacheAndProjection(t *testing.T) {
	ctx := context.Background()
	env := fileEnv(t)
	srv := testenv.MySQL(t)
	cache := t.TempDir()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, Cache: cache})
	must(t, err)
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, testenv.Database(t))
	must(t, err)
	must(t, c.SetStore(extStore, env.cfg))
	must(t, s.Declare(ctx, ExtBlob{}))
	data := bytes.Repeat([]byte("cached "), 300)
	must(t, dj.Insert1(ctx, c, ExtBlob{ID: 7, Data: data}))

	// A projection is not a plain table: the tracking table is found
	// through the foreign keys of the column.
	type idData struct {
		ID   int32
		Data []byte
	}
	got, err := dj.Fetch[idData](ctx, c, dj.From[ExtBlob](c).Proj("data").Restrict(dj.Where("id=7")))
	must(t, err)
	if len(got) != 1 || !bytes.Equal(got[0].Data, data) {
		t.Fatalf("projection fetch: %+v", got)
	}
	packed, _ := blob.Marshal(data)
	sum := expectedUUID(packed)
	h := hex.EncodeToString(sum)
	cached := filepath.Join(cache, h[:2], h[2:4], h)
	if b, err := os.ReadFile(cached); err != nil || !bytes.Equal(b, packed) {
		t.Fatalf("cache file %s: %v", cached, err)
	}
	// With the object gone, the cache still serves the blob.
	env.remove(t, blobKey(env.location(), s.Name(), sum))
	one, err := dj.FetchOne[ExtBlob](ctx, c, dj.From[ExtBlob](c))
	must(t, err)
	if !bytes.Equal(one.Data, data) {
		t.Fatalf("cached fetch differs")
	}
}

func TestExternalStoreFailures(t *testing.T) {
	ctx := context.Background()
	srv := testenv.S3(t)
	c, s := connect(t)
	must(t, c.SetStore(extStore, s3StoreConfig(srv.Endpoint, "no-such-bucket-"+randomHex(4), srv.AccessKey, srv.SecretKey, "x", t.TempDir())))
	must(t, s.Declare(ctx, ExtBlob{}))
	err := dj.Insert1(ctx, c, ExtBlob{ID: 1, Data: []byte("x")})
	wantErr(t, err, dj.ErrStore)
	if !strings.Contains(err.Error(), extStore) {
		t.Fatalf("error does not name the store: %v", err)
	}
	if n := countRows(t, c, "`"+s.Name()+"`.`ext_blob`"); n != 0 {
		t.Fatalf("%d rows committed", n)
	}

	// A database error after the upload rolls the tracking rows back with
	// the rows.
	env := fileEnv(t)
	must(t, c.SetStore(extStore, env.cfg))
	must(t, dj.Insert1(ctx, c, ExtBlob{ID: 1, Data: []byte("first")}))
	err = dj.Insert(ctx, c, []ExtBlob{{ID: 2, Data: []byte("second")}, {ID: 1, Data: []byte("third")}})
	wantErr(t, err, dj.ErrDuplicate)
	if n := len(trackingRows(t, c, s.Name())); n != 1 {
		t.Fatalf("%d tracking rows after the failed insert, want 1", n)
	}
	if n := countRows(t, c, "`"+s.Name()+"`.`ext_blob`"); n != 1 {
		t.Fatalf("%d rows after the failed insert, want 1", n)
	}
	// No store configured under the name: a clear error.
	c2, s2 := connect(t)
	must(t, s2.Declare(ctx, ExtBlob{}))
	err = dj.Insert1(ctx, c2, ExtBlob{ID: 1, Data: []byte("x")})
	wantErr(t, err, dj.ErrStore)
}

func TestExternalAttachAliasing(t *testing.T) {
	ctx := context.Background()
	env := fileEnv(t)
	c, s := connectStore(t, env)
	must(t, s.Declare(ctx, ExtRecording{}))
	tbl, err := dj.TableOf[ExtRecording](c)
	must(t, err)
	var rows []map[string]any
	for i := range 6 {
		rows = append(rows, map[string]any{"rec_id": i, "trace": []float64{float64(i)}, "doc": dj.Attachment{Name: "same.txt", Data: []byte(fmt.Sprint("version ", i%3))}})
	}
	must(t, tbl.Insert(ctx, c, rows))
	// Six distinct trace blobs and three distinct attachments.
	if n := len(trackingRows(t, c, s.Name())); n != 9 {
		t.Fatalf("%d tracking rows, want 9", n)
	}
	dl := t.TempDir()
	got, err := dj.Fetch[ExtRecording](ctx, c, dj.From[ExtRecording](c).OrderBy("rec_id"), dj.DownloadPath(dl))
	must(t, err)
	paths := map[string]string{}
	for _, r := range got {
		b, err := os.ReadFile(*r.Doc)
		must(t, err)
		want := fmt.Sprint("version ", r.RecID%3)
		if string(b) != want {
			t.Fatalf("row %d: %s holds %q, want %q", r.RecID, *r.Doc, b, want)
		}
		if prev, ok := paths[want]; ok && prev != *r.Doc {
			t.Fatalf("identical attachments saved twice: %s and %s", prev, *r.Doc)
		}
		paths[want] = *r.Doc
	}
	if len(paths) != 3 {
		t.Fatalf("paths %v", paths)
	}
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), "same") || filepath.Ext(p) != ".txt" {
			t.Fatalf("alias %s", p)
		}
	}
	// Fetching again reuses the local files.
	again, err := dj.Fetch[ExtRecording](ctx, c, dj.From[ExtRecording](c).OrderBy("rec_id"), dj.DownloadPath(dl))
	must(t, err)
	for i := range got {
		if *again[i].Doc != *got[i].Doc {
			t.Fatalf("second fetch wrote %s, first %s", *again[i].Doc, *got[i].Doc)
		}
	}
	entries, _ := os.ReadDir(dl)
	if len(entries) != 3 {
		t.Fatalf("download directory holds %d files, want 3", len(entries))
	}
}

func TestExternalStoreConfigFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	loc := filepath.ToSlash(filepath.Join(dir, "store"))
	must(t, os.MkdirAll(loc, 0o755))
	cache := filepath.Join(dir, "cache")
	conf := fmt.Sprintf(`{"database.host": "localhost", "cache": %q, "stores": {
		"djext": {"protocol": "file", "location": %q, "subfolding": [1, 3]},
		"raw": {"PROTOCOL": "s3", "endpoint": "127.0.0.1:9000", "bucket": "b", "access_key": "a", "secret_key": "s", "location": "x"}}}`, cache, loc)
	path := filepath.Join(dir, "dj_local_conf.json")
	must(t, os.WriteFile(path, []byte(conf), 0o644))
	cfg, err := dj.LoadConfig(path)
	must(t, err)
	if cfg.Cache != cache || len(cfg.Stores) != 2 {
		t.Fatalf("config %+v", cfg)
	}
	if st := cfg.Stores["djext"]; st.Protocol != "file" || st.Location != loc || !slices.Equal(st.Subfolding, []int{1, 3}) {
		t.Fatalf("djext %+v", st)
	}
	if st := cfg.Stores["raw"]; st.Protocol != "s3" || st.Endpoint != "127.0.0.1:9000" || st.Secure {
		t.Fatalf("raw %+v", st)
	}

	// A connection opened with it places objects with subfolding (1, 3).
	srv := testenv.MySQL(t)
	cfg.Host, cfg.User, cfg.Password = srv.Host, srv.User, srv.Pass
	c, err := dj.Connect(ctx, cfg)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, testenv.Database(t))
	must(t, err)
	must(t, s.Declare(ctx, ExtBlob{}))
	data := []byte("subfolded")
	must(t, dj.Insert1(ctx, c, ExtBlob{ID: 1, Data: data}))
	packed, _ := blob.Marshal(data)
	h := hex.EncodeToString(expectedUUID(packed))
	want := filepath.Join(loc, s.Name(), h[:1], h[1:4], h)
	if b, err := os.ReadFile(want); err != nil || !bytes.Equal(b, packed) {
		t.Fatalf("object at %s: %v", want, err)
	}
	got, err := dj.FetchOne[ExtBlob](ctx, c, dj.From[ExtBlob](c))
	must(t, err)
	if !bytes.Equal(got.Data, data) {
		t.Fatalf("fetched %q", got.Data)
	}
	st, err := c.Store(extStore)
	must(t, err)
	if st.Name() != extStore {
		t.Fatalf("store %s", st.Name())
	}

	// Unknown keys are configuration errors, as in DataJoint.
	must(t, os.WriteFile(path, []byte(`{"stores": {"x": {"protocol": "file", "location": "/tmp", "colour": "red"}}}`), 0o644))
	_, err = dj.LoadConfig(path)
	wantErr(t, err, dj.ErrConfig)
}
