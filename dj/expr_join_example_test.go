package dj_test

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj"
)

// Stimulus is a lookup table that shares no attribute with the lab's
// other tables.
type Stimulus struct {
	dj.Lookup  `comment:"visual stimuli"`
	StimulusID int16  `dj:"pk"`
	Kind       string `dj:"type=varchar(16)"`
}

// DeepScan receives copies of scans.
type DeepScan struct {
	dj.Manual `comment:"scans below 300 um"`
	MouseID   int32 `dj:"pk"`
	ScanIdx   int16 `dj:"pk"`
	Depth     float64
}

// offlineLabMore is offlineLab with Stimulus and DeepScan declared too.
func offlineLabMore() *dj.Conn {
	c := offlineLab()
	s, err := c.Schema(context.Background(), "lab")
	if err != nil {
		panic(err)
	}
	if err := s.Declare(context.Background(), Stimulus{}, DeepScan{}); err != nil {
		panic(err)
	}
	return c
}

// LeftJoin is DataJoint's A.join(B, left=True): every mouse, with its
// scans or NULL; restricting to NULL gives the mice without scans.
func ExampleExpr_LeftJoin() {
	c := offlineLab()
	mice, scans := dj.From[Mouse](c), dj.From[Scan](c)
	printSQL(mice.LeftJoin(scans))
	printSQL(mice.LeftJoin(scans).Restrict(dj.Where("scan_idx IS NULL")))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`sex`,`weight`,`depth` FROM `lab`.`mouse` NATURAL LEFT JOIN `lab`.`scan`
	// SELECT `mouse_id`,`scan_idx`,`sex`,`weight`,`depth` FROM `lab`.`mouse` NATURAL LEFT JOIN `lab`.`scan` WHERE (scan_idx IS NULL)
}

// JoinPermissive is DataJoint's A @ B: here, pairs of scans at the same
// depth, joined on depth, which is secondary in both operands (Join
// refuses that).
func ExampleExpr_JoinPermissive() {
	c := offlineLab()
	scans := dj.From[Scan](c).Proj("depth")
	others := dj.From[Scan](c).Proj("other_mouse=mouse_id", "other_scan=scan_idx", "depth")
	printSQL(scans.JoinPermissive(others))
	fmt.Println(scans.Join(others).Err() != nil)
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`other_mouse`,`other_scan`,`depth` FROM `lab`.`scan` NATURAL JOIN (SELECT `mouse_id` as `other_mouse`,`scan_idx` as `other_scan`,`depth` FROM `lab`.`scan`) as `$1`
	// true
}

// LeftJoinPermissive is DataJoint's A.join(B, semantic_check=False,
// left=True): every scan, with the scans of mice numbered above 10 at
// the same depth, or NULL where there are none.
func ExampleExpr_LeftJoinPermissive() {
	c := offlineLab()
	scans := dj.From[Scan](c).Proj("depth")
	others := dj.From[Scan](c).Proj("other_mouse=mouse_id", "other_scan=scan_idx", "depth").Restrict(dj.Where("other_mouse > ?", 10))
	printSQL(scans.LeftJoinPermissive(others))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`other_mouse`,`other_scan`,`depth` FROM `lab`.`scan` NATURAL LEFT JOIN (SELECT `other_mouse`,`other_scan`,`depth` FROM (SELECT `mouse_id` as `other_mouse`,`scan_idx` as `other_scan`,`depth` FROM `lab`.`scan`) as `$1` WHERE (other_mouse > ?)) as `$2`
	// [10]
}

// Permissive is DataJoint's A ^ B: the mice of the same sex as mouse 1,
// matched on sex, which is secondary in both operands.
func ExamplePermissive() {
	c := offlineLab()
	mice := dj.From[Mouse](c)
	mouse1 := mice.Proj("other=mouse_id", "sex").Restrict(dj.Where("other = ?", 1))
	printSQL(mice.Restrict(dj.Permissive(mouse1)))
	printSQL(mice.Exclude(dj.Permissive(mouse1)))
	// Output:
	// SELECT `mouse_id`,`sex`,`weight` FROM `lab`.`mouse` WHERE ((`sex`) IN (SELECT `sex` FROM (SELECT `mouse_id` as `other`,`sex` FROM `lab`.`mouse`) as `$1` WHERE (other = ?)))
	// [1]
	// SELECT `mouse_id`,`sex`,`weight` FROM `lab`.`mouse` WHERE ((`sex`) NOT IN (SELECT `sex` FROM (SELECT `mouse_id` as `other`,`sex` FROM `lab`.`mouse`) as `$1` WHERE (other = ?)))
	// [1]
}

// Aggr over an expression that shares no attribute matches every row with
// every row, as DataJoint 0.14 does: each stimulus with the number of all
// scans.
func ExampleExpr_Aggr_withoutSharedAttributes() {
	c := offlineLabMore()
	printSQL(dj.From[Stimulus](c).Aggr(dj.From[Scan](c), "n=count(*)"))
	// Output:
	// SELECT `stimulus_id`,(count(*)) as `n` FROM `lab`.`#stimulus` NATURAL JOIN `lab`.`scan` GROUP BY `stimulus_id`
}

// InsertFrom copies the rows of a query on the server, as DataJoint's
// Table.insert(query); InsertFromSQL shows the statement.
func ExampleInsertFrom() {
	c := offlineLabMore()
	deep := dj.From[Scan](c).Restrict(dj.Where("depth > ?", 300))
	// On a server: err := dj.InsertFrom[DeepScan](ctx, conn, deep, dj.SkipDuplicates())
	t, err := dj.TableOf[DeepScan](c)
	if err != nil {
		panic(err)
	}
	for _, opt := range []dj.InsertOption{dj.Replace(), dj.SkipDuplicates()} {
		stmt, args, err := t.InsertFromSQL(deep, opt)
		fmt.Println(stmt, args, err)
	}
	// Output:
	// REPLACE INTO `lab`.`deep_scan` (`mouse_id`,`scan_idx`,`depth`) SELECT `mouse_id`,`scan_idx`,`depth` FROM `lab`.`scan` WHERE (depth > ?) [300] <nil>
	// INSERT INTO `lab`.`deep_scan` (`mouse_id`,`scan_idx`,`depth`) SELECT * FROM (SELECT `mouse_id`,`scan_idx`,`depth` FROM `lab`.`scan` WHERE (depth > ?)) as `$1` ON DUPLICATE KEY UPDATE `lab`.`deep_scan`.`mouse_id`=`lab`.`deep_scan`.`mouse_id` [300] <nil>
}
