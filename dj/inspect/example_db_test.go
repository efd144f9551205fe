package inspect_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

// Mouse is a table of the examples.
type Mouse struct {
	dj.Manual `comment:"laboratory mice" dj:"index=(strain)"`
	MouseID   uint32 `dj:"pk" comment:"ear tag"`
	Strain    string `dj:"type=varchar(32),default='C57BL/6'"`
	Weight    *float32
}

// Scan is a table of the examples.
type Scan struct {
	dj.Imported
	Mouse   dj.Ref[Mouse] `dj:"pk"`
	MouseID uint32        `dj:"pk"`
	ScanIdx int16         `dj:"pk"`
	Frames  []float64
}

// exampleSchema opens a fresh schema on the server of DJ_HOST, DJ_USER
// and DJ_PASS with the tables Mouse and Scan.
func exampleSchema(ctx context.Context) (*dj.Conn, *dj.Schema) {
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.Schema(ctx, fmt.Sprintf("dj_example_inspect_%d", os.Getpid()))
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Declare(ctx, Mouse{}, Scan{}); err != nil {
		log.Fatal(err)
	}
	return c, s
}

// The definition of a table, as DataJoint for Python's describe() prints
// it, and the Go struct that dj gen writes for it.
func ExampleDescribe() {
	ctx := context.Background()
	c, s := exampleSchema(ctx)
	defer c.Close()
	defer s.Drop(ctx)
	t, err := s.Table(ctx, "Scan")
	if err != nil {
		log.Fatal(err)
	}
	def, err := inspect.Describe(ctx, t)
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(def, "\n"), "\n") {
		fmt.Println(strings.TrimRight(line, " ")) // describe pads as Python does
	}
	code, err := inspect.GoStruct(ctx, t)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(code)
}

// The tables of a schema, in dependency order.
func ExampleTables() {
	ctx := context.Background()
	c, s := exampleSchema(ctx)
	defer c.Close()
	defer s.Drop(ctx)
	if err := dj.Insert(ctx, c, []Mouse{{MouseID: 1}, {MouseID: 2}}); err != nil {
		log.Fatal(err)
	}
	list, err := inspect.Tables(ctx, s, false)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range list {
		fmt.Printf("%-6s %-9s %-6s %d %q\n", t.Class, t.Tier, t.Name, t.Rows, t.Comment)
	}
}
