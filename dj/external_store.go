package dj

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// DefaultStoreTransfers is the number of concurrent object transfers to one
// store during one insert or fetch when Config.StoreTransfers is 0. Eight
// connections saturate MinIO on loopback.
const DefaultStoreTransfers = 8

// storeRegistry holds the stores of a connection: configurations given by
// Config.Stores or SetStore, opened on first use, and stores given
// directly by UseStore.
type storeRegistry struct {
	mu      sync.Mutex
	configs map[string]external.StoreConfig
	handles map[string]*storeHandle
}

// SetStore configures the object store name on the connection, replacing
// Config.Stores[name] or an earlier SetStore or UseStore of that name. The
// configuration is validated now (errors match ErrConfig) and the store is
// opened on first use. An empty cfg.Cache takes Config.Cache.
func (c *Conn) SetStore(name string, cfg external.StoreConfig) error {
	cfg.Name = name
	if err := cfg.Validate(); err != nil {
		return &Error{Op: "store", Table: name, Err: err}
	}
	c.stores.mu.Lock()
	defer c.stores.mu.Unlock()
	if c.stores.configs == nil {
		c.stores.configs = map[string]external.StoreConfig{}
	}
	c.stores.configs[name] = cfg
	delete(c.stores.handles, name)
	return nil
}

// UseStore registers an opened store under its name (s.Name()), for
// example an external.MemoryStore in tests or a store wrapped by the
// caller. It replaces any configuration of that name.
func (c *Conn) UseStore(s external.Store) error {
	if s == nil || s.Name() == "" {
		return &Error{Op: "store", Err: fmt.Errorf("%w: UseStore needs a store with a name", ErrConfig)}
	}
	c.stores.mu.Lock()
	defer c.stores.mu.Unlock()
	if c.stores.handles == nil {
		c.stores.handles = map[string]*storeHandle{}
	}
	c.stores.handles[s.Name()] = c.newHandle(s)
	return nil
}

// Store returns the named object store of the connection, opening it on
// first use from SetStore or Config.Stores. An unknown name is an error
// matching ErrStore; an invalid configuration one matching ErrConfig.
func (c *Conn) Store(name string) (external.Store, error) {
	h, err := c.storeHandle(name)
	if err != nil {
		return nil, &Error{Op: "store", Table: name, Err: err}
	}
	return h.st, nil
}

// storeHandle returns the named store, opening it on first use.
func (c *Conn) storeHandle(name string) (*storeHandle, error) {
	c.stores.mu.Lock()
	defer c.stores.mu.Unlock()
	if h, ok := c.stores.handles[name]; ok {
		return h, nil
	}
	cfg, ok := c.stores.configs[name]
	if !ok {
		cfg, ok = c.cfg.Stores[name]
		cfg.Name = name
	}
	if !ok {
		return nil, fmt.Errorf("%w: no object store %q is configured on this connection (Config.Stores, Conn.SetStore)", ErrStore, name)
	}
	if cfg.Cache == "" {
		cfg.Cache = c.cfg.Cache
	}
	st, err := external.Open(cfg)
	if err != nil {
		return nil, err
	}
	if c.stores.handles == nil {
		c.stores.handles = map[string]*storeHandle{}
	}
	h := c.newHandle(st)
	c.stores.handles[name] = h
	return h, nil
}

func (c *Conn) newHandle(st external.Store) *storeHandle {
	n := c.cfg.StoreTransfers
	if n <= 0 {
		n = DefaultStoreTransfers
	}
	return &storeHandle{name: st.Name(), st: st, cfg: st.Config(), workers: n}
}

// storeHandle is a store as the database side uses it: object keys and
// paths, the stage of filepath attributes, and bounded transfers.
type storeHandle struct {
	name    string
	st      external.Store
	cfg     external.StoreConfig
	workers int
}

func (h *storeHandle) parallel() int { return h.workers }

