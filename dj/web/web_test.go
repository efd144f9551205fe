package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/web"
)

// cellRE finds the cells of one row of a page's table.
var cellRE = regexp.MustCompile(`<td[^>]*>(.*?)</td>`)

// rowOf returns the text of the cells of the row of table id whose first
// cell contains first.
func rowOf(t *testing.T, page, id, first string) []string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no table %s in page", id)
	}
	body := page[i:]
	body = body[:strings.Index(body, "</table>")]
	for _, tr := range strings.Split(body, "<tr") {
		cells := cellRE.FindAllStringSubmatch(tr, -1)
		if len(cells) > 0 && strings.Contains(cells[0][1], first) {
			out := make([]string, len(cells))
			for k, c := range cells {
				out[k] = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(c[1], "")
			}
			return out
		}
	}
	t.Fatalf("table %s has no row starting with %q", id, first)
	return nil
}

func TestSchemasPage(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{})
	page := get(t, ts, "/", http.StatusOK)
	// Schema, tables, manual, lookup, imported, computed, part, jobs in
	// progress, errors.
	got := rowOf(t, page, "schemas", s.Name())
	want := []string{s.Name(), "4", "2", "1", "0", "1", "0", "0", "3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("schema row %q, want %q", got, want)
	}
}

func TestPipelinePage(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{})
	db := s.Name()
	page := get(t, ts, "/schema/"+db+"/", http.StatusOK)
	mustContain(t, "pipeline page", page,
		"<svg", `xlink:href="/schema/`+db+`/table/Session"`, `xlink:href="/schema/`+db+`/table/Stats"`,
		"Computed table Stats: 66% populated", "3 errors")
	if got := rowOf(t, page, "tables", ">Session<"); got[1] != "Manual" || got[2] != "9" {
		t.Errorf("Session row %q, want Manual with 9 rows", got)
	}
	if got := rowOf(t, page, "tables", ">Stats<"); got[2] != "6" || !strings.Contains(got[3], "6 / 9") {
		t.Errorf("Stats row %q, want 6 rows, 6 / 9 populated", got)
	}
	if strings.Contains(page, "≈") {
		t.Error("small tables are counted exactly, yet the page shows an estimate")
	}
}

func TestPipelineEstimates(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	if _, err := c.ExecContext(context.Background(), "ANALYZE TABLE `"+s.Name()+"`.`session`, `"+s.Name()+"`.`__stats`"); err != nil {
		t.Fatal(err)
	}
	ts := server(t, c, web.Options{LargeTable: 5})
	page := get(t, ts, "/schema/"+s.Name()+"/", http.StatusOK)
	mustContain(t, "pipeline page", page, "≈", "server's row estimate", "information_schema.TABLES.TABLE_ROWS")
	row := rowOf(t, page, "tables", ">Session<")
	if !strings.HasPrefix(row[2], "≈ ") {
		t.Errorf("Session row %q: the count of a large table is not marked as an estimate", row)
	}
	if row := rowOf(t, page, "tables", ">Subject<"); row[2] != "3" {
		t.Errorf("Subject row %q: a small table is counted exactly", row)
	}
	table := get(t, ts, tablePath(s.Name(), "Stats"), http.StatusOK)
	mustContain(t, "table page", table, "the server's estimate", "Remaining keys are not listed for large tables")
}

