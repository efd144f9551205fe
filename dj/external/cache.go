package external

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
)

// Cache is a Store that keeps a local copy of every blob it reads or
// writes in a directory laid out as DataJoint's cache
// (<dir>/<hex[0:2]>/<hex[2:4]>/<hex>), and serves reads from it. Only keys
// ending in a 32-digit hex name (blobs) are cached; a cached copy is used
// only when its MD5 still matches that name. The cache is never trimmed.
type Cache struct {
	Store
	dir string
}

// NewCache wraps s with a read-through cache in dir, creating dir.
func NewCache(s Store, dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, &Error{Op: "open", Store: s.Name(), Path: dir, Err: fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	return &Cache{Store: s, dir: dir}, nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Uncached returns the wrapped store.
func (c *Cache) Uncached() Store { return c.Store }

func (c *Cache) file(key string) (string, Hash, bool) {
	h, ok := hexName(key)
	if !ok {
		return "", h, false
	}
	return filepath.Join(c.dir, filepath.FromSlash(CacheKey(h))), h, true
}

// Put stores the object and, for a blob, its cached copy. A failure to
// write the cache does not fail the Put.
func (c *Cache) Put(ctx context.Context, key string, data []byte) error {
	if err := c.Store.Put(ctx, key, data); err != nil {
		return err
	}
	if p, h, ok := c.file(key); ok && BlobHash(data) == h {
		_ = writeAtomic(p, ".caching", func(w io.Writer) error { _, err := w.Write(data); return err })
	}
	return nil
}

// Get returns the cached copy of a blob when it is present and intact,
// otherwise reads the store and caches the result. A blob whose contents
// do not match the hash its key names is an error matching
// ErrHashMismatch, and is not cached.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	p, h, ok := c.file(key)
	if !ok {
		return c.Store.Get(ctx, key)
	}
	if b, err := os.ReadFile(p); err == nil && md5.Sum(b) == h {
		return b, nil
	}
	b, err := c.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if got := BlobHash(b); got != h {
		return nil, &Error{Op: "get", Store: c.Name(), Path: key, Err: fmt.Errorf("%w: MD5 %s", ErrHashMismatch, got.Hex())}
	}
	_ = writeAtomic(p, ".caching", func(w io.Writer) error { _, err := w.Write(b); return err })
	return b, nil
}

// GetFile serves blobs from the cache like Get; other keys go to the store.
func (c *Cache) GetFile(ctx context.Context, key, localPath string) error {
	if _, _, ok := c.file(key); !ok {
		return c.Store.GetFile(ctx, key, localPath)
	}
	b, err := c.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := writeAtomic(localPath, ".downloading", func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return failure("get", c.Name(), key, ErrStore, err)
	}
	return nil
}

// Delete removes the object and its cached copy.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.Store.Delete(ctx, key); err != nil {
		return err
	}
	if p, _, ok := c.file(key); ok {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return failure("delete", c.Name(), p, ErrStore, err)
		}
	}
	return nil
}

// List lists the store, not the cache.
func (c *Cache) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return c.Store.List(ctx, prefix)
}
