package share

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// ImportOptions configures Import.
type ImportOptions struct {
	// Rename maps databases of the release to the databases to load them
	// into; a database not in Rename keeps its name.
	Rename map[string]string
	// BatchRows is the number of rows of one INSERT; 0 means 1000.
	BatchRows int
	// Transfers is the number of objects written at once; 0 means
	// dj.DefaultStoreTransfers.
	Transfers int
	// Progress, when set, is called after each table and tracking table.
	Progress func(Progress)
}

// ImportResult is what Import did.
type ImportResult struct {
	// Manifest describes the release that was loaded.
	Manifest *Manifest `json:"manifest"`
	// Created lists the tables created (existing ones are kept).
	Created []schema.TableID `json:"created"`
	// Rows is the number of rows written (or found already there) per
	// destination table.
	Rows []TableRows `json:"rows"`
	// Objects, Skipped and Bytes count the objects written, those
	// already in the destination store, and the bytes written.
	Objects int64 `json:"objects"`
	Skipped int64 `json:"skipped"`
	Bytes   int64 `json:"bytes"`
}

// Verify checks the release archive at path without a server: its
// manifest, and the size and SHA-256 of every member; a member missing,
// added, truncated or altered is an error matching ErrCorruptArchive.
func Verify(path string) (*Manifest, error) {
	a, m, err := openVerified(path)
	if err != nil {
		return nil, err
	}
	a.close()
	return m, nil
}

// openVerified opens the archive at path and checks its manifest and
// every member; the caller closes the archive.
func openVerified(path string) (*archive, *Manifest, error) {
	a, err := openArchive(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := a.manifest()
	if err == nil {
		err = verifyMembers(a, m)
	}
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, m, nil
}

// Import loads the release archive at path (a tar file or a directory
// written by Export) into c. It first verifies the whole archive (see
// Verify), that every store the objects need is configured on c, and
// that no destination table exists with another definition; any failure
// leaves the server and the stores untouched. Then it creates the
// databases and missing tables with the release's CREATE TABLE
// statements (references and log comments renamed by o.Rename), parents
// first; writes the objects to c's stores of the same names under the
// destination database's name, checked against their hashes and skipping
// those already there; then inserts the tracking rows and the rows of
// every table, streamed in batches, skipping rows whose primary key is
// already there. An import that was interrupted completes when it is run
// again.
func Import(ctx context.Context, c *dj.Conn, path string, o ImportOptions) (*ImportResult, error) {
	if o.BatchRows <= 0 {
		o.BatchRows = 1000
	}
	if o.Transfers <= 0 {
		o.Transfers = dj.DefaultStoreTransfers
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	a, m, err := openVerified(path)
	if err != nil {
		return nil, err
	}
	defer a.close()
	im := &importer{c: c, a: a, m: m, o: o, rename: map[string]string{}, res: &ImportResult{Manifest: m}}
	for _, db := range m.Source.Databases {
		im.rename[db] = db
		if to, ok := o.Rename[db]; ok {
			im.rename[db] = to
		}
	}
	if err := im.check(ctx); err != nil {
		return nil, err
	}
	if err := im.create(ctx); err != nil {
		return nil, err
	}
	if err := im.objects(ctx); err != nil {
		return nil, err
	}
	for i := range m.Tables {
		if err := im.rows(ctx, &m.Tables[i]); err != nil {
			return nil, err
		}
	}
	return im.res, nil
}

// importer is one import in progress.
type importer struct {
	c      *dj.Conn
	a      *archive
	m      *Manifest
	o      ImportOptions
	rename map[string]string
	exists map[schema.TableID]bool
	res    *ImportResult
}

func (im *importer) dstID(t *TableEntry) schema.TableID {
	return schema.TableID{Database: im.rename[t.Database], Table: t.Table}
}

// check refuses, before anything is written, a release whose tables or
// objects cannot be loaded into c.
func (im *importer) check(ctx context.Context) error {
	for db := range im.o.Rename {
		if _, ok := im.rename[db]; !ok {
			return fmt.Errorf("share: import: %w: the release has no database %s to rename", dj.ErrConfig, db)
		}
	}
	for _, o := range im.m.Objects {
		if _, ok := im.rename[o.Database]; !ok {
			return fmt.Errorf("%w: object %s of database %s, which the release does not hold", ErrCorruptArchive, o.Hash, o.Database)
		}
		if _, err := im.c.Store(o.Store); err != nil {
			return fmt.Errorf("share: import: store %q: %w", o.Store, err)
		}
	}
	im.exists = map[schema.TableID]bool{}
	for i := range im.m.Tables {
		t := &im.m.Tables[i]
		if _, ok := im.rename[t.Database]; !ok {
			return fmt.Errorf("%w: table %s of database %s, which the release does not hold", ErrCorruptArchive, t.Table, t.Database)
		}
		if !strings.HasPrefix(t.DDL, "CREATE TABLE "+schema.QuoteIdent(t.Table)+" (") {
			return fmt.Errorf("%w: the definition of %s is not a CREATE TABLE statement of it", ErrCorruptArchive, t.Table)
		}
		if t.Member != "" && (len(t.PrimaryKey) == 0 || len(t.Columns) == 0) {
			return fmt.Errorf("%w: %s has rows but no columns or primary key", ErrCorruptArchive, t.Table)
		}
		did := im.dstID(t)
		ok, err := checkTable(ctx, im.c, did, rewriteDDL(t.DDL, im.rename))
		if err != nil {
			return fmt.Errorf("share: import: %w", err)
		}
		im.exists[did] = ok
	}
	return nil
}

// create makes the destination databases and the missing tables.
func (im *importer) create(ctx context.Context) error {
	for _, db := range im.m.Source.Databases {
		if _, err := im.c.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+schema.QuoteIdent(im.rename[db])); err != nil {
			return fmt.Errorf("share: import: create database %s: %w", im.rename[db], err)
		}
	}
	for i := range im.m.Tables {
		t := &im.m.Tables[i]
		did := im.dstID(t)
		if im.exists[did] {
			continue
		}
		if err := createTable(ctx, im.c, t.Table, did, rewriteDDL(t.DDL, im.rename)); err != nil {
			return fmt.Errorf("share: import: %w", err)
		}
		im.res.Created = append(im.res.Created, did)
	}
	return nil
}

// objects writes the objects to the destination stores, per tracking
// table.
func (im *importer) objects(ctx context.Context) error {
	type group struct{ store, db string }
	var order []group
	byGroup := map[group][]ObjectEntry{}
	for _, o := range im.m.Objects {
		g := group{o.Store, o.Database}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], o)
	}
	for _, g := range order {
		if err := im.storeObjects(ctx, g.store, g.db, byGroup[g]); err != nil {
			return fmt.Errorf("share: import: objects of %s.~external_%s: %w", g.db, g.store, err)
		}
	}
	return nil
}

