package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

// schemaRow is one line of the schemas page.
type schemaRow struct {
	inspect.SchemaInfo
	HasJobs  bool
	Reserved int64
	Errors   int64
}

// schemasData is what the schemas page shows.
type schemasData struct {
	Title   string
	Schemas []schemaRow
}

// schemasPage lists every schema with its tables per tier and its jobs.
func (s *Server) schemasPage(ctx context.Context, _ *http.Request) (string, any, error) {
	list, err := inspect.Schemas(ctx, s.c)
	if err != nil {
		return "", nil, err
	}
	jobs, err := hasJobs(ctx, s.c)
	if err != nil {
		return "", nil, err
	}
	d := schemasData{Title: "Schemas"}
	for _, si := range list {
		row := schemaRow{SchemaInfo: si, HasJobs: jobs[si.Name]}
		if row.HasJobs {
			sum, err := dj.JobsOf(s.c, si.Name).Summary(ctx)
			if errors.Is(err, dj.ErrMissingTable) {
				continue // the schema was dropped while the page was read
			}
			if err != nil {
				return "", nil, err
			}
			for _, js := range sum {
				row.Reserved += js.Reserved
				row.Errors += js.Errors
			}
		}
		d.Schemas = append(d.Schemas, row)
	}
	return "schemas", d, nil
}
