package external

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 client settings. A stopped or wrong endpoint fails within a few
// seconds instead of minio-go's default of ten retries.
const (
	s3DialTimeout    = 5 * time.Second
	s3HeaderTimeout  = 2 * time.Minute
	s3MaxRetries     = 3
	s3MaxIdlePerHost = 128
)

// s3Store keeps objects in an S3 bucket through minio-go.
type s3Store struct {
	cfg    StoreConfig
	client *minio.Client
	core   minio.Core
}

func openS3(cfg StoreConfig) (Store, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: s3DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = s3HeaderTimeout
	tr.MaxIdleConns = 2 * s3MaxIdlePerHost
	tr.MaxIdleConnsPerHost = s3MaxIdlePerHost
	tr.DisableCompression = true
	if cfg.ProxyServer != "" {
		raw := cfg.ProxyServer
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, &Error{Op: "open", Store: cfg.Name, Err: fmt.Errorf("%w: proxy_server %q: %w", ErrConfig, cfg.ProxyServer, err)}
		}
		tr.Proxy = http.ProxyURL(u)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.Secure,
		Transport:  tr,
		MaxRetries: s3MaxRetries,
	})
	if err != nil {
		return nil, &Error{Op: "open", Store: cfg.Name, Path: cfg.Endpoint, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	return &s3Store{cfg: cfg, client: client, core: minio.Core{Client: client}}, nil
}

func (s *s3Store) Name() string        { return s.cfg.Name }
func (s *s3Store) Config() StoreConfig { return s.cfg }

func (s *s3Store) objectKey(op, key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", &Error{Op: op, Store: s.cfg.Name, Path: key, Err: err}
	}
	return s.cfg.FullPath(key), nil
}

// where names the object in messages: endpoint/bucket/key.
func (s *s3Store) where(obj string) string {
	return s.cfg.Endpoint + "/" + s.cfg.Bucket + "/" + obj
}

// fail classifies a minio-go error before wrapping it: minio's
// ToErrorResponse does not look through wrappers.
func (s *s3Store) fail(op, obj string, err error) error {
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey:
		return failure(op, s.cfg.Name, s.where(obj), ErrNotFound, err)
	case resp.Code == minio.NoSuchBucket:
		return failure(op, s.cfg.Name, s.where(obj), ErrStore, fmt.Errorf("bucket %q does not exist: %w", s.cfg.Bucket, err))
	}
	return failure(op, s.cfg.Name, s.where(obj), ErrStore, err)
}

func (s *s3Store) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.cfg.Bucket)
	if err != nil {
		return failure("check", s.cfg.Name, s.cfg.Endpoint+"/"+s.cfg.Bucket, ErrStore, err)
	}
	if !ok {
		return failure("check", s.cfg.Name, s.cfg.Endpoint+"/"+s.cfg.Bucket, ErrStore,
			fmt.Errorf("bucket %q is inaccessible or does not exist", s.cfg.Bucket))
	}
	return nil
}

func (s *s3Store) Put(ctx context.Context, key string, data []byte) error {
	obj, err := s.objectKey("put", key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.cfg.Bucket, obj, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return s.fail("put", obj, err)
	}
	return nil
}

