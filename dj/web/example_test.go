package web_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/web"
)

// Mouse is a table of the example.
type Mouse struct {
	dj.Manual `comment:"laboratory mice"`
	MouseID   int32  `dj:"pk"`
	Strain    string `dj:"type=varchar(32)"`
}

// Serve the dashboard of the server's schemas; here on a test server, and
// the page of one table read back.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := c.Schema(ctx, "dj_example_web")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Drop(ctx)
	if err := s.Declare(ctx, Mouse{}); err != nil {
		log.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []Mouse{{MouseID: 1, Strain: "C57BL/6"}, {MouseID: 2, Strain: "BALB/c"}}); err != nil {
		log.Fatal(err)
	}

	h, err := web.New(c, web.Options{})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h) // http.ListenAndServe("127.0.0.1:8080", h) for a real one
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/schema/dj_example_web/table/Mouse")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(strings.Contains(string(page), "2 rows"), strings.Contains(string(page), "BALB/c"))
}

// TestServerExamples runs the Examples of this package that need a server
// and checks what they print (see testenv.RunExample).
func TestServerExamples(t *testing.T) {
	t.Run("ExampleNew", func(t *testing.T) {
		testenv.RunExample(t, ExampleNew, "200 OK\ntrue true")
	})
}
