package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/datajoint-go/datajoint/dj/web"
)

func init() {
	commands["web"] = command{
		summary: "serve a read-only dashboard of the server's pipelines in the browser",
		run:     runWeb,
	}
}

const webUsage = `usage: dj web [--addr HOST:PORT] [--allow-clear] [--page-size N]

Serves a dashboard of every schema on the server: the schemas with their
tables and jobs, each pipeline's diagram coloured by populate progress,
each table's definition, counts and contents, and the reservations and
errors of ~jobs. Every page only reads; the one write, clearing error jobs,
is off unless --allow-clear is given.

  --addr HOST:PORT  where to listen (default 127.0.0.1:8080, this machine
                    only; another address prints a warning, as the
                    dashboard has no login and shows every table's rows)
  --allow-clear     allow clearing error jobs from the jobs page
  --page-size N     rows per page of a table's contents (default 25)

The connection comes from dj_local_conf.json or DJ_HOST, DJ_USER, DJ_PASS.
`

func runWeb(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dj web", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, webUsage) }
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	allowClear := fs.Bool("allow-clear", false, "allow clearing error jobs")
	pageSize := fs.Int("page-size", 25, "rows per page")
	pos, err := parseArgs(fs, args, webUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *pageSize < 1 {
		fmt.Fprint(stderr, webUsage)
		return errUsage
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "dj web: --addr %q: %v\n", *addr, err)
		return errUsage
	}
	var hosts []string
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		hosts = []string{"127.0.0.1", "localhost", "::1", host}
	} else {
		fmt.Fprintf(stderr, "dj web: warning: listening on %s, reachable from other machines; the dashboard has no login and shows the rows of every table the account can read\n", *addr)
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	h, err := web.New(c, web.Options{AllowClear: *allowClear, PageSize: *pageSize, Hosts: hosts})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "dj web: serving http://%s/\n", ln.Addr())
	if *allowClear {
		fmt.Fprintln(stdout, "dj web: clearing error jobs is allowed")
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			return err
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
