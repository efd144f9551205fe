package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures the dashboard.
type Options struct {
	// AllowClear enables the one write: clearing error jobs from a
	// schema's ~jobs table. Off, the jobs page shows no clear buttons and
	// the endpoint refuses.
	AllowClear bool
	// PageSize is the number of rows per preview page; 0 means 25.
	PageSize int
	// LargeTable is the server's row estimate from which a table counts as
	// large: its row count is the estimate of information_schema.TABLES
	// (said so on the page) instead of an exact count that scans it, and
	// populate progress over it is estimated too. 0 means 100 000.
	LargeTable int64
	// Timeout bounds the database work of one page; 0 means 30 seconds.
	Timeout time.Duration
	// Hosts, when not empty, are the host names (without port) a request
	// may name in its Host header; others are refused. A dashboard on
	// 127.0.0.1 lists "127.0.0.1", "localhost" and "::1" so that a web page
	// elsewhere cannot reach it through a DNS name of its own that resolves
	// to this machine (DNS rebinding).
	Hosts []string
}

// Server is the dashboard: an http.Handler serving the schemas, pipeline,
// table and jobs pages of the schemas on one connection.
type Server struct {
	c    *dj.Conn
	opts Options
	csrf string
	tmpl map[string]*template.Template
	mux  *http.ServeMux

	mu    sync.Mutex
	svgs  map[string]string     // diagram layouts by DOT text
	metas map[string]*metaEntry // tables by "db.name"
}

// New returns the dashboard for the schemas reachable on c. Every page
// reads; the only write is clearing error jobs, with opts.AllowClear, behind
// a CSRF token.
func New(c *dj.Conn, opts Options) (*Server, error) {
	if c == nil {
		return nil, &dj.Error{Op: "web", Err: fmt.Errorf("%w: nil connection", dj.ErrConfig)}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 25
	}
	if opts.LargeTable <= 0 {
		opts.LargeTable = 100_000
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return nil, &dj.Error{Op: "web", Err: err}
	}
	s := &Server{c: c, opts: opts, csrf: hex.EncodeToString(tok), tmpl: map[string]*template.Template{}, mux: http.NewServeMux(), svgs: map[string]string{}, metas: map[string]*metaEntry{}}
	funcs := template.FuncMap{
		"schemaURL": schemaURL,
		"tableURL":  tableURL,
		"jobsURL":   jobsURL,
		"pct":       pct,
	}
	for _, page := range []string{"schemas", "pipeline", "table", "jobs", "error"} {
		t, err := template.New(page+".html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, &dj.Error{Op: "web", Err: err}
		}
		s.tmpl[page] = t
	}
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.page(s.schemasPage))
	s.mux.HandleFunc("GET /schema/{db}/{$}", s.page(s.pipelinePage))
	s.mux.HandleFunc("GET /schema/{db}/table/{table}", s.page(s.tablePage))
	s.mux.HandleFunc("GET /schema/{db}/jobs", s.page(s.jobsPage))
	s.mux.HandleFunc("POST /schema/{db}/jobs/clear", s.clearJobs)
	return s, nil
}

// ServeHTTP serves the dashboard.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if len(s.opts.Hosts) > 0 {
		host := r.Host
		if hn, _, err := net.SplitHostPort(host); err == nil {
			host = hn
		}
		host = strings.Trim(host, "[]")
		if !slices.Contains(s.opts.Hosts, host) {
			http.Error(w, "dj web: host "+strconv.Quote(r.Host)+" is not served here", http.StatusMisdirectedRequest)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// errBadRequest marks a request the dashboard refuses to run.
var errBadRequest = errors.New("bad request")

// badRequest is an error in the request, shown with status 400.
func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// pageFunc reads what a page shows; it returns the template's name and data.
type pageFunc func(ctx context.Context, r *http.Request) (string, any, error)

// page runs a pageFunc under the page timeout and renders its result or
// its error.
func (s *Server) page(f pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
		defer cancel()
		name, data, err := f(ctx, r)
		if err != nil {
			s.fail(w, err)
			return
		}
		s.render(w, http.StatusOK, name, data)
	}
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := s.tmpl[name].Execute(&b, data); err != nil {
		http.Error(w, "dj web: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// errorData is what the error page shows.
type errorData struct {
	Title   string
	Status  int
	Message string
}

// fail shows err with the status its class calls for.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, dj.ErrInvalidQuery), errors.Is(err, dj.ErrUnknownAttribute):
		status = http.StatusBadRequest
	case errors.Is(err, dj.ErrMissingTable):
		status = http.StatusNotFound
	case errors.Is(err, errForbidden):
		status = http.StatusForbidden
	}
	s.render(w, status, "error", errorData{Title: http.StatusText(status), Status: status, Message: err.Error()})
}

// errForbidden marks a write the dashboard refuses.
var errForbidden = errors.New("forbidden")

// openSchema opens the schema named in the URL, refusing the server's own
// databases and names that are not databases.
func (s *Server) openSchema(ctx context.Context, r *http.Request) (*dj.Schema, error) {
	db := r.PathValue("db")
	switch db {
	case "information_schema", "mysql", "performance_schema", "sys":
		return nil, badRequest("%s is a database of the server, not a schema", db)
	}
	if err := schema.ValidateDatabaseName(db); err != nil {
		return nil, badRequest("schema name %q: %v", db, err)
	}
	return s.c.Schema(ctx, db, dj.NoCreate())
}

// checkCSRF refuses a write whose form lacks the server's token or that a
// browser says comes from another site.
func (s *Server) checkCSRF(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return fmt.Errorf("%w: cross-site request refused", errForbidden)
	}
	tok := r.PostFormValue("csrf")
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.csrf)) != 1 {
		return fmt.Errorf("%w: invalid or missing CSRF token", errForbidden)
	}
	return nil
}

func schemaURL(db string) string { return "/schema/" + url.PathEscape(db) + "/" }

func tableURL(db, class string) string {
	return "/schema/" + url.PathEscape(db) + "/table/" + url.PathEscape(class)
}

func jobsURL(db string) string { return "/schema/" + url.PathEscape(db) + "/jobs" }

// pct is made/total in percent, 0 when total is 0.
func pct(made, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return made * 100 / total
}
