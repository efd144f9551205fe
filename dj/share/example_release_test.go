package share_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/datajoint-go/datajoint/dj/share"
)

// ExampleExport writes a release of the closure of one subject, lists
// the releases of its directory and imports it into another database;
// conn and other may be connections to two servers.
func ExampleExport() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	other := conn
	lab, paper := fmt.Sprintf("dj_example_export_%d", os.Getpid()), fmt.Sprintf("dj_example_export_paper_%d", os.Getpid())
	dir, err := os.MkdirTemp("", "releases")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := conn.Schema(ctx, lab)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+lab+"`")
	defer conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+paper+"`")
	if err := s.Declare(ctx, Subject{}, Session{}); err != nil {
		log.Fatal(err)
	}
	_ = dj.Insert(ctx, conn, []Subject{{SubjectID: 1}, {SubjectID: 2}})
	_ = dj.Insert(ctx, conn, []Session{{SubjectID: 1, SessionID: 1}, {SubjectID: 1, SessionID: 2}, {SubjectID: 2, SessionID: 1}})

	m, err := share.Export(ctx, conn, filepath.Join(dir, "lab-1.0.tar"), share.ExportOptions{
		Version: "1.0",
		Seeds:   []share.Seed{share.Where(schema.TableID{Database: lab, Table: "subject"}, "subject_id = 1")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Version, m.TotalRows())

	list, err := share.Releases(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range list {
		fmt.Println(r.Version, r.Rows, r.Tables)
	}
	path, err := share.FindRelease(dir, "1.0")
	if err != nil {
		log.Fatal(err)
	}
	res, err := share.Import(ctx, other, path, share.ImportOptions{Rename: map[string]string{lab: paper}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Created))
	for _, r := range res.Rows {
		fmt.Println(r.Table.Table, r.Rows)
	}
}
