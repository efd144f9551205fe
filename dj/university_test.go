package dj_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj"
)

// The university schema of DataJoint's classic example.

type Student struct {
	dj.Manual `comment:"university student"`
	StudentID int32     `dj:"pk"`
	FirstName string    `dj:"type=varchar(40)"`
	LastName  string    `dj:"type=varchar(40)"`
	Sex       string    `dj:"type=enum('F','M','U')"`
	DOB       time.Time `dj:"type=date"`
	HomeState string    `dj:"type=char(2)"`
}

type Department struct {
	dj.Manual `comment:"academic department"`
	Dept      string `dj:"pk,type=varchar(6)"`
	DeptName  string `dj:"type=varchar(200)"`
}

type StudentMajor struct {
	dj.Manual   `comment:"declared major"`
	Student     dj.Ref[Student] `dj:"pk"`
	StudentID   int32           `dj:"pk"`
	Department  dj.Ref[Department]
	Dept        string    `dj:"type=varchar(6)"`
	DeclareDate time.Time `dj:"type=date"`
}

type Course struct {
	dj.Manual  `comment:"course"`
	Department dj.Ref[Department] `dj:"pk"`
	Dept       string             `dj:"pk,type=varchar(6)"`
	Course     uint32             `dj:"pk"`
	CourseName string             `dj:"type=varchar(200)"`
	Credits    float64            `dj:"type=decimal(3,1)"`
}

type Term struct {
	dj.Manual `comment:"academic term"`
	TermYear  int16  `dj:"pk"`
	Term      string `dj:"pk,type=enum('Spring','Summer','Fall')"`
}

type Section struct {
	dj.Manual  `comment:"course section"`
	Course     dj.Ref[Course] `dj:"pk"`
	Dept       string         `dj:"pk,type=varchar(6)"`
	CourseNum  uint32         `dj:"pk,name=course"`
	TermRef    dj.Ref[Term]   `dj:"pk"`
	TermYear   int16          `dj:"pk"`
	Term       string         `dj:"pk,type=enum('Spring','Summer','Fall')"`
	Section    string         `dj:"pk,type=char(1)"`
	Auditorium string         `dj:"type=varchar(12)"`
}

type Enroll struct {
	dj.Manual  `comment:"enrollment"`
	StudentRef dj.Ref[Student] `dj:"pk"`
	StudentID  int32           `dj:"pk"`
	SectionRef dj.Ref[Section] `dj:"pk"`
	Dept       string          `dj:"pk,type=varchar(6)"`
	Course     uint32          `dj:"pk"`
	TermYear   int16           `dj:"pk"`
	Term       string          `dj:"pk,type=enum('Spring','Summer','Fall')"`
	Section    string          `dj:"pk,type=char(1)"`
}

type LetterGrade struct {
	dj.Lookup `comment:"letter grades"`
	Grade     string  `dj:"pk,type=char(2)"`
	Points    float64 `dj:"type=decimal(3,2)"`
}

func (LetterGrade) Contents() []LetterGrade {
	var out []LetterGrade
	for _, g := range []struct {
		g string
		p float64
	}{{"A", 4}, {"A-", 3.67}, {"B+", 3.33}, {"B", 3}, {"B-", 2.67}, {"C+", 2.33}, {"C", 2}, {"D", 1}, {"F", 0}} {
		out = append(out, LetterGrade{Grade: g.g, Points: g.p})
	}
	return out
}

type Grade struct {
	dj.Manual  `comment:"grade of an enrollment"`
	EnrollRef  dj.Ref[Enroll] `dj:"pk"`
	StudentID  int32          `dj:"pk"`
	Dept       string         `dj:"pk,type=varchar(6)"`
	Course     uint32         `dj:"pk"`
	TermYear   int16          `dj:"pk"`
	Term       string         `dj:"pk,type=enum('Spring','Summer','Fall')"`
	Section    string         `dj:"pk,type=char(1)"`
	LetterRef  dj.Ref[LetterGrade]
	GradeValue string `dj:"name=grade,type=char(2)"`
}

