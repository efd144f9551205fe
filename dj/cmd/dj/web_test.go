package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// webRun is a running "dj web": its address and how it ended.
type webRun struct {
	base   string
	stdout *bufio.Reader
	stderr *strings.Builder
	stop   context.CancelFunc
	code   chan int
}

// startWeb runs "dj web" with args and waits for it to print its address.
func startWeb(t *testing.T, args ...string) *webRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	w := &webRun{stdout: bufio.NewReader(pr), stderr: &strings.Builder{}, stop: cancel, code: make(chan int, 1)}
	go func() {
		w.code <- run(ctx, append([]string{"web"}, args...), strings.NewReader(""), pw, w.stderr)
		pw.Close()
	}()
	line, err := w.stdout.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("dj web %s printed no address: %v\n%s", strings.Join(args, " "), err, w.stderr)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "dj web: serving ")
	if !ok {
		t.Fatalf("dj web printed %q", line)
	}
	w.base = strings.TrimSuffix(addr, "/")
	go func() { _, _ = io.Copy(io.Discard, w.stdout) }()
	t.Cleanup(cancel)
	return w
}

// end stops the server as an interrupt does and returns the exit code.
func (w *webRun) end(t *testing.T) int {
	t.Helper()
	w.stop()
	select {
	case c := <-w.code:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("dj web did not stop")
		return -1
	}
}

func fetchPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// failSummary populates the Python pipeline's Summary with a make that
// fails for every key, leaving error jobs.
func failSummary(t *testing.T, db string) {
	t.Helper()
	srv := testenv.MySQL(t)
	ctx := context.Background()
	c := serverConn(t, srv)
	s, err := c.Schema(ctx, db, dj.NoCreate())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := s.Table(ctx, "Summary")
	if err != nil {
		t.Fatal(err)
	}
	res, err := dj.PopulateMaps(ctx, tb, func(context.Context, *dj.Tx, dj.Key) ([]map[string]any, error) {
		return nil, errors.New("summary needs a calibration file")
	}, dj.ReserveJobs(), dj.SuppressErrors())
	if err != nil || len(res.Errors) == 0 {
		t.Fatalf("populate: %v, %d errors", err, len(res.Errors))
	}
}

// TestReadmeWeb runs the commands of the README section "A dashboard in
// the browser", each on a free port of 127.0.0.1 instead of the one it
// names, and reads its pages.
func TestReadmeWeb(t *testing.T) {
	db, vectors := pythonPipeline(t)
	failSummary(t, db)
	blocks := readmeSectionBlocks(t, "../../../README.md", "A dashboard in the browser")
	if len(blocks["sh"]) != 1 {
		t.Fatalf("the section has %d sh blocks, want 1", len(blocks["sh"]))
	}
	n := 0
	for _, line := range strings.Split(blocks["sh"][0], "\n") {
		line, _, _ = strings.Cut(line, "#")
		args := strings.Fields(line)
		if len(args) == 0 {
			continue
		}
		if args[0] != "dj" || args[1] != "web" {
			t.Fatalf("README line %q is not a dj web command", line)
		}
		args = args[2:]
		replaced := false
		for i := range args {
			if args[i] == "--addr" && i+1 < len(args) {
				args[i+1], replaced = "127.0.0.1:0", true
			}
		}
		if !replaced {
			args = append(args, "--addr", "127.0.0.1:0")
		}
		n++
		w := startWeb(t, args...)
		if code, page := fetchPage(t, w.base+"/"); code != 200 || !strings.Contains(page, db) {
			t.Errorf("%s: schemas page %d lacks %s", line, code, db)
		}
		code, page := fetchPage(t, w.base+"/schema/"+db+"/table/Session")
		if code != 200 || !strings.Contains(page, strings.ReplaceAll(vectors["Session"].Describe, ">", "&gt;")) {
			t.Errorf("%s: Session page (%d) lacks Python's definition", line, code)
		}
		code, page = fetchPage(t, w.base+"/schema/"+db+"/jobs")
		if code != 200 || !strings.Contains(page, "summary needs a calibration file") {
			t.Errorf("%s: jobs page (%d) lacks the error message", line, code)
		}
		clear := strings.Contains(page, `name="csrf"`)
		if want := strings.Contains(line, "--allow-clear"); clear != want {
			t.Errorf("%s: clear form shown %v, want %v", line, clear, want)
		}
		req, _ := http.NewRequest(http.MethodGet, w.base+"/", nil)
		req.Host = "rebound.example"
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("%s: a request for another host name was not refused: %v", line, err)
		} else {
			resp.Body.Close()
		}
		if w.stderr.Len() != 0 {
			t.Errorf("%s: stderr %q", line, w.stderr)
		}
		if code := w.end(t); code != 0 {
			t.Errorf("%s: exit %d\n%s", line, code, w.stderr)
		}
	}
	if n < 2 {
		t.Errorf("the README runs %d dj web commands, want the default and one with options", n)
	}
}

func TestWebWarnsOffLoopback(t *testing.T) {
	db, _ := pythonPipeline(t)
	w := startWeb(t, "--addr", "0.0.0.0:0")
	if code, page := fetchPage(t, strings.Replace(w.base, "0.0.0.0", "127.0.0.1", 1)+"/"); code != 200 || !strings.Contains(page, db) {
		t.Errorf("schemas page %d", code)
	}
	if code := w.end(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(w.stderr.String(), "warning: listening on 0.0.0.0:0, reachable from other machines") {
		t.Errorf("no warning for 0.0.0.0: %q", w.stderr)
	}
	if code, _, errOut := cli("web", "--addr", "nonsense"); code != 2 || !strings.Contains(errOut, "--addr") {
		t.Errorf("bad --addr: exit %d, %q", code, errOut)
	}
}
