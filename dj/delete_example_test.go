package dj_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/datajoint-go/datajoint/dj"
)

// Delete one subject with everything that depends on it, after showing
// what would go.
func ExampleDelete() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	res, err := dj.Delete(ctx, c, dj.From[Subject](c).Restrict(dj.Match(dj.Key{"subject_id": 1})),
		dj.Confirm(func(planned dj.DeleteResult) bool {
			for _, tc := range planned.Counts {
				fmt.Printf("%s: %d rows\n", tc.Table, tc.Rows)
			}
			return planned.Total() < 1000
		}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("deleted %d rows\n", res.Total())
}

// Delete sessions without a cascade: the statement fails, and deletes
// nothing, if another table still references one of them.
func ExampleDeleteQuick() {
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: "127.0.0.1"})
	if err != nil {
		log.Fatal(err)
	}
	n, err := dj.DeleteQuick(ctx, c, dj.From[Session](c).Restrict(dj.Match(dj.Key{"subject_id": 1})))
	if errors.Is(err, dj.ErrIntegrity) {
		fmt.Println("sessions still referenced; use dj.Delete to cascade")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("deleted %d sessions\n", n)
}