func buildUniversity(t *testing.T) (*dj.Conn, *dj.Schema) {
	t.Helper()
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, Student{}, Department{}, StudentMajor{}, Course{}, Term{}, Section{}, Enroll{}, LetterGrade{}, Grade{}))
	rng := rand.New(rand.NewPCG(7, 11))
	states := []string{"CA", "TX", "NY", "WA", "FL", "IL"}
	var students []Student
	for i := 1; i <= 300; i++ {
		students = append(students, Student{StudentID: int32(i), FirstName: fmt.Sprintf("F%d", i), LastName: fmt.Sprintf("L%d", i%37),
			Sex: []string{"F", "M", "U"}[rng.IntN(3)], DOB: time.Date(1995+rng.IntN(10), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC),
			HomeState: states[rng.IntN(len(states))]})
	}
	must(t, dj.Insert(ctx, c, students))
	depts := []Department{{Dept: "BIOL", DeptName: "Life Sciences"}, {Dept: "CS", DeptName: "Computer Science"},
		{Dept: "MATH", DeptName: "Mathematics"}, {Dept: "PHYS", DeptName: "Physics"}, {Dept: "ART", DeptName: "Art"}}
	must(t, dj.Insert(ctx, c, depts))
	var majors []StudentMajor
	for _, st := range students {
		if rng.IntN(10) < 8 {
			majors = append(majors, StudentMajor{StudentID: st.StudentID, Dept: depts[rng.IntN(4)].Dept, DeclareDate: time.Date(2015, 9, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)})
		}
	}
	must(t, dj.Insert(ctx, c, majors))
	var courses []Course
	for _, d := range depts[:4] {
		for k := 0; k < 8; k++ {
			courses = append(courses, Course{Dept: d.Dept, Course: uint32(1000 + 10*k), CourseName: fmt.Sprintf("%s %d", d.DeptName, k), Credits: float64(1+rng.IntN(4)) + 0.5*float64(rng.IntN(2))})
		}
	}
	must(t, dj.Insert(ctx, c, courses))
	terms := []Term{{TermYear: 2020, Term: "Fall"}, {TermYear: 2021, Term: "Spring"}, {TermYear: 2021, Term: "Fall"}}
	must(t, dj.Insert(ctx, c, terms))
	var sections []Section
	for _, co := range courses {
		for _, te := range terms {
			for _, sec := range []string{"a", "b"}[:1+rng.IntN(2)] {
				sections = append(sections, Section{Dept: co.Dept, CourseNum: co.Course, TermYear: te.TermYear, Term: te.Term, Section: sec, Auditorium: fmt.Sprintf("R%d", rng.IntN(30))})
			}
		}
	}
	must(t, dj.Insert(ctx, c, sections))
	var enrolls []Enroll
	var grades []Grade
	letters := LetterGrade{}.Contents()
	for _, st := range students {
		if st.StudentID%17 == 0 {
			continue // some students never enroll
		}
		for _, k := range rng.Perm(len(sections))[:2+rng.IntN(6)] {
			sec := sections[k]
			e := Enroll{StudentID: st.StudentID, Dept: sec.Dept, Course: sec.CourseNum, TermYear: sec.TermYear, Term: sec.Term, Section: sec.Section}
			enrolls = append(enrolls, e)
			if rng.IntN(5) > 0 {
				grades = append(grades, Grade{StudentID: e.StudentID, Dept: e.Dept, Course: e.Course, TermYear: e.TermYear, Term: e.Term, Section: e.Section, GradeValue: letters[rng.IntN(len(letters))].Grade})
			}
		}
	}
	must(t, dj.Insert(ctx, c, enrolls))
	must(t, dj.Insert(ctx, c, grades))
	return c, s
}

// sqlCount runs a hand-written COUNT query with the schema name substituted for {s}.
func sqlInt(t *testing.T, c *dj.Conn, s *dj.Schema, query string, args ...any) int64 {
	t.Helper()
	var n int64
	must(t, c.DB().QueryRowContext(context.Background(), fmt.Sprintf(query, s.Name()), args...).Scan(&n))
	return n
}