func TestTablePage(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{PageSize: 4})
	db := s.Name()
	page := get(t, ts, tablePath(db, "Session"), http.StatusOK)
	mustContain(t, "Session page", page,
		"9 rows", "# recording session\n-&gt; Subject\nsession_id           : smallint",
		"trace                : longblob                     # raw voltage trace",
		`class="pic sparkline"`, `title="&lt;200 float64&gt;"`,
		`class="pic image" src="data:image/png;base64,`, `&lt;16×12 uint8&gt;`,
		`class="pic heatmap" src="data:image/png;base64,`, `&lt;2×3 float64&gt;`,
		"showing 1–4", "page 1 of 3", `id="next" href="?page=2"`)
	// Paging.
	p3 := get(t, ts, tablePath(db, "Session")+"?page=3", http.StatusOK)
	mustContain(t, "Session page 3", p3, "showing 9–9", `id="prev" href="?page=2"`)
	if strings.Contains(p3, `id="next"`) {
		t.Error("the last page links to a next one")
	}
	// Sorting: descending by session_id, then by the key.
	sorted := get(t, ts, tablePath(db, "Session")+"?sort=session_id&dir=desc", http.StatusOK)
	if got := rowOf(t, sorted, "preview", "1"); got[1] != "3" {
		t.Errorf("first row sorted by session_id desc: %q", got)
	}
	// Restriction by attribute values.
	r := get(t, ts, tablePath(db, "Session")+"?a.subject_id=2", http.StatusOK)
	mustContain(t, "restricted page", r, "3 matching rows", `value="2"`)
	for _, tr := range strings.Split(r[strings.Index(r, `id="preview"`):], "<tr>")[2:] {
		if cells := cellRE.FindAllStringSubmatch(tr, -1); len(cells) > 0 && cells[0][1] != "2" {
			t.Errorf("restricted to subject 2, the preview shows subject %s", cells[0][1])
		}
	}
	// Values are parameters: SQL in a value matches nothing.
	inj := get(t, ts, tablePath(db, "Session")+"?a.subject_id="+url.QueryEscape("x' OR '1'='1"), http.StatusOK)
	mustContain(t, "restricted page", inj, "0 matching rows")
	// Names are checked against the heading.
	bad := get(t, ts, tablePath(db, "Session")+"?a.nope=1", http.StatusBadRequest)
	mustContain(t, "error page", bad, "Session has no attribute &#34;nope&#34; to restrict by")
	get(t, ts, tablePath(db, "Session")+"?sort="+url.QueryEscape("session_id; DROP TABLE x"), http.StatusBadRequest)
	get(t, ts, tablePath(db, "Session")+"?sort=trace", http.StatusBadRequest)
	get(t, ts, tablePath(db, "Nope"), http.StatusNotFound)
	get(t, ts, "/schema/mysql/", http.StatusBadRequest)
	get(t, ts, "/schema/"+url.PathEscape("no such`db")+"/", http.StatusBadRequest)
}

func TestTablePageAutoPopulated(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{})
	page := get(t, ts, tablePath(s.Name(), "Stats"), http.StatusOK)
	mustContain(t, "Stats page", page, "6 / 9", "3 keys remaining", "Errors (3)", "Reserved (0)",
		"trace too noisy to compute statistics", "subject_id=3, session_id=1", "# trace statistics\n-&gt; Session\n---\nmean")
	for _, sess := range []string{"1", "2", "3"} {
		if got := rowOf(t, page, "remaining", "3"); got[0] != "3" {
			t.Errorf("remaining key %q (session %s)", got, sess)
		}
	}
}

func TestJobsPage(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{})
	db := s.Name()
	page := get(t, ts, "/schema/"+db+"/jobs", http.StatusOK)
	mustContain(t, "jobs page", page, "__stats", "trace too noisy to compute statistics", "session_id=2, subject_id=3")
	if strings.Count(page, `<tr class="error">`) != 3 {
		t.Errorf("jobs page shows %d error rows, want 3", strings.Count(page, `<tr class="error">`))
	}
	if strings.Contains(page, `name="csrf"`) || strings.Contains(page, "Clear") {
		t.Error("the jobs page offers clearing without AllowClear")
	}
	none := get(t, ts, "/schema/"+db+"/jobs?status=reserved", http.StatusOK)
	mustContain(t, "filtered jobs page", none, "No jobs match the filter.")
	text := get(t, ts, "/schema/"+db+"/jobs?q=noisy&table=__stats", http.StatusOK)
	if strings.Count(text, `<tr class="error">`) != 3 {
		t.Error("filtering by text and table dropped the matching jobs")
	}
	get(t, ts, "/schema/"+db+"/jobs?status=bogus", http.StatusBadRequest)
	get(t, ts, "/schema/"+db+"/jobs?table="+url.QueryEscape("x' OR 1=1"), http.StatusBadRequest)
}

