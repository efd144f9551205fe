package share

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// ExportOptions configures Export.
type ExportOptions struct {
	// Version is the release's version, such as "1.0"; required.
	Version string
	// Name names the release; empty means the first database exported.
	Name string
	// Seeds select the rows to export (see Closure). Without seeds,
	// every database of Databases is exported whole.
	Seeds []Seed
	// Databases lists databases to export whole, and databases to
	// include (with their tables, empty or not) beside the closure of
	// Seeds.
	Databases []string
	// Transfers is the number of objects read at once; 0 means
	// dj.DefaultStoreTransfers.
	Transfers int
	// Progress, when set, is called after each table and tracking table.
	Progress func(Progress)
}

// Export writes a release archive of the closure of o.Seeds (or of the
// whole databases of o.Databases) on c to path: a single tar file when
// path ends in ".tar", else a directory. path must not exist. The
// archive holds a manifest (format and release version, source, creation
// time, every table's CREATE TABLE statement, columns and row count, and
// the size and SHA-256 of every member), the rows of each table as a
// zstd-compressed stream, and every external object the rows use, read
// from c's stores and checked against its hash. The archive appears at
// path only when complete. Rows are streamed; no table is held in memory.
func Export(ctx context.Context, c *dj.Conn, path string, o ExportOptions) (*Manifest, error) {
	if o.Version == "" {
		return nil, fmt.Errorf("share: export: %w: no release version", dj.ErrConfig)
	}
	// Without seeds, Databases are the seeds; with seeds, they are only
	// brought into the graph beside the closure.
	seeds, also := o.Seeds, o.Databases
	if len(seeds) == 0 {
		if len(o.Databases) == 0 {
			return nil, fmt.Errorf("share: export: %w: nothing to export", dj.ErrConfig)
		}
		for _, db := range o.Databases {
			seeds = append(seeds, Schema(db))
		}
		also = nil
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("share: export: %s: %w", path, fs.ErrExist)
	}
	if o.Transfers <= 0 {
		o.Transfers = dj.DefaultStoreTransfers
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	stage := path + ".partial"
	if err := os.RemoveAll(stage); err != nil {
		return nil, fmt.Errorf("share: export: %w", err)
	}
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, fmt.Errorf("share: export: %w", err)
	}
	defer os.RemoveAll(stage)
	m := &Manifest{Format: FormatName, FormatVersion: FormatVersion, Name: o.Name, Version: o.Version,
		Created: time.Now().UTC().Truncate(time.Second), Source: Source{Host: c.Config().Host}}
	for _, s := range o.Seeds {
		m.Source.Seeds = append(m.Source.Seeds, s.describe())
	}
	err := c.Session(ctx, func(ctx context.Context, q dj.Querier) error {
		if err := q.QueryRowContext(ctx, "SELECT VERSION()").Scan(&m.Source.Server); err != nil {
			return fmt.Errorf("share: export: %w", err)
		}
		p, err := build(ctx, q, seeds, also)
		if err != nil {
			return err
		}
		x := &exporter{c: c, q: q, p: p, dir: stage, m: m, o: o}
		return x.run(ctx, seeds)
	})
	if err != nil {
		return nil, err
	}
	if m.Name == "" {
		m.Name = m.Source.Databases[0]
	}
	b, sum, err := encodeManifest(m)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(stage, manifestName), b, 0o644); err != nil {
		return nil, fmt.Errorf("share: export: %w", err)
	}
	if err := os.WriteFile(filepath.Join(stage, manifestSumName), sum, 0o644); err != nil {
		return nil, fmt.Errorf("share: export: %w", err)
	}
	if isTarPath(path) {
		if err := packTar(stage, path+".partial.tar", m); err != nil {
			return nil, err
		}
		stage = path + ".partial.tar"
	}
	if err := os.Rename(stage, path); err != nil {
		return nil, fmt.Errorf("share: export: %w", err)
	}
	return m, nil
}

// describe is the seed as text, for the manifest.
func (s Seed) describe() string {
	switch {
	case s.table.Table == "":
		return schema.QuoteIdent(s.table.Database)
	case s.expr != "":
		return strings.TrimSpace(s.expr + " " + fmt.Sprint(s.args...))
	case s.where != "":
		return strings.TrimSpace(s.table.Quoted() + " WHERE " + s.where + " " + fmt.Sprint(s.args...))
	}
	return s.table.Quoted()
}

