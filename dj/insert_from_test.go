package dj_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// Roster receives students and their majors from queries.
type Roster struct {
	dj.Manual `comment:"students with their major, if any"`
	StudentID int32   `dj:"pk"`
	LastName  string  `dj:"type=varchar(40)"`
	Dept      *string `dj:"type=varchar(6)"`
}

// TestInsertFromUniversity inserts query results server-side in each mode
// and compares the table with hand-written SQL.
func TestInsertFromUniversity(t *testing.T) {
	c, s := buildUniversity(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, Roster{}))
	student, major := dj.From[Student](c), dj.From[StudentMajor](c)
	roster := dj.From[Roster](c)
	ca := student.Restrict(dj.Where("home_state = ?", "CA"))
	check := func(what, query string) {
		t.Helper()
		sameRows(t, c, s, roster, query)
	}
	const firstNamesOfCA = "SELECT s.student_id, s.first_name, m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id WHERE s.home_state = 'CA'"

	// A left join, with a renamed attribute, into a table with a nullable
	// attribute.
	must(t, dj.InsertFrom[Roster](ctx, c, ca.Proj("last_name=first_name").LeftJoin(major.Proj("dept"))))
	check("insert", firstNamesOfCA)
	if n := sqlInt(t, c, s, "SELECT COUNT(*) FROM `%s`.roster WHERE dept IS NULL"); n == 0 {
		t.Fatal("no student from CA without a major: the NULL case is not exercised")
	}

	// Duplicates fail the whole statement.
	err := dj.InsertFrom[Roster](ctx, c, student.Proj("last_name"))
	wantErr(t, err, dj.ErrDuplicate)
	check("failed insert", firstNamesOfCA)

	// SkipDuplicates keeps the existing rows and adds the others.
	must(t, dj.InsertFrom[Roster](ctx, c, student.Proj("last_name").LeftJoin(major.Proj("dept")), dj.SkipDuplicates()))
	check("skip duplicates", "SELECT s.student_id, IF(s.home_state = 'CA', s.first_name, s.last_name), m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id")

	// Replace overwrites whole rows: dept takes its default (NULL).
	must(t, dj.InsertFrom[Roster](ctx, c, ca.Proj("last_name"), dj.Replace()))
	check("replace", "SELECT s.student_id, s.last_name, IF(s.home_state = 'CA', NULL, m.dept) FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id")

	// Attributes of the query that the table lacks.
	err = dj.InsertFrom[Roster](ctx, c, student.LeftJoin(major), dj.Replace())
	wantErr(t, err, dj.ErrUnknownAttribute)
	if !strings.Contains(err.Error(), "first_name") || !strings.Contains(err.Error(), "IgnoreExtraFields") {
		t.Errorf("error %q should name first_name and the option", err)
	}
	must(t, dj.InsertFrom[Roster](ctx, c, student.LeftJoin(major), dj.Replace(), dj.IgnoreExtraFields()))
	check("ignore extra fields", "SELECT s.student_id, s.last_name, m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id")

	// A required attribute the query lacks, and NULL into NOT NULL.
	_, err = dj.DeleteQuick(ctx, c, roster)
	must(t, err)
	wantErr(t, dj.InsertFrom[Roster](ctx, c, student.Proj()), dj.ErrMissingAttribute)
	wantErr(t, dj.InsertFrom[Roster](ctx, c, student.Proj().LeftJoin(major.Proj("last_name=dept"))), dj.ErrMissingAttribute)
	if n := sqlInt(t, c, s, "SELECT COUNT(*) FROM `%s`.roster"); n != 0 {
		t.Fatalf("failed inserts left %d rows", n)
	}

	// An aggregation and a table handle opened by name.
	tbl, err := s.Table(ctx, "roster")
	must(t, err)
	must(t, tbl.InsertFrom(ctx, c, student.Aggr(major, "last_name=max(last_name)", "dept=min(dept)")))
	check("aggregation", "SELECT s.student_id, s.last_name, m.dept FROM {s}.student s JOIN {s}.student_major m ON m.student_id = s.student_id")
}

// ExtBlobCopy receives external blobs copied by InsertFrom.
type ExtBlobCopy struct {
	dj.Manual `comment:"copies of external blobs"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@djext"`
}

// InlineBlobCopy has a blob stored in the table, not in a store.
type InlineBlobCopy struct {
	dj.Manual `comment:"blobs stored in the table"`
	ID        int32 `dj:"pk"`
	Data      []byte
}

// ExtBlobElsewhere is ExtBlobCopy declared in another schema.
type ExtBlobElsewhere struct {
	dj.Manual `comment:"copies in another schema"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@djext"`
}

