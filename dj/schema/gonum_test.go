package schema

import (
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type Matrices struct {
	DJComputed
	ID      int32 `dj:"pk"`
	M       *mat.Dense
	V       *mat.VecDense `dj:"nullable"`
	Ext     *mat.Dense    `dj:"type=blob@raw"`
	On      bool          `dj:"default=true"`
	Off     *bool
	Samples []float64 `dj:"type=mediumblob" comment:"raw samples"`
}

func TestGonumAndNullability(t *testing.T) {
	tb, err := Parse(reflect.TypeFor[Matrices](), "lab", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE IF NOT EXISTS `lab`.`__matrices` (\n" +
		"`id` int NOT NULL,\n" +
		"`m` longblob NOT NULL,\n" +
		"`v` longblob DEFAULT NULL,\n" +
		"`ext` binary(16) NOT NULL COMMENT \":blob@raw:\",\n" +
		"`on` bool NOT NULL DEFAULT \"1\",\n" +
		"`off` bool DEFAULT NULL,\n" +
		"`samples` mediumblob NOT NULL COMMENT \"raw samples\",\n" +
		"PRIMARY KEY (`id`),\n" +
		"FOREIGN KEY (`ext`) REFERENCES `lab`.`~external_raw` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT\n" +
		") ENGINE=InnoDB, COMMENT \"\""
	if got := tb.CreateSQL(); got != want {
		t.Errorf("CreateSQL\n got:\n%s\nwant:\n%s", got, want)
	}
}
