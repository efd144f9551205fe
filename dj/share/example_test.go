package share_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/datajoint-go/datajoint/dj/share"
)

// Subject is a table of the examples.
type Subject struct {
	dj.Manual `comment:"subjects"`
	SubjectID int32 `dj:"pk"`
}

// Session is a table of the examples.
type Session struct {
	dj.Manual `comment:"sessions"`
	S         dj.Ref[Subject] `dj:"pk"`
	SubjectID int32           `dj:"pk"`
	SessionID int16           `dj:"pk"`
}

// Example computes the closure of one subject and clones it into another
// database; conn and other may be connections to two servers.
func Example() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	other := conn
	lab, paper := fmt.Sprintf("dj_example_share_%d", os.Getpid()), fmt.Sprintf("dj_example_share_paper_%d", os.Getpid())
	s, err := conn.Schema(ctx, lab)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+lab+"`")
	defer conn.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+paper+"`")
	if err := s.Declare(ctx, Subject{}, Session{}); err != nil {
		log.Fatal(err)
	}
	_ = dj.Insert(ctx, conn, []Subject{{SubjectID: 1}, {SubjectID: 2}})
	_ = dj.Insert(ctx, conn, []Session{{SubjectID: 1, SessionID: 1}, {SubjectID: 1, SessionID: 2}, {SubjectID: 2, SessionID: 1}})

	sub, err := share.Closure(ctx, conn, share.Restrict(dj.From[Subject](conn).Restrict(dj.Where("subject_id = 1"))))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.Rows(schema.TableID{Database: lab, Table: "session"}), sub.TotalRows())

	res, err := share.Clone(ctx, conn, other, share.CloneOptions{
		Rename: map[string]string{lab: paper},
		Seeds:  []share.Seed{share.Where(schema.TableID{Database: lab, Table: "subject"}, "subject_id = 1")},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res.Rows {
		fmt.Println(r.Table.Table, r.Rows)
	}
}
