package external

import (
	"errors"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Sentinels matched with errors.Is. They are the values package dj exports
// as ErrMissingExternal, ErrStore and ErrConfig.
var (
	// ErrNotFound: the object does not exist in the store.
	ErrNotFound = djerr.ErrMissingExternal
	// ErrStore: the store failed, refused the request or is unreachable.
	ErrStore = djerr.ErrStore
	// ErrConfig: a store configuration is invalid.
	ErrConfig = djerr.ErrConfig
	// ErrHashMismatch: an object's contents do not match the content hash
	// (or size) it is stored under. It matches ErrNotFound too: the object
	// that was stored is not there.
	ErrHashMismatch = fmt.Errorf("%w: contents do not match the content hash", ErrNotFound)
)

// Error describes a failed store operation. Err wraps one of the sentinels
// and the cause reported by the file system or the S3 client.
type Error struct {
	Op    string // "put", "get", "stat", "delete", "list", "check", "open"
	Store string // store name
	Path  string // full path or object key, if the operation had one
	Err   error
}

// Error reports the operation, store, path and cause.
func (e *Error) Error() string {
	s := "external store " + quote(e.Store) + ": " + e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the sentinel-carrying cause.
func (e *Error) Unwrap() error { return e.Err }

func quote(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// failure wraps cause so it matches kind (ErrNotFound or ErrStore) and
// still exposes cause to errors.As.
func failure(op, store, path string, kind, cause error) error {
	if cause == nil {
		cause = kind
	} else if !errors.Is(cause, kind) {
		cause = fmt.Errorf("%w: %w", kind, cause)
	}
	return &Error{Op: op, Store: store, Path: path, Err: cause}
}

func configError(store, format string, args ...any) error {
	return &Error{Op: "config", Store: store, Err: fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)}
}
