package share

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// CloneOptions configures Clone.
type CloneOptions struct {
	// Rename maps each source database to its destination database. Every
	// database with rows in the closure must be mapped; mapping a
	// database to itself is allowed when the destination is another
	// server.
	Rename map[string]string
	// Seeds select the rows to copy (see Closure). Without seeds, every
	// database of Rename is copied whole.
	Seeds []Seed
	// BatchRows is the number of rows of one INSERT when rows are
	// streamed to another server; 0 means 1000.
	BatchRows int
	// Transfers is the number of objects copied at once; 0 means
	// dj.DefaultStoreTransfers.
	Transfers int
	// Progress, when set, is called after each step.
	Progress func(Progress)
}

// Progress reports one finished step of a clone.
type Progress struct {
	// Table is the source table the step copied.
	Table schema.TableID
	// Rows is the number of rows the step wrote, counting those that
	// were already in the destination (and were left as they were).
	Rows int64
	// Objects and Bytes count the objects the step copied to the
	// destination store; Skipped those already there.
	Objects, Skipped, Bytes int64
}

// CloneResult is what Clone did.
type CloneResult struct {
	// Subset is the closure that was copied, with its source counts.
	Subset *Subset `json:"subset"`
	// Created lists the destination tables created (existing ones are
	// kept).
	Created []schema.TableID `json:"created"`
	// Rows is the number of rows written (or found already there) per
	// destination table, parents first; tracking tables come first.
	Rows []TableRows `json:"rows"`
	// Objects, Skipped and Bytes count the objects copied, the objects
	// that were already in the destination store, and the bytes copied.
	Objects int64 `json:"objects"`
	Skipped int64 `json:"skipped"`
	Bytes   int64 `json:"bytes"`
	// SameServer reports that rows were copied by the server itself
	// (INSERT ... SELECT) rather than streamed.
	SameServer bool `json:"same_server"`
}

