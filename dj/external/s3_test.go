package external

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Config returns a store configuration for the test S3 server with a
// location unique to the test.
func s3Config(tb testing.TB) StoreConfig {
	tb.Helper()
	srv := testenv.S3(tb)
	var b [6]byte
	rand.Read(b[:])
	return StoreConfig{Name: "s3test", Protocol: ProtocolS3, Endpoint: srv.Endpoint, Bucket: srv.Bucket,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Location: "djext/" + hex.EncodeToString(b[:])}
}

func plainClient(tb testing.TB, cfg StoreConfig) *minio.Client {
	tb.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func cleanupS3(tb testing.TB, s Store) {
	tb.Cleanup(func() {
		ctx := context.Background()
		for info, err := range s.List(ctx, "") {
			if err != nil {
				tb.Log(err)
				return
			}
			s.Delete(ctx, info.Key)
		}
	})
}

func TestS3Store(t *testing.T) {
	cfg := s3Config(t)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cleanupS3(t, s)
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	testStore(t, s, "t")
}

// Objects land under the keys DataJoint computes, and Windows-looking
// locations lose their first component.
func TestS3Layout(t *testing.T) {
	ctx := context.Background()
	cfg := s3Config(t)
	cfg.Location = `C:\` + strings.ReplaceAll(cfg.Location, "/", `\`)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cleanupS3(t, s)
	data := []byte("layout")
	h := BlobHash(data)
	if err := s.Put(ctx, BlobKey("db", h, cfg.Folds()), data); err != nil {
		t.Fatal(err)
	}
	want := cfg.BlobPath("db", h)
	if !strings.HasPrefix(want, "djext/") {
		t.Fatalf("BlobPath = %s", want)
	}
	info, err := plainClient(t, cfg).StatObject(ctx, cfg.Bucket, want, minio.StatObjectOptions{})
	if err != nil || info.Size != int64(len(data)) {
		t.Fatalf("object %s: %+v, %v", want, info, err)
	}
	// Stored under the filepath layout with DataJoint's metadata.
	src := writeTemp(t, "abc")
	ch := ContentsHash([]byte("abc"))
	if err := s.PutFile(ctx, FilepathKey("s1/a.bin"), src, map[string]string{"contents_hash": ch.String()}); err != nil {
		t.Fatal(err)
	}
	oi, err := plainClient(t, cfg).StatObject(ctx, cfg.Bucket, cfg.FilepathPath("s1/a.bin"), minio.StatObjectOptions{})
	if err != nil || oi.Metadata.Get("X-Amz-Meta-Contents_hash") != ch.String() {
		t.Fatalf("filepath object: %v %v", oi.Metadata, err)
	}
}

func TestS3Errors(t *testing.T) {
	ctx := context.Background()
	cfg := s3Config(t)

	t.Run("MissingBucket", func(t *testing.T) {
		c := cfg
		c.Bucket = "no-such-bucket-djext"
		s, err := Open(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Check(ctx); !errors.Is(err, ErrStore) || !strings.Contains(err.Error(), c.Bucket) {
			t.Errorf("Check: %v", err)
		}
		_, err = s.Get(ctx, "db/x")
		if !errors.Is(err, ErrStore) || errors.Is(err, ErrNotFound) {
			t.Errorf("Get from a missing bucket: %v", err)
		}
	})
	t.Run("BadCredentials", func(t *testing.T) {
		c := cfg
		c.SecretKey = "wrong-secret"
		s, _ := Open(c)
		err := s.Put(ctx, "db/x", []byte("x"))
		if !errors.Is(err, ErrStore) || errors.Is(err, ErrNotFound) {
			t.Errorf("Put with a wrong secret: %v", err)
		}
		if err := s.Check(ctx); !errors.Is(err, ErrStore) {
			t.Errorf("Check with a wrong secret: %v", err)
		}
	})
	t.Run("NoServer", func(t *testing.T) {
		// A port that was just free: nothing listens there, as for a
		// stopped server.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c := cfg
		c.Endpoint = addr
		s, _ := Open(c)
		start := time.Now()
		_, err = s.Get(ctx, "db/x")
		if !errors.Is(err, ErrStore) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), addr) {
			t.Errorf("Get from a stopped server: %v", err)
		}
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("took %v to fail", d)
		}
		tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		start = time.Now()
		if err := s.Check(tctx); err == nil {
			t.Error("Check passed")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Check ignored its 500 ms deadline: %v", d)
		}
		t.Logf("stopped server error: %v", err)
	})
	t.Run("HungServer", func(t *testing.T) {
		// Accepts connections and never answers.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		c := cfg
		c.Endpoint = l.Addr().String()
		s, _ := Open(c)
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		start := time.Now()
		_, err = s.Get(tctx, "db/x")
		if !errors.Is(err, ErrStore) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Get from a hung server: %v", err)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("took %v with a 1 s deadline", d)
		}
	})
	t.Run("Unroutable", func(t *testing.T) {
		c := cfg
		c.Endpoint = "10.255.255.1:9000"
		s, _ := Open(c)
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		start := time.Now()
		if _, err := s.Stat(tctx, "db/x"); !errors.Is(err, ErrStore) {
			t.Errorf("Stat on an unroutable endpoint: %v", err)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("took %v with a 1 s deadline", d)
		}
	})
}

func TestS3GetMany(t *testing.T) {
	ctx := context.Background()
	cfg := s3Config(t)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cleanupS3(t, s)
	var objs []Object
	for i := range 30 {
		data := bytes.Repeat([]byte{byte(i)}, 64<<10)
		objs = append(objs, Object{Key: BlobKey("db", BlobHash(data), cfg.Folds()), Data: data})
	}
	if err := PutMany(ctx, s, objs, 8); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	got, err := GetMany(ctx, s, keys, 8)
	if err != nil {
		t.Fatal(err)
	}
	for i := range objs {
		if !bytes.Equal(got[i], objs[i].Data) {
			t.Fatalf("object %d differs", i)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := GetMany(cctx, s, keys, 8); !errors.Is(err, context.Canceled) {
		t.Errorf("GetMany with a cancelled context: %v", err)
	}
}

// TestS3GetMD5 checks when the S3 store vouches for an object's MD5: for
// an object uploaded in one part its ETag is the MD5 of the contents; for a
// multipart upload it is not, and the store says it does not know. GetHashed
// hashes every byte in order either way.
func TestS3GetMD5(t *testing.T) {
	ctx := context.Background()
	cfg := s3Config(t)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cleanupS3(t, s)
	small := bytes.Repeat([]byte("dj"), 1000)
	if err := s.Put(ctx, "small", small); err != nil {
		t.Fatal(err)
	}
	data, sum, known, err := s.(MD5Getter).GetMD5(ctx, "small")
	if err != nil || !bytes.Equal(data, small) || !known || sum != ContentsHash(small) {
		t.Fatalf("single part: %d bytes, %v, known %v, %v", len(data), sum, known, err)
	}
	big := make([]byte, 6<<20)
	rand.Read(big)
	obj := cfg.FullPath("big")
	_, err = plainClient(t, cfg).PutObject(ctx, cfg.Bucket, obj, bytes.NewReader(big), int64(len(big)),
		minio.PutObjectOptions{PartSize: 5 << 20, ContentType: "application/octet-stream"})
	if err != nil {
		t.Fatal(err)
	}
	data, sum, known, err = s.(MD5Getter).GetMD5(ctx, "big")
	if err != nil || !bytes.Equal(data, big) || known || !sum.IsZero() {
		t.Fatalf("multipart: %d bytes, %v, known %v, %v", len(data), sum, known, err)
	}
	h := md5.New()
	data, err = s.(HashingGetter).GetHashed(ctx, "big", h)
	if err != nil || !bytes.Equal(data, big) || Hash(h.Sum(nil)) != ContentsHash(big) {
		t.Fatalf("GetHashed: %d bytes, %v", len(data), err)
	}
	if _, _, _, err := s.(MD5Getter).GetMD5(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing object: %v", err)
	}
}
