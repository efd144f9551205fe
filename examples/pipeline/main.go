// Command pipeline runs a small DataJoint pipeline end to end: it declares
// a lab schema (a Lookup, Manual tables, a Computed table with a part),
// inserts subjects and recording sessions with their traces, populates the
// per-session statistics with Stats.Make, and queries the results into
// structs, maps and a gonum matrix.
//
// It connects with DataJoint's settings: dj_local_conf.json and the
// DJ_HOST, DJ_USER and DJ_PASS environment variables (docker/example.sh
// starts a private MariaDB and sets them). The schema it uses is given by
// -schema (default "dj_example_pipeline") and is dropped first, so every
// run starts clean.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj"
)

// Species is a Lookup table with fixed contents.
type Species struct {
	dj.Lookup `comment:"animal species"`
	Species   string `dj:"pk,type=varchar(32)"`
}

// Contents lists the rows the Lookup table always holds.
func (Species) Contents() []Species {
	return []Species{{Species: "mouse"}, {Species: "rat"}, {Species: "zebrafish"}}
}

// Subject is an experimental animal.
type Subject struct {
	dj.Manual `comment:"experimental subject"`
	SubjectID int32 `dj:"pk" comment:"subject number"`
	Sp        dj.Ref[Species]
	Species   string     `dj:"type=varchar(32)"`
	DOB       *time.Time `dj:"type=date" comment:"date of birth"`
}

// Session is one recording of a subject, with its raw trace.
type Session struct {
	dj.Manual   `comment:"recording session"`
	Subject     dj.Ref[Subject] `dj:"pk"`
	SubjectID   int32           `dj:"pk"`
	SessionID   int16           `dj:"pk"`
	SessionDate time.Time       `dj:"type=date"`
	Trace       []float64       `comment:"raw voltage trace"`
}

// Stats holds per-session statistics of the trace, computed from Session.
type Stats struct {
	dj.Computed `comment:"trace statistics"`
	Session     dj.Ref[Session] `dj:"pk"`
	SubjectID   int32           `dj:"pk"`
	SessionID   int16           `dj:"pk"`
	Mean        float64
	Std         float64
}

// Make computes the statistics of one session: the receiver arrives with
// its key (SubjectID, SessionID) filled, and everything it inserts commits
// together in tx.
func (st *Stats) Make(ctx context.Context, tx *dj.Tx) error {
	sess, err := dj.FetchOne[Session](ctx, tx, dj.From[Session](tx).Restrict(dj.Match(st)))
	if err != nil {
		return err
	}
	st.Mean, st.Std = meanStd(sess.Trace)
	if err := dj.Insert1(ctx, tx, *st); err != nil {
		return err
	}
	return dj.Insert(ctx, tx, peaks(sess, st.Mean+2*st.Std))
}

// StatsPeak is a part of Stats: the peaks found in the trace.
type StatsPeak struct {
	dj.Part[Stats]
	SubjectID int32 `dj:"pk"`
	SessionID int16 `dj:"pk"`
	PeakIdx   int32 `dj:"pk"`
	Height    float64
}

// summary is a result row of a join.
type summary struct {
	SubjectID int32
	SessionID int16
	Species   string
	Mean      float64
	Std       float64
}

