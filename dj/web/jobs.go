package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
)

// jobsData is what the jobs page shows.
type jobsData struct {
	Title      string
	DB         string
	HasJobs    bool
	Tables     []string // tables with jobs, for the filter
	Table      string   // filter: bare table name
	Status     string   // filter: reserved, error, ignore or ""
	Text       string   // filter: text in the message or key
	Jobs       []jobView
	AllowClear bool
	CSRF       string
	Cleared    string
	Summary    []dj.JobSummary
}

// jobStatuses are the statuses the filter accepts.
var jobStatuses = map[string]bool{"": true, dj.JobReserved: true, dj.JobError: true, dj.JobIgnore: true}

// jobsPage lists the reservations and errors of a schema's ~jobs table,
// filtered by table, status and text.
func (s *Server) jobsPage(ctx context.Context, r *http.Request) (string, any, error) {
	sc, err := s.openSchema(ctx, r)
	if err != nil {
		return "", nil, err
	}
	db := sc.Name()
	q := r.URL.Query()
	d := jobsData{Title: "Jobs of " + db, DB: db, Table: q.Get("table"), Status: q.Get("status"), Text: q.Get("q"),
		AllowClear: s.opts.AllowClear, CSRF: s.csrf}
	if n := q.Get("cleared"); n != "" {
		if _, err := strconv.Atoi(n); err == nil {
			d.Cleared = n
		}
	}
	if !jobStatuses[d.Status] {
		return "", nil, badRequest("status %q: want reserved, error or ignore", d.Status)
	}
	jobs, err := hasJobs(ctx, s.c)
	if err != nil {
		return "", nil, err
	}
	if d.HasJobs = jobs[db]; !d.HasJobs {
		return "jobs", d, nil
	}
	j := dj.JobsOf(s.c, db)
	if d.Summary, err = j.Summary(ctx); err != nil {
		return "", nil, err
	}
	for _, js := range d.Summary {
		d.Tables = append(d.Tables, js.Table)
	}
	if d.Table != "" && !contains(d.Tables, d.Table) {
		return "", nil, badRequest("no jobs of table %q in %s", d.Table, db)
	}
	list, err := j.List(ctx, dj.JobFilter{Table: d.Table, Status: d.Status})
	if err != nil {
		return "", nil, err
	}
	text := strings.ToLower(d.Text)
	for _, jb := range list {
		v := viewJob(jb, nil)
		if text != "" && !strings.Contains(strings.ToLower(v.Message+" "+v.Key+" "+v.Stack), text) {
			continue
		}
		d.Jobs = append(d.Jobs, v)
	}
	return "jobs", d, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyHashRE is the form of a ~jobs key_hash.
var keyHashRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// clearJobs deletes error jobs of a schema: one (table and hash), those of
// a table, or all. It is the dashboard's only write: refused unless the
// server was started with AllowClear, and without the page's CSRF token.
func (s *Server) clearJobs(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
	defer cancel()
	if !s.opts.AllowClear {
		s.fail(w, fmt.Errorf("%w: clearing jobs is off; start dj web with --allow-clear to allow it", errForbidden))
		return
	}
	if err := s.checkCSRF(r); err != nil {
		s.fail(w, err)
		return
	}
	sc, err := s.openSchema(ctx, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	jobs, err := hasJobs(ctx, s.c)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !jobs[sc.Name()] {
		s.fail(w, badRequest("schema %s has no ~jobs table", sc.Name()))
		return
	}
	j := dj.JobsOf(s.c, sc.Name())
	f := dj.JobFilter{Table: r.PostFormValue("table"), Hash: r.PostFormValue("hash"), Status: dj.JobError}
	if f.Hash != "" && !keyHashRE.MatchString(f.Hash) {
		s.fail(w, badRequest("key hash %q is not a key hash", f.Hash))
		return
	}
	if f.Table != "" {
		sum, err := j.Summary(ctx)
		if err != nil {
			s.fail(w, err)
			return
		}
		found := false
		for _, js := range sum {
			found = found || js.Table == f.Table
		}
		if !found {
			s.fail(w, badRequest("no jobs of table %q in %s", f.Table, sc.Name()))
			return
		}
	}
	n, err := j.Clear(ctx, f)
	if err != nil {
		s.fail(w, err)
		return
	}
	back := url.Values{"cleared": {strconv.FormatInt(n, 10)}}
	if f.Table != "" {
		back.Set("table", f.Table)
	}
	http.Redirect(w, r, jobsURL(sc.Name())+"?"+back.Encode(), http.StatusSeeOther)
}
