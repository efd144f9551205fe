package external

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
)

// fileStore keeps objects as files under a local directory.
type fileStore struct {
	cfg  StoreConfig
	root string // cleaned location
}

func openFile(cfg StoreConfig) (Store, error) {
	fi, err := os.Stat(cfg.Location)
	if err != nil {
		return nil, &Error{Op: "open", Store: cfg.Name, Path: cfg.Location,
			Err: fmt.Errorf("%w: location must be an existing directory: %w", ErrConfig, err)}
	}
	if !fi.IsDir() {
		return nil, &Error{Op: "open", Store: cfg.Name, Path: cfg.Location,
			Err: fmt.Errorf("%w: location is not a directory", ErrConfig)}
	}
	return &fileStore{cfg: cfg, root: filepath.Clean(cfg.Location)}, nil
}

func (s *fileStore) Name() string        { return s.cfg.Name }
func (s *fileStore) Config() StoreConfig { return s.cfg }

// path maps a key to its file name after checking the key.
func (s *fileStore) path(op, key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", &Error{Op: op, Store: s.cfg.Name, Path: key, Err: err}
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func (s *fileStore) fail(op, p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return failure(op, s.cfg.Name, p, ErrNotFound, err)
	}
	return failure(op, s.cfg.Name, p, ErrStore, err)
}

func (s *fileStore) Check(ctx context.Context) error {
	fi, err := os.Stat(s.root)
	if err == nil && !fi.IsDir() {
		err = errors.New("not a directory")
	}
	if err != nil {
		return failure("check", s.cfg.Name, s.root, ErrStore, err)
	}
	return nil
}

func (s *fileStore) Put(ctx context.Context, key string, data []byte) error {
	p, err := s.path("put", key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return failure("put", s.cfg.Name, p, ErrStore, err)
	}
	if err := writeAtomic(p, ".saving", func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return s.fail("put", p, err)
	}
	return nil
}

func (s *fileStore) PutFile(ctx context.Context, key, localPath string, _ map[string]string) error {
	p, err := s.path("put", key)
	if err != nil {
		return err
	}
	src, err := os.Open(localPath)
	if err != nil {
		return failure("put", s.cfg.Name, p, ErrStore, err)
	}
	defer src.Close()
	err = writeAtomic(p, ".copying", func(w io.Writer) error {
		_, err := io.Copy(w, ctxReader{ctx, src})
		return err
	})
	if err != nil {
		return failure("put", s.cfg.Name, p, ErrStore, err)
	}
	return nil
}

func (s *fileStore) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := s.path("get", key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, failure("get", s.cfg.Name, p, ErrStore, err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, s.fail("get", p, err)
	}
	return b, nil
}

func (s *fileStore) GetFile(ctx context.Context, key, localPath string) error {
	p, err := s.path("get", key)
	if err != nil {
		return err
	}
	src, err := os.Open(p)
	if err != nil {
		return s.fail("get", p, err)
	}
	defer src.Close()
	err = writeAtomic(localPath, ".downloading", func(w io.Writer) error {
		_, err := io.Copy(w, ctxReader{ctx, src})
		return err
	})
	if err != nil {
		return failure("get", s.cfg.Name, p, ErrStore, err)
	}
	return nil
}

func (s *fileStore) Stat(ctx context.Context, key string) (Info, error) {
	p, err := s.path("stat", key)
	if err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return Info{}, s.fail("stat", p, err)
	}
	if fi.IsDir() {
		return Info{}, failure("stat", s.cfg.Name, p, ErrNotFound, errors.New("is a directory"))
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (s *fileStore) Exists(ctx context.Context, key string) (bool, error) { return exists(ctx, s, key) }

func (s *fileStore) Delete(ctx context.Context, key string) error {
	p, err := s.path("delete", key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return failure("delete", s.cfg.Name, p, ErrStore, err)
	}
	return nil
}

func (s *fileStore) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		// Walk from the deepest directory the prefix names fully.
		dir := ""
		if i := strings.LastIndex(prefix, "/"); i >= 0 {
			dir = prefix[:i]
		}
		start := filepath.Join(s.root, filepath.FromSlash(dir))
		err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == start && errors.Is(err, fs.ErrNotExist) {
					return filepath.SkipAll
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, err := filepath.Rel(s.root, p)
			if err != nil {
				return err
			}
			key := filepath.ToSlash(rel)
			if d.IsDir() {
				if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasPrefix(key, prefix) || isTemp(d.Name()) || !d.Type().IsRegular() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !yield(Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil) {
				return errStopList
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopList) {
			yield(Info{}, failure("list", s.cfg.Name, start, ErrStore, err))
		}
	}
}

var errStopList = errors.New("list stopped")

// Temporary files carry a random part between the target name and one of
// these suffixes.
var tempSuffixes = []string{".saving", ".copying", ".downloading", ".caching"}

func isTemp(name string) bool {
	for _, s := range tempSuffixes {
		if strings.HasSuffix(name, s) && strings.Contains(name, ".tmp") {
			return true
		}
	}
	return false
}

// writeAtomic creates name's directory, writes a temporary file beside it
// through fill, syncs it and renames it to name.
func writeAtomic(name, suffix string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(name)+".tmp*"+suffix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