// blobKey is <db>/<folds>/<hex>, relative to the store location.
func (h *storeHandle) blobKey(db string, hash uuid.UUID) string {
	return external.BlobKey(db, external.Hash(hash), h.cfg.Folds())
}

// attachKey is <db>/<folds>/<hex>.<name>.
func (h *storeHandle) attachKey(db string, hash uuid.UUID, name string) string {
	return external.AttachKey(db, external.Hash(hash), name, h.cfg.Folds())
}

// filepathKey is the relative path itself.
func (h *storeHandle) filepathKey(rel string) string { return external.FilepathKey(rel) }

// full is the path DataJoint reports for a key: location and key joined.
func (h *storeHandle) full(key string) string { return h.cfg.FullPath(key) }

// relativeToStage returns the POSIX path of local relative to the stage;
// filepath values must lie under it.
func (h *storeHandle) relativeToStage(local string) (string, error) {
	if h.cfg.Stage == "" {
		return "", fmt.Errorf("%w: store %q has no stage configured for filepath attributes", ErrConfig, h.name)
	}
	absStage, err := filepath.Abs(h.cfg.Stage)
	if err != nil {
		return "", fmt.Errorf("%w: store %q: stage: %w", ErrConfig, h.name, err)
	}
	absLocal, err := filepath.Abs(local)
	if err != nil {
		return "", fmt.Errorf("%w: filepath %q: %w", ErrType, local, err)
	}
	rel, err := filepath.Rel(absStage, absLocal)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%w: filepath %q is not under the stage %q of store %q", ErrType, local, h.cfg.Stage, h.name)
	}
	rel = toSlash(rel)
	if err := external.CheckFilepath(rel); err != nil {
		return "", fmt.Errorf("%w: store %q: %w", ErrType, h.name, err)
	}
	return rel, nil
}

// storeErr makes sure a store error names the store and the object and
// matches ErrMissingExternal (a missing object) or ErrStore (anything
// else). Errors of package external already do both.
func (h *storeHandle) storeErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var xe *external.Error
	if errors.As(err, &xe) && (errors.Is(err, ErrMissingExternal) || errors.Is(err, ErrStore)) {
		return err
	}
	if errors.Is(err, ErrMissingExternal) {
		return fmt.Errorf("store %q: object %s is missing: %w", h.name, h.full(key), err)
	}
	if !errors.Is(err, ErrStore) {
		err = fmt.Errorf("%w: %w", ErrStore, err)
	}
	return fmt.Errorf("store %q: %s %s: %w", h.name, op, h.full(key), err)
}

// putObject places one prepared object.
func (h *storeHandle) putObject(ctx context.Context, o *extObject) error {
	if o.kind != schema.CatFilepath {
		return h.storeErr("put", o.path, h.st.Put(ctx, o.path, o.data))
	}
	// On S3 an object of the same size whose contents_hash metadata matches
	// is kept, as DataJoint does; the metadata is the contents hash as a
	// UUID string.
	want := o.contents.String()
	if h.cfg.Protocol == external.ProtocolS3 {
		info, err := h.st.Stat(ctx, o.path)
		if err == nil && info.Size == o.size && info.Metadata["contents_hash"] == want {
			return nil
		}
	}
	return h.storeErr("put", o.path, h.st.PutFile(ctx, o.path, o.local, map[string]string{"contents_hash": want}))
}

// get downloads an object and checks its size against the tracking row
// (size < 0: unchecked).
func (h *storeHandle) get(ctx context.Context, key string, size int64) ([]byte, error) {
	data, err := h.st.Get(ctx, key)
	if err != nil {
		return nil, h.storeErr("get", key, err)
	}
	if size >= 0 && int64(len(data)) != size {
		return nil, fmt.Errorf("store %q: object %s: %w: it has %d bytes, tracked %d", h.name, h.full(key), external.ErrHashMismatch, len(data), size)
	}
	return data, nil
}

// skipHashCheck turns the content-hash check of getVerified off; only the
// benchmark that measures the check's cost sets it.
var skipHashCheck atomic.Bool

