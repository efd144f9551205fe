package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Keeper struct {
	dj.Manual
	KeeperID int32 `dj:"pk,type=int"`
}

func petWith(unique bool) any {
	if unique {
		type Pet struct {
			dj.Manual
			PetID    int32          `dj:"pk,type=int"`
			Keeper   dj.Ref[Keeper] `dj:"nullable,unique"`
			KeeperID *int32         `dj:"type=int"`
			Name     string         `dj:"type=varchar(16)"`
		}
		return Pet{}
	}
	type Pet struct {
		dj.Manual
		PetID    int32          `dj:"pk,type=int"`
		Keeper   dj.Ref[Keeper] `dj:"nullable"`
		KeeperID *int32         `dj:"type=int"`
		Name     string         `dj:"type=varchar(16)"`
	}
	return Pet{}
}

// TestUniqueReference makes a secondary reference [unique] and back: the
// unique index takes the place of the foreign key's own index, and the
// table is the one declared afresh each time.
func TestUniqueReference(t *testing.T) {
	ctx := context.Background()
	srv := testenv.MySQL(t)
	c, s := connect(t)
	must(t, s.Declare(ctx, Keeper{}, petWith(false)))
	for _, unique := range []bool{true, false} {
		p, err := migrate.Diff(ctx, s, petWith(unique))
		must(t, err)
		if len(p.Tables) != 1 || len(p.Tables[0].Ops) != 1 {
			t.Fatalf("plan:\n%s", p)
		}
		_, err = migrate.Apply(ctx, s, p)
		must(t, err)
		fc, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
		must(t, err)
		fs := otherSchema(t, fc)
		must(t, fs.Declare(ctx, Keeper{}, petWith(unique)))
		got, want := showCreate(t, c.DB(), s.Name(), "pet"), showCreate(t, fc.DB(), fs.Name(), "pet")
		fc.Close()
		// The foreign key names its parent's database.
		want = strings.ReplaceAll(want, fs.Name(), s.Name())
		if got != want {
			t.Errorf("unique=%v: after Apply\n%s\nwant\n%s\n%s", unique, got, want, p)
		}
	}
}
