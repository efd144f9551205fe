package embedded_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/share"
	"github.com/datajoint-go/datajoint/dj/share/embedded"
)

// Mouse is a table of the example.
type Mouse struct {
	dj.Manual `comment:"mice"`
	MouseID   int32  `dj:"pk"`
	Sex       string `dj:"type=enum('F','M')"`
}

// ExampleOpen writes a release on a server, then opens it without one
// and queries it with dj.
func ExampleOpen() {
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
	lab := fmt.Sprintf("dj_example_embedded_%d", os.Getpid())
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
	if err := s.Declare(ctx, Mouse{}); err != nil {
		log.Fatal(err)
	}
	_ = dj.Insert(ctx, conn, []Mouse{{MouseID: 1, Sex: "F"}, {MouseID: 2, Sex: "M"}, {MouseID: 3, Sex: "F"}})
	if _, err := share.Export(ctx, conn, filepath.Join(dir, "lab-1.0.tar"), share.ExportOptions{Version: "1.0", Databases: []string{lab}}); err != nil {
		log.Fatal(err)
	}

	rel, err := embedded.Open(ctx, filepath.Join(dir, "lab-1.0.tar"))
	if err != nil {
		log.Fatal(err)
	}
	defer rel.Close()
	rs, err := rel.Conn.Schema(ctx, lab, dj.NoCreate())
	if err != nil {
		log.Fatal(err)
	}
	if err := rs.Declare(ctx, Mouse{}); err != nil {
		log.Fatal(err)
	}
	females, err := dj.Fetch[Mouse](ctx, rel.Conn, dj.From[Mouse](rel.Conn).Restrict(dj.Where("sex = 'F'")).OrderBy("mouse_id"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rel.Manifest.Version, len(females), females[1].MouseID)
}
