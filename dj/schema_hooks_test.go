package dj_test

import (
	"context"
	"fmt"
	"log"
	"reflect"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

func TestBoundAndLogEvent(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	if _, ok := c.Bound(reflect.TypeFor[Subject]()); ok {
		t.Fatal("Subject is bound before Declare")
	}
	declareLab(t, s)
	tb, ok := c.Bound(reflect.TypeFor[*Subject]())
	if !ok || tb.Name() != "subject" {
		t.Fatalf("Bound(*Subject) = %v, %v", tb, ok)
	}
	s.LogEvent(ctx, "Altered `"+s.Name()+"`.`subject`")
	var event, version string
	must(t, c.DB().QueryRowContext(ctx, "SELECT event, version FROM `"+s.Name()+"`.`~log` ORDER BY id DESC LIMIT 1").Scan(&event, &version))
	if event != "Altered `"+s.Name()+"`.`subject`" || version != dj.Version+"go" {
		t.Fatalf("last event %q, version %q", event, version)
	}
}

// Find the table a struct type is declared as, and record a change in
// the schema's ~log as DataJoint does.
func ExampleSchema_LogEvent() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	lab, err := c.Schema(ctx, "dj_example_log_event")
	if err != nil {
		log.Fatal(err)
	}
	defer lab.Drop(ctx)
	if err := lab.Declare(ctx, Species{}, Subject{}); err != nil {
		log.Fatal(err)
	}
	t, _ := c.Bound(reflect.TypeFor[Subject]())
	lab.LogEvent(ctx, "Altered "+t.FullName())
	var event string
	if err := c.DB().QueryRowContext(ctx, "SELECT event FROM `dj_example_log_event`.`~log` ORDER BY id DESC LIMIT 1").Scan(&event); err != nil {
		log.Fatal(err)
	}
	fmt.Println(event)
}
