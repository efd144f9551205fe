package external

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func writeTemp(t testing.TB, contents string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "src.bin")
	if err := os.WriteFile(name, []byte(contents), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// testStore runs the behaviour every Store shares. Keys are made unique
// with prefix so runs against a shared bucket do not collide.
func testStore(t *testing.T, s Store, prefix string) {
	ctx := context.Background()
	blob := []byte("serialized blob bytes")
	h := BlobHash(blob)
	key := prefix + "/" + BlobKey("db", h, DefaultSubfolding)

	t.Run("Missing", func(t *testing.T) {
		missing := prefix + "/db/00/00/00000000000000000000000000000000"
		if _, err := s.Get(ctx, missing); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get: %v", err)
		} else if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), s.Name()) {
			t.Errorf("Get error does not name store and path: %v", err)
		}
		if _, err := s.Stat(ctx, missing); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat: %v", err)
		}
		if err := s.GetFile(ctx, missing, filepath.Join(t.TempDir(), "x")); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetFile: %v", err)
		}
		if ok, err := s.Exists(ctx, missing); ok || err != nil {
			t.Errorf("Exists = %v, %v", ok, err)
		}
		if err := s.Delete(ctx, missing); err != nil {
			t.Errorf("Delete of a missing object: %v", err)
		}
		var e *Error
		_, err := s.Get(ctx, missing)
		if !errors.As(err, &e) || e.Op != "get" || e.Store != s.Name() {
			t.Errorf("not an *Error: %#v", err)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		if err := s.Put(ctx, key, blob); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, key)
		if err != nil || !bytes.Equal(got, blob) {
			t.Fatalf("Get = %q, %v", got, err)
		}
		info, err := s.Stat(ctx, key)
		if err != nil || info.Size != int64(len(blob)) || info.Key != key {
			t.Fatalf("Stat = %+v, %v", info, err)
		}
		if ok, err := s.Exists(ctx, key); !ok || err != nil {
			t.Errorf("Exists = %v, %v", ok, err)
		}
		// Overwrite, then an empty object.
		if err := s.Put(ctx, key, blob); err != nil {
			t.Fatal(err)
		}
		empty := prefix + "/db/empty"
		if err := s.Put(ctx, empty, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, empty); err != nil || len(got) != 0 {
			t.Errorf("empty: %q, %v", got, err)
		}
	})
	t.Run("Files", func(t *testing.T) {
		src := writeTemp(t, "file contents")
		ch := ContentsHash([]byte("file contents"))
		fkey := prefix + "/" + FilepathKey("sess1/raw/data.bin")
		if err := s.PutFile(ctx, fkey, src, map[string]string{"contents_hash": ch.String()}); err != nil {
			t.Fatal(err)
		}
		info, err := s.Stat(ctx, fkey)
		if err != nil || info.Size != 13 {
			t.Fatalf("Stat = %+v, %v", info, err)
		}
		if s.Config().Protocol == ProtocolS3 || isMemory(s) {
			if info.Metadata["contents_hash"] != ch.String() {
				t.Errorf("metadata = %v", info.Metadata)
			}
		}
		dst := filepath.Join(t.TempDir(), "deep", "dir", "out.bin")
		if err := s.GetFile(ctx, fkey, dst); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(dst); err != nil || string(b) != "file contents" {
			t.Errorf("downloaded %q, %v", b, err)
		}
		if err := s.PutFile(ctx, fkey, src+".missing", nil); err == nil || !errors.Is(err, ErrStore) {
			t.Errorf("PutFile of a missing local file: %v", err)
		}
	})
	t.Run("List", func(t *testing.T) {
		want := []string{}
		for i := range 5 {
			k := fmt.Sprintf("%s/list/obj%d", prefix, i)
			want = append(want, k)
			if err := s.Put(ctx, k, []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Put(ctx, prefix+"/listx", []byte("other")); err != nil {
			t.Fatal(err)
		}
		var got []string
		for info, err := range s.List(ctx, prefix+"/list/") {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, info.Key)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("List = %q, want %q", got, want)
		}
		got = got[:0]
		for info, err := range s.List(ctx, prefix+"/list") {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, info.Key)
		}
		if len(got) != 6 {
			t.Errorf("List by partial name = %q", got)
		}
		n := 0
		for range s.List(ctx, prefix+"/list/") {
			n++
			break
		}
		if n != 1 {
			t.Errorf("early stop yielded %d", n)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
	})
	t.Run("BadKey", func(t *testing.T) {
		if err := s.Put(ctx, "../escape", blob); err == nil {
			t.Error("key with .. accepted")
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.Put(cctx, prefix+"/cancelled", blob)
		if err == nil || !errors.Is(err, context.Canceled) && !errors.Is(err, ErrStore) {
			t.Errorf("Put with a cancelled context: %v", err)
		}
	})
	t.Run("Transfers", func(t *testing.T) { testTransfers(t, s, prefix+"/many") })
}

func isMemory(s Store) bool {
	if c, ok := s.(*Cache); ok {
		s = c.Uncached()
	}
	_, ok := s.(*MemoryStore)
	return ok
}

func testTransfers(t *testing.T, s Store, prefix string) {
	ctx := context.Background()
	var objs []Object
	var keys []string
	for i := range 40 {
		data := bytes.Repeat([]byte{byte(i % 30)}, 1000+i%30)
		k := prefix + "/" + BlobKey("db", BlobHash(data), DefaultSubfolding)
		objs = append(objs, Object{Key: k, Data: data})
		keys = append(keys, k)
	}
	if err := PutMany(ctx, s, objs, 8); err != nil {
		t.Fatal(err)
	}
	missing := prefix + "/db/missing"
	got, err := GetMany(ctx, s, append(keys, missing), 8)
	var te *TransferError
	if !errors.As(err, &te) || !errors.Is(err, ErrNotFound) || !slices.Equal(te.Failed(), []int{40}) {
		t.Fatalf("GetMany error = %v", err)
	}
	for i, o := range objs {
		if !bytes.Equal(got[i], o.Data) {
			t.Fatalf("object %d differs", i)
		}
	}
	if got[40] != nil {
		t.Error("missing object has data")
	}
	// Duplicates get their own copies.
	if &got[0][0] == &got[30][0] {
		t.Error("duplicate keys share a buffer")
	}
}

func TestMemoryStore(t *testing.T) {
	testStore(t, NewMemory("mem"), "t")
}

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(StoreConfig{Name: "local", Protocol: ProtocolFile, Location: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	testStore(t, s, "t")
	// The object sits where DataJoint expects it, with no temporary files left.
	data := []byte("blob")
	h := BlobHash(data)
	if err := s.Put(context.Background(), BlobKey("db", h, DefaultSubfolding), data); err != nil {
		t.Fatal(err)
	}
	want := s.Config().BlobPath("db", h)
	if b, err := os.ReadFile(want); err != nil || string(b) != "blob" {
		t.Errorf("%s: %q, %v", want, b, err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestFileStoreAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(StoreConfig{Name: "local", Protocol: ProtocolFile, Location: dir})
	if err != nil {
		t.Fatal(err)
	}
	// A temporary file of an interrupted write is not listed.
	os.MkdirAll(filepath.Join(dir, "db"), 0o777)
	os.WriteFile(filepath.Join(dir, "db", "x.tmp123.saving"), []byte("partial"), 0o644)
	for info, err := range s.List(context.Background(), "db/") {
		t.Errorf("listed %v %v", info.Key, err)
	}
	// A file where a directory must go makes Put fail with ErrStore.
	os.WriteFile(filepath.Join(dir, "blocker"), nil, 0o644)
	err = s.Put(context.Background(), "blocker/x", []byte("x"))
	if !errors.Is(err, ErrStore) || errors.Is(err, ErrNotFound) {
		t.Errorf("Put under a file: %v", err)
	}
}

func TestMemoryHook(t *testing.T) {
	m := NewMemory("mem")
	boom := errors.New("boom")
	m.Hook = func(op, key string) error {
		if op == "put" && strings.HasSuffix(key, "3") {
			return boom
		}
		return nil
	}
	var objs []Object
	for i := range 6 {
		objs = append(objs, Object{Key: fmt.Sprintf("k%d", i), Data: []byte{byte(i)}})
	}
	objs = append(objs, objs[3])
	err := PutMany(context.Background(), m, objs, 3)
	var te *TransferError
	if !errors.As(err, &te) || !slices.Equal(te.Failed(), []int{3, 6}) || !errors.Is(err, boom) || !errors.Is(err, ErrStore) {
		t.Fatalf("PutMany = %v", err)
	}
	if m.Len() != 5 {
		t.Errorf("stored %d objects", m.Len())
	}
}

func TestPutManyOncePerKey(t *testing.T) {
	m := NewMemory("mem")
	var puts atomic.Int32
	m.Hook = func(op, key string) error {
		if op == "put" {
			puts.Add(1)
		}
		return nil
	}
	data := []byte("same")
	k := BlobKey("db", BlobHash(data), DefaultSubfolding)
	objs := slices.Repeat([]Object{{Key: k, Data: data}}, 50)
	if err := PutMany(context.Background(), m, objs, 8); err != nil {
		t.Fatal(err)
	}
	if puts.Load() != 1 {
		t.Errorf("%d uploads of one object", puts.Load())
	}
	if err := PutMany(context.Background(), m, nil, 8); err != nil {
		t.Errorf("empty PutMany: %v", err)
	}
}

func TestTransferCancel(t *testing.T) {
	m := NewMemory("mem")
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	m.Hook = func(op, key string) error {
		if started.Add(1) == 2 {
			cancel()
		}
		time.Sleep(time.Millisecond)
		return nil
	}
	var objs []Object
	for i := range 200 {
		objs = append(objs, Object{Key: fmt.Sprintf("k%d", i), Data: []byte{1}})
	}
	err := PutMany(ctx, m, objs, 2)
	var te *TransferError
	if !errors.As(err, &te) || !errors.Is(err, context.Canceled) {
		t.Fatalf("PutMany after cancel = %v", err)
	}
	if n := len(te.Failed()); n < 190 {
		t.Errorf("only %d of 200 failed after cancel", n)
	}
	if started.Load() > 10 {
		t.Errorf("%d puts started after cancel", started.Load())
	}
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	m := NewMemory("mem")
	dir := t.TempDir()
	c, err := NewCache(m, dir)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, c, "c")

	data := []byte("cached blob")
	h := BlobHash(data)
	key := BlobKey("db", h, []int{1})
	if err := m.Put(ctx, key, data); err != nil {
		t.Fatal(err)
	}
	if b, err := c.Get(ctx, key); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("Get = %q, %v", b, err)
	}
	cached := filepath.Join(dir, filepath.FromSlash(CacheKey(h)))
	if b, err := os.ReadFile(cached); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("cache file %s: %q, %v", cached, b, err)
	}
	// Served from the cache once the store lost it.
	m.Delete(ctx, key)
	if b, err := c.Get(ctx, key); err != nil || !bytes.Equal(b, data) {
		t.Errorf("cache hit = %q, %v", b, err)
	}
	// A corrupt cache file is ignored.
	os.WriteFile(cached, []byte("corrupt"), 0o644)
	if _, err := c.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("corrupt cache served: %v", err)
	}
	// Put fills the cache; Delete empties it.
	if err := c.Put(ctx, key, data); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(cached); !bytes.Equal(b, data) {
		t.Error("Put did not cache")
	}
	if err := c.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cached); !os.IsNotExist(err) {
		t.Errorf("cache file after Delete: %v", err)
	}
	// Attachments are not cached.
	before := countFiles(t, dir)
	akey := AttachKey("db", h, "a.txt", nil)
	if err := c.Put(ctx, akey, data); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, akey); err != nil {
		t.Fatal(err)
	}
	if after := countFiles(t, dir); after != before {
		t.Errorf("attachment cached: %d files before, %d after", before, after)
	}
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestOpenWithCache(t *testing.T) {
	s, err := Open(StoreConfig{Name: "local", Protocol: ProtocolFile, Location: t.TempDir(), Cache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Cache); !ok {
		t.Fatalf("Open with cache returned %T", s)
	}
}
