package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// column is one column of the preview: its header and sort link.
type column struct {
	Name    string
	Key     bool   // in the primary key
	Sorted  string // "asc", "desc" or ""
	SortURL string
}

// filter is one attribute that restricts the preview.
type filter struct {
	Name, Type, Value string
}

// tableData is what the table page shows.
type tableData struct {
	Title, DB, Class, Name, Tier, Comment string
	Describe                              string
	Rows                                  rowCount
	Large                                 int64

	Filters     []filter
	Restricted  bool
	Matching    int64 // rows of the restriction (the table when none)
	MatchingEst bool
	Columns     []column
	Preview     [][]cellView
	Page        int
	Pages       int // 0 when unknown
	FirstRow    int
	LastRow     int
	PrevURL     string
	NextURL     string

	Auto          bool
	Progress      progress
	KeyColumns    []string
	RemainingKeys [][]string
	MoreRemaining bool
	HasJobs       bool
	Reserved      []jobView
	Errors        []jobView
}

// remainingShown is the number of remaining keys listed.
const remainingShown = 10

// tablePage shows one table: its definition, counts, a paged, sortable,
// restrictable preview and, for an auto-populated table, its progress and
// jobs.
func (s *Server) tablePage(ctx context.Context, r *http.Request) (string, any, error) {
	sc, err := s.openSchema(ctx, r)
	if err != nil {
		return "", nil, err
	}
	t, err := sc.Table(ctx, r.PathValue("table"))
	if err != nil {
		return "", nil, err
	}
	if strings.HasPrefix(t.Name(), "~") {
		return "", nil, badRequest("%s is a hidden table; its rows are on the jobs page", t.Name())
	}
	db := sc.Name()
	q := r.URL.Query()
	d := &tableData{Title: inspect.ClassPath(t.Name()), DB: db, Class: inspect.ClassPath(t.Name()), Name: t.Name(),
		Tier: t.Tier().String(), Comment: t.Meta().Comment, Large: s.opts.LargeTable}
	if d.Describe, err = inspect.Describe(ctx, t); err != nil {
		return "", nil, err
	}
	d.Rows = s.estimate(ctx, db, t.Name())

	// Restriction by attribute values: parameters named a.<attribute>,
	// checked against the heading; values travel as query arguments.
	h := t.Heading()
	match := map[string]any{}
	for _, a := range h.Attributes {
		if !filterable(&a) {
			continue
		}
		v := q.Get("a." + a.Name)
		d.Filters = append(d.Filters, filter{Name: a.Name, Type: a.Type, Value: v})
		if v == "" {
			continue
		}
		if a.Category == schema.CatUUID {
			u, err := uuid.Parse(v)
			if err != nil {
				return "", nil, badRequest("attribute %s: %q is not a UUID", a.Name, v)
			}
			match[a.Name] = u
		} else {
			match[a.Name] = v
		}
	}
	for k := range q {
		if name, ok := strings.CutPrefix(k, "a."); ok {
			if a, found := h.Attr(name); !found || !filterable(a) {
				return "", nil, badRequest("%s has no attribute %q to restrict by", d.Class, name)
			}
		}
	}
	e := t.Expr()
	if len(match) > 0 {
		d.Restricted = true
		e = e.Restrict(dj.Match(match))
		if d.Matching, err = dj.Count(ctx, s.c, e); err != nil {
			return "", nil, err
		}
	} else {
		d.Matching, d.MatchingEst = d.Rows.N, d.Rows.Estimated
	}

	// Sorting by one attribute, then the primary key; paging.
	sortBy, desc := q.Get("sort"), q.Get("dir") == "desc"
	if sortBy != "" {
		if a, ok := h.Attr(sortBy); !ok || !filterable(a) {
			return "", nil, badRequest("%s has no attribute %q to sort by", d.Class, sortBy)
		}
	}
	d.Page = 1
	if p := q.Get("page"); p != "" {
		if d.Page, err = strconv.Atoi(p); err != nil || d.Page < 1 {
			return "", nil, badRequest("page %q is not a page number", p)
		}
	}
	order := []string{}
	if sortBy != "" {
		if desc {
			order = append(order, sortBy+" DESC")
		} else {
			order = append(order, sortBy)
		}
	}
	for _, k := range t.PrimaryKey() {
		if k != sortBy {
			order = append(order, k)
		}
	}
	size := s.opts.PageSize
	pe := e.OrderBy(order...).Offset((d.Page - 1) * size).Limit(size + 1)
	cols, rows, err := s.fetchCells(ctx, pe, h)
	if err != nil {
		return "", nil, err
	}
	more := len(rows) > size
	if more {
		rows = rows[:size]
	}
	d.Preview = rows
	pk := t.PrimaryKey()
	for _, c := range cols {
		col := column{Name: c, Key: slices.Contains(pk, c)}
		nq := cloneQuery(q)
		nq.Del("page")
		nq.Set("sort", c)
		nq.Del("dir")
		if c == sortBy {
			col.Sorted = "asc"
			if desc {
				col.Sorted = "desc"
			} else {
				nq.Set("dir", "desc")
			}
		}
		if a, ok := h.Attr(c); ok && filterable(a) {
			col.SortURL = "?" + nq.Encode()
		}
		d.Columns = append(d.Columns, col)
	}
	if d.Matching > 0 && !d.MatchingEst {
		d.Pages = int((d.Matching + int64(size) - 1) / int64(size))
	}
	if len(rows) > 0 {
		d.FirstRow = (d.Page-1)*size + 1
		d.LastRow = d.FirstRow + len(rows) - 1
	}
	if d.Page > 1 {
		nq := cloneQuery(q)
		nq.Set("page", strconv.Itoa(d.Page-1))
		d.PrevURL = "?" + nq.Encode()
	}
	if more {
		nq := cloneQuery(q)
		nq.Set("page", strconv.Itoa(d.Page+1))
		d.NextURL = "?" + nq.Encode()
	}

	if err := s.tableJobs(ctx, t, d); err != nil {
		return "", nil, err
	}
	return "table", d, nil
}