// exporter is one export in progress; q is the session holding the
// plan's temporary tables.
type exporter struct {
	c   *dj.Conn
	q   dj.Querier
	p   *plan
	dir string
	m   *Manifest
	o   ExportOptions
	mu  sync.Mutex
}

func (x *exporter) run(ctx context.Context, seeds []Seed) error {
	set := map[string]bool{}
	for _, db := range x.o.Databases {
		set[db] = true
	}
	for _, s := range seeds {
		if s.table.Table == "" {
			set[s.table.Database] = true
		}
	}
	for _, id := range x.p.order {
		if x.p.nodes[id].has() {
			set[id.Database] = true
		}
	}
	dbs := sortedKeys(set)
	x.m.Source.Databases = dbs
	ext := map[schema.TableID]*extSet{}
	for _, s := range x.p.ext {
		ext[s.tracking] = s
	}
	for _, db := range dbs {
		hidden, err := hiddenTables(ctx, x.q, db)
		if err != nil {
			return fmt.Errorf("share: export: tables of %s: %w", db, err)
		}
		for _, id := range hidden {
			from := ""
			if s := ext[id]; s != nil && s.temp != "" {
				if err := x.objects(ctx, s); err != nil {
					return err
				}
				from = s.from()
			}
			if err := x.table(ctx, id, from); err != nil {
				return err
			}
		}
	}
	for _, id := range x.p.order {
		if !set[id.Database] {
			continue
		}
		from := ""
		if n := x.p.nodes[id]; n.has() {
			from = n.from("s")
		}
		if err := x.table(ctx, id, from); err != nil {
			return err
		}
	}
	return nil
}

// table adds table id to the manifest, with the rows that from (the
// table aliased `s`) selects, or none when from is empty.
func (x *exporter) table(ctx context.Context, id schema.TableID, from string) error {
	ddl, err := showCreate(ctx, x.q, id)
	if err != nil {
		return err
	}
	te := TableEntry{Database: id.Database, Table: id.Table, DDL: ddl}
	var exprs []string
	err = queryEach(ctx, x.q, columnsSQL, []any{id.Database, id.Table}, func(sc func(...any) error) error {
		var col Column
		if err := sc(&col.Name, &col.Type); err != nil {
			return err
		}
		te.Columns = append(te.Columns, col)
		exprs = append(exprs, exportExpr(col))
		return nil
	})
	if err != nil {
		return fmt.Errorf("share: export: columns of %s: %w", id, err)
	}
	if n := x.p.nodes[id]; n != nil {
		te.PrimaryKey = n.pk
	} else if strings.HasPrefix(id.Table, "~external_") {
		te.PrimaryKey = []string{"hash"}
	}
	if from != "" {
		name := rowsMember(len(x.m.Tables))
		mem, err := x.member(name, func(w io.Writer) error {
			n, err := x.writeRows(ctx, w, "SELECT "+strings.Join(exprs, ", ")+" FROM "+from, len(exprs))
			te.Rows = n
			return err
		})
		if err != nil {
			return fmt.Errorf("share: export: rows of %s: %w", id, err)
		}
		te.Member = mem.Name
	}
	x.m.Tables = append(x.m.Tables, te)
	x.o.Progress(Progress{Table: id, Rows: te.Rows})
	return nil
}

// exportExpr is the expression that reads column c of `s` as the text
// that inserts the same value: FLOAT as a DOUBLE (the server prints a
// FLOAT with 6 digits), dates and times as the server prints them.
func exportExpr(c Column) string {
	e := "`s`." + schema.QuoteIdent(c.Name)
	switch strings.ToLower(c.Type) {
	case "float":
		return "CAST(" + e + " AS DOUBLE)"
	case "date", "datetime", "timestamp", "time", "year":
		return "CAST(" + e + " AS CHAR)"
	}
	return e
}

