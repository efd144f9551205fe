package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

type Probe struct {
	dj.Manual
	ProbeID int16 `dj:"pk,type=smallint"`
}

type Sorting struct {
	dj.Computed `comment:"spike sorting"`
	Probe       dj.Ref[Probe] `dj:"pk"`
	ProbeID     int16         `dj:"pk,type=smallint"`
	Units       int32         `dj:"type=int"`
}

type SortingUnit struct {
	dj.Part[Sorting]
	ProbeID int16   `dj:"pk,type=smallint"`
	UnitID  int16   `dj:"pk,type=smallint"`
	Rate    float32 `dj:"type=float"`
}

// TestAlterMasterAndPart alters a computed master and its part in one
// migration (DataJoint for Python's alter() cannot alter parts; see its
// issue #1017) and compares both with a fresh declaration.
func TestAlterMasterAndPart(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, Probe{}, Sorting{}, SortingUnit{}))
	_, err := c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`probe` VALUES (1)")
	must(t, err)
	_, err = c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`__sorting` VALUES (1, 3)")
	must(t, err)
	_, err = c.DB().ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`__sorting__unit` VALUES (1, 1, 2.5), (1, 2, 3.5)")
	must(t, err)

	type after struct{ master, part any }
	v2 := func() after {
		type Sorting struct {
			dj.Computed `comment:"spike sorting, version 2"`
			Probe       dj.Ref[Probe] `dj:"pk"`
			ProbeID     int16         `dj:"pk,type=smallint"`
			Units       int32         `dj:"type=int"`
			Method      string        `dj:"type=varchar(32),default='kilosort'"`
		}
		type SortingUnit struct {
			dj.Part[Sorting]
			ProbeID int16   `dj:"pk,type=smallint"`
			UnitID  int16   `dj:"pk,type=smallint"`
			Rate    float64 `dj:"type=double" comment:"Hz"`
			Quality *string `dj:"type=enum('good','mua','noise')"`
		}
		return after{Sorting{}, SortingUnit{}}
	}()
	res, err := migrate.Alter(ctx, s, []any{v2.master, v2.part, Probe{}})
	must(t, err)
	if len(res.Executed) != 2 || !strings.HasSuffix(res.Executed[0].Table, "`__sorting`") || !strings.HasSuffix(res.Executed[1].Table, "`__sorting__unit`") {
		t.Fatalf("executed %+v", res.Executed)
	}
	srv := testenv.MySQL(t)
	fc, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer fc.Close()
	fs := otherSchema(t, fc)
	must(t, fs.Declare(ctx, Probe{}, v2.master, v2.part))
	for _, table := range []string{"__sorting", "__sorting__unit"} {
		got := showCreate(t, c.DB(), s.Name(), table)
		want := strings.ReplaceAll(showCreate(t, fc.DB(), fs.Name(), table), fs.Name(), s.Name())
		if got != want {
			t.Errorf("%s after Apply:\n%s\nwant:\n%s", table, got, want)
		}
	}
	var rate float64
	must(t, c.DB().QueryRowContext(ctx, "SELECT rate FROM `"+s.Name()+"`.`__sorting__unit` WHERE unit_id = 2").Scan(&rate))
	if rate != 3.5 {
		t.Errorf("rate = %v", rate)
	}
}
