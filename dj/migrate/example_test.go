package migrate_test

import (
	"context"
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
	lab, err := conn.Schema(ctx, fmt.Sprintf("dj_example_migrate_%d", time.Now().UnixNano()))
	if err != nil {
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
	for _, t := range plan.Tables {
		for _, op := range t.Ops {
			fmt.Printf("%s: %s\n", t.Name, op.Kind)
		}
	}
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
	// Output:
	// subject: modify
	// subject: add
	// subject: rename
	// session: create table
	// 2 statements; migration 1
	// mouse U 21.5
}

func schemaTable(s *dj.Schema, table string) string {
	return "`" + s.Name() + "`.`" + table + "`"
}