// getVerified downloads the object of a blob or attachment tracking row and
// checks it against the row: its size, and its content hash, which is the
// row's hash (MD5 of the blob; MD5 of name, NUL and contents for an
// attachment). A mismatch matches external.ErrHashMismatch and
// ErrMissingExternal.
func (h *storeHandle) getVerified(ctx context.Context, key string, kind schema.Category, r trackRow) ([]byte, error) {
	if hg, ok := h.st.(external.HashingGetter); ok && !skipHashCheck.Load() {
		return h.getHashed(ctx, hg, key, kind, r)
	}
	data, err := h.get(ctx, key, r.size)
	if err != nil || skipHashCheck.Load() {
		return data, err
	}
	if _, cached := h.st.(*external.Cache); cached && kind == schema.CatExternalBlob {
		// The cache returns a blob only when its MD5 is the hash its key
		// names, which is the row's.
		return data, nil
	}
	var got external.Hash
	if kind == schema.CatExternalAttach {
		got = external.AttachHash(r.attachmentName, data)
	} else {
		got = external.BlobHash(data)
	}
	if err := h.checkHash(key, got, r); err != nil {
		return nil, err
	}
	return data, nil
}

// getHashed is getVerified for a store that hashes while it downloads.
func (h *storeHandle) getHashed(ctx context.Context, hg external.HashingGetter, key string, kind schema.Category, r trackRow) ([]byte, error) {
	m := md5.New()
	if kind == schema.CatExternalAttach {
		io.WriteString(m, r.attachmentName)
		m.Write([]byte{0})
	}
	data, err := hg.GetHashed(ctx, key, m)
	if err != nil {
		return nil, h.storeErr("get", key, err)
	}
	if r.size >= 0 && int64(len(data)) != r.size {
		return nil, fmt.Errorf("store %q: object %s: %w: it has %d bytes, tracked %d", h.name, h.full(key), external.ErrHashMismatch, len(data), r.size)
	}
	var got external.Hash
	m.Sum(got[:0])
	if err := h.checkHash(key, got, r); err != nil {
		return nil, err
	}
	return data, nil
}

// checkHash compares an object's content hash with its tracking row's.
func (h *storeHandle) checkHash(key string, got external.Hash, r trackRow) error {
	if got != external.Hash(r.hash) {
		return fmt.Errorf("store %q: object %s: %w: its content hash is %s, tracked %s", h.name, h.full(key), external.ErrHashMismatch, got.Hex(), hexOf(r.hash))
	}
	return nil
}

// fetchFilepath makes <stage>/<relative path> hold the tracked contents,
// downloading when the file is missing or differs, and returns its path.
func (h *storeHandle) fetchFilepath(ctx context.Context, r trackRow, key string) (string, error) {
	if h.cfg.Stage == "" {
		return "", fmt.Errorf("%w: store %q has no stage configured for filepath attributes", ErrConfig, h.name)
	}
	if err := external.CheckFilepath(r.filepath); err != nil {
		return "", fmt.Errorf("store %q: %w", h.name, err)
	}
	local := filepath.Join(h.cfg.Stage, filepath.FromSlash(r.filepath))
	if verifyFile(local, r) == nil {
		return local, nil
	}
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		return "", fmt.Errorf("%w: %w", ErrStore, err)
	}
	if err := h.st.GetFile(ctx, key, local); err != nil {
		return "", h.storeErr("get", key, err)
	}
	if err := verifyFile(local, r); err != nil {
		return "", fmt.Errorf("store %q: downloaded %s: %w: %w", h.name, h.full(key), external.ErrHashMismatch, err)
	}
	return local, nil
}

// remove deletes an object; a missing one is not an error.
func (h *storeHandle) remove(ctx context.Context, key string) error {
	err := h.st.Delete(ctx, key)
	if errors.Is(err, ErrMissingExternal) {
		return nil
	}
	return h.storeErr("delete", key, err)
}
