package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

// subjectV1 is the Subject table as first declared.
func subjectV1() any {
	type Subject struct {
		dj.Manual `comment:"experimental subject"`
		SubjectID int32      `dj:"pk"`
		Species   string     `dj:"type=varchar(32)"`
		DOB       *time.Time `dj:"type=date"`
		Mass      *float32
	}
	return Subject{}
}

// Change a table by editing its struct: plan, review, apply. This is the
// README's "Changing a pipeline".
func Example() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("") // dj_local_conf.json, DJ_HOST, DJ_USER, DJ_PASS
	if err != nil {
		log.Fatal(err)
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	lab, err := conn.Schema(ctx, "dj_example_migrate")
	if err != nil {
		log.Fatal(err)
	}
	if err := lab.Drop(ctx); err != nil { // start clean
		log.Fatal(err)
	}
	if lab, err = conn.Schema(ctx, "dj_example_migrate"); err != nil {
		log.Fatal(err)
	}
	defer lab.Drop(ctx)
	if err := lab.Declare(ctx, subjectV1()); err != nil {
		log.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO "+schemaTable(lab, "subject")+" VALUES (1, 'mouse', NULL, 21.5)"); err != nil {
		log.Fatal(err)
	}

	type Subject struct {
		dj.Manual `comment:"experimental subject"`
		SubjectID int32      `dj:"pk"`
		Species   string     `dj:"type=varchar(64)"` // was varchar(32)
		DOB       *time.Time `dj:"type=date"`
		Sex       string     `dj:"type=enum('F','M','U'),default='U'"` // new
		Weight    *float32   `was:"mass" comment:"grams"`              // renamed
	}
	type Session struct {
		dj.Manual
		Subject   dj.Ref[Subject] `dj:"pk"`
		SubjectID int32           `dj:"pk"`
		SessionID int16           `dj:"pk"`
		Trace     []float64
	}

	plan, err := migrate.Diff(ctx, lab, Subject{}, Session{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan)                           // operations, data each would lose (rows counted), refusals, SQL
	res, err := migrate.Apply(ctx, lab, plan) // migrate.AllowDataLoss() accepts the losses listed
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Executed), "statements; migration", res.MigrationID)
	s, err := dj.FetchOne[Subject](ctx, conn, dj.From[Subject](conn))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Species, s.Sex, *s.Weight)
}

func schemaTable(s *dj.Schema, table string) string {
	return "`" + s.Name() + "`.`" + table + "`"
}

// openExample connects with DataJoint's settings and opens an empty
// schema of the given name.
func openExample(ctx context.Context, name string) (*dj.Conn, *dj.Schema) {
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	s, err := conn.Schema(ctx, name)
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Drop(ctx); err != nil {
		log.Fatal(err)
	}
	if s, err = conn.Schema(ctx, name); err != nil {
		log.Fatal(err)
	}
	return conn, s
}

// A CI job checks that the database matches the code it is about to
// deploy, applies the migration, and checks again.
func ExampleCheckStatus() {
	ctx := context.Background()
	conn, lab := openExample(ctx, "dj_example_migrate_status")
	defer conn.Close()
	defer lab.Drop(ctx)
	if err := lab.Declare(ctx, subjectV1()); err != nil {
		log.Fatal(err)
	}
	type Subject struct {
		dj.Manual `comment:"experimental subject"`
		SubjectID int32      `dj:"pk"`
		Species   string     `dj:"type=varchar(32)"`
		DOB       *time.Time `dj:"type=date"`
		Mass      *float32   `comment:"grams"`
	}
	st, err := migrate.CheckStatus(ctx, lab, Subject{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("matches:", st.Matches(), "migrations:", st.Last != nil)
	if _, err := migrate.Alter(ctx, lab, []any{Subject{}}, migrate.Revision("v1.2.0")); err != nil {
		log.Fatal(err)
	}
	st, err = migrate.CheckStatus(ctx, lab, Subject{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("matches:", st.Matches(), "last revision:", st.Last.Revision)
	h, err := migrate.History(ctx, lab)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(h), "migration;", h[0].Hash == st.Hash)
}

// Changes that lose data are refused unless AllowDataLoss is given.
func ExampleAllowDataLoss() {
	ctx := context.Background()
	conn, lab := openExample(ctx, "dj_example_migrate_loss")
	defer conn.Close()
	defer lab.Drop(ctx)
	if err := lab.Declare(ctx, subjectV1()); err != nil {
		log.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO "+schemaTable(lab, "subject")+" VALUES (1, 'mouse', NULL, 21.5), (2, 'rat', NULL, NULL)"); err != nil {
		log.Fatal(err)
	}
	type Subject struct {
		dj.Manual `comment:"experimental subject"`
		SubjectID int32      `dj:"pk"`
		Species   string     `dj:"type=varchar(32)"`
		DOB       *time.Time `dj:"type=date"`
	}
	plan, err := migrate.Diff(ctx, lab, Subject{})
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range plan.Warnings {
		fmt.Println(w.Kind, w.Attribute, w.Rows)
	}
	_, err = migrate.Apply(ctx, lab, plan)
	fmt.Println(errors.Is(err, migrate.ErrDataLoss))
	_, err = migrate.Apply(ctx, lab, plan, migrate.AllowDataLoss())
	fmt.Println(err)
}
