package dj_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// ExtScan is the table of the DDL comparison.
type ExtScan struct {
	dj.Manual `comment:"external test table"`
	RecID     int32     `dj:"pk" comment:"recording"`
	Signal    []float64 `dj:"type=blob@djext" comment:"the trace"`
	Doc       *string   `dj:"type=attach@djext" comment:"a document"`
	Raw       string    `dj:"type=filepath@djext" comment:"raw file"`
}

// pythonDDL is what DataJoint for Python 0.14 declares for
//
//	# external test table
//	rec_id : int  # recording
//	---
//	signal : blob@djext  # the trace
//	doc = null : attach@djext  # a document
//	raw : filepath@djext  # raw file
var pythonDDL = []string{
	"CREATE TABLE IF NOT EXISTS `{db}`.`~external_djext` (\n" +
		"`hash` binary(16) NOT NULL COMMENT \":uuid:hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)\",\n" +
		"`size` bigint unsigned NOT NULL COMMENT \"size of object in bytes\",\n" +
		"`attachment_name` varchar(255) DEFAULT NULL COMMENT \"the filename of an attachment\",\n" +
		"`filepath` varchar(1000) DEFAULT NULL COMMENT \"relative filepath or attachment filename\",\n" +
		"`contents_hash` binary(16) DEFAULT NULL COMMENT \":uuid:used for the filepath datatype\",\n" +
		"`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"automatic timestamp\",\n" +
		"PRIMARY KEY (`hash`)\n" +
		") ENGINE=InnoDB, COMMENT \"external storage tracking\"",
	"CREATE TABLE IF NOT EXISTS `{db}`.`ext_scan` (\n" +
		"`rec_id` int NOT NULL COMMENT \"recording\",\n" +
		"`signal` binary(16) NOT NULL COMMENT \":blob@djext:the trace\",\n" +
		"`doc` binary(16) DEFAULT NULL COMMENT \":attach@djext:a document\",\n" +
		"`raw` binary(16) NOT NULL COMMENT \":filepath@djext:raw file\",\n" +
		"PRIMARY KEY (`rec_id`),\n" +
		"FOREIGN KEY (`signal`) REFERENCES `{db}`.`~external_djext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
		"FOREIGN KEY (`doc`) REFERENCES `{db}`.`~external_djext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
		"FOREIGN KEY (`raw`) REFERENCES `{db}`.`~external_djext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT\n" +
		") ENGINE=InnoDB, COMMENT \"external test table\"",
}

func showCreate(t *testing.T, c *dj.Conn, db, table string) string {
	t.Helper()
	var name, ddl string
	must(t, c.DB().QueryRowContext(context.Background(), "SHOW CREATE TABLE `"+db+"`.`"+table+"`").Scan(&name, &ddl))
	return strings.ReplaceAll(ddl, db, "{db}")
}

func TestExternalDDLMatchesPython(t *testing.T) {
	ctx := context.Background()
	c, s := connectStore(t, fileEnv(t))
	must(t, s.Declare(ctx, ExtScan{}))
	pyDB := testenv.Database(t)
	for _, stmt := range pythonDDL {
		_, err := c.DB().ExecContext(ctx, strings.ReplaceAll(stmt, "{db}", pyDB))
		must(t, err)
	}
	for _, table := range []string{"~external_djext", "ext_scan"} {
		got := showCreate(t, c, s.Name(), table)
		want := showCreate(t, c, pyDB, table)
		if got != want {
			t.Errorf("%s differs from DataJoint 0.14's declaration:\n--- dj\n%s\n--- python\n%s", table, got, want)
		}
	}
	// Column by column, comments included.
	q := "SELECT column_name, column_type, is_nullable, IFNULL(column_default,'<none>'), column_comment FROM information_schema.columns WHERE table_schema=? AND table_name='ext_scan' ORDER BY ordinal_position"
	cols := func(db string) []string {
		rows, err := c.DB().QueryContext(ctx, q, db)
		must(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a, b, n, d, cm string
			must(t, rows.Scan(&a, &b, &n, &d, &cm))
			out = append(out, fmt.Sprint(a, "|", b, "|", n, "|", d, "|", cm))
		}
		return out
	}
	if g, w := cols(s.Name()), cols(pyDB); !slices.Equal(g, w) {
		t.Errorf("columns differ:\n dj     %q\n python %q", g, w)
	}
}
