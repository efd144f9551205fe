package dj

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// DefaultSweepGrace is the age below which Sweep leaves an untracked
// object alone when SweepOptions.Grace is zero: an insert uploads its
// objects before it writes their tracking rows, so a young untracked object
// may belong to an insert still running.
const DefaultSweepGrace = 24 * time.Hour

// SweepOptions tune ExternalTable.Sweep.
type SweepOptions struct {
	// Grace is the minimum age, by the store's modification time, of an
	// object to remove; zero means DefaultSweepGrace. It must exceed the
	// longest insert (upload to commit) that may run meanwhile.
	Grace time.Duration
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
}

// SweptObject is an object that Sweep removed or, in a dry run, would
// remove.
type SweptObject struct {
	// Key is the object's key relative to the store location.
	Key string
	// Path is the object's full path as DataJoint reports it.
	Path    string
	Size    int64
	ModTime time.Time
}

// SweepReport says what ExternalTable.Sweep found and did.
type SweepReport struct {
	// DryRun is true when nothing was removed.
	DryRun bool
	// Listed is the number of objects under the schema's prefix.
	Listed int
	// Tracked is the number of them that a tracking row names.
	Tracked int
	// Young is the number of untracked objects kept because they are
	// younger than the grace period.
	Young int
	// Foreign lists the keys under the prefix that are not laid out as the
	// blobs and attachments of the schema (other subfolding, other names);
	// they are left alone.
	Foreign []string
	// Objects are the untracked objects removed (or to be removed).
	Objects []SweptObject
	// Bytes is the total size of Objects.
	Bytes int64
	// Errors lists the objects that could not be removed.
	Errors []error
}

// sweepChunk is how many objects one locking transaction of Sweep handles.
const sweepChunk = 500

// Sweep removes from the store the objects under the schema's prefix
// (<location>/<db>/) that no tracking row names and that are older than
// the grace period: the uploads of inserts that failed or were killed
// before their rows were written, which Delete cannot see. Objects of
// filepath attributes are never touched: they live under the store
// location by their own relative paths, and any object whose key a
// filepath tracking row names is kept. Keys that are not blob or attachment
// keys of the store's layout are reported in Foreign and kept. Stores may
// share a location: an object whose hash a tracking table of another store
// of the schema holds is kept too. A schema without the store's tracking
// table is an error matching ErrMissingTable.
//
// Each chunk of candidates is handled in a transaction that locks their
// tracking-row slots (an insert writing one of them waits), checks again
// that no row names them and that their modification time is still older
// than the grace period, then removes them. With DryRun nothing is locked
// or removed.
func (x *ExternalTable) Sweep(ctx context.Context, opts SweepOptions) (SweepReport, error) {
	rep := SweepReport{DryRun: opts.DryRun}
	if !opts.DryRun {
		if err := x.schema.conn.refuseWrite("sweep", x.FullName()); err != nil {
			return rep, err
		}
	}
	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultSweepGrace
	}
	conn := x.schema.conn
	h, err := conn.storeHandle(x.store)
	if err != nil {
		return rep, &Error{Op: "sweep", Table: x.FullName(), Err: err}
	}
	db := x.schema.name
	prefix := db + "/"
	cutoff := time.Now().Add(-grace)
	others, err := x.otherStores(ctx)
	if err != nil {
		return rep, err
	}

	// The objects under the prefix, by the hash their key names.
	type candidate struct {
		info external.Info
		hash uuid.UUID
		name string // attachment name, "" for a blob
	}
	var cands []candidate
	for info, err := range h.st.List(ctx, prefix) {
		if err != nil {
			return rep, &Error{Op: "sweep", Table: x.FullName(), Err: h.storeErr("list", prefix, err)}
		}
		rep.Listed++
		hash, name, ok := parseObjectKey(info.Key, db, h.cfg.Folds())
		if !ok {
			rep.Foreign = append(rep.Foreign, info.Key)
			continue
		}
		cands = append(cands, candidate{info: info, hash: hash, name: name})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].info.Key < cands[j].info.Key })
	sort.Strings(rep.Foreign)

	// Tracking rows of the hashes the keys name, and of the keys read as
	// filepaths.
	hashes := make([]uuid.UUID, 0, 2*len(cands))
	for _, c := range cands {
		hashes = append(hashes, c.hash, uuid.UUID(external.FilepathHash(c.info.Key)))
	}
	hashes = dedupeHashes(hashes)
	rows, err := lookupTracking(ctx, conn, db, x.store, hashes)
	if err != nil {
		return rep, opError("sweep", x.FullName(), "", err)
	}
	elsewhere, err := x.trackedElsewhere(ctx, conn, others, hashes)
	if err != nil {
		return rep, err
	}
	var victims []candidate
	for _, c := range cands {
		if sweepTracked(h, db, rows, c.info.Key, c.hash) || elsewhere[c.hash] || elsewhere[uuid.UUID(external.FilepathHash(c.info.Key))] {
			rep.Tracked++
			continue
		}
		if !c.info.ModTime.Before(cutoff) {
			rep.Young++
			continue
		}
		victims = append(victims, c)
	}
	if opts.DryRun {
		for _, c := range victims {
			rep.add(h, c.info)
		}
		return rep, nil
	}
	for start := 0; start < len(victims); start += sweepChunk {
		chunk := victims[start:min(start+sweepChunk, len(victims))]
		infos := make([]external.Info, len(chunk))
		hs := make([]uuid.UUID, len(chunk))
		for i, c := range chunk {
			infos[i], hs[i] = c.info, c.hash
		}
		var part SweepReport
		err := conn.Tx(ctx, func(ctx context.Context, tx *Tx) error {
			part = SweepReport{}
			return x.sweepChunk(ctx, tx, h, cutoff, others, infos, hs, &part)
		})
		if err != nil {
			return rep, err
		}
		rep.Tracked += part.Tracked
		rep.Young += part.Young
		rep.Objects = append(rep.Objects, part.Objects...)
		rep.Bytes += part.Bytes
		rep.Errors = append(rep.Errors, part.Errors...)
	}
	return rep, nil
}

