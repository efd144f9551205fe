package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Declarations that must fail, each with the struct, the field and the
// fix that the message has to name.

type NoMarker struct {
	ID int32 `dj:"pk"`
}
type TwoMarkers struct {
	DJManual
	DJLookup
	ID int32 `dj:"pk"`
}
type PtrMarker struct {
	*DJManual
	ID int32 `dj:"pk"`
}
type UnknownOpt struct {
	DJManual
	ID int32 `dj:"pk,primary"`
}
type DupOpt struct {
	DJManual
	ID int32 `dj:"pk,pk"`
}
type PkNullable struct {
	DJManual
	ID *int32 `dj:"pk,nullable"`
}
type PkDefault struct {
	DJManual
	ID int32 `dj:"pk,default=3"`
}
type AutoNoPk struct {
	DJManual
	ID  int32 `dj:"pk"`
	Seq int32 `dj:"auto_increment"`
}
type SkipPlus struct {
	DJManual
	ID int32 `dj:"pk"`
	X  int32 `dj:"-,pk"`
}
type BareString struct {
	DJManual
	ID   int32 `dj:"pk"`
	Name string
}
type PlatformInt struct {
	DJManual
	ID    int32 `dj:"pk"`
	Count int
}
type BadType struct {
	DJManual
	ID   int32  `dj:"pk"`
	Name string `dj:"type=int"`
}
type Unsupported struct {
	DJManual
	ID   int32  `dj:"pk"`
	Name string `dj:"type=text"`
}
type NoKey struct {
	DJManual
	X int32
}
type BlobKey struct {
	DJManual
	Data []float64 `dj:"pk"`
}
type JSONKey struct {
	DJManual
	Doc string `dj:"pk,type=json"`
}
type PtrKey struct {
	DJManual
	ID *int32 `dj:"pk"`
}
type PtrDefault struct {
	DJManual
	ID int32  `dj:"pk"`
	X  *int32 `dj:"default=3"`
}
type NullDefaultValue struct {
	DJManual
	ID int32 `dj:"pk"`
	X  int32 `dj:"default=null"`
}
type BlobDefault struct {
	DJManual
	ID   int32     `dj:"pk"`
	Data []float64 `dj:"default=0"`
}
type AutoString struct {
	DJManual
	ID string `dj:"pk,type=varchar(8),auto_increment"`
}
type NullableFlag struct {
	DJManual
	ID int32 `dj:"pk"`
	X  int32 `dj:"nullable"`
}
type ProjOnField struct {
	DJManual
	ID int32 `dj:"pk,proj=(a=b)"`
}
type MissingInherited struct {
	DJManual
	Subject Ref[Subject] `dj:"pk"`
	N       int16        `dj:"pk"`
}
type InheritedNoPk struct {
	DJManual
	Subject   Ref[Subject] `dj:"pk"`
	SubjectID int32
}
type InheritedExtraPk struct {
	DJManual
	ID        int32        `dj:"pk"`
	Subject   Ref[Subject] ``
	SubjectID int32        `dj:"pk"`
}
type NullableRefValue struct {
	DJManual
	ID        int32        `dj:"pk"`
	Subject   Ref[Subject] `dj:"nullable"`
	SubjectID int32
}
type RefPtrField struct {
	DJManual
	ID        int32        `dj:"pk"`
	Subject   Ref[Subject] ``
	SubjectID *int32
}
type InheritedWrongType struct {
	DJManual
	Subject   Ref[Subject] `dj:"pk"`
	SubjectID float64      `dj:"pk"`
}
type InheritedDefault struct {
	DJManual
	ID        int32        `dj:"pk"`
	Subject   Ref[Subject] ``
	SubjectID int32        `dj:"default=1"`
}
type ProjUnknown struct {
	DJManual
	Subject Ref[Subject] `dj:"pk,proj=(animal=animal_id)"`
	Animal  int32        `dj:"pk"`
}
type RefPkNullable struct {
	DJManual
	Subject   Ref[Subject] `dj:"pk,nullable"`
	SubjectID int32        `dj:"pk"`
}
type RefName struct {
	DJManual
	Subject   Ref[Subject] `dj:"pk,name=x"`
	SubjectID int32        `dj:"pk"`
}
type RefComment struct {
	DJManual
	Subject   Ref[Subject] `dj:"pk" comment:"the subject"`
	SubjectID int32        `dj:"pk"`
}
type SelfPk struct {
	DJManual
	ID      int32       `dj:"pk"`
	Parent  Ref[SelfPk] `dj:"pk,proj=(parent_id=id)"`
	Parent2 int32       `dj:"pk"`
}
type SelfNoProj struct {
	DJManual
	ID     int32           `dj:"pk"`
	Parent Ref[SelfNoProj] ``
}
type KeyAfterSecondary struct {
	DJManual
	ID   int32 `dj:"pk"`
	X    int32
	Late int32 `dj:"pk"`
}
type BadMarkerOpt struct {
	DJManual `dj:"pk"`
	ID       int32 `dj:"pk"`
}
type BadIndex struct {
	DJManual `dj:"index=(nope)"`
	ID       int32 `dj:"pk"`
}
type DupColumn struct {
	DJManual
	ID    int32 `dj:"pk"`
	Other int32 `dj:"name=id"`
}
type ColonComment struct {
	DJManual
	ID int32 `dj:"pk" comment:":uuid: nope"`
}
type NestedPart struct {
	DJPart[ScanUnit]
	ID int32 `dj:"pk"`
}
type ThisStructNameIsFarTooLongForMySQLWhichAllowsOnlySixtyFourCharactersX struct {
	DJManual
	ID int32 `dj:"pk"`
}
type lowercase struct {
	DJManual
	ID int32 `dj:"pk"`
}
type RefToNoMarker struct {
	DJManual
	P  Ref[NoMarker] `dj:"pk"`
	ID int32         `dj:"pk"`
}
type BadColumnName struct {
	DJManual
	ID int32 `dj:"pk,name=Bad"`
}
type UnbalancedTag struct {
	DJManual
	ID int32 `dj:"pk,type=enum('a)"`
}

