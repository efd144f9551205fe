package schema

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// A field whose Go type cannot hold every value of its column is a
// declaration error naming the field, the column type and the Go types
// that fit.

type BigParent struct {
	DJManual
	ID int64 `dj:"pk"`
}

type SmallChild struct {
	DJManual
	Parent Ref[BigParent] `dj:"pk"`
	ID     int16          `dj:"pk"`
	N      int32          `dj:"pk"`
}

type UnsignedParent struct {
	DJManual
	ID uint32 `dj:"pk"`
}

type SignedChild struct {
	DJManual
	Parent Ref[UnsignedParent] `dj:"pk"`
	ID     int32               `dj:"pk"`
}

type WideChild struct {
	DJManual
	Parent Ref[UnsignedParent] `dj:"pk"`
	ID     int64               `dj:"pk"`
}

type BoolParent struct {
	DJManual
	On bool `dj:"pk"`
}

type BoolChild struct {
	DJManual
	Parent Ref[BoolParent] `dj:"pk"`
	On     bool            `dj:"pk"`
}

func TestInheritedFit(t *testing.T) {
	reg := newRegistry("lab")
	_, err := Parse(reflect.TypeFor[SmallChild](), "lab", reg.resolve)
	for _, w := range []string{"SmallChild.ID", "int16", "bigint", "Go types that fit bigint: int64"} {
		if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), w) {
			t.Errorf("int16 for a bigint parent key: %v lacks %q", err, w)
		}
	}
	_, err = Parse(reflect.TypeFor[SignedChild](), "lab", reg.resolve)
	if err == nil || !strings.Contains(err.Error(), "SignedChild.ID") || !strings.Contains(err.Error(), "int unsigned: int64, int, uint32, uint64, uint") {
		t.Errorf("int32 for an int unsigned parent key: %v", err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[WideChild](), reflect.TypeFor[BoolChild]()} {
		if _, err := Parse(typ, "lab", reg.resolve); err != nil {
			t.Errorf("%s: %v", typ.Name(), err)
		}
	}
}

// fieldStruct is a table struct with a key and one field F of type typ
// with the given dj tag.
func fieldStruct(typ reflect.Type, tag string) reflect.Type {
	return reflect.StructOf([]reflect.StructField{
		{Name: "DJManual", Type: reflect.TypeFor[DJManual](), Anonymous: true},
		{Name: "ID", Type: reflect.TypeFor[int32](), Tag: `dj:"pk"`},
		{Name: "F", Type: typ, Tag: reflect.StructTag(`dj:"` + tag + `"`)},
	})
}

func TestTypeTagFit(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		tag  string
		fits string // the Go types that fit, as the error lists them
	}{
		{reflect.TypeFor[int32](), "type=bigint", "int64, int"},
		{reflect.TypeFor[uint8](), "type=int", "int32, int64, int"},
		{reflect.TypeFor[float32](), "type=double", "float64"},
		{reflect.TypeFor[int64](), "type=bigint unsigned", "uint64, uint"},
		{reflect.TypeFor[uint32](), "type=int", "int32, int64, int"},
		{reflect.TypeFor[uint64](), "type=tinyint", "int8, int16, int32, int64, int"},
		{reflect.TypeFor[time.Time](), "type=time", "time.Duration, string"},
		{reflect.TypeFor[*int16](), "type=int,nullable", "int32, int64, int"},
		{reflect.TypeFor[int64](), "type=decimal(5,2)", "float32, float64, string, blob.Decimal"},
		{reflect.TypeFor[float64](), "type=decimal(20,4)", "string, blob.Decimal"},
		{reflect.TypeFor[bool](), "type=tinyint", "int8, int16, int32, int64, int"},
		{reflect.TypeFor[string](), "type=int", "int32, int64, int"},
		{reflect.TypeFor[[]byte](), "type=attach", "dj.Attachment, string (a file path)"},
		{reflect.TypeFor[time.Duration](), "type=datetime", "time.Time, string"},
	} {
		_, err := parseAs(fieldStruct(c.typ, c.tag), "Fit", "lab", nil)
		want := "Fit.F: Go type " + c.typ.String() + " cannot hold every value of " + c.tag[:strings.IndexByte(c.tag+",", ',')]
		if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), ": "+c.fits) {
			t.Errorf("%s %s: %v\nwant %q ... %q", c.typ, c.tag, err, want, c.fits)
		}
	}
	for _, c := range []struct {
		typ  reflect.Type
		tag  string
		line string
	}{
		{reflect.TypeFor[time.Duration](), "type=time", "`f` time NOT NULL"},
		{reflect.TypeFor[*time.Duration](), "type=time(6)", "`f` time(6) DEFAULT NULL"},
		{reflect.TypeFor[time.Duration](), "", "`f` bigint NOT NULL"},
		{reflect.TypeFor[int16](), "type=year", "`f` year NOT NULL"},
		{reflect.TypeFor[string](), "type=uuid", "`f` binary(16) NOT NULL COMMENT \":uuid:\""},
		{reflect.TypeFor[[]byte](), "type=varchar(10)", "`f` varchar(10) NOT NULL"},
		{reflect.TypeFor[float64](), "type=longblob", "`f` longblob NOT NULL"},
		{reflect.TypeFor[string](), "type=blob@ext", "`f` binary(16) NOT NULL COMMENT \":blob@ext:\""},
		{reflect.TypeFor[time.Time](), "type=mediumblob", "`f` mediumblob NOT NULL"},
		{reflect.TypeFor[int64](), "type=int unsigned", "`f` int unsigned NOT NULL"},
		{reflect.TypeFor[int64](), "type=decimal(18,0)", "`f` decimal(18,0) NOT NULL"},
		{reflect.TypeFor[float64](), "type=decimal(15,5)", "`f` decimal(15,5) NOT NULL"},
		{reflect.TypeFor[bool](), "type=bool", "`f` bool NOT NULL"},
		{reflect.TypeFor[int8](), "type=bool", "`f` bool NOT NULL"},
		{reflect.TypeFor[any](), "type=time", "`f` time NOT NULL"},
	} {
		tb, err := parseAs(fieldStruct(c.typ, c.tag), "Fit", "lab", nil)
		if err != nil {
			t.Errorf("%s %s: %v", c.typ, c.tag, err)
			continue
		}
		if got := strings.Split(tb.CreateSQL(), "\n")[2]; !strings.HasPrefix(got, c.line) {
			t.Errorf("%s %s: %q, want %q", c.typ, c.tag, got, c.line)
		}
	}
}

type Flags struct {
	DJManual
	ID   int32 `dj:"pk"`
	Flag bool
}

// TestCompareFit binds a struct to a table whose column has the same
// canonical type as the declared one but a wider range: bool against a
// plain tinyint column.
func TestCompareFit(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	lab := testenv.Database(t)
	declared, err := Parse(reflect.TypeFor[Flags](), lab, nil)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, declared.CreateSQL())
	loaded, err := Load(ctx, db, lab, "flags")
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(declared, loaded); err != nil {
		t.Fatalf("bool against the tinyint(1) that MySQL makes of bool: %v", err)
	}
	exec(t, db, "ALTER TABLE "+declared.FullName()+" MODIFY `flag` tinyint NOT NULL")
	if loaded, err = Load(ctx, db, lab, "flags"); err != nil {
		t.Fatal(err)
	}
	err = Compare(declared, loaded)
	if !errors.Is(err, djerr.ErrHeadingMismatch) || !strings.Contains(err.Error(), `Go type bool cannot hold every value of it; Go types that fit: int8, int16, int32, int64, int`) {
		t.Errorf("bool against tinyint: %v", err)
	}
}
