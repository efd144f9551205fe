package external

import (
	"context"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore keeps objects in memory. It is meant for unit tests; the zero
// value is not usable, call NewMemory.
type MemoryStore struct {
	cfg  StoreConfig
	mu   sync.RWMutex
	objs map[string]memObject
	// Hook, when set, is called before each operation with the
	// operation's name and key; a non-nil result fails the operation with
	// that error (wrapped as ErrStore). Tests use it to inject failures.
	// Set it before the store is used.
	Hook func(op, key string) error
}

type memObject struct {
	data []byte
	meta map[string]string
	mod  time.Time
}

// NewMemory returns an empty in-memory store with the given name (file
// protocol, location "mem").
func NewMemory(name string) *MemoryStore {
	return &MemoryStore{cfg: StoreConfig{Name: name, Protocol: ProtocolFile, Location: "mem"},
		objs: map[string]memObject{}}
}

// Name returns the store name.
func (m *MemoryStore) Name() string { return m.cfg.Name }

// Config returns the store's configuration.
func (m *MemoryStore) Config() StoreConfig { return m.cfg }

// Len returns the number of objects held.
func (m *MemoryStore) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.objs)
}

func (m *MemoryStore) begin(ctx context.Context, op, key string, needKey bool) error {
	if needKey {
		if err := validKey(key); err != nil {
			return &Error{Op: op, Store: m.cfg.Name, Path: key, Err: err}
		}
	}
	if err := ctx.Err(); err != nil {
		return failure(op, m.cfg.Name, key, ErrStore, err)
	}
	if m.Hook != nil {
		if err := m.Hook(op, key); err != nil {
			return failure(op, m.cfg.Name, key, ErrStore, err)
		}
	}
	return nil
}

// Check always succeeds unless Hook fails it.
func (m *MemoryStore) Check(ctx context.Context) error { return m.begin(ctx, "check", "", false) }

// Put stores a copy of data under key.
func (m *MemoryStore) Put(ctx context.Context, key string, data []byte) error {
	return m.put(ctx, "put", key, slices.Clone(data), nil)
}

func (m *MemoryStore) put(ctx context.Context, op, key string, data []byte, meta map[string]string) error {
	if err := m.begin(ctx, op, key, true); err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	m.mu.Lock()
	m.objs[key] = memObject{data: data, meta: meta, mod: time.Now()}
	m.mu.Unlock()
	return nil
}

// PutFile stores the contents of a local file and its metadata.
func (m *MemoryStore) PutFile(ctx context.Context, key, localPath string, meta map[string]string) error {
	b, err := os.ReadFile(localPath)
	if err != nil {
		return failure("put", m.cfg.Name, key, ErrStore, err)
	}
	return m.put(ctx, "put", key, b, lowerMeta(meta))
}

func (m *MemoryStore) lookup(ctx context.Context, op, key string) (memObject, error) {
	if err := m.begin(ctx, op, key, true); err != nil {
		return memObject{}, err
	}
	m.mu.RLock()
	o, ok := m.objs[key]
	m.mu.RUnlock()
	if !ok {
		return o, failure(op, m.cfg.Name, key, ErrNotFound, nil)
	}
	return o, nil
}

// Get returns a copy of the object.
func (m *MemoryStore) Get(ctx context.Context, key string) ([]byte, error) {
	o, err := m.lookup(ctx, "get", key)
	if err != nil {
		return nil, err
	}
	return slices.Clone(o.data), nil
}

// GetFile writes the object to a local file.
func (m *MemoryStore) GetFile(ctx context.Context, key, localPath string) error {
	o, err := m.lookup(ctx, "get", key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(localPath), 0o777); err != nil {
		return failure("get", m.cfg.Name, key, ErrStore, err)
	}
	if err := os.WriteFile(localPath, o.data, 0o644); err != nil {
		return failure("get", m.cfg.Name, key, ErrStore, err)
	}
	return nil
}

// Stat describes the object.
func (m *MemoryStore) Stat(ctx context.Context, key string) (Info, error) {
	o, err := m.lookup(ctx, "stat", key)
	if err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: int64(len(o.data)), ModTime: o.mod, Metadata: maps.Clone(o.meta)}, nil
}

// Exists reports whether the object exists.
func (m *MemoryStore) Exists(ctx context.Context, key string) (bool, error) {
	return exists(ctx, m, key)
}

// Delete removes the object if present.
func (m *MemoryStore) Delete(ctx context.Context, key string) error {
	if err := m.begin(ctx, "delete", key, true); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.objs, key)
	m.mu.Unlock()
	return nil
}

// List yields the objects whose keys start with prefix, sorted by key.
func (m *MemoryStore) List(ctx context.Context, prefix string) iter.Seq2[Info, error] {
	return func(yield func(Info, error) bool) {
		if err := m.begin(ctx, "list", prefix, false); err != nil {
			yield(Info{}, err)
			return
		}
		m.mu.RLock()
		var infos []Info
		for k, o := range m.objs {
			if strings.HasPrefix(k, prefix) {
				infos = append(infos, Info{Key: k, Size: int64(len(o.data)), ModTime: o.mod, Metadata: maps.Clone(o.meta)})
			}
		}
		m.mu.RUnlock()
		slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Key, b.Key) })
		for _, i := range infos {
			if !yield(i, nil) {
				return
			}
		}
	}
}

func lowerMeta(meta map[string]string) map[string]string {
	if len(meta) == 0 {
		return nil
	}
	out := make(map[string]string, len(meta))
	for k, v := range meta {
		k = strings.ToLower(k)
		out[strings.TrimPrefix(k, "x-amz-meta-")] = v
	}
	return out
}