type SharedWrongType struct {
	DJManual
	SubjectID int64        `dj:"pk"`
	NoteID    int32        `dj:"pk"`
	Session   Ref[Session] `dj:"nullable"`
	SessionID *uint16
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		typ   reflect.Type
		field string
		fix   string
	}{
		{reflect.TypeFor[NoMarker](), "", "embed one of"},
		{reflect.TypeFor[TwoMarkers](), "", "keep exactly one"},
		{reflect.TypeFor[PtrMarker](), "DJManual", "by value"},
		{reflect.TypeFor[UnknownOpt](), "ID", `unknown option "primary"`},
		{reflect.TypeFor[UnknownOpt](), "ID", "valid options: pk, unique, nullable, auto_increment, -, name=<column>, type=<datajoint type>, default=<sql literal>"},
		{reflect.TypeFor[DupOpt](), "ID", "given twice"},
		{reflect.TypeFor[PkNullable](), "ID", "primary-key attributes cannot be NULL"},
		{reflect.TypeFor[PkDefault](), "ID", "take no default"},
		{reflect.TypeFor[AutoNoPk](), "Seq", "add pk or remove auto_increment"},
		{reflect.TypeFor[SkipPlus](), "X", "cannot be combined"},
		{reflect.TypeFor[BareString](), "Name", `dj:"type=varchar(255)"`},
		{reflect.TypeFor[PlatformInt](), "Count", "use int32 or int64"},
		{reflect.TypeFor[BadType](), "Name", "Go type string cannot hold every value of type=int; Go types that fit int: int32, int64"},
		{reflect.TypeFor[Unsupported](), "Name", `unsupported type "text"`},
		{reflect.TypeFor[NoKey](), "", `mark at least one field or reference with dj:"pk"`},
		{reflect.TypeFor[BlobKey](), "Data", "cannot be in the primary key"},
		{reflect.TypeFor[JSONKey](), "Doc", "cannot be in the primary key"},
		{reflect.TypeFor[PtrKey](), "ID", "cannot be nullable"},
		{reflect.TypeFor[PtrDefault](), "X", "defaults to NULL; remove default=3"},
		{reflect.TypeFor[NullDefaultValue](), "X", "make it *int32"},
		{reflect.TypeFor[BlobDefault](), "Data", "accept no default other than null"},
		{reflect.TypeFor[AutoString](), "ID", "only on an integer primary-key"},
		{reflect.TypeFor[NullableFlag](), "X", "make it *int32 or sql.Null[int32]"},
		{reflect.TypeFor[ProjOnField](), "ID", "reference fields only"},
		{reflect.TypeFor[MissingInherited](), "Subject", "add field SubjectID int32 `dj:\"pk\"`"},
		{reflect.TypeFor[InheritedNoPk](), "SubjectID", "add pk to its tag"},
		{reflect.TypeFor[InheritedExtraPk](), "SubjectID", "move it above Subject"},
		{reflect.TypeFor[NullableRefValue](), "SubjectID", "make it *int32"},
		{reflect.TypeFor[RefPtrField](), "SubjectID", "use int32, or add nullable to the reference"},
		{reflect.TypeFor[InheritedWrongType](), "SubjectID", "Go type float64 cannot hold every value of Subject's attribute \"subject_id\" of type int; Go types that fit int: int32, int64"},
		{reflect.TypeFor[InheritedDefault](), "SubjectID", "takes none of default="},
		{reflect.TypeFor[ProjUnknown](), "Subject", `"animal_id", which is not a primary-key attribute of Subject`},
		{reflect.TypeFor[RefPkNullable](), "Subject", "cannot be nullable"},
		{reflect.TypeFor[RefName](), "Subject", "valid options: pk, unique, nullable, proj=(new=old,...)"},
		{reflect.TypeFor[RefComment](), "Subject", "takes no comment"},
		{reflect.TypeFor[SelfPk](), "Parent", "self-reference cannot be in the primary key"},
		{reflect.TypeFor[SelfNoProj](), "Parent", "must rename the key"},
		{reflect.TypeFor[KeyAfterSecondary](), "Late", "move it above X"},
		{reflect.TypeFor[BadMarkerOpt](), "DJManual", "valid options: index=(a,b,...), unique=(a,b,...)"},
		{reflect.TypeFor[BadIndex](), "DJManual", `names attribute "nope"`},
		{reflect.TypeFor[DupColumn](), "Other", `both map to attribute "id"`},
		{reflect.TypeFor[ColonComment](), "ID", "must not start with ':'"},
		{reflect.TypeFor[NestedPart](), "", "parts cannot be nested"},
		{reflect.TypeFor[ThisStructNameIsFarTooLongForMySQLWhichAllowsOnlySixtyFourCharactersX](), "", "at most 64"},
		{reflect.TypeFor[lowercase](), "", "CamelCase"},
		{reflect.TypeFor[RefToNoMarker](), "P", "cannot resolve referenced table NoMarker"},
		{reflect.TypeFor[BadColumnName](), "ID", "not a valid attribute name"},
		{reflect.TypeFor[UnbalancedTag](), "ID", "unterminated quote"},
		{reflect.TypeFor[SharedWrongType](), "Session", `"subject_id" is bigint here but Session's attribute "subject_id" is int`},
	} {
		name := c.typ.Name()
		t.Run(name, func(t *testing.T) {
			reg := newRegistry("lab")
			_, err := Parse(c.typ, "lab", reg.resolve)
			if !errors.Is(err, djerr.ErrDeclaration) {
				t.Fatalf("Parse error = %v, want ErrDeclaration", err)
			}
			msg := err.Error()
			where := name
			if c.field != "" {
				where += "." + c.field
			}
			if !strings.Contains(msg, where) || !strings.Contains(msg, c.fix) {
				t.Errorf("error %q\n does not name %q and %q", msg, where, c.fix)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	reg := newRegistry("lab")
	tb := reg.parse(t, reflect.TypeFor[SpikesUnit]())
	if tb.Tier != Part || tb.Master != "__spikes" || tb.ClassName != "Unit" || tb.Name != "__spikes__unit" {
		t.Errorf("part metadata: %v %q %q %q", tb.Tier, tb.Master, tb.ClassName, tb.Name)
	}
	if tb.GoType != reflect.TypeFor[SpikesUnit]() {
		t.Errorf("GoType = %v", tb.GoType)
	}
	wantFields := map[string][]int{"subject_id": {1}, "session_id": {2}, "scan_idx": {3}, "unit_id": {5}, "rate": {6}}
	for _, a := range tb.Heading.Attributes {
		if !reflect.DeepEqual(a.Field, wantFields[a.Name]) {
			t.Errorf("%s: Field = %v, want %v", a.Name, a.Field, wantFields[a.Name])
		}
		if a.GoType == nil {
			t.Errorf("%s: no GoType", a.Name)
		}
	}
	if got := tb.Heading.PrimaryKey(); !reflect.DeepEqual(got, []string{"subject_id", "session_id", "scan_idx", "unit_id"}) {
		t.Errorf("PrimaryKey = %v", got)
	}
	if len(tb.ForeignKeys) != 2 || !tb.ForeignKeys[0].Primary || tb.ForeignKeys[0].ParentTable != "__spikes" || tb.ForeignKeys[1].ParentTable != "_scan__unit" {
		t.Errorf("ForeignKeys = %+v", tb.ForeignKeys)
	}

	ch := reg.parse(t, reflect.TypeFor[Channel]())
	if ch.ClassName != "Channel" || ch.Name != "__spikes__channel" {
		t.Errorf("part without prefix: %q %q", ch.ClassName, ch.Name)
	}

	syn := reg.parse(t, reflect.TypeFor[Synapse]())
	if !syn.ForeignKeys[0].Renamed() || syn.ForeignKeys[0].RefAttrs[0] != "neuron_id" || syn.ForeignKeys[0].Attrs[0] != "pre_id" {
		t.Errorf("renamed FK = %+v", syn.ForeignKeys[0])
	}

	sess := reg.parse(t, reflect.TypeFor[Session]())
	rig, _ := sess.Heading.Attr("rig_uuid")
	if rig.Category != CatUUID || !rig.Nullable || rig.InKey || rig.Comment != "rig id" {
		t.Errorf("inherited uuid = %+v", rig)
	}
	if fk := sess.ForeignKeys[1]; !fk.Nullable || fk.Primary {
		t.Errorf("nullable FK = %+v", fk)
	}

	scan := reg.parse(t, reflect.TypeFor[Scan]())
	img, _ := scan.Heading.Attr("img")
	if img.Category != CatExternalBlob || img.Store != "ext" || img.Marker() != ":blob@ext:" {
		t.Errorf("external attribute = %+v", img)
	}

	// Embedded structs are flattened; "-" and unexported fields are skipped.
	type Common struct {
		Note string `dj:"type=varchar(20),default=''"`
	}
	type Flat struct {
		DJManual
		ID int32 `dj:"pk"`
		Common
		Cache  []byte `dj:"-"`
		hidden int32
	}
	fl, err := Parse(reflect.TypeFor[Flat](), "lab", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fl.Heading.Names(); !reflect.DeepEqual(got, []string{"id", "note"}) {
		t.Errorf("flattened heading = %v", got)
	}
	if a, _ := fl.Heading.Attr("note"); !reflect.DeepEqual(a.Field, []int{2, 0}) {
		t.Errorf("embedded field index = %v", a.Field)
	}
	_ = Flat{}.hidden

	deps, err := Dependencies(reflect.TypeFor[SpikesUnit]())
	if err != nil || !reflect.DeepEqual(deps, []reflect.Type{reflect.TypeFor[Spikes](), reflect.TypeFor[ScanUnit]()}) {
		t.Errorf("Dependencies = %v, %v", deps, err)
	}
	deps, _ = Dependencies(reflect.TypeFor[Neuron]())
	if !reflect.DeepEqual(deps, []reflect.Type{reflect.TypeFor[Neuron]()}) {
		t.Errorf("Dependencies(self) = %v", deps)
	}
	if _, err := Dependencies(reflect.TypeFor[NoMarker]()); !errors.Is(err, djerr.ErrDeclaration) {
		t.Errorf("Dependencies(no marker) = %v", err)
	}
}

func TestParseTag(t *testing.T) {
	opts, err := parseTag(`pk, type=enum('a,b','c'), default='x,(y', proj=(a=b, c=d),unique`)
	if err != nil {
		t.Fatal(err)
	}
	want := []tagOption{
		{key: "pk"},
		{key: "type", value: "enum('a,b','c')", hasVal: true},
		{key: "default", value: "'x,(y'", hasVal: true},
		{key: "proj", value: "(a=b, c=d)", hasVal: true},
		{key: "unique"},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("parseTag = %+v", opts)
	}
	for _, bad := range []string{"pk,,unique", "type=enum('a", "proj=(a=b", "x)"} {
		if _, err := parseTag(bad); err == nil {
			t.Errorf("parseTag(%q) accepted", bad)
		}
	}
	mt, err := parseMarkerTag("S", "DJManual", "index=(a,b),unique=(c),index=(d)")
	if err != nil || len(mt.indexes) != 3 || !mt.indexes[1].Unique || !reflect.DeepEqual(mt.indexes[0].Attrs, []string{"a", "b"}) {
		t.Errorf("parseMarkerTag = %+v, %v", mt, err)
	}
	rt, err := parseRefTag("S", "R", "pk,unique,proj=(new_a=a,new_b=b)")
	if err != nil || !rt.pk || !rt.unique || !reflect.DeepEqual(rt.proj, [][2]string{{"new_a", "a"}, {"new_b", "b"}}) {
		t.Errorf("parseRefTag = %+v, %v", rt, err)
	}
	if _, err := parseRefTag("S", "R", "proj=(a)"); err == nil {
		t.Error("proj=(a) accepted")
	}
}

func TestSQLDefault(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0", `"0"`},
		{"mouse", `"mouse"`},
		{"'mouse'", `'mouse'`},
		{`"x"`, `"x"`},
		{"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
		{"current_timestamp(6)", "current_timestamp(6)"},
		{"NULL", "NULL"},
		{"1.5", `"1.5"`},
	} {
		if got := sqlDefault(c.in); got != c.want {
			t.Errorf("sqlDefault(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// Parents read back from the database (from Load) have no Go types; the
// inherited attributes take the types DataJoint reads back.
type PyChild struct {
	DJManual
	Parent Ref[PyParent] `dj:"pk"`
	N      int16         `dj:"pk"`
}
type PyParent struct{ DJManual }

type PyChildComplete struct {
	DJManual
	Parent  Ref[PyParent] `dj:"pk"`
	Sid     int32         `dj:"pk"`
	Big     uint64        `dj:"pk"`
	Flag    bool          `dj:"pk"`
	UID     [16]byte      `dj:"pk"`
	Day     time.Time     `dj:"pk"`
	Code    string        `dj:"pk"`
	F       float32       `dj:"pk"`
	Amount  string        `dj:"pk"`
	Payload float64
}

func TestParseAgainstLoadedParent(t *testing.T) {
	parent := &Table{Database: "py", Name: "py_parent", Tier: Manual, Heading: Heading{Attributes: []Attribute{
		{Name: "sid", Type: "int", SQLType: "int(11)", Category: CatInteger, InKey: true, Comment: "subject"},
		{Name: "big", Type: "bigint unsigned", SQLType: "bigint(20) unsigned", Category: CatInteger, Unsigned: true, InKey: true},
		{Name: "flag", Type: "tinyint", SQLType: "tinyint(1)", Category: CatInteger, InKey: true},
		{Name: "uid", Type: "uuid", SQLType: "binary(16)", Category: CatUUID, InKey: true, Comment: "id"},
		{Name: "day", Type: "date", SQLType: "date", Category: CatTemporal, InKey: true},
		{Name: "code", Type: "varchar(8)", SQLType: "varchar(8)", Category: CatString, InKey: true},
		{Name: "f", Type: "float", SQLType: "float", Category: CatFloat, InKey: true},
		{Name: "amount", Type: "decimal(5,2)", SQLType: "decimal(5,2)", Category: CatDecimal, InKey: true},
	}}}
	resolve := func(reflect.Type) (*Table, error) { return parent, nil }
	_, err := Parse(reflect.TypeFor[PyChild](), "py", resolve)
	if err == nil || !strings.Contains(err.Error(), "add field Sid int32 `dj:\"pk\"`") {
		t.Errorf("missing inherited field: %v", err)
	}
	tb, err := Parse(reflect.TypeFor[PyChildComplete](), "py", resolve)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE IF NOT EXISTS `py`.`py_child_complete` (\n" +
		"`sid` int NOT NULL COMMENT \"subject\",\n" +
		"`big` bigint unsigned NOT NULL COMMENT \"\",\n" +
		"`flag` tinyint NOT NULL COMMENT \"\",\n" +
		"`uid` binary(16) NOT NULL COMMENT \":uuid:id\",\n" +
		"`day` date NOT NULL COMMENT \"\",\n" +
		"`code` varchar(8) NOT NULL COMMENT \"\",\n" +
		"`f` float NOT NULL COMMENT \"\",\n" +
		"`amount` decimal(5,2) NOT NULL COMMENT \"\",\n" +
		"`payload` double NOT NULL,\n" +
		"PRIMARY KEY (`sid`,`big`,`flag`,`uid`,`day`,`code`,`f`,`amount`),\n" +
		"FOREIGN KEY (`sid`,`big`,`flag`,`uid`,`day`,`code`,`f`,`amount`) REFERENCES `py`.`py_parent` (`sid`,`big`,`flag`,`uid`,`day`,`code`,`f`,`amount`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
		") ENGINE=InnoDB, COMMENT \"\""
	if got := tb.CreateSQL(); got != want {
		t.Errorf("CreateSQL\n got:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range []struct {
		attr string
		want string
	}{
		{"sid", "int32"}, {"big", "uint64"}, {"flag", "int8"}, {"uid", "uuid.UUID"}, {"day", "time.Time"},
		{"code", "string"}, {"f", "float32"}, {"amount", "string"},
	} {
		pa, _ := parent.Heading.Attr(c.attr)
		ti, _ := ParseType(CanonicalType(pa.Type))
		if pa.Category == CatUUID {
			ti, _ = ParseType("uuid")
		}
		if got := suggestGoType(pa, ti); got != c.want {
			t.Errorf("suggestGoType(%s) = %s, want %s", c.attr, got, c.want)
		}
	}
	if got := suggestField("rig_uuid_id"); got != "RigUUIDID" {
		t.Errorf("suggestField = %s", got)
	}
}

func TestCompareUnit(t *testing.T) {
	base := func() *Table {
		return &Table{Database: "d", Name: "t", Heading: Heading{Attributes: []Attribute{
			{Name: "id", Type: "int unsigned", Category: CatInteger, InKey: true, AutoIncrement: true},
			{Name: "x", Type: "decimal(5,2)", Category: CatDecimal, HasDefault: true, Default: `"1.5"`},
			{Name: "b", Type: "bool", Category: CatBool, HasDefault: true, Default: `"1"`},
		}}}
	}
	a, b := base(), base()
	b.Heading.Attributes[0].Type = "int(10) unsigned"
	b.Heading.Attributes[1].Default = "1.50"
	b.Heading.Attributes[2].Type, b.Heading.Attributes[2].Category = "tinyint", CatInteger
	if err := Compare(a, b); err != nil {
		t.Errorf("equivalent tables differ: %v", err)
	}
	b.Heading.Attributes[0].AutoIncrement = false
	if err := Compare(a, b); err == nil || !strings.Contains(err.Error(), `"id" is auto_increment in the struct but not auto_increment`) {
		t.Errorf("auto_increment difference: %v", err)
	}
}