// Clone copies the closure of o.Seeds (or the whole databases of
// o.Rename) from src into the databases that o.Rename names on dst,
// which may be the same connection. Destination databases and tables are
// created when missing, with the source's CREATE TABLE statements (the
// AUTO_INCREMENT counter included), parents first, together with the ~log
// and ~external_<store> tables; a destination table that exists must have
// the source's definition. Objects are copied first, to the destination
// connection's store of the same name, checked against their content
// hash; then tracking rows; then table rows, parents first. Rows and
// objects already in the destination are skipped, so a clone that was
// interrupted completes, without duplicates, when it is run again.
func Clone(ctx context.Context, src, dst *dj.Conn, o CloneOptions) (*CloneResult, error) {
	if len(o.Rename) == 0 {
		return nil, fmt.Errorf("share: clone: %w: no destination database", dj.ErrConfig)
	}
	seeds := o.Seeds
	if len(seeds) == 0 {
		for _, db := range sortedKeys(o.Rename) {
			seeds = append(seeds, Schema(db))
		}
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 1000
	}
	if o.Transfers <= 0 {
		o.Transfers = dj.DefaultStoreTransfers
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	var res *CloneResult
	err := src.Session(ctx, func(ctx context.Context, q dj.Querier) error {
		p, err := build(ctx, q, seeds, nil)
		if err != nil {
			return err
		}
		sub, err := p.subset(ctx)
		if err != nil {
			return err
		}
		same, err := sameServer(ctx, q, dst)
		if err != nil {
			return err
		}
		cl := &cloner{p: p, q: q, dst: dst, src: src, o: o, res: &CloneResult{Subset: sub, SameServer: same}}
		if err := cl.run(ctx); err != nil {
			return err
		}
		res = cl.res
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// cloner is one clone in progress; q is the source session holding the
// plan's temporary tables.
type cloner struct {
	p        *plan
	q        dj.Querier
	src, dst *dj.Conn
	o        CloneOptions
	res      *CloneResult
}

func (cl *cloner) run(ctx context.Context) error {
	dbs, err := cl.databases()
	if err != nil {
		return err
	}
	if err := cl.create(ctx, dbs); err != nil {
		return err
	}
	for _, s := range cl.p.ext {
		if s.temp == "" {
			continue
		}
		if err := cl.copyObjects(ctx, s); err != nil {
			return err
		}
		if err := cl.copyRows(ctx, s.tracking, []string{"hash"}, s.from()); err != nil {
			return err
		}
	}
	for _, id := range cl.p.order {
		n := cl.p.nodes[id]
		if !n.has() {
			continue
		}
		if err := cl.copyRows(ctx, id, n.pk, n.from("s")); err != nil {
			return err
		}
	}
	return nil
}

// databases lists the source databases to create on the destination:
// those of Rename and every one with rows in the closure, which must be
// in Rename.
func (cl *cloner) databases() ([]string, error) {
	set := map[string]bool{}
	for db := range cl.o.Rename {
		set[db] = true
	}
	for _, id := range cl.p.order {
		if !cl.p.nodes[id].has() {
			continue
		}
		if _, ok := cl.o.Rename[id.Database]; !ok {
			return nil, fmt.Errorf("share: clone: %w: the closure has rows of %s but no destination is given for database %s", dj.ErrConfig, id, id.Database)
		}
		set[id.Database] = true
	}
	return sortedKeys(set), nil
}

// dstID is the destination of source table id.
func (cl *cloner) dstID(id schema.TableID) schema.TableID {
	return schema.TableID{Database: cl.o.Rename[id.Database], Table: id.Table}
}

// create makes the destination databases and their tables: tracking and
// log tables first, then every table of the graph, parents first.
func (cl *cloner) create(ctx context.Context, dbs []string) error {
	var ids []schema.TableID
	for _, db := range dbs {
		if _, err := cl.dst.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+schema.QuoteIdent(cl.o.Rename[db])); err != nil {
			return fmt.Errorf("share: clone: create database %s: %w", cl.o.Rename[db], err)
		}
		hidden, err := hiddenTables(ctx, cl.q, db)
		if err != nil {
			return fmt.Errorf("share: clone: tables of %s: %w", db, err)
		}
		ids = append(ids, hidden...)
	}
	for _, id := range cl.p.order {
		if slices.Contains(dbs, id.Database) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		ddl, err := showCreate(ctx, cl.q, id)
		if err != nil {
			return err
		}
		want := rewriteDDL(ddl, cl.o.Rename)
		did := cl.dstID(id)
		exists, err := checkTable(ctx, cl.dst, did, want)
		if err != nil {
			return fmt.Errorf("share: clone: %w", err)
		}
		if exists {
			continue
		}
		if err := createTable(ctx, cl.dst, id.Table, did, want); err != nil {
			return fmt.Errorf("share: clone: %w", err)
		}
		cl.res.Created = append(cl.res.Created, did)
	}
	return nil
}

// checkTable reports whether table did exists on dst, and refuses one
// whose definition is not want (modulo the AUTO_INCREMENT counter).
func checkTable(ctx context.Context, dst *dj.Conn, did schema.TableID, want string) (bool, error) {
	var exists int
	if err := dst.QueryRowContext(ctx, tableExistsSQL, did.Database, did.Table).Scan(&exists); err != nil {
		return false, fmt.Errorf("%s: %w", did, err)
	}
	if exists == 0 {
		return false, nil
	}
	have, err := showCreate(ctx, dst, did)
	if err != nil {
		return false, err
	}
	if normalizeDDL(have) != normalizeDDL(want) {
		return false, fmt.Errorf("%w: %s exists with another definition", dj.ErrHeadingMismatch, did)
	}
	return true, nil
}

// createTable creates did on dst with the CREATE TABLE statement ddl of
// a table named table.
func createTable(ctx context.Context, dst *dj.Conn, table string, did schema.TableID, ddl string) error {
	stmt := strings.Replace(ddl, "CREATE TABLE "+schema.QuoteIdent(table), "CREATE TABLE IF NOT EXISTS "+did.Quoted(), 1)
	stmt = qualifyRefs(stmt, did.Database)
	if _, err := dst.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("create %s: %w", did, err)
	}
	return nil
}

// rewriteDDL points the references of a CREATE TABLE statement to the
// databases of rename at their destinations, and names the destination
// database in the comment of a ~log table, as DataJoint writes it.
func rewriteDDL(ddl string, rename map[string]string) string {
	for _, from := range sortedKeys(rename) {
		to := schema.QuoteIdent(rename[from])
		ddl = strings.ReplaceAll(ddl, "REFERENCES "+schema.QuoteIdent(from)+".", "REFERENCES "+to+".")
		ddl = strings.Replace(ddl, "COMMENT='event logging table for "+schema.QuoteIdent(from)+"'", "COMMENT='event logging table for "+to+"'", 1)
	}
	return ddl
}

var localRef = regexp.MustCompile("REFERENCES (`(?:[^`]|``)+`) \\(")

// qualifyRefs names database db in the references of a CREATE TABLE
// statement to tables of its own database, which SHOW CREATE TABLE
// leaves unqualified, so that the statement does not depend on the
// connection's current database.
func qualifyRefs(ddl, db string) string {
	return localRef.ReplaceAllString(ddl, "REFERENCES "+schema.QuoteIdent(db)+".$1 (")
}

var autoIncrement = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// normalizeDDL drops what differs between equal tables: the
// AUTO_INCREMENT counter.
func normalizeDDL(ddl string) string { return autoIncrement.ReplaceAllString(ddl, "") }

// showCreate returns SHOW CREATE TABLE of id.
func showCreate(ctx context.Context, q dj.Querier, id schema.TableID) (string, error) {
	var name, ddl string
	if err := q.QueryRowContext(ctx, "SHOW CREATE TABLE "+id.Quoted()).Scan(&name, &ddl); err != nil {
		return "", fmt.Errorf("share: show create table %s: %w", id, err)
	}
	return ddl, nil
}

// sameServer reports whether the session q and dst reach the same server,
// so that one statement can read the source and write the destination.
func sameServer(ctx context.Context, q dj.Querier, dst *dj.Conn) (bool, error) {
	const ident = "SELECT @@hostname, @@port, @@datadir"
	var a, b [3]string
	if err := q.QueryRowContext(ctx, ident).Scan(&a[0], &a[1], &a[2]); err != nil {
		return false, fmt.Errorf("share: clone: %w", err)
	}
	if err := dst.QueryRowContext(ctx, ident).Scan(&b[0], &b[1], &b[2]); err != nil {
		return false, fmt.Errorf("share: clone: %w", err)
	}
	return a == b, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