func main() {
	schemaName := flag.String("schema", "dj_example_pipeline", "database to use (dropped and recreated)")
	flag.Parse()
	if err := run(context.Background(), *schemaName); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, schemaName string) error {
	cfg, err := dj.LoadConfig("")
	if err != nil {
		return err
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Printf("connected to %s\n", cfg)

	s, err := conn.Schema(ctx, schemaName)
	if err != nil {
		return err
	}
	if err := s.Drop(ctx); err != nil {
		return err
	}
	if s, err = conn.Schema(ctx, schemaName); err != nil {
		return err
	}
	if err := s.Declare(ctx, Species{}, Subject{}, Session{}, Stats{}, StatsPeak{}); err != nil {
		return err
	}
	fmt.Printf("declared schema %s\n", s.Name())

	// Manual data: subjects and their sessions.
	born := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	subjects := []Subject{
		{SubjectID: 1, Species: "mouse", DOB: &born},
		{SubjectID: 2, Species: "mouse"},
		{SubjectID: 3, Species: "rat", DOB: &born},
	}
	if err := dj.Insert(ctx, conn, subjects); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var sessions []Session
	for _, sub := range subjects {
		for i := int16(1); i <= 3; i++ {
			trace := make([]float64, 2000)
			for j := range trace {
				trace[j] = math.Sin(float64(j)/40+float64(i)) + 0.2*rng.NormFloat64()
			}
			sessions = append(sessions, Session{SubjectID: sub.SubjectID, SessionID: i,
				SessionDate: born.AddDate(0, 1, int(i)), Trace: trace})
		}
	}
	if err := dj.Insert(ctx, conn, sessions); err != nil {
		return err
	}
	fmt.Printf("inserted %d subjects and %d sessions\n", len(subjects), len(sessions))

	// Computed data: populate runs Stats.Make for every session that has
	// no statistics yet, on two workers, reserving keys in ~jobs as
	// DataJoint does.
	remaining, total, err := dj.Progress[Stats](ctx, conn)
	if err != nil {
		return err
	}
	fmt.Printf("statistics to compute: %d of %d\n", remaining, total)
	res, err := dj.Populate[Stats](ctx, conn, dj.ReserveJobs(), dj.Workers(2))
	if err != nil {
		return err
	}
	fmt.Printf("populated Stats: %d made, %d errors\n", res.Made, len(res.Errors))

	// Queries: join, restrict, project, aggregate.
	rows, err := dj.Fetch[summary](ctx, conn,
		dj.From[Subject](conn).Join(dj.From[Stats](conn)).Proj("species", "mean", "std").
			Restrict(dj.Where("species = ?", "mouse")).OrderBy("subject_id", "session_id"))
	if err != nil {
		return err
	}
	fmt.Println("mouse sessions:")
	for _, r := range rows {
		fmt.Printf("  subject %d session %d: mean %+.3f  std %.3f\n", r.SubjectID, r.SessionID, r.Mean, r.Std)
	}
	counts, err := dj.FetchMaps(ctx, conn, dj.From[Stats](conn).Aggr(dj.From[StatsPeak](conn), "n_peaks=count(*)").OrderBy("KEY"))
	if err != nil {
		return err
	}
	for _, m := range counts {
		fmt.Printf("  subject %v session %v: %v peaks\n", m["subject_id"], m["session_id"], m["n_peaks"])
	}
	n, err := dj.Count(ctx, conn, dj.From[StatsPeak](conn))
	if err != nil {
		return err
	}
	fmt.Printf("%d peaks in total\n", n)
	m, err := dj.FetchMatrix(ctx, conn, dj.From[Stats](conn).OrderBy("KEY"), "mean", "std")
	if err != nil {
		return err
	}
	r, cols := m.Dims()
	fmt.Printf("statistics as a %dx%d matrix; column means %.3f %.3f\n", r, cols, mat.Sum(m.ColView(0))/float64(r), mat.Sum(m.ColView(1))/float64(r))
	if n == 0 || len(rows) != 6 || res.Made != len(sessions) {
		fmt.Fprintln(os.Stderr, "unexpected result")
		os.Exit(1)
	}
	fmt.Println("ok")
	return nil
}

func meanStd(x []float64) (float64, float64) {
	var sum, sq float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	for _, v := range x {
		sq += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sq / float64(len(x)))
}

func peaks(s Session, threshold float64) []StatsPeak {
	var out []StatsPeak
	for i := 1; i+1 < len(s.Trace); i++ {
		if s.Trace[i] > threshold && s.Trace[i] >= s.Trace[i-1] && s.Trace[i] > s.Trace[i+1] {
			out = append(out, StatsPeak{SubjectID: s.SubjectID, SessionID: s.SessionID, PeakIdx: int32(i), Height: s.Trace[i]})
		}
	}
	return out
}