// TestInsertFromExternal copies external blobs between tables of one
// schema: the values are copied as stored, the tracking rows they refer to
// stay valid (cleanup keeps them while a copy refers to them), and
// copies that cannot keep them valid are refused.
func TestInsertFromExternal(t *testing.T) {
	eachStore(t, func(t *testing.T, env storeEnv) {
		ctx := context.Background()
		c, s := connectStore(t, env)
		must(t, s.Declare(ctx, ExtBlob{}, ExtBlobCopy{}, InlineBlobCopy{}))
		var rows []ExtBlob
		for i := range 20 {
			data := make([]byte, 2000+i*50)
			_, _ = rand.Read(data)
			rows = append(rows, ExtBlob{ID: int32(i), Data: data})
		}
		must(t, dj.Insert(ctx, c, rows))
		src := dj.From[ExtBlob](c)
		tracked := len(trackingRows(t, c, s.Name()))

		must(t, dj.InsertFrom[ExtBlobCopy](ctx, c, src.Restrict(dj.Where("id < ?", 10))))
		must(t, dj.InsertFrom[ExtBlobCopy](ctx, c, src, dj.SkipDuplicates()))
		if n := len(trackingRows(t, c, s.Name())); n != tracked {
			t.Fatalf("%d tracking rows after the copy, want %d", n, tracked)
		}
		var same int64
		must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+s.Name()+"`.ext_blob a JOIN `"+s.Name()+"`.ext_blob_copy b USING (id) WHERE a.data = b.data").Scan(&same))
		if same != 20 {
			t.Fatalf("%d copied hashes equal the source's, want 20", same)
		}

		// With the source rows gone, the copies keep the objects in use.
		_, err := dj.DeleteQuick(ctx, c, src)
		must(t, err)
		x := s.External(extStore)
		unused, err := x.Unused(ctx)
		must(t, err)
		if len(unused) != 0 {
			t.Fatalf("%d objects unused while the copies refer to them", len(unused))
		}
		_, err = x.Delete(ctx, true)
		must(t, err)
		got, err := dj.Fetch[ExtBlobCopy](ctx, c, dj.From[ExtBlobCopy](c).OrderBy("id"))
		must(t, err)
		if len(got) != len(rows) {
			t.Fatalf("fetched %d copies, want %d", len(got), len(rows))
		}
		for i := range rows {
			if !bytes.Equal(got[i].Data, rows[i].Data) {
				t.Fatalf("copy %d differs from its source", i)
			}
		}

		// Copies that would not stay valid are refused before anything is
		// sent.
		err = dj.InsertFrom[InlineBlobCopy](ctx, c, dj.From[ExtBlobCopy](c))
		wantErr(t, err, dj.ErrType)
		err = dj.InsertFrom[ExtBlobCopy](ctx, c, dj.From[InlineBlobCopy](c).Proj("data"), dj.SkipDuplicates())
		wantErr(t, err, dj.ErrType)
		other, err := c.Schema(ctx, testenv.Database(t))
		must(t, err)
		must(t, other.Declare(ctx, ExtBlobElsewhere{}))
		err = dj.InsertFrom[ExtBlobElsewhere](ctx, c, dj.From[ExtBlobCopy](c))
		wantErr(t, err, dj.ErrStore)
		if !strings.Contains(err.Error(), s.Name()) {
			t.Errorf("error %q should name the schema that tracks the objects", err)
		}
		if n := countRows(t, c, "`"+other.Name()+"`.`ext_blob_elsewhere`"); n != 0 {
			t.Fatalf("a refused copy inserted %d rows", n)
		}
	})
}

// TestInsertFromAutoPopulated: an Imported or Computed table takes rows
// from a query only inside its make or with AllowDirectInsert, as Insert.
func TestInsertFromAutoPopulated(t *testing.T) {
	c := offlineLab()
	err := dj.InsertFrom[Neuron](context.Background(), c, dj.From[Neuron](c))
	wantErr(t, err, dj.ErrDirectInsert)
	tbl, err := dj.TableOf[Neuron](c)
	must(t, err)
	stmt, _, err := tbl.InsertFromSQL(dj.From[Neuron](c).Proj("rate=rate*2"), dj.AllowDirectInsert())
	must(t, err)
	if want := "INSERT INTO `lab`.`__neuron` (`mouse_id`,`scan_idx`,`neuron_id`,`rate`) SELECT `mouse_id`,`scan_idx`,`neuron_id`,(rate*2) as `rate` FROM `lab`.`__neuron`"; stmt != want {
		t.Errorf("statement\n%s\nwant\n%s", stmt, want)
	}
}
