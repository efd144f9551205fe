package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/datajoint-go/datajoint/dj/web"
)

// Species is a Lookup table of the example pipeline.
type Species struct {
	dj.Lookup `comment:"animal species"`
	Species   string `dj:"pk,type=varchar(32)"`
}

// Contents lists the species.
func (Species) Contents() []Species {
	return []Species{{Species: "mouse"}, {Species: "rat"}}
}

// Subject is an experimental animal.
type Subject struct {
	dj.Manual `comment:"experimental subject"`
	SubjectID int32 `dj:"pk" comment:"subject number"`
	Sp        dj.Ref[Species]
	Species   string `dj:"type=varchar(32)"`
}

// Session is a recording with its trace, a camera frame and a map.
type Session struct {
	dj.Manual `comment:"recording session"`
	Subject   dj.Ref[Subject] `dj:"pk"`
	SubjectID int32           `dj:"pk"`
	SessionID int16           `dj:"pk"`
	Trace     []float64       `comment:"raw voltage trace"`
	Frame     *blob.Array     `comment:"camera frame"`
	Map       *blob.Array     `comment:"response map"`
}

// Stats is computed from each Session; subject 3's traces fail.
type Stats struct {
	dj.Computed `comment:"trace statistics"`
	Session     dj.Ref[Session] `dj:"pk"`
	SubjectID   int32           `dj:"pk"`
	SessionID   int16           `dj:"pk"`
	Mean        float64
}

// errNoisy is the error Stats.Make records for subject 3.
var errNoisy = errors.New("trace too noisy to compute statistics")

// Make computes the mean of the trace.
func (st *Stats) Make(ctx context.Context, tx *dj.Tx) error {
	if st.SubjectID == 3 {
		return errNoisy
	}
	sess, err := dj.FetchOne[Session](ctx, tx, dj.From[Session](tx).Restrict(dj.Match(st)))
	if err != nil {
		return err
	}
	for _, x := range sess.Trace {
		st.Mean += x / float64(len(sess.Trace))
	}
	return dj.Insert1(ctx, tx, *st)
}

// connect opens a connection and a fresh schema on the test server.
func connect(t testing.TB) (*dj.Conn, *dj.Schema) {
	t.Helper()
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// examplePipeline declares the example pipeline in s: 2 species, 3
// subjects with 3 sessions each, Stats populated with reservations, which
// makes 6 keys and records 3 errors (subject 3).
func examplePipeline(t testing.TB, c *dj.Conn, s *dj.Schema) {
	t.Helper()
	ctx := context.Background()
	if err := s.Declare(ctx, Species{}, Subject{}, Session{}, Stats{}); err != nil {
		t.Fatal(err)
	}
	subjects := []Subject{{SubjectID: 1, Species: "mouse"}, {SubjectID: 2, Species: "mouse"}, {SubjectID: 3, Species: "rat"}}
	if err := dj.Insert(ctx, c, subjects); err != nil {
		t.Fatal(err)
	}
	var sessions []Session
	for _, sub := range subjects {
		for i := int16(1); i <= 3; i++ {
			trace := make([]float64, 200)
			for j := range trace {
				trace[j] = math.Sin(float64(j)/10 + float64(i))
			}
			frame := make([]uint8, 16*12)
			for k := range frame {
				frame[k] = uint8(k)
			}
			fr, err := blob.NewArray(frame, 16, 12)
			if err != nil {
				t.Fatal(err)
			}
			m, err := blob.NewArray([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, Session{SubjectID: sub.SubjectID, SessionID: i, Trace: trace, Frame: fr, Map: m})
		}
	}
	if err := dj.Insert(ctx, c, sessions); err != nil {
		t.Fatal(err)
	}
	res, err := dj.Populate[Stats](ctx, c, dj.ReserveJobs(), dj.SuppressErrors())
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 6 || len(res.Errors) != 3 {
		t.Fatalf("populate made %d with %d errors, want 6 and 3", res.Made, len(res.Errors))
	}
}

// pyVector is one table of the golden describe vectors written by
// DataJoint for Python 0.14.9 (dj/inspect/testdata).
type pyVector struct {
	Class      string `json:"class"`
	TableName  string `json:"table_name"`
	Tier       string `json:"tier"`
	ShowCreate string `json:"show_create"`
	Describe   string `json:"describe"`
}

// pythonSchema creates the tables of the golden vectors in s with the
// statements DataJoint for Python's server reported, so the schema is
// exactly what Python declared.
func pythonSchema(t testing.TB, s *dj.Schema) []pyVector {
	t.Helper()
	ctx := context.Background()
	f, err := os.Open("../inspect/testdata/describe-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []pyVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v pyVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	conn, err := s.Conn().DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmts := []string{"USE " + schema.QuoteIdent(s.Name()), schema.ExternalTableSQL(s.Name(), "extstore")}
	for _, v := range vs {
		stmts = append(stmts, v.ShowCreate)
	}
	for _, st := range stmts {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return vs
}

// server serves the dashboard of c for the test.
func server(t testing.TB, c *dj.Conn, opts web.Options) *httptest.Server {
	t.Helper()
	h, err := web.New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// get fetches a page and checks its status.
func get(t testing.TB, ts *httptest.Server, path string, status int) string {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, status, b)
	}
	return string(b)
}

// post submits a form without following redirects.
func post(t testing.TB, ts *httptest.Server, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	cl := *ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.PostForm(ts.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// mustContain fails the test for every piece missing from page.
func mustContain(t testing.TB, what, page string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(page, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

func tablePath(db, class string) string {
	return fmt.Sprintf("/schema/%s/table/%s", url.PathEscape(db), url.PathEscape(class))
}