// csrfRE finds the token of the clear form.
var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func TestClearJobs(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	db := s.Name()
	errorsLeft := func() int {
		t.Helper()
		errs, err := s.Jobs().Errors(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		return len(errs)
	}
	// Off by default, even with a token.
	off := server(t, c, web.Options{})
	resp, body := post(t, off, "/schema/"+db+"/jobs/clear", url.Values{"csrf": {"00"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "--allow-clear") {
		t.Errorf("clear without AllowClear: %d %s", resp.StatusCode, body)
	}
	on := server(t, c, web.Options{AllowClear: true})
	page := get(t, on, "/schema/"+db+"/jobs", http.StatusOK)
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the jobs page has no CSRF token with AllowClear")
	}
	for name, form := range map[string]url.Values{
		"no token":    {"table": {"__stats"}},
		"wrong token": {"csrf": {strings.Repeat("0", len(m[1]))}, "table": {"__stats"}},
	} {
		resp, body := post(t, on, "/schema/"+db+"/jobs/clear", form)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
			t.Errorf("%s: status %d, want 403 naming the CSRF token", name, resp.StatusCode)
		}
	}
	if n := errorsLeft(); n != 3 {
		t.Fatalf("a refused clear deleted jobs: %d errors left", n)
	}
	// One job by hash, then the rest of the table.
	errs, err := s.Jobs().Errors(context.Background(), "__stats")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = post(t, on, "/schema/"+db+"/jobs/clear", url.Values{"csrf": {m[1]}, "table": {"__stats"}, "hash": {errs[0].KeyHash}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "cleared=1") {
		t.Errorf("clear one: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := errorsLeft(); n != 2 {
		t.Errorf("%d errors left after clearing one, want 2", n)
	}
	resp, _ = post(t, on, "/schema/"+db+"/jobs/clear", url.Values{"csrf": {m[1]}, "table": {"__stats"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "cleared=2") {
		t.Errorf("clear table: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := errorsLeft(); n != 0 {
		t.Errorf("%d errors left after clearing the table", n)
	}
	mustContain(t, "jobs page after clearing", get(t, on, "/schema/"+db+"/jobs?cleared=2", http.StatusOK), "Cleared 2 error jobs.")
	// The statistics can now be populated again.
	if _, total, err := dj.Progress[Stats](context.Background(), c); err != nil || total != 9 {
		t.Errorf("progress after clearing: %d, %v", total, err)
	}
}

func TestPythonSchema(t *testing.T) {
	c, s := connect(t)
	vs := pythonSchema(t, s)
	ts := server(t, c, web.Options{})
	db := s.Name()
	pipeline := get(t, ts, "/schema/"+db+"/", http.StatusOK)
	for _, v := range vs {
		if strings.HasPrefix(v.TableName, "~") {
			continue
		}
		mustContain(t, "pipeline page", pipeline, `xlink:href="/schema/`+db+`/table/`+v.Class+`"`)
		page := get(t, ts, tablePath(db, v.Class), http.StatusOK)
		mustContain(t, v.Class+" page", page, "<h1>"+v.Class+" ", template(v.Describe), "0 rows")
	}
}

// template escapes s as html/template writes text.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func TestPipelineCrossSchema(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	other := testenv.Database(t)
	ctx := context.Background()
	_, err := c.ExecContext(ctx, "CREATE TABLE `"+other+"`.`note` (`subject_id` int NOT NULL COMMENT 'subject number', `text` varchar(64) NOT NULL, PRIMARY KEY (`subject_id`), "+
		"FOREIGN KEY (`subject_id`) REFERENCES `"+s.Name()+"`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT) ENGINE=InnoDB COMMENT='notes'")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "INSERT INTO `"+other+"`.`note` VALUES (1, 'calm'), (2, 'restless')"); err != nil {
		t.Fatal(err)
	}
	ts := server(t, c, web.Options{})
	page := get(t, ts, "/schema/"+s.Name()+"/", http.StatusOK)
	mustContain(t, "pipeline page", page, `xlink:href="/schema/`+other+`/table/Note"`, "Manual table Note of schema "+other)
	if strings.Contains(rowOfOrEmpty(page, "tables"), "Note") {
		t.Error("a table of another schema is listed among the schema's tables")
	}
	note := get(t, ts, tablePath(other, "Note"), http.StatusOK)
	mustContain(t, "Note page", note, "2 rows", "restless", "# notes\n-&gt; "+s.Name()+".Subject\n---")
	back := get(t, ts, "/schema/"+other+"/", http.StatusOK)
	mustContain(t, "other pipeline page", back, `xlink:href="/schema/`+s.Name()+`/table/Subject"`)
}

// rowOfOrEmpty returns the HTML of the table id of page, "" without one.
func rowOfOrEmpty(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	return page[i : i+strings.Index(page[i:], "</table>")]
}

func TestHostsRefuseOtherNames(t *testing.T) {
	c, s := connect(t)
	examplePipeline(t, c, s)
	ts := server(t, c, web.Options{Hosts: []string{"127.0.0.1", "localhost", "::1"}})
	get(t, ts, "/", http.StatusOK)
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/schema/"+s.Name()+"/jobs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "attacker.example:80"
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("a request for another host name: status %d, want 421", resp.StatusCode)
	}
}