func (r *SweepReport) add(h *storeHandle, info external.Info) {
	r.Objects = append(r.Objects, SweptObject{Key: info.Key, Path: h.full(info.Key), Size: info.Size, ModTime: info.ModTime})
	r.Bytes += info.Size
}

// sweepChunk removes the objects of one chunk inside tx, after locking
// their tracking-row slots and checking them again.
func (x *ExternalTable) sweepChunk(ctx context.Context, tx *Tx, h *storeHandle, cutoff time.Time, others []string, infos []external.Info, hashes []uuid.UUID, rep *SweepReport) error {
	db := x.schema.name
	all := make([]uuid.UUID, 0, 2*len(infos))
	for i := range infos {
		all = append(all, hashes[i], uuid.UUID(external.FilepathHash(infos[i].Key)))
	}
	all = dedupeHashes(all)
	args := make([]any, len(all))
	for i := range all {
		args[i] = all[i][:]
	}
	// FOR UPDATE locks the rows and, for absent hashes, the gaps where an
	// insert would write them, until the commit.
	q := trackLookupSQL(x.FullName(), len(all), true)
	rs, err := tx.QueryContext(ctx, q, args...)
	rows := map[uuid.UUID]trackRow{}
	if err == nil {
		for rs.Next() {
			r, err := scanTrackRow(rs)
			if err != nil {
				rs.Close()
				return opError("sweep", x.FullName(), "", err)
			}
			rows[r.hash] = r
		}
		err = rs.Err()
		rs.Close()
	}
	if err != nil {
		return opError("sweep", x.FullName(), "", err)
	}
	elsewhere, err := x.trackedElsewhere(ctx, tx, others, all)
	if err != nil {
		return err
	}
	var gone []external.Info
	for i, info := range infos {
		if sweepTracked(h, db, rows, info.Key, hashes[i]) || elsewhere[hashes[i]] || elsewhere[uuid.UUID(external.FilepathHash(info.Key))] {
			rep.Tracked++
			continue
		}
		gone = append(gone, info)
	}
	// The objects as they are now: one rewritten by an insert since the
	// listing is young again.
	now := make([]external.Info, len(gone))
	stat := make([]error, len(gone))
	err = parallel(ctx, len(gone), h.parallel(), func(ctx context.Context, i int) error {
		now[i], stat[i] = h.st.Stat(ctx, gone[i].Key)
		return nil
	})
	if err != nil {
		return &Error{Op: "sweep", Table: x.FullName(), Err: err}
	}
	var del []external.Info
	for i := range gone {
		switch {
		case stat[i] != nil && errors.Is(stat[i], ErrMissingExternal):
			continue
		case stat[i] != nil:
			rep.Errors = append(rep.Errors, &Error{Op: "sweep", Table: x.FullName(), Err: h.storeErr("stat", gone[i].Key, stat[i])})
		case !now[i].ModTime.Before(cutoff):
			rep.Young++
		default:
			now[i].Key = gone[i].Key
			del = append(del, now[i])
		}
	}
	failed := make([]error, len(del))
	err = parallel(ctx, len(del), h.parallel(), func(ctx context.Context, i int) error {
		failed[i] = h.remove(ctx, del[i].Key)
		return nil
	})
	if err != nil {
		return &Error{Op: "sweep", Table: x.FullName(), Err: err}
	}
	for i, info := range del {
		if failed[i] != nil {
			rep.Errors = append(rep.Errors, &Error{Op: "sweep", Table: x.FullName(), Err: failed[i]})
			continue
		}
		rep.add(h, info)
	}
	return nil
}

