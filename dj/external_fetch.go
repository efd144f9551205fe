package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// extChunkRows is how many fetched rows have their external objects
// resolved together: their downloads run in parallel and the rows are
// handed out once all of them are decoded.
const extChunkRows = 256

// extFetch resolves the external attributes of fetched rows: rows are
// scanned first with their hashes recorded (convExternalImpl), then the
// objects of a chunk of rows are downloaded in parallel and decoded into
// their destinations.
type extFetch struct {
	q       Querier
	conn    *Conn
	e       Expr
	o       *fetchOptions
	row     int // index of the row being scanned
	pending []*extPending
	dbs     map[string]string                   // attribute name → database of its tracking table
	keyOf   func(row int) string                // describes a row's primary key for errors
	handles map[string]*storeHandle             // by store name
	tracked map[trackKey]map[uuid.UUID]trackRow // tracking rows read so far
	// saving serializes the choice of local attachment names, so that two
	// downloads never take the same free name.
	saving sync.Mutex
}

type trackKey struct{ db, store string }

// extPending is one external value awaiting its object.
type extPending struct {
	attr *schema.Attribute
	hash uuid.UUID
	dst  reflect.Value // settable, not a pointer
	row  int
	obj  *fetchObject
}

// fetchObject is one distinct object needed by a chunk of rows.
type fetchObject struct {
	h        *storeHandle
	db       string
	kind     schema.Category
	track    trackRow
	path     string
	first    *extPending
	users    []*extPending // the pending values this object fills
	wantData bool          // contents are needed in memory
	wantPath bool          // a local file is needed (attach into a directory, filepath)
	data     []byte        // downloaded contents
	local    string        // the local file
}

func newExtFetch(q Querier, e Expr, o *fetchOptions) *extFetch {
	fx := &extFetch{
		q: q, conn: q.djConn(), e: e, o: o,
		dbs:     map[string]string{},
		handles: map[string]*storeHandle{},
		tracked: map[trackKey]map[uuid.UUID]trackRow{},
	}
	// The heading of the query is the authority: scan plans are shared
	// between queries of equal headings and may carry another query's
	// attributes.
	h := e.Heading()
	for i := range h.Attributes {
		if a := &h.Attributes[i]; a.Category.External() {
			fx.dbs[a.Name] = a.Database
		}
	}
	return fx
}

// convExternalImpl records the hash of an external attribute; the object
// is fetched once the rows are read (extFetch.resolve).
func convExternalImpl(raw []byte, dst reflect.Value, a *schema.Attribute, o *fetchOptions) error {
	if len(raw) != 16 {
		return fmt.Errorf("%w: attribute %q holds %d bytes, not an object hash", ErrType, a.Name, len(raw))
	}
	if o == nil || o.ext == nil {
		return fmt.Errorf("%w: attribute %q is stored in %q and cannot be read here", ErrStore, a.Name, a.Store)
	}
	o.ext.pending = append(o.ext.pending, &extPending{attr: a, hash: uuid.UUID(raw), dst: dst, row: o.ext.row})
	return nil
}

// planHasExternal reports whether a scan plan reads external attributes.
func planHasExternal(p *scanPlan) bool {
	for i := range p.cols {
		if p.cols[i].index != nil && p.cols[i].attr.Category.External() {
			return true
		}
	}
	return false
}

// fetchExternalRows is fetchInto for plans with external attributes: it
// reads every row, closes the result, then resolves the objects chunk by
// chunk and hands the rows out in order.
func fetchExternalRows(ctx context.Context, q Querier, e Expr, o *fetchOptions, typ reflect.Type, plan *scanPlan, rows *sql.Rows, next func() reflect.Value, done func() bool) error {
	fx := newExtFetch(q, e, o)
	o.ext = fx
	defer func() { o.ext = nil }()
	sc := newRowScanner(plan, o)
	var batch []reflect.Value
	for rows.Next() {
		v := reflect.New(typ).Elem()
		fx.row = len(batch)
		if err := sc.scan(rows, v); err != nil {
			return &Error{Op: "fetch", Table: e.String(), Err: err}
		}
		batch = append(batch, v)
	}
	if err := rows.Err(); err != nil {
		return opError("fetch", e.String(), "", err)
	}
	rows.Close()
	fx.keyOf = func(r int) string { return structKey(plan, batch[r]) }
	return fx.run(ctx, len(batch), func(r int) bool {
		dst := next()
		dst.Set(batch[r])
		batch[r] = reflect.Value{}
		return done()
	})
}

