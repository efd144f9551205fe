package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/datajoint-go/datajoint/dj/web"
)

// browser starts a headless Chromium (Debian package chromium) for the
// test. Without one the test fails, unless DJ_TEST_ALLOW_SKIP=1.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		msg := "headless Chromium unavailable: install the Debian package chromium (docker/test.sh does)"
		if os.Getenv("DJ_TEST_ALLOW_SKIP") == "1" {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// shot saves a full-page screenshot under dir as name.png, and also
// under DJ_WEB_SCREENSHOTS when it is set.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	for _, d := range []string{dir, os.Getenv("DJ_WEB_SCREENSHOTS")} {
		if d == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// text returns the visible text of the element sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// visit loads a page and waits for its main content.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

func TestBrowserExamplePipeline(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{PageSize: 4})
	ctx := browser(t)
	dir := t.TempDir()
	db := s.Name()

	visit(t, ctx, ts.URL+"/")
	if row := text(t, ctx, `#schemas a[href="/schema/`+db+`/"]`); row != db {
		t.Errorf("schemas page links %q", row)
	}
	shot(t, ctx, dir, "schemas")

	visit(t, ctx, ts.URL+"/schema/"+db+"/")
	if n := nodes(t, ctx); n != 4 {
		t.Errorf("the diagram draws %d tables, want 4", n)
	}
	if s := text(t, ctx, "#tables"); !strings.Contains(s, "6 / 9") {
		t.Errorf("tables list %q lacks the progress of Stats", s)
	}
	shot(t, ctx, dir, "pipeline")

	// Click the Session node of the diagram: its link opens the table.
	err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#diagram svg g.node a[*|href$="/table/Session"] text`)))
	if err != nil {
		t.Fatalf("click Session in the diagram: %v", err)
	}
	waitURL(t, ctx, "/table/Session")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/schema/"+db+"/table/Session") {
		t.Errorf("clicking Session opened %s", loc)
	}
	if h := text(t, ctx, "h1"); !strings.HasPrefix(h, "Session") {
		t.Errorf("table page heading %q", h)
	}
	if m := text(t, ctx, "#matching"); m != "9 rows, showing 1–4" {
		t.Errorf("matching %q", m)
	}
	pics, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#preview svg.spark, #preview img.image, #preview img.heatmap").length`))
	if err != nil {
		t.Fatal(err)
	}
	if pics != 12 {
		t.Errorf("%d pictures in the preview, want 12 (sparkline, image, heatmap per row)", pics)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll("#preview img")).every(i => i.complete && i.naturalWidth > 0)`))
	if err != nil || !loaded {
		t.Errorf("the inline images did not load: %v", err)
	}
	shot(t, ctx, dir, "table")

	// Page through the preview.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#next"))); err != nil {
		t.Fatal(err)
	}
	waitURL(t, ctx, "page=2")
	if m := text(t, ctx, "#matching"); m != "9 rows, showing 5–8" {
		t.Errorf("page 2: %q", m)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#next"))); err != nil {
		t.Fatal(err)
	}
	waitURL(t, ctx, "page=3")
	if m := text(t, ctx, "#matching"); m != "9 rows, showing 9–9" {
		t.Errorf("page 3: %q", m)
	}

	// Restrict through the form.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`input[name="a.subject_id"]`), "2"),
		chromedp.Submit(chromedp.CSS(`input[name="a.subject_id"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitURL(t, ctx, "a.subject_id=2")
	if m := text(t, ctx, "#matching"); m != "3 matching rows, showing 1–3" {
		t.Errorf("restricted: %q", m)
	}

	visit(t, ctx, ts.URL+"/schema/"+db+"/table/Stats")
	if e := text(t, ctx, "#errors"); !strings.Contains(e, "trace too noisy to compute statistics") {
		t.Errorf("errors of Stats: %q", e)
	}
	shot(t, ctx, dir, "stats")

	visit(t, ctx, ts.URL+"/schema/"+db+"/jobs")
	if j := text(t, ctx, "#jobs"); strings.Count(j, "trace too noisy") != 3 {
		t.Errorf("jobs page: %q", j)
	}
	shot(t, ctx, dir, "jobs")
	t.Logf("screenshots in %s", dir)
}

// waitURL waits until the page's address contains part and the page has
// loaded.
func waitURL(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	js := fmt.Sprintf("location.href.includes(%q) && document.readyState === 'complete' && !!document.querySelector('main')", part)
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		// Evaluating fails while the old page goes away; try again.
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		last = err
	}
	t.Fatalf("waiting for %s: %v", part, last)
}

// nodes counts the table nodes of the diagram on the page: the linked
// ones (a renamed reference has a node without a link).
func nodes(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#diagram svg g.node a").length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBrowserPythonSchema(t *testing.T) {
	c, s := connect(t)
	vs := pythonSchema(t, s)
	ts := server(t, c, web.Options{})
	ctx := browser(t)
	dir := t.TempDir()
	db := s.Name()
	visit(t, ctx, ts.URL+"/schema/"+db+"/")
	user := 0
	for _, v := range vs {
		if !strings.HasPrefix(v.TableName, "~") {
			user++
		}
	}
	if n := nodes(t, ctx); n != user {
		t.Errorf("the diagram draws %d tables, want %d", n, user)
	}
	shot(t, ctx, dir, "python-pipeline")
	for _, v := range vs {
		if strings.HasPrefix(v.TableName, "~") {
			continue
		}
		visit(t, ctx, ts.URL+tablePath(db, v.Class))
		def := text(t, ctx, "#definition pre")
		if strings.TrimSpace(def) != strings.TrimSpace(v.Describe) {
			t.Errorf("%s: definition\n%s\nwant (DataJoint for Python)\n%s", v.Class, def, v.Describe)
		}
	}
}