// writeRows encodes the rows of sel onto w and returns their number.
func (x *exporter) writeRows(ctx context.Context, w io.Writer, sel string, ncol int) (int64, error) {
	rw, err := newRowWriter(w)
	if err != nil {
		return 0, err
	}
	rows, err := x.q.QueryContext(ctx, sel)
	if err != nil {
		rw.close()
		return 0, err
	}
	defer rows.Close()
	vals := make([]textValue, ncol)
	ptrs := make([]any, ncol)
	out := make([][]byte, ncol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rw.close()
			return n, err
		}
		for i := range vals {
			out[i] = vals[i].bytes()
		}
		if err := rw.write(out); err != nil {
			rw.close()
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		rw.close()
		return n, err
	}
	return n, rw.close()
}

// textValue scans a column as the text that inserts the same value.
type textValue struct {
	b    []byte
	null bool
}

// Scan implements sql.Scanner.
func (v *textValue) Scan(src any) error {
	v.null = false
	v.b = v.b[:0]
	switch s := src.(type) {
	case nil:
		v.null = true
	case []byte:
		v.b = append(v.b, s...)
	case string:
		v.b = append(v.b, s...)
	case int64:
		v.b = strconv.AppendInt(v.b, s, 10)
	case uint64:
		v.b = strconv.AppendUint(v.b, s, 10)
	case float64:
		v.b = strconv.AppendFloat(v.b, s, 'g', -1, 64)
	case float32:
		v.b = strconv.AppendFloat(v.b, float64(s), 'g', -1, 32)
	case bool:
		v.b = strconv.AppendBool(v.b, s)
	default:
		return fmt.Errorf("%w: cannot export a value of type %T", dj.ErrType, src)
	}
	return nil
}

// bytes is the value, or nil for NULL.
func (v *textValue) bytes() []byte {
	if v.null {
		return nil
	}
	if v.b == nil {
		return []byte{}
	}
	return v.b
}

// member writes the member name with fill and records its size and
// checksum in the manifest.
func (x *exporter) member(name string, fill func(io.Writer) error) (Member, error) {
	p := filepath.Join(x.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return Member{}, err
	}
	f, err := os.Create(p)
	if err != nil {
		return Member{}, err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	err = fill(cw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Member{}, err
	}
	mem := Member{Name: name, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}
	x.mu.Lock()
	x.m.Members = append(x.m.Members, mem)
	x.mu.Unlock()
	return mem, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// objects reads the objects of s from c's store, Transfers at a time,
// checks each against its hash and adds it to the archive once per
// store and hash.
func (x *exporter) objects(ctx context.Context, s *extSet) error {
	st, err := x.c.Store(s.store)
	if err != nil {
		return fmt.Errorf("share: export: store %q: %w", s.store, err)
	}
	list, err := trackedObjects(ctx, x.q, s)
	if err != nil {
		return fmt.Errorf("share: export: objects of %s: %w", s.tracking, err)
	}
	db, folds := s.tracking.Database, st.Config().Folds()
	entries := make([]ObjectEntry, len(list))
	written := map[string]bool{}
	for _, mem := range x.m.Members {
		written[mem.Name] = true
	}
	var bytes int64
	var mu sync.Mutex
	err = parallel(ctx, len(list), x.o.Transfers, func(ctx context.Context, i int) error {
		o := list[i]
		e := ObjectEntry{Store: s.store, Database: db, Hash: o.hash.Hex(), Size: o.size, Attachment: o.attach,
			Filepath: o.filepath, Member: objectMember(s.store, o.hash.Hex())}
		if len(o.contents) == 16 {
			e.ContentsHash = hex.EncodeToString(o.contents)
		}
		key, _ := o.keys(db, db, folds, folds)
		if o.filepath != "" {
			info, err := st.Stat(ctx, key)
			if err != nil {
				return err
			}
			e.Metadata = info.Metadata
		}
		entries[i] = e
		mu.Lock()
		dup := written[e.Member]
		written[e.Member] = true
		mu.Unlock()
		if dup {
			return nil
		}
		data, err := o.fetch(ctx, st, key)
		if err != nil {
			return err
		}
		_, err = x.member(e.Member, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		mu.Lock()
		bytes += int64(len(data))
		mu.Unlock()
		return err
	})
	if err != nil {
		return fmt.Errorf("share: export: objects of %s: %w", s.tracking, err)
	}
	x.m.Objects = append(x.m.Objects, entries...)
	x.o.Progress(Progress{Table: s.tracking, Objects: int64(len(list)), Bytes: bytes})
	return nil
}