func (s *s3Store) PutFile(ctx context.Context, key, localPath string, meta map[string]string) error {
	obj, err := s.objectKey("put", key)
	if err != nil {
		return err
	}
	f, err := os.Open(localPath)
	if err != nil {
		return failure("put", s.cfg.Name, s.where(obj), ErrStore, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return failure("put", s.cfg.Name, s.where(obj), ErrStore, err)
	}
	_, err = s.client.PutObject(ctx, s.cfg.Bucket, obj, f, fi.Size(),
		minio.PutObjectOptions{ContentType: "application/octet-stream", UserMetadata: lowerMeta(meta)})
	if err != nil {
		return s.fail("put", obj, err)
	}
	return nil
}

// open starts a download with one GET and returns its body and the
// object's info. It uses minio-go's Core API: Client.GetObject reports a
// missing key only at the first read, Object.Stat before reading costs an
// extra HEAD request, and Object.Stat after a partial read makes the
// remaining reads end early.
func (s *s3Store) open(ctx context.Context, obj string) (io.ReadCloser, minio.ObjectInfo, error) {
	body, info, _, err := s.core.GetObject(ctx, s.cfg.Bucket, obj, minio.GetObjectOptions{})
	if err != nil {
		return nil, info, s.fail("get", obj, err)
	}
	return body, info, nil
}

func (s *s3Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.GetHashed(ctx, key, nil)
}

// hashChunk is how much of a download is read before it is hashed: small
// enough that hashing one chunk overlaps the arrival of the next.
const hashChunk = 64 << 10

// GetHashed implements HashingGetter.
func (s *s3Store) GetHashed(ctx context.Context, key string, h hash.Hash) ([]byte, error) {
	obj, err := s.objectKey("get", key)
	if err != nil {
		return nil, err
	}
	body, info, err := s.open(ctx, obj)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if info.Size < 0 {
		var r io.Reader = body
		if h != nil {
			r = io.TeeReader(body, h)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, s.fail("get", obj, err)
		}
		return b, nil
	}
	buf := make([]byte, info.Size)
	for off := 0; off < len(buf); {
		end := min(off+hashChunk, len(buf))
		n, err := io.ReadFull(body, buf[off:end])
		if h != nil {
			h.Write(buf[off : off+n])
		}
		off += n
		if err != nil {
			return nil, s.fail("get", obj, fmt.Errorf("reading %d bytes: received %d: %w", info.Size, off, err))
		}
	}
	return buf, nil
}

func (s *s3Store) GetFile(ctx context.Context, key, localPath string) error {
	obj, err := s.objectKey("get", key)
	if err != nil {
		return err
	}
	body, info, err := s.open(ctx, obj)
	if err != nil {
		return err
	}
	defer body.Close()
	err = writeAtomic(localPath, ".downloading", func(w io.Writer) error {
		n, err := io.Copy(w, ctxReader{ctx, body})
		if err == nil && info.Size >= 0 && n != info.Size {
			err = fmt.Errorf("received %d of %d bytes", n, info.Size)
		}
		return err
	})
	if err != nil {
		return s.fail("get", obj, err)
	}
	return nil
}

func (s *s3Store) Stat(ctx context.Context, key string) (Info, error) {
	obj, err := s.objectKey("stat", key)
	if err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.cfg.Bucket, obj, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.fail("stat", obj, err)
	}
	return s.info(key, oi), nil
}

func (s *s3Store) info(key string, oi minio.ObjectInfo) Info {
	var meta map[string]string
	if len(oi.UserMetadata) > 0 {
		meta = lowerMeta(oi.UserMetadata)
	} else if len(oi.Metadata) > 0 {
		for k, v := range oi.Metadata {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-amz-meta-") && len(v) > 0 {
				if meta == nil {
					meta = map[string]string{}
				}
				meta[strings.TrimPrefix(lk, "x-amz-meta-")] = v[0]
			}
		}
	}
	return Info{Key: key, Size: oi.Size, ModTime: oi.LastModified, Metadata: meta}
}

func (s *s3Store) Exists(ctx context.Context, key string) (bool, error) { return exists(ctx, s, key) }

func (s *s3Store) Delete(ctx context.Context, key string) error {
	obj, err := s.objectKey("delete", key)
	if err != nil {
		return err
	}
	err = s.client.RemoveObject(ctx, s.cfg.Bucket, obj, minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(s.fail("delete", obj, err), ErrNotFound) {
		return s.fail("delete", obj, err)
	}
	return nil
}

func (s *s3Store) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		loc := s.cfg.FullPath("")
		full := prefix
		strip := ""
		if loc != "." {
			strip = strings.TrimSuffix(loc, "/") + "/"
			full = strip + prefix
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for oi := range s.client.ListObjects(ctx, s.cfg.Bucket, minio.ListObjectsOptions{Prefix: full, Recursive: true}) {
			if oi.Err != nil {
				yield(Info{}, s.fail("list", full, oi.Err))
				return
			}
			if !yield(s.info(strings.TrimPrefix(oi.Key, strip), oi), nil) {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			yield(Info{}, failure("list", s.cfg.Name, s.where(full), ErrStore, err))
		}
	}
}