// filterable reports whether the preview can be restricted by a:
// attributes stored as plain values, not blobs or attachments.
func filterable(a *schema.Attribute) bool {
	switch a.Category {
	case schema.CatBlob, schema.CatAttach:
		return false
	}
	return !a.Category.External()
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// tableJobs adds the progress, remaining keys and jobs of an
// auto-populated table to d.
func (s *Server) tableJobs(ctx context.Context, t *dj.Table, d *tableData) error {
	if d.Auto = isAuto(d.Tier); !d.Auto {
		return nil
	}
	db := t.Schema().Name()
	counts := map[string]rowCount{t.Name(): d.Rows}
	for _, fk := range t.Meta().ForeignKeys {
		if fk.ParentDatabase == db {
			counts[fk.ParentTable] = s.estimate(ctx, db, fk.ParentTable)
		}
	}
	ks, ksErr := dj.TableKeySource(ctx, t)
	d.Progress = s.progressOf(ctx, t, ks, ksErr, counts)
	if d.Progress.Err == "" && !d.Progress.Estimated {
		rem := ks.Proj().Exclude(t.Expr()).Limit(remainingShown + 1)
		cols, rows, err := s.fetchCells(ctx, rem, t.Heading())
		if err != nil {
			return err
		}
		d.KeyColumns = cols
		if len(rows) > remainingShown {
			d.MoreRemaining, rows = true, rows[:remainingShown]
		}
		for _, r := range rows {
			line := make([]string, len(r))
			for i, c := range r {
				line[i] = c.Text
			}
			d.RemainingKeys = append(d.RemainingKeys, line)
		}
	}
	jobs, err := hasJobs(ctx, s.c)
	if err != nil {
		return err
	}
	if d.HasJobs = jobs[db]; !d.HasJobs {
		return nil
	}
	list, err := dj.JobsOf(s.c, db).List(ctx, dj.JobFilter{Table: t.Name()})
	if err != nil {
		return err
	}
	for _, j := range list {
		switch j.Status {
		case dj.JobReserved:
			d.Reserved = append(d.Reserved, viewJob(j, t.PrimaryKey()))
		case dj.JobError:
			d.Errors = append(d.Errors, viewJob(j, t.PrimaryKey()))
		}
	}
	return nil
}

// fetchCells runs a query and formats its rows for the page; h is the
// heading of the table the columns come from.
func (s *Server) fetchCells(ctx context.Context, e dj.Expr, h *schema.Heading) ([]string, [][]cellView, error) {
	stmt, args, err := e.SQL()
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.c.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	attrs := make([]*schema.Attribute, len(cols))
	eh := e.Heading()
	for i, c := range cols {
		if a, ok := eh.Attr(c); ok {
			attrs[i] = a
		} else if a, ok := h.Attr(c); ok {
			attrs[i] = a
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out [][]cellView
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
		}
		line := make([]cellView, len(cols))
		for i := range cols {
			line[i] = cellOf(attrs[i], vals[i])
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	return cols, out, nil
}

// jobView is one ~jobs row as the pages show it.
type jobView struct {
	Table, Class, Hash, Status string
	Key                        string
	Message, Stack             string
	Worker                     string
	Time                       string
}

// viewJob formats a job; pk orders the key's attributes (nil: by name).
func viewJob(j dj.Job, pk []string) jobView {
	names := make([]string, 0, len(j.Key))
	for k := range j.Key {
		names = append(names, k)
	}
	sort.Slice(names, func(a, b int) bool {
		ia, ib := slices.Index(pk, names[a]), slices.Index(pk, names[b])
		if ia != ib && ia >= 0 && ib >= 0 {
			return ia < ib
		}
		return names[a] < names[b]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%v", n, j.Key[n])
	}
	v := jobView{Table: j.TableName, Class: inspect.ClassPath(j.TableName), Hash: j.KeyHash, Status: j.Status,
		Key: strings.Join(parts, ", "), Message: j.ErrorMessage, Stack: j.ErrorStack,
		Worker: fmt.Sprintf("%s@%s pid %d", j.User, j.Host, j.PID)}
	if !j.Timestamp.IsZero() {
		v.Time = j.Timestamp.Format("2006-01-02 15:04:05")
	}
	return v
}
