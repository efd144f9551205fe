package dj_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// connect opens a dj connection to the test server and a fresh schema.
func connect(t testing.TB) (*dj.Conn, *dj.Schema) {
	t.Helper()
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return c, s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error wrapping %v, got nil", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("want an error wrapping %v, got %v", sentinel, err)
	}
}

// The test pipeline: a small lab in DataJoint's classic shape.

type Species struct {
	dj.Lookup `comment:"animal species"`
	Species   string `dj:"pk,type=varchar(32)"`
}

func (Species) Contents() []Species {
	return []Species{{Species: "mouse"}, {Species: "rat"}}
}

type Subject struct {
	dj.Manual `comment:"experimental subject"`
	SubjectID int32 `dj:"pk" comment:"subject number"`
	Sp        dj.Ref[Species]
	Species   string     `dj:"type=varchar(32)"`
	DOB       *time.Time `dj:"type=date" comment:"date of birth"`
	Weight    float64
}

type Session struct {
	dj.Manual `comment:"recording session"`
	Subject   dj.Ref[Subject] `dj:"pk"`
	SubjectID int32           `dj:"pk"`
	SessionID int16           `dj:"pk"`
	Notes     string          `dj:"type=varchar(255),default=''"`
	Trace     []float64
}

type Filtered struct {
	dj.Computed `comment:"filtered trace"`
	Session     dj.Ref[Session] `dj:"pk"`
	SubjectID   int32           `dj:"pk"`
	SessionID   int16           `dj:"pk"`
	Mean        float64
}

type FilteredChannel struct {
	dj.Part[Filtered]
	SubjectID int32 `dj:"pk"`
	SessionID int16 `dj:"pk"`
	Channel   int16 `dj:"pk"`
	Value     float64
}

func declareLab(t testing.TB, s *dj.Schema) {
	t.Helper()
	must(t, s.Declare(context.Background(), Species{}, Subject{}, Session{}, Filtered{}, FilteredChannel{}))
}

func date(y int, m time.Month, d int) *time.Time {
	v := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &v
}
