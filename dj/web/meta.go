package web

import (
	"context"
	"strings"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// metaTTL bounds how long a table's heading and key source are reused.
const metaTTL = time.Minute

// metaEntry is a table opened by name and its key source, as read when
// the table and its primary-key parents had the creation times version.
type metaEntry struct {
	t       *dj.Table
	ks      dj.Expr
	ksErr   error
	version string
	at      time.Time
}

// tableMeta opens a table of sc and its key source. Reading a heading
// takes several queries of information_schema, so the pipeline page
// reuses what it read for a minute, as long as the CREATE_TIME of the
// table and of its primary-key parents (renewed by every ALTER TABLE and
// by a table dropped and declared again) is the same.
func (s *Server) tableMeta(ctx context.Context, sc *dj.Schema, name string, counts map[string]rowCount) (*dj.Table, dj.Expr, error) {
	key := sc.Name() + "." + name
	s.mu.Lock()
	e, ok := s.metas[key]
	s.mu.Unlock()
	if ok && time.Since(e.at) < metaTTL && e.version == versionOf(e.t, counts) {
		return e.t, e.ks, e.ksErr
	}
	t, err := sc.Table(ctx, name)
	if err != nil {
		return nil, dj.Expr{}, err
	}
	e = &metaEntry{t: t, at: time.Now()}
	e.ks, e.ksErr = dj.TableKeySource(ctx, t)
	e.version = versionOf(t, counts)
	if e.version != "" {
		s.mu.Lock()
		s.metas[key] = e
		s.mu.Unlock()
	}
	return e.t, e.ks, e.ksErr
}

// versionOf is the creation times of t and its primary-key parents, or ""
// when one is unknown (a parent in another schema): such a table is read
// every time.
func versionOf(t *dj.Table, counts map[string]rowCount) string {
	db := t.Schema().Name()
	parts := []string{counts[t.Name()].Created}
	for _, fk := range t.Meta().ForeignKeys {
		if !fk.Primary || strings.HasPrefix(fk.ParentTable, "~") {
			continue
		}
		rc, ok := counts[fk.ParentTable]
		if fk.ParentDatabase != db || !ok {
			return ""
		}
		parts = append(parts, rc.Created)
	}
	for _, p := range parts {
		if p == "" {
			return ""
		}
	}
	return strings.Join(parts, "|")
}
