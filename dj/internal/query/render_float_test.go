package query

import (
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// FLOAT columns are selected as doubles in the statement whose rows are
// fetched, and only there: MariaDB's text protocol prints FLOAT with six
// significant digits.
func TestFloatColumnsSelectedAsDouble(t *testing.T) {
	tbl := &schema.Table{Database: "db", Name: "m", Tier: schema.Manual, Heading: schema.Heading{Attributes: []schema.Attribute{
		col("id", "int", schema.CatInteger, true),
		col("f", "float", schema.CatFloat, false),
		col("fu", "float unsigned", schema.CatFloat, false),
		col("f53", "float(53)", schema.CatFloat, false),
		col("d", "double", schema.CatFloat, false),
	}}}
	sql, _, err := Table(tbl).SQL()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CAST(`f` AS DOUBLE) as `f`", "CAST(`fu` AS DOUBLE) as `fu`", ",`f53`", ",`d`"} {
		if !strings.Contains(sql, want) {
			t.Errorf("SQL %q lacks %q", sql, want)
		}
	}
	// A renamed float is cast from its source; a derived table keeps FLOAT.
	sql, _, err = Table(tbl).Proj("g=f").Restrict(Where("id > 0")).OrderBy("id").Limit(3).SQL()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(sql, "CAST(") != 1 || !strings.Contains(sql, " AS DOUBLE) as `g`") {
		t.Errorf("SQL %q: want one cast, of g", sql)
	}
	cnt, _, err := Table(tbl).CountSQL()
	if err != nil || strings.Contains(cnt, "CAST(") {
		t.Errorf("count SQL %q (%v) must not cast", cnt, err)
	}
}
