package dj_test

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj"
)

// Tables of the examples: a mouse lab.

type Mouse struct {
	dj.Manual `comment:"a mouse"`
	MouseID   int32  `dj:"pk"`
	Sex       string `dj:"type=enum('F','M')"`
	Weight    float64
}

type Scan struct {
	dj.Manual `comment:"an imaging scan"`
	Mouse     dj.Ref[Mouse] `dj:"pk"`
	MouseID   int32         `dj:"pk"`
	ScanIdx   int16         `dj:"pk"`
	Depth     float64
}

type Neuron struct {
	dj.Computed `comment:"segmented neurons"`
	Scan        dj.Ref[Scan] `dj:"pk"`
	MouseID     int32        `dj:"pk"`
	ScanIdx     int16        `dj:"pk"`
	NeuronID    int32        `dj:"pk"`
	Rate        float64
}

// offlineLab binds the example tables to a schema without a server.
func offlineLab() *dj.Conn {
	c := dj.Offline()
	s, err := c.Schema(context.Background(), "lab")
	if err != nil {
		panic(err)
	}
	if err := s.Declare(context.Background(), Mouse{}, Scan{}, Neuron{}); err != nil {
		panic(err)
	}
	return c
}

func printSQL(e dj.Expr) {
	sql, args, err := e.SQL()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(sql)
	if len(args) > 0 {
		fmt.Println(args)
	}
}

// Restrict is DataJoint's A & cond: by SQL, by a key, by another table.
func ExampleExpr_Restrict() {
	c := offlineLab()
	printSQL(dj.From[Mouse](c).Restrict(dj.Where("weight > ?", 20), dj.Match(dj.Key{"sex": "F"})))
	printSQL(dj.From[Mouse](c).Restrict(dj.From[Scan](c).Restrict(dj.Where("depth > ?", 300))))
	// Output:
	// SELECT `mouse_id`,`sex`,`weight` FROM `lab`.`mouse` WHERE (weight > ?)AND(`sex`=?)
	// [20 F]
	// SELECT `mouse_id`,`sex`,`weight` FROM `lab`.`mouse` WHERE ((`mouse_id`) IN (SELECT `mouse_id` FROM `lab`.`scan` WHERE (depth > ?)))
	// [300]
}

// Exclude is DataJoint's A - B: here, the scans that have no neurons yet.
func ExampleExpr_Exclude() {
	c := offlineLab()
	printSQL(dj.From[Scan](c).Exclude(dj.From[Neuron](c)))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`depth` FROM `lab`.`scan` WHERE ((`mouse_id`,`scan_idx`) NOT IN (SELECT `mouse_id`,`scan_idx` FROM `lab`.`__neuron`))
}

// Join is DataJoint's A * B, on the common attributes.
func ExampleExpr_Join() {
	c := offlineLab()
	printSQL(dj.From[Mouse](c).Join(dj.From[Scan](c)))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`sex`,`weight`,`depth` FROM `lab`.`mouse` NATURAL JOIN `lab`.`scan`
}

// Proj keeps, renames and computes attributes; the primary key stays.
func ExampleExpr_Proj() {
	c := offlineLab()
	printSQL(dj.From[Mouse](c).Proj("grams=weight", "kg=weight/1000"))
	printSQL(dj.From[Scan](c).Proj())
	// Output:
	// SELECT `mouse_id`,`weight` as `grams`,(weight/1000) as `kg` FROM `lab`.`mouse`
	// SELECT `mouse_id`,`scan_idx` FROM `lab`.`scan`
}

// Aggr is DataJoint's A.aggr(B, n="count(*)").
func ExampleExpr_Aggr() {
	c := offlineLab()
	printSQL(dj.From[Scan](c).Aggr(dj.From[Neuron](c), "n=count(*)", "mean_rate=avg(rate)"))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,(count(*)) as `n`,(avg(rate)) as `mean_rate` FROM `lab`.`scan` NATURAL JOIN `lab`.`__neuron` GROUP BY `mouse_id`,`scan_idx`
}

// AggrKeepAll keeps the rows of A that have no match in B.
func ExampleExpr_AggrKeepAll() {
	c := offlineLab()
	printSQL(dj.From[Mouse](c).AggrKeepAll(dj.From[Scan](c), "n=count(scan_idx)"))
	// Output:
	// SELECT `mouse_id`,(count(scan_idx)) as `n` FROM `lab`.`mouse` NATURAL LEFT JOIN `lab`.`scan` GROUP BY `mouse_id`
}

// Union is DataJoint's A + B.
func ExampleExpr_Union() {
	c := offlineLab()
	heavy := dj.From[Mouse](c).Restrict(dj.Where("weight > 30")).Proj()
	female := dj.From[Mouse](c).Restrict(dj.Match(dj.Key{"sex": "F"})).Proj()
	printSQL(heavy.Union(female))
	// Output:
	// SELECT `mouse_id` FROM ((SELECT `mouse_id` FROM `lab`.`mouse` WHERE (weight > 30)) UNION (SELECT `mouse_id` FROM `lab`.`mouse` WHERE (`sex`=?))) as `$1`
	// [F]
}

// OrderBy, Limit and Offset are DataJoint's order_by, limit and offset.
func ExampleExpr_OrderBy() {
	c := offlineLab()
	printSQL(dj.From[Neuron](c).OrderBy("rate DESC").Limit(10).Offset(20))
	// Output:
	// SELECT `mouse_id`,`scan_idx`,`neuron_id`,`rate` FROM `lab`.`__neuron` ORDER BY `rate` DESC LIMIT 10 OFFSET 20
}

// U groups by arbitrary attributes and gives distinct values.
func ExampleU() {
	c := offlineLab()
	printSQL(dj.U("sex").Aggr(dj.From[Mouse](c), "n=count(*)"))
	printSQL(dj.U("sex").Restrict(dj.From[Mouse](c)))
	// Output:
	// SELECT `sex`,(count(*)) as `n` FROM `lab`.`mouse` GROUP BY `sex`
	// SELECT DISTINCT `sex` FROM `lab`.`mouse`
}

// Offline connections print the DDL a pipeline declares.
func ExampleOffline() {
	c := offlineLab()
	t, _ := dj.TableOf[Scan](c)
	fmt.Println(t.Meta().CreateSQL())
	// Output:
	// CREATE TABLE IF NOT EXISTS `lab`.`scan` (
	// `mouse_id` int NOT NULL COMMENT "",
	// `scan_idx` smallint NOT NULL,
	// `depth` double NOT NULL,
	// PRIMARY KEY (`mouse_id`,`scan_idx`),
	// FOREIGN KEY (`mouse_id`) REFERENCES `lab`.`mouse` (`mouse_id`) ON UPDATE CASCADE ON DELETE RESTRICT
	// ) ENGINE=InnoDB, COMMENT "an imaging scan"
}