// otherStores lists the other stores of the schema: those with a tracking
// table besides this one. Stores may share a location, so an object under
// the schema's prefix may belong to any of them. A schema without this
// store's tracking table is an error: nothing it could track is known.
func (x *ExternalTable) otherStores(ctx context.Context) ([]string, error) {
	rows, err := x.schema.conn.QueryContext(ctx, externalTablesSQL, x.schema.name, len(schema.ExternalTableName("")), schema.ExternalTableName(""))
	if err != nil {
		return nil, opError("sweep", x.FullName(), "", err)
	}
	defer rows.Close()
	var out []string
	own := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, opError("sweep", x.FullName(), "", err)
		}
		store := strings.TrimPrefix(name, schema.ExternalTableName(""))
		if store == x.store {
			own = true
			continue
		}
		out = append(out, store)
	}
	if err := rows.Err(); err != nil {
		return nil, opError("sweep", x.FullName(), "", err)
	}
	if !own {
		return nil, &Error{Op: "sweep", Table: x.FullName(), Err: fmt.Errorf("%w: schema %s has no tracking table for store %q", ErrMissingTable, x.schema.name, x.store)}
	}
	return out, nil
}

// trackedElsewhere returns the hashes among hashes that a tracking table
// of another store of the schema holds.
func (x *ExternalTable) trackedElsewhere(ctx context.Context, q Querier, stores []string, hashes []uuid.UUID) (map[uuid.UUID]bool, error) {
	out := map[uuid.UUID]bool{}
	for _, st := range stores {
		rows, err := lookupTracking(ctx, q, x.schema.name, st, hashes)
		if err != nil {
			return nil, opError("sweep", schema.QuoteFull(x.schema.name, schema.ExternalTableName(st)), "", err)
		}
		for h := range rows {
			out[h] = true
		}
	}
	return out, nil
}

// sweepTracked reports whether a tracking row names the object under key:
// the blob or attachment row of hash whose key is key, or a filepath row
// whose path is key.
func sweepTracked(h *storeHandle, db string, rows map[uuid.UUID]trackRow, key string, hash uuid.UUID) bool {
	if r, ok := rows[uuid.UUID(external.FilepathHash(key))]; ok && r.filepath != "" && h.filepathKey(r.filepath) == key {
		return true
	}
	r, ok := rows[hash]
	if !ok {
		return false
	}
	switch {
	case r.attachmentName != "":
		return h.attachKey(db, hash, r.attachmentName) == key
	case r.filepath != "":
		return false
	}
	return h.blobKey(db, hash) == key
}

// parseObjectKey reads a blob key <db>/<folds>/<hex> or an attachment key
// <db>/<folds>/<hex>.<name> laid out with the given subfolding, returning
// the hash and the attachment name ("" for a blob).
func parseObjectKey(key, db string, folds []int) (uuid.UUID, string, bool) {
	rest, ok := strings.CutPrefix(key, db+"/")
	if !ok {
		return uuid.UUID{}, "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != len(folds)+1 {
		return uuid.UUID{}, "", false
	}
	base := parts[len(parts)-1]
	if len(base) < 32 {
		return uuid.UUID{}, "", false
	}
	hx, name := base[:32], ""
	if len(base) > 32 {
		if base[32] != '.' || len(base) == 33 {
			return uuid.UUID{}, "", false
		}
		name = base[33:]
	}
	hash, err := external.ParseHash(hx)
	if err != nil || hash.Hex() != hx {
		return uuid.UUID{}, "", false
	}
	for i, f := range external.Subfold(hx, folds) {
		if parts[i] != f {
			return uuid.UUID{}, "", false
		}
	}
	return uuid.UUID(hash), name, true
}

// String summarises the report: counts and bytes.
func (r SweepReport) String() string {
	verb := "removed"
	if r.DryRun {
		verb = "would remove"
	}
	return fmt.Sprintf("%s %d objects (%d bytes); listed %d, tracked %d, younger than the grace period %d, foreign %d, errors %d",
		verb, len(r.Objects), r.Bytes, r.Listed, r.Tracked, r.Young, len(r.Foreign), len(r.Errors))
}