func TestUniversityQueries(t *testing.T) {
	c, s := buildUniversity(t)
	ctx := context.Background()
	student, major, enroll := dj.From[Student](c), dj.From[StudentMajor](c), dj.From[Enroll](c)
	grade, letter, course := dj.From[Grade](c), dj.From[LetterGrade](c), dj.From[Course](c)
	count := func(e dj.Expr) int64 {
		t.Helper()
		n, err := dj.Count(ctx, c, e)
		must(t, err)
		return n
	}
	check := func(name string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %d, want %d", name, got, want)
		}
		if want == 0 {
			t.Errorf("%s: the check is vacuous (0 rows)", name)
		}
	}

	// Restriction by another table (semijoin).
	check("math majors", count(student.Restrict(major.Restrict(dj.Match(dj.Key{"dept": "MATH"})))),
		sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE student_id IN (SELECT student_id FROM `%[1]s`.student_major WHERE dept='MATH')"))
	// Antijoin.
	check("never enrolled", count(student.Exclude(enroll)),
		sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student s WHERE NOT EXISTS (SELECT 1 FROM `%[1]s`.enroll e WHERE e.student_id=s.student_id)"))
	check("no major, from CA", count(student.Exclude(major).Restrict(dj.Where("home_state = ?", "CA"))),
		sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student s WHERE home_state='CA' AND student_id NOT IN (SELECT student_id FROM `%[1]s`.student_major)"))
	// A join across four tables with a restriction.
	joined := student.Join(enroll).Join(grade).Join(letter).Restrict(dj.Where("points >= ?", 3.0), dj.Where("sex = ?", "F"))
	check("good grades of women", count(joined),
		sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student NATURAL JOIN `%[1]s`.enroll NATURAL JOIN `%[1]s`.grade NATURAL JOIN `%[1]s`.`#letter_grade` WHERE points >= 3.0 AND sex='F'"))

	// Projection with rename and arithmetic.
	type courseView struct {
		Dept          string
		Course        uint32
		Title         string
		DoubleCredits float64
	}
	cv, err := dj.Fetch[courseView](ctx, c, course.Proj("title=course_name", "double_credits=credits*2").Restrict(dj.Where("double_credits > ?", 6)).OrderBy("dept", "course"))
	must(t, err)
	check("heavy courses", int64(len(cv)), sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.course WHERE credits*2 > 6"))
	var wantTitle string
	must(t, c.DB().QueryRowContext(ctx, fmt.Sprintf("SELECT course_name FROM `%s`.course WHERE dept=? AND course=?", s.Name()), cv[0].Dept, cv[0].Course).Scan(&wantTitle))
	if cv[0].Title != wantTitle || cv[0].DoubleCredits <= 6 {
		t.Errorf("projection row = %+v, title want %q", cv[0], wantTitle)
	}

	// Aggregation: count per student, with and without keep-all-rows.
	type studentCount struct {
		StudentID int32
		N         int64
	}
	counts, err := dj.Fetch[studentCount](ctx, c, student.Proj().Aggr(enroll, "n=count(*)"))
	must(t, err)
	check("students with enrollments", int64(len(counts)), sqlInt(t, c, s, "SELECT COUNT(DISTINCT student_id) FROM `%[1]s`.enroll"))
	all, err := dj.Fetch[studentCount](ctx, c, student.Proj().AggrKeepAll(enroll, "n=count(enroll.course)"))
	if err != nil {
		// count(column) needs a column name that survives NATURAL JOIN;
		// use DataJoint's usual form.
		all, err = dj.Fetch[studentCount](ctx, c, student.Proj().AggrKeepAll(enroll, "n=count(course)"))
	}
	must(t, err)
	check("all students", int64(len(all)), 300)
	var zeros int64
	var total int64
	for _, r := range all {
		if r.N == 0 {
			zeros++
		}
		total += r.N
	}
	check("students with zero enrollments", zeros, sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE student_id NOT IN (SELECT student_id FROM `%[1]s`.enroll)"))
	check("enrollments summed", total, sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.enroll"))

	// Average grade points per student (GPA), checked against SQL for every student.
	type gpaRow struct {
		StudentID int32
		GPA       float64
	}
	gpas, err := dj.Fetch[gpaRow](ctx, c, student.Proj().Aggr(grade.Join(letter), "gpa=avg(points)").OrderBy("student_id"))
	must(t, err)
	rows, err := c.DB().QueryContext(ctx, fmt.Sprintf("SELECT student_id, AVG(points) FROM `%[1]s`.grade NATURAL JOIN `%[1]s`.`#letter_grade` GROUP BY student_id ORDER BY student_id", s.Name()))
	must(t, err)
	i := 0
	for rows.Next() {
		var id int32
		var avg float64
		must(t, rows.Scan(&id, &avg))
		if i >= len(gpas) || gpas[i].StudentID != id || math.Abs(gpas[i].GPA-avg) > 1e-9 {
			t.Fatalf("gpa row %d = %+v, want %d %v", i, gpas[min(i, len(gpas)-1)], id, avg)
		}
		i++
	}
	must(t, rows.Err())
	rows.Close()
	check("gpa rows", int64(len(gpas)), int64(i))

	// Universal set: group by a secondary attribute, and distinct values.
	type stateCount struct {
		HomeState string
		N         int64
	}
	sc, err := dj.Fetch[stateCount](ctx, c, dj.U("home_state").Aggr(student, "n=count(*)").OrderBy("home_state"))
	must(t, err)
	check("states", int64(len(sc)), sqlInt(t, c, s, "SELECT COUNT(DISTINCT home_state) FROM `%[1]s`.student"))
	check("students in first state", sc[0].N, sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE home_state=?", sc[0].HomeState))
	check("departments with majors", count(dj.U("dept").Restrict(major)),
		sqlInt(t, c, s, "SELECT COUNT(DISTINCT dept) FROM `%[1]s`.student_major"))
	type total1 struct{ N int64 }
	tot, err := dj.FetchOne[total1](ctx, c, dj.U().Aggr(enroll, "n=count(*)"))
	must(t, err)
	check("global count", tot.N, sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.enroll"))

	// Union.
	ca := student.Restrict(dj.Where("home_state = ?", "CA")).Proj()
	tx := student.Restrict(dj.Where("home_state = ?", "TX")).Proj()
	majorsCS := major.Restrict(dj.Match(dj.Key{"dept": "CS"})).Proj()
	check("CA or TX", count(ca.Union(tx)), sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE home_state IN ('CA','TX')"))
	check("CA or CS major", count(ca.Union(majorsCS)),
		sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE home_state='CA' OR student_id IN (SELECT student_id FROM `%[1]s`.student_major WHERE dept='CS')"))

	// Top-k per group: the three best GPAs of each major, by query per department.
	type ranked struct {
		StudentID int32
		GPA       float64
	}
	for _, dept := range []string{"BIOL", "CS", "MATH", "PHYS"} {
		top, err := dj.Fetch[ranked](ctx, c, student.Proj().Restrict(major.Restrict(dj.Match(dj.Key{"dept": dept}))).
			Aggr(grade.Join(letter), "gpa=avg(points)").OrderBy("gpa DESC", "student_id").Limit(3))
		must(t, err)
		want, err := c.DB().QueryContext(ctx, fmt.Sprintf("SELECT student_id, AVG(points) g FROM `%[1]s`.grade NATURAL JOIN `%[1]s`.`#letter_grade` WHERE student_id IN (SELECT student_id FROM `%[1]s`.student_major WHERE dept=?) GROUP BY student_id ORDER BY g DESC, student_id LIMIT 3", s.Name()), dept)
		must(t, err)
		var ids []int32
		for want.Next() {
			var id int32
			var g float64
			must(t, want.Scan(&id, &g))
			ids = append(ids, id)
		}
		want.Close()
		if len(top) != len(ids) || len(ids) == 0 {
			t.Fatalf("%s top-3: got %+v, want ids %v", dept, top, ids)
		}
		for k := range ids {
			if top[k].StudentID != ids[k] {
				t.Errorf("%s top-3: got %+v, want ids %v", dept, top, ids)
			}
		}
	}

	// FetchMatrix and FetchVector of numeric attributes.
	m, err := dj.FetchMatrix(ctx, c, course.OrderBy("dept", "course"), "course", "credits")
	must(t, err)
	r, cols := m.Dims()
	if cols != 2 || int64(r) != sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.course") {
		t.Fatalf("matrix dims %dx%d", r, cols)
	}
	var first float64
	must(t, c.DB().QueryRowContext(ctx, fmt.Sprintf("SELECT credits FROM `%s`.course ORDER BY dept, course LIMIT 1", s.Name())).Scan(&first))
	if m.At(0, 1) != first || m.At(0, 0) != 1000 {
		t.Fatalf("matrix row 0 = %v %v, want 1000 %v", m.At(0, 0), m.At(0, 1), first)
	}
	v, err := dj.FetchVector(ctx, c, letter.OrderBy("points DESC"), "points")
	must(t, err)
	if v.Len() != 9 || v.AtVec(0) != 4 || v.AtVec(8) != 0 {
		t.Fatalf("points vector = %v", v.RawVector().Data)
	}
	empty, err := dj.FetchMatrix(ctx, c, course.Restrict(dj.False), "credits")
	must(t, err)
	if !empty.IsEmpty() {
		t.Fatal("empty result is not an empty matrix")
	}
	sorted := sort.SliceIsSorted(v.RawVector().Data, func(i, j int) bool { return v.AtVec(i) > v.AtVec(j) })
	if !sorted {
		t.Fatal("vector not in query order")
	}
}

func TestUniversityOperatorErrors(t *testing.T) {
	c, _ := buildUniversity(t)
	ctx := context.Background()
	student, course := dj.From[Student](c), dj.From[Course](c)
	cases := map[string]struct {
		e    dj.Expr
		want error
	}{
		"proj unknown":   {student.Proj("height"), dj.ErrUnknownAttribute},
		"order unknown":  {student.OrderBy("height"), dj.ErrUnknownAttribute},
		"U unknown":      {dj.U("height").Restrict(student), dj.ErrUnknownAttribute},
		"illegal join":   {student.Join(student.Proj("home_state")), dj.ErrIllegalJoin}, // home_state is secondary in both
		"union mismatch": {student.Proj().Union(course.Proj()), dj.ErrIncompatible},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := dj.Count(ctx, c, tc.e)
			wantErr(t, err, tc.want)
			if tc.e.Err() == nil {
				t.Fatal("the error was not recorded when the operator was called")
			}
		})
	}
}

// Trial holds arrays in blob attributes, for fetching them per row.
type Trial struct {
	dj.Manual
	TrialID int32 `dj:"pk"`
	Signal  *mat.Dense
	Weights *mat.VecDense
	Samples []float64
}

func TestFetchBlobArraysPerRow(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, Trial{}))
	var trials []Trial
	for i := range 4 {
		m := mat.NewDense(2+i, 3, nil)
		for r := 0; r < 2+i; r++ {
			for k := 0; k < 3; k++ {
				m.Set(r, k, float64(100*i+10*r+k))
			}
		}
		trials = append(trials, Trial{TrialID: int32(i), Signal: m, Weights: mat.NewVecDense(2, []float64{float64(i), -1}), Samples: []float64{float64(i), 0.5}})
	}
	must(t, dj.Insert(ctx, c, trials))
	got, err := dj.Fetch[Trial](ctx, c, dj.From[Trial](c).OrderBy("trial_id"))
	must(t, err)
	for i, tr := range got {
		if !mat.Equal(tr.Signal, trials[i].Signal) || !mat.Equal(tr.Weights, trials[i].Weights) || tr.Samples[0] != float64(i) {
			t.Fatalf("trial %d = %v", i, tr)
		}
	}
	sig, err := dj.FetchColumn[*mat.Dense](ctx, c, dj.From[Trial](c).OrderBy("trial_id"), "signal")
	must(t, err)
	if len(sig) != 4 || sig[3].At(4, 2) != 342 {
		t.Fatalf("signals = %v", sig)
	}
	// The bytes are DataJoint's: a 2-D float64 'A' array, column-major.
	var raw []byte
	must(t, c.DB().QueryRowContext(ctx, "SELECT `signal` FROM `"+s.Name()+"`.`trial` WHERE trial_id=0").Scan(&raw))
	if string(raw[:4]) != "mYm\x00" || raw[4] != 'A' {
		t.Fatalf("signal blob starts %q", raw[:5])
	}
}
