package dj_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func TestDeclareCreatesDataJointTables(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)

	var names []string
	rows, err := c.DB().QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema=? ORDER BY BINARY table_name", s.Name())
	must(t, err)
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		names = append(names, n)
	}
	must(t, rows.Err())
	rows.Close()
	want := "#species,__filtered,__filtered__channel,session,subject,~log"
	if got := strings.Join(names, ","); got != want {
		t.Fatalf("tables = %s, want %s", got, want)
	}

	// The Lookup's contents were inserted at declaration.
	sp, err := dj.Fetch[Species](ctx, c, dj.From[Species](c).OrderBy("species"))
	must(t, err)
	if len(sp) != 2 || sp[0].Species != "mouse" || sp[1].Species != "rat" {
		t.Fatalf("species contents = %+v", sp)
	}

	// Table comment and a column comment reach the database.
	var comment string
	must(t, c.DB().QueryRowContext(ctx, "SELECT table_comment FROM information_schema.tables WHERE table_schema=? AND table_name='subject'", s.Name()).Scan(&comment))
	if comment != "experimental subject" {
		t.Fatalf("table comment = %q", comment)
	}

	// Declaring again is a no-op that checks the heading.
	must(t, s.Declare(ctx, Species{}, Subject{}, Session{}))
}

// SubjectMismatch claims a table as Subject with another heading.
type SubjectMismatch struct {
	dj.Manual
	SubjectID int64 `dj:"pk"`
}

func TestDeclareMismatchWithExistingTable(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	_, err := c.DB().ExecContext(ctx, "CREATE TABLE `"+s.Name()+"`.`subject_mismatch` (`subject_id` int NOT NULL, PRIMARY KEY (`subject_id`)) ENGINE=InnoDB")
	must(t, err)
	err = s.Declare(ctx, SubjectMismatch{})
	wantErr(t, err, dj.ErrHeadingMismatch)
	if !strings.Contains(err.Error(), "subject_id") {
		t.Fatalf("error does not name the attribute: %v", err)
	}
}

type BadOption struct {
	dj.Manual
	ID int32 `dj:"pk,primary"`
}

type BadGoType struct {
	dj.Manual
	ID int `dj:"pk"`
}

type NoStringLength struct {
	dj.Manual
	Name string `dj:"pk"`
}

type CycleA struct {
	dj.Manual
	B  dj.Ref[CycleB] `dj:"pk"`
	ID int32          `dj:"pk"`
}

type CycleB struct {
	dj.Manual
	A  dj.Ref[CycleA] `dj:"pk"`
	ID int32          `dj:"pk"`
}

type KeyTypeMismatch struct {
	dj.Manual
	Subject   dj.Ref[Subject] `dj:"pk"`
	SubjectID string          `dj:"pk,type=varchar(10)"`
	Num       int32           `dj:"pk"`
}

type MissingInherited struct {
	dj.Manual
	Subject dj.Ref[Subject] `dj:"pk"`
	Num     int32           `dj:"pk"`
}

type NoKey struct {
	dj.Manual
	Value float64
}

func TestDeclarationErrors(t *testing.T) {
	c, s := connect(t)
	_ = c
	ctx := context.Background()
	declareLab(t, s)
	cases := []struct {
		name  string
		table any
		want  []string // fragments the message must contain
	}{
		{"unknown tag option", BadOption{}, []string{"BadOption", "ID", "primary"}},
		{"platform-sized int", BadGoType{}, []string{"BadGoType", "ID", "int32"}},
		{"string without length", NoStringLength{}, []string{"NoStringLength", "Name", "varchar"}},
		{"reference cycle", []any{CycleA{}, CycleB{}}, []string{"cycle", "CycleA", "CycleB"}},
		{"key type differs from parent", KeyTypeMismatch{}, []string{"KeyTypeMismatch", "SubjectID"}},
		{"inherited key field missing", MissingInherited{}, []string{"MissingInherited", "SubjectID"}},
		{"no primary key", NoKey{}, []string{"NoKey", "primary key"}},
		{"not a struct", 42, []string{"int"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tables := []any{tc.table}
			if list, ok := tc.table.([]any); ok {
				tables = list
			}
			err := s.Declare(ctx, tables...)
			wantErr(t, err, dj.ErrDeclaration)
			for _, frag := range tc.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error %q does not mention %q", err, frag)
				}
			}
		})
	}
}