func (im *importer) storeObjects(ctx context.Context, store, db string, list []ObjectEntry) error {
	to, err := im.c.Store(store)
	if err != nil {
		return err
	}
	dstDB, folds := im.rename[db], to.Config().Folds()
	present, err := presentKeys(ctx, to, dstDB)
	if err != nil {
		return err
	}
	n, err := putMissing(ctx, to, present, len(list), im.o.Transfers, func(i int) (trackedObject, string, error) {
		o, err := list[i].tracked()
		if err != nil {
			return o, "", err
		}
		_, key := o.keys(db, dstDB, folds, folds)
		return o, key, nil
	}, func(ctx context.Context, i int, o trackedObject, key string) (int64, error) {
		e := list[i]
		data, err := im.a.readMember(e.Member)
		if err != nil {
			return 0, err
		}
		if err := o.verify(data); err != nil {
			return 0, fmt.Errorf("%w: %s: %w", ErrCorruptArchive, e.Member, err)
		}
		return int64(len(data)), putObject(ctx, to, key, data, e.Metadata)
	})
	im.res.Objects += n.copied
	im.res.Skipped += n.skipped
	im.res.Bytes += n.bytes
	im.o.Progress(Progress{Table: schema.TableID{Database: dstDB, Table: "~external_" + store},
		Objects: n.copied, Skipped: n.skipped, Bytes: n.bytes})
	return err
}

// tracked is the tracking row of an object entry.
func (e ObjectEntry) tracked() (trackedObject, error) {
	h, err := external.ParseHash(e.Hash)
	if err != nil {
		return trackedObject{}, fmt.Errorf("%w: object hash %q", ErrCorruptArchive, e.Hash)
	}
	o := trackedObject{hash: h, size: e.Size, attach: e.Attachment, filepath: e.Filepath}
	if e.ContentsHash != "" {
		if o.contents, err = hex.DecodeString(e.ContentsHash); err != nil {
			return trackedObject{}, fmt.Errorf("%w: contents hash %q", ErrCorruptArchive, e.ContentsHash)
		}
	}
	return o, nil
}

// rows inserts the rows of table entry t.
func (im *importer) rows(ctx context.Context, t *TableEntry) error {
	did := im.dstID(t)
	if t.Member == "" {
		return nil
	}
	r, err := im.a.open(t.Member)
	if err != nil {
		return err
	}
	defer r.Close()
	rr, err := newRowReader(r)
	if err != nil {
		return fmt.Errorf("share: import: rows of %s: %w", did, err)
	}
	defer rr.close()
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	head, tail := upsertSQL(did, names, t.PrimaryKey[0])
	vals := make([]any, len(names))
	n, err := batchInsert(ctx, im.c, head, tail, len(names), im.o.BatchRows, func() ([]any, error) {
		err := rr.next(vals)
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return vals, nil
	})
	if err != nil {
		return fmt.Errorf("share: import: rows of %s: %w", did, err)
	}
	// Without an error, batchInsert wrote every row the archive held.
	if n != t.Rows {
		return fmt.Errorf("share: import: rows of %s: %w: %d rows, the manifest says %d", did, ErrCorruptArchive, n, t.Rows)
	}
	im.res.Rows = append(im.res.Rows, TableRows{Table: did, Rows: n})
	im.o.Progress(Progress{Table: did, Rows: n})
	return nil
}