// run resolves the pending values chunk by chunk and calls emit for every
// row in order; emit returns false to stop.
func (fx *extFetch) run(ctx context.Context, nrows int, emit func(row int) bool) error {
	pi := 0
	for start := 0; start < nrows; start += extChunkRows {
		end := min(start+extChunkRows, nrows)
		j := pi
		for j < len(fx.pending) && fx.pending[j].row < end {
			j++
		}
		if err := fx.resolve(ctx, fx.pending[pi:j]); err != nil {
			return err
		}
		for k := pi; k < j; k++ {
			fx.pending[k] = nil
		}
		pi = j
		for r := start; r < end; r++ {
			if !emit(r) {
				return nil
			}
		}
	}
	return nil
}

// structKey describes the primary key of a scanned struct for errors.
func structKey(p *scanPlan, v reflect.Value) string {
	var parts []string
	for i := range p.cols {
		c := &p.cols[i]
		if !c.attr.InKey || c.index == nil {
			continue
		}
		f := v.FieldByIndex(c.index)
		for f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		parts = append(parts, fmt.Sprintf("%s=%v", c.attr.Name, f.Interface()))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// mapKey describes the primary key of a fetched map for errors.
func mapKey(pk []string, m map[string]any) string {
	parts := make([]string, 0, len(pk))
	for _, k := range pk {
		parts = append(parts, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// fail builds the error of a pending value.
func (fx *extFetch) fail(p *extPending, err error) error {
	key := ""
	if fx.keyOf != nil {
		key = fx.keyOf(p.row)
	}
	return &Error{Op: "fetch", Table: fx.e.String(), Attr: p.attr.Name, Err: fmt.Errorf("row %s: %w", key, err)}
}

// setExternalDatabase records on every external attribute of a table the
// database whose tracking table its values refer to: the table's own.
func setExternalDatabase(meta *schema.Table) {
	for i := range meta.Heading.Attributes {
		a := &meta.Heading.Attributes[i]
		if a.Category.External() && a.Database != meta.Database {
			a.Database = meta.Database
		}
	}
}

// database returns the database whose ~external_<store> table tracks the
// values of attribute a, as the query's heading records it. An attribute
// of unknown origin is an error: the object is never looked up elsewhere.
func (fx *extFetch) database(a *schema.Attribute) (string, error) {
	db, ok := fx.dbs[a.Name]
	if !ok {
		db = a.Database
	}
	if db != "" {
		return db, nil
	}
	return "", fmt.Errorf("%w: store %q: the database of external attribute %q is unknown in %s", ErrStore, a.Store, a.Name, fx.e.String())
}

func (fx *extFetch) handle(name string) (*storeHandle, error) {
	if h, ok := fx.handles[name]; ok {
		return h, nil
	}
	h, err := fx.conn.storeHandle(name)
	if err != nil {
		return nil, err
	}
	fx.handles[name] = h
	return h, nil
}

// wantsPath reports whether an attach destination receives a local path.
func (fx *extFetch) wantsPath(p *extPending) bool {
	switch p.attr.Category {
	case schema.CatFilepath:
		return true
	case schema.CatExternalAttach:
		return p.dst.Kind() == reflect.String || (p.dst.Kind() == reflect.Interface && fx.o.downloadPath != "")
	}
	return false
}

// resolve finds, downloads and decodes the objects of the pending values.
func (fx *extFetch) resolve(ctx context.Context, pend []*extPending) error {
	if len(pend) == 0 {
		return nil
	}
	// Tracking rows, one query per (database, store).
	need := map[trackKey][]uuid.UUID{}
	for _, p := range pend {
		db, err := fx.database(p.attr)
		if err != nil {
			return fx.fail(p, err)
		}
		k := trackKey{db, p.attr.Store}
		if _, ok := fx.tracked[k][p.hash]; !ok {
			need[k] = append(need[k], p.hash)
		}
	}
	keys := make([]trackKey, 0, len(need))
	for k := range need {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].db+"\x00"+keys[i].store < keys[j].db+"\x00"+keys[j].store })
	for _, k := range keys {
		rows, err := lookupTracking(ctx, fx.q, k.db, k.store, dedupeHashes(need[k]))
		if err != nil {
			return &Error{Op: "fetch", Table: fx.e.String(), Err: err}
		}
		if fx.tracked[k] == nil {
			fx.tracked[k] = map[uuid.UUID]trackRow{}
		}
		for h, r := range rows {
			fx.tracked[k][h] = r
		}
	}

	// Distinct objects.
	objs := map[string]*fetchObject{}
	var list []*fetchObject
	for _, p := range pend {
		h, err := fx.handle(p.attr.Store)
		if err != nil {
			return fx.fail(p, err)
		}
		db, err := fx.database(p.attr)
		if err != nil {
			return fx.fail(p, err)
		}
		track, found := fx.tracked[trackKey{db, p.attr.Store}][p.hash]
		if !found {
			return fx.fail(p, fmt.Errorf("%w: store %q: no row for hash %s in %s", ErrMissingExternal,
				p.attr.Store, hexOf(p.hash), schema.QuoteFull(db, schema.ExternalTableName(p.attr.Store))))
		}
		var path string
		switch p.attr.Category {
		case schema.CatExternalBlob:
			path = h.blobKey(db, p.hash)
		case schema.CatExternalAttach:
			path = h.attachKey(db, p.hash, track.attachmentName)
		case schema.CatFilepath:
			if err := external.CheckFilepath(track.filepath); err != nil {
				return fx.fail(p, fmt.Errorf("store %q: tracking row %s of %s: %w", p.attr.Store, hexOf(p.hash), schema.QuoteFull(db, schema.ExternalTableName(p.attr.Store)), err))
			}
			path = h.filepathKey(track.filepath)
		}
		id := p.attr.Store + "\x00" + path
		o, ok := objs[id]
		if !ok {
			o = &fetchObject{h: h, db: db, kind: p.attr.Category, track: track, path: path, first: p}
			objs[id] = o
			list = append(list, o)
		}
		if fx.wantsPath(p) {
			o.wantPath = true
		} else {
			o.wantData = true
		}
		p.obj = o
		o.users = append(o.users, p)
	}

	// Downloads, bounded by the stores' parallelism. Each worker decodes
	// what it downloaded, so decoding overlaps the other transfers.
	workers := 1
	for _, o := range list {
		workers = max(workers, o.h.parallel())
	}
	return parallel(ctx, len(list), workers, func(ctx context.Context, i int) error {
		o := list[i]
		if err := fx.fetchObject(ctx, o); err != nil {
			return fx.fail(o.first, err)
		}
		for _, p := range o.users {
			if err := fx.decode(p); err != nil {
				return fx.fail(p, err)
			}
		}
		o.data = nil
		return nil
	})
}

func dedupeHashes(in []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(in))
	out := in[:0:0]
	for _, h := range in {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// fetchObject brings one object: its contents, a local file, or both.
func (fx *extFetch) fetchObject(ctx context.Context, o *fetchObject) error {
	switch o.kind {
	case schema.CatExternalBlob:
		data, err := o.h.getVerified(ctx, o.path, o.kind, o.track)
		if err != nil {
			return err
		}
		o.data = data
	case schema.CatExternalAttach:
		att := Attachment{Name: o.track.attachmentName}
		if o.wantPath {
			fx.saving.Lock()
			local, ok := findAttachment(fx.o.downloadPath, att.Name, o.first.hash)
			fx.saving.Unlock()
			if ok {
				o.local = local
				if !o.wantData {
					return nil
				}
			}
		}
		data, err := o.h.getVerified(ctx, o.path, o.kind, o.track)
		if err != nil {
			return err
		}
		o.data = data
		if o.wantPath && o.local == "" {
			att.Data = data
			fx.saving.Lock()
			local, err := saveAttachment(fx.o.downloadPath, att)
			fx.saving.Unlock()
			if err != nil {
				return fmt.Errorf("%w: %w", ErrStore, err)
			}
			o.local = local
		}
	case schema.CatFilepath:
		local, err := o.h.fetchFilepath(ctx, o.track, o.path)
		if err != nil {
			return err
		}
		o.local = local
		if o.wantData {
			data, err := os.ReadFile(local)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrStore, err)
			}
			o.data = data
		}
	}
	return nil
}

// findAttachment looks for a local copy of an attachment under DataJoint's
// aliasing rule: name, then stem_0000.ext, stem_0001.ext, ... up to the
// first name that does not exist.
func findAttachment(dir, name string, hash uuid.UUID) (string, bool) {
	if dir == "" {
		dir = "."
	}
	base := filepath.Base(name)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	candidate := filepath.Join(dir, base)
	for i := 0; i <= 0xFFFF; i++ {
		data, err := os.ReadFile(candidate)
		if err != nil {
			return "", false
		}
		if external.AttachHash(name, data) == external.Hash(hash) {
			return candidate, true
		}
		candidate = filepath.Join(dir, fmt.Sprintf("%s_%04x%s", stem, i, ext))
	}
	return "", false
}

// decode stores the object of p into its destination.
func (fx *extFetch) decode(p *extPending) error {
	o := p.obj
	dst := p.dst
	switch p.attr.Category {
	case schema.CatExternalBlob:
		if err := unmarshalBlob(o.data, dst.Addr().Interface(), fx.o); err != nil {
			return err
		}
		return nil
	case schema.CatExternalAttach:
		switch {
		case fx.wantsPath(p):
			return setString(dst, o.local)
		case dst.Type() == reflect.TypeFor[Attachment]() || dst.Kind() == reflect.Interface:
			dst.Set(reflect.ValueOf(Attachment{Name: o.track.attachmentName, Data: append([]byte(nil), o.data...)}))
			return nil
		case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8:
			dst.SetBytes(append([]byte(nil), o.data...))
			return nil
		}
	case schema.CatFilepath:
		if dst.Kind() == reflect.String || dst.Kind() == reflect.Interface {
			return setString(dst, o.local)
		}
	}
	return fmt.Errorf("%w: attribute %q (%s) cannot be read into %s", ErrType, p.attr.Name, p.attr.Type, dst.Type())
}

func setString(dst reflect.Value, s string) error {
	if dst.Kind() == reflect.Interface {
		dst.Set(reflect.ValueOf(s))
		return nil
	}
	dst.SetString(s)
	return nil
}

// mapExternal buffers fetched maps whose external attributes still hold
// hashes, and hands them to each once their objects are decoded.
type mapExternal struct {
	ctx   context.Context
	fx    *extFetch
	each  func(map[string]any) bool
	attrs []*schema.Attribute
	maps  []map[string]any
	holds [][]mapHold // per buffered map
}

// mapHold is the destination of one external value of a map.
type mapHold struct {
	name string
	v    reflect.Value // an addressable any
}

// newMapExternal returns nil when heading h has no external attribute.
func newMapExternal(ctx context.Context, q Querier, e Expr, o *fetchOptions, h *schema.Heading, each func(map[string]any) bool) *mapExternal {
	var attrs []*schema.Attribute
	for i := range h.Attributes {
		if h.Attributes[i].Category.External() {
			attrs = append(attrs, &h.Attributes[i])
		}
	}
	if len(attrs) == 0 {
		return nil
	}
	fx := newExtFetch(q, e, o)
	mb := &mapExternal{ctx: ctx, fx: fx, each: each, attrs: attrs}
	pk := e.PrimaryKey()
	fx.keyOf = func(r int) string { return mapKey(pk, mb.maps[r]) }
	return mb
}

// add buffers one map; it always returns true (the maps are handed out
// by finish).
func (mb *mapExternal) add(m map[string]any) bool {
	row := len(mb.maps)
	var holds []mapHold
	for _, a := range mb.attrs {
		u, ok := m[a.Name].(uuid.UUID)
		if !ok {
			continue // NULL
		}
		hold := reflect.New(reflect.TypeFor[any]()).Elem()
		mb.fx.pending = append(mb.fx.pending, &extPending{attr: a, hash: u, dst: hold, row: row})
		holds = append(holds, mapHold{name: a.Name, v: hold})
	}
	mb.maps = append(mb.maps, m)
	mb.holds = append(mb.holds, holds)
	return true
}

// finish resolves the buffered maps and hands them out in order (nil-safe).
func (mb *mapExternal) finish() error {
	if mb == nil {
		return nil
	}
	return mb.fx.run(mb.ctx, len(mb.maps), func(r int) bool {
		m := mb.maps[r]
		for _, h := range mb.holds[r] {
			m[h.name] = h.v.Interface()
		}
		mb.maps[r], mb.holds[r] = nil, nil
		return mb.each(m)
	})
}

// hexOf is uuid.hex: 32 lowercase hexadecimal digits.
func hexOf(u uuid.UUID) string { return external.Hash(u).Hex() }

// errMissingLocal reports a filepath whose local copy cannot be verified.
var errMissingLocal = errors.New("local copy does not match the tracked size or checksum")

// verifyFile checks a local file against a filepath tracking row.
func verifyFile(local string, r trackRow) error {
	st, err := os.Stat(local)
	if err != nil {
		return err
	}
	if st.Size() != r.size {
		return fmt.Errorf("%w: %s has %d bytes, tracked %d", errMissingLocal, local, st.Size(), r.size)
	}
	if r.contentsHash != nil {
		sum, _, err := external.FileContentsHash(local)
		if err != nil {
			return err
		}
		if uuid.UUID(sum) != *r.contentsHash {
			return fmt.Errorf("%w: %s: checksum %s, tracked %s", errMissingLocal, local, sum.Hex(), hexOf(*r.contentsHash))
		}
	}
	return nil
}

// fetchExternalColumn is FetchColumn for an external blob attribute: every
// row's blob is downloaded (in parallel) and decoded into T.
func fetchExternalColumn[T any](ctx context.Context, q Querier, e Expr, a *schema.Attribute, o *fetchOptions) ([]T, error) {
	var hashes []*uuid.UUID
	err := eachRaw(ctx, q, e.Proj(a.Name), a.Name, func(raw []byte) error {
		if raw == nil {
			hashes = append(hashes, nil)
			return nil
		}
		if len(raw) != 16 {
			return &Error{Op: "fetch", Table: e.String(), Attr: a.Name, Err: fmt.Errorf("%w: %d bytes, not an object hash", ErrType, len(raw))}
		}
		u := uuid.UUID(raw)
		hashes = append(hashes, &u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]T, len(hashes))
	fx := newExtFetch(q, e, o)
	fx.keyOf = func(r int) string { return fmt.Sprintf("#%d", r) }
	for i, h := range hashes {
		if h != nil {
			fx.pending = append(fx.pending, &extPending{attr: a, hash: *h, dst: reflect.ValueOf(&out[i]).Elem(), row: i})
		}
	}
	if err := fx.run(ctx, len(out), func(int) bool { return true }); err != nil {
		return nil, err
	}
	return out, nil
}