func TestOpenTableWithoutStruct(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	db := s.Name()
	// Tables as DataJoint for Python declares them (reference §2.2 style).
	for _, stmt := range []string{
		"CREATE TABLE `" + db + "`.`animal` (\n`animal_id` int NOT NULL COMMENT \"animal id\",\n`name` varchar(64) NOT NULL DEFAULT \"\" COMMENT \"name\",\nPRIMARY KEY (`animal_id`)\n) ENGINE=InnoDB, COMMENT \"an animal\"",
		"CREATE TABLE `" + db + "`.`_scan` (\n`animal_id` int NOT NULL COMMENT \"animal id\",\n`scan_id` smallint unsigned NOT NULL,\n`signal` longblob NOT NULL COMMENT \"raw trace\",\n`uid` binary(16) NOT NULL COMMENT \":uuid:a uuid\",\n`depth` double DEFAULT NULL,\nPRIMARY KEY (`animal_id`,`scan_id`),\nFOREIGN KEY (`animal_id`) REFERENCES `" + db + "`.`animal` (`animal_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n) ENGINE=InnoDB, COMMENT \"a scan\"",
	} {
		_, err := c.DB().ExecContext(ctx, stmt)
		must(t, err)
	}
	animal, err := s.Table(ctx, "Animal")
	must(t, err)
	scan, err := s.Table(ctx, "_scan")
	must(t, err)
	if scan.ClassName() != "Scan" || scan.Tier().String() != "Imported" {
		t.Fatalf("scan opened as %s (%s)", scan.ClassName(), scan.Tier())
	}
	must(t, animal.Insert(ctx, c, []map[string]any{{"animal_id": 1, "name": "a"}}))
	must(t, animal.Insert1(ctx, c, map[string]any{"animal_id": 2}))
	wantErr(t, animal.Insert(ctx, c, []map[string]any{{"animal_id": 3, "name": "c"}, {"animal_id": 4}}), dj.ErrMissingAttribute)
	uid := "0d8e2a3c-2f5c-4b8e-9a61-8f3f2b6b2a10"
	must(t, scan.Insert1(ctx, c, map[string]any{"animal_id": 1, "scan_id": 7, "signal": []float64{1, 2, 3}, "uid": uid}, dj.AllowDirectInsert()))
	wantErr(t, scan.Insert1(ctx, c, map[string]any{"animal_id": 2, "scan_id": 1, "signal": []float64{}, "uid": uid}), dj.ErrDirectInsert)

	got, err := dj.FetchMaps(ctx, c, scan.Expr())
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("rows = %v", got)
	}
	row := got[0]
	if row["animal_id"] != int64(1) || row["scan_id"] != int64(7) || row["depth"] != nil {
		t.Fatalf("row = %#v", row)
	}
	sig, ok := row["signal"].([]float64)
	if !ok || len(sig) != 3 || sig[2] != 3 {
		t.Fatalf("signal = %#v", row["signal"])
	}
	if u, ok := row["uid"].(interface{ String() string }); !ok || u.String() != uid {
		t.Fatalf("uid = %#v", row["uid"])
	}
	names, err := dj.FetchMaps(ctx, c, animal.Expr().Restrict(dj.Match(dj.Key{"animal_id": 2})))
	must(t, err)
	if len(names) != 1 || names[0]["name"] != "" {
		t.Fatalf("default not applied: %v", names)
	}
	_, err = s.Table(ctx, "Nothing")
	wantErr(t, err, dj.ErrMissingTable)
}

func TestSchemaNoCreate(t *testing.T) {
	srv := testenv.MySQL(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer c.Close()
	_, err = c.Schema(ctx, "djtest_does_not_exist_x9", dj.NoCreate())
	wantErr(t, err, dj.ErrMissingTable)
}

// Document holds an attachment and JSON in struct-typed fields.
type Document struct {
	dj.Manual
	DocID int32         `dj:"pk"`
	File  dj.Attachment `dj:"type=attach"`
	Meta  docMeta       `dj:"type=json"`
}

type docMeta struct {
	Author string   `json:"author"`
	Tags   []string `json:"tags"`
}

func TestAttachmentAndJSONFields(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, Document{}))
	in := Document{DocID: 1, File: dj.Attachment{Name: "notes.txt", Data: []byte("hello\x00world")}, Meta: docMeta{Author: "ada", Tags: []string{"a", "b"}}}
	must(t, dj.Insert1(ctx, c, in))
	out, err := dj.FetchOne[Document](ctx, c, dj.From[Document](c))
	must(t, err)
	if out.File.Name != "notes.txt" || string(out.File.Data) != "hello\x00world" || out.Meta.Author != "ada" || len(out.Meta.Tags) != 2 {
		t.Fatalf("document = %+v", out)
	}
	// The column holds DataJoint's inline attach form: name, NUL, contents.
	var raw []byte
	must(t, c.DB().QueryRowContext(ctx, "SELECT `file` FROM `"+s.Name()+"`.`document`").Scan(&raw))
	if string(raw) != "notes.txt\x00hello\x00world" {
		t.Fatalf("stored attach = %q", raw)
	}
}
