package dj

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Adapter converts between a Go value and the value stored for an adapted
// attribute type: DataJoint's dj.AttributeAdapter. A table declared in
// DataJoint for Python with the type <name> stores values of the adapter's
// underlying type (longblob, json, varchar, ...) and marks the column's
// comment with ":<name>:"; registering an Adapter under that name
// (RegisterAdapter) makes inserts store Put(v) and fetches return
// Get(stored). Without a registered adapter the attribute reads and writes
// as its underlying type.
type Adapter interface {
	// Put returns the value to store for v (DataJoint's put), v as the
	// row holds it (a pointer field gives a non-nil pointer; NULL is not
	// passed to Put). The result is then encoded as any value of the
	// underlying type: a blob value, a JSON value, a string, a number.
	Put(v any) (any, error)
	// Get returns the Go value for stored (DataJoint's get): the non-NULL
	// value of the underlying type as FetchMaps returns it, such as the
	// generically decoded blob or the decoded JSON value. NULL is not
	// passed to Get.
	Get(stored any) (any, error)
}

var (
	adaptersMu  sync.RWMutex
	adapters    = map[string]Adapter{}
	adaptersGen atomic.Uint64 // changes with every registration, for caches
)

// RegisterAdapter registers a for the adapted type name ("graph" or
// "<graph>"), for every connection, replacing any adapter registered under
// that name. It panics when name is empty or a is nil, which are
// programming errors.
func RegisterAdapter(name string, a Adapter) {
	name = adapterKey(name)
	if name == "" || a == nil {
		panic("dj: RegisterAdapter needs a name and an adapter")
	}
	adaptersMu.Lock()
	adapters[name] = a
	adaptersMu.Unlock()
	adaptersGen.Add(1)
}

// adapterKey normalises an adapter name: "<graph>" and "graph" are one.
func adapterKey(name string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(name), "<"), ">")
}

// adapterFor returns the adapter registered for attribute a, or nil when a
// is not adapted or its adapter is not registered.
func adapterFor(a *schema.Attribute) Adapter {
	name := adapterName(a)
	if name == "" {
		return nil
	}
	adaptersMu.RLock()
	defer adaptersMu.RUnlock()
	return adapters[adapterKey(name)]
}

// adapterName is the adapted type name of a ("" for plain types).
func adapterName(a *schema.Attribute) string { return a.Adapter }

// AdapterFuncs makes an Adapter from a pair of typed functions: put turns
// a Go value G (or a non-nil *G, as a nullable field holds it) into the
// stored value S, get turns a stored S back into G.
// Fetches decode blob and JSON values straight into S; other stored values
// convert to S as FetchColumn converts them.
func AdapterFuncs[G, S any](put func(G) (S, error), get func(S) (G, error)) Adapter {
	return adapterFuncs[G, S]{put: put, get: get}
}

type adapterFuncs[G, S any] struct {
	put func(G) (S, error)
	get func(S) (G, error)
}

// Put calls the put function on v, a G or a non-nil *G.
func (f adapterFuncs[G, S]) Put(v any) (any, error) {
	g, ok := v.(G)
	if p, isPtr := v.(*G); isPtr && p != nil {
		g, ok = *p, true
	}
	if !ok {
		return nil, fmt.Errorf("%w: the adapter stores %s, not %T", ErrType, reflect.TypeFor[G](), v)
	}
	return f.put(g)
}

// Get converts stored to S and calls the get function.
func (f adapterFuncs[G, S]) Get(stored any) (any, error) {
	s, ok := stored.(S)
	if !ok {
		rv, err := convertTo(stored, reflect.TypeFor[S]())
		if err != nil {
			return nil, err
		}
		s = rv.Interface().(S)
	}
	return f.get(s)
}

// getRaw decodes the raw bytes of a blob or JSON column straight into S.
func (f adapterFuncs[G, S]) getRaw(a *schema.Attribute, raw []byte, o *fetchOptions) (any, error) {
	var s S
	switch a.Category {
	case schema.CatBlob:
		if err := unmarshalBlob(raw, &s, o); err != nil {
			return nil, err
		}
	case schema.CatJSON:
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, typeErr(err)
		}
	default:
		v, err := naturalPlain(a, raw, o)
		if err != nil {
			return nil, err
		}
		return f.Get(v)
	}
	return f.get(s)
}

// rawGetter is an Adapter that decodes the column bytes itself.
type rawGetter interface {
	getRaw(a *schema.Attribute, raw []byte, o *fetchOptions) (any, error)
}

// adaptedValue returns the Go value of adapted attribute a for the driver
// value v (not NULL).
func adaptedValue(ad Adapter, a *schema.Attribute, v any, o *fetchOptions) (any, error) {
	if rg, ok := ad.(rawGetter); ok {
		if b, isBytes := v.([]byte); isBytes && (a.Category == schema.CatBlob || a.Category == schema.CatJSON) {
			out, err := rg.getRaw(a, b, o)
			if err != nil {
				return nil, adapterErr(a, "get", err)
			}
			return out, nil
		}
	}
	stored, err := naturalPlain(a, v, o)
	if err != nil {
		return nil, err
	}
	out, err := ad.Get(stored)
	if err != nil {
		return nil, adapterErr(a, "get", err)
	}
	return out, nil
}

// adapterErr wraps an adapter's error, classified as ErrType unless it
// carries a dj sentinel.
func adapterErr(a *schema.Attribute, op string, err error) error {
	return fmt.Errorf("%w: adapter <%s> %s: %w", ErrType, adapterKey(adapterName(a)), op, err)
}

// convAdaptedImpl stores the adapted value of raw into dst.
func convAdaptedImpl(ad Adapter) func([]byte, reflect.Value, *schema.Attribute, *fetchOptions) error {
	return func(raw []byte, dst reflect.Value, a *schema.Attribute, o *fetchOptions) error {
		v, err := adaptedValue(ad, a, raw, o)
		if err != nil {
			return err
		}
		if v == nil {
			dst.SetZero()
			return nil
		}
		return assignValue(dst, v)
	}
}

// encodeAdapted stores v through adapter ad: Put, then the underlying
// type's encoding.
func encodeAdapted(ad Adapter, a *schema.Attribute, v any) (any, error) {
	stored, err := ad.Put(v)
	if err != nil {
		return nil, adapterErr(a, "put", err)
	}
	return encodeStored(a, stored)
}
