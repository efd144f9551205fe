package external

import (
	"context"
	"hash"
	"iter"
	"time"
)

// Info describes a stored object.
type Info struct {
	// Key is the object's key relative to the store location.
	Key string
	// Size is the object's length in bytes.
	Size int64
	// ModTime is the last modification time reported by the store.
	ModTime time.Time
	// Metadata holds user metadata with lowercase names and no
	// "x-amz-meta-" prefix (S3 and memory stores; file stores have none).
	Metadata map[string]string
}

// Store holds objects under keys relative to its location (see the package
// doc for the layout). Implementations are safe for concurrent use. Every
// method that does I/O takes a context and stops when it is done.
//
// Errors are *Error values; a missing object matches ErrNotFound and any
// other failure ErrStore.
type Store interface {
	// Name returns the store name.
	Name() string
	// Config returns the configuration the store was opened with.
	Config() StoreConfig
	// Check verifies that the store is reachable and its directory or
	// bucket exists.
	Check(ctx context.Context) error
	// Put writes data under key, replacing any object there. Readers see
	// either the old or the new object, never a partial one.
	Put(ctx context.Context, key string, data []byte) error
	// PutFile copies the local file under key, with user metadata (kept
	// by S3 and memory stores). The file is streamed, not loaded.
	PutFile(ctx context.Context, key, localPath string, meta map[string]string) error
	// Get returns the object's contents.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetFile writes the object to the local file, creating its directory
	// and replacing the file atomically.
	GetFile(ctx context.Context, key, localPath string) error
	// Stat returns the object's size, time and metadata.
	Stat(ctx context.Context, key string) (Info, error)
	// Exists reports whether the object exists; only failures are errors.
	Exists(ctx context.Context, key string) (bool, error)
	// Delete removes the object. Deleting a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// List yields the objects whose keys start with prefix, in no
	// particular order. It stops at the first error, which it yields.
	List(ctx context.Context, prefix string) iter.Seq2[Info, error]
}

// HashingGetter is implemented by stores that can hash an object while
// they download it, so that checking its content hash costs no second pass
// over the data. GetHashed is Get that also writes the contents, in order,
// to h (nil: no hashing).
type HashingGetter interface {
	GetHashed(ctx context.Context, key string, h hash.Hash) ([]byte, error)
}

// Open validates cfg and returns its store: a file store, an S3 store, or
// either wrapped in a read-through cache when cfg.Cache is set. It does no
// network I/O; call Check to verify an S3 store is reachable. A file store's
// location must be an existing directory.
func Open(cfg StoreConfig) (Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var s Store
	var err error
	switch cfg.Protocol {
	case ProtocolFile:
		s, err = openFile(cfg)
	default:
		s, err = openS3(cfg)
	}
	if err != nil {
		return nil, err
	}
	if cfg.Cache != "" {
		return NewCache(s, cfg.Cache)
	}
	return s, nil
}

func exists(ctx context.Context, s Store, key string) (bool, error) {
	_, err := s.Stat(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, err
	}
}
