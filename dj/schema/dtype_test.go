package schema

import (
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

func TestParseType(t *testing.T) {
	for _, c := range []struct {
		in       string
		typ, sql string
		cat      Category
		store    string
		unsigned bool
		ai       bool
	}{
		{"int", "int", "int", CatInteger, "", false, false},
		{"INT UNSIGNED", "int unsigned", "int unsigned", CatInteger, "", true, false},
		{"int(11) unsigned", "int(11) unsigned", "int(11) unsigned", CatInteger, "", true, false},
		{"tinyint", "tinyint", "tinyint", CatInteger, "", false, false},
		{"smallint unsigned", "smallint unsigned", "smallint unsigned", CatInteger, "", true, false},
		{"mediumint", "mediumint", "mediumint", CatInteger, "", false, false},
		{"integer", "integer", "integer", CatInteger, "", false, false},
		{"bigint unsigned auto_increment", "bigint unsigned", "bigint unsigned", CatInteger, "", true, true},
		{"serial", "serial", "serial", CatInteger, "", true, false},
		{"decimal(5,2)", "decimal(5,2)", "decimal(5,2)", CatDecimal, "", false, false},
		{"numeric(10, 3) unsigned", "numeric(10, 3) unsigned", "numeric(10, 3) unsigned", CatDecimal, "", true, false},
		{"decimal", "decimal", "decimal", CatDecimal, "", false, false},
		{"float", "float", "float", CatFloat, "", false, false},
		{"double", "double", "double", CatFloat, "", false, false},
		{"real", "real", "real", CatFloat, "", false, false},
		{"float(7,3) unsigned", "float(7,3) unsigned", "float(7,3) unsigned", CatFloat, "", true, false},
		{"char(8)", "char(8)", "char(8)", CatString, "", false, false},
		{"VARCHAR(255)", "varchar(255)", "varchar(255)", CatString, "", false, false},
		{"enum('A','b')", "enum('A','b')", "enum('A','b')", CatEnum, "", false, false},
		{"ENUM('Yes', 'No')", "enum('Yes', 'No')", "enum('Yes', 'No')", CatEnum, "", false, false},
		{"bool", "bool", "bool", CatBool, "", false, false},
		{"Boolean", "boolean", "boolean", CatBool, "", false, false},
		{"date", "date", "date", CatTemporal, "", false, false},
		{"datetime(6)", "datetime(6)", "datetime(6)", CatTemporal, "", false, false},
		{"time", "time", "time", CatTemporal, "", false, false},
		{"timestamp", "timestamp", "timestamp", CatTemporal, "", false, false},
		{"year", "year", "year", CatTemporal, "", false, false},
		{"json", "json", "json", CatJSON, "", false, false},
		{"tinyblob", "tinyblob", "tinyblob", CatBlob, "", false, false},
		{"blob", "blob", "blob", CatBlob, "", false, false},
		{"mediumblob", "mediumblob", "mediumblob", CatBlob, "", false, false},
		{"LONGBLOB", "longblob", "longblob", CatBlob, "", false, false},
		{"uuid", "uuid", "binary(16)", CatUUID, "", false, false},
		{"attach", "attach", "longblob", CatAttach, "", false, false},
		{"blob@raw", "blob@raw", "binary(16)", CatExternalBlob, "raw", false, false},
		{"blob@external-raw", "blob@external-raw", "binary(16)", CatExternalBlob, "external-raw", false, false},
		{"attach@s3_store", "attach@s3_store", "binary(16)", CatExternalAttach, "s3_store", false, false},
		{"filepath@data", "filepath@data", "binary(16)", CatFilepath, "data", false, false},
		{"BLOB@Raw", "blob@Raw", "binary(16)", CatExternalBlob, "Raw", false, false},
	} {
		ti, err := ParseType(c.in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", c.in, err)
			continue
		}
		want := TypeInfo{Type: c.typ, SQLType: c.sql, Category: c.cat, Store: c.store, Unsigned: c.unsigned, AutoIncrement: c.ai}
		if ti != want {
			t.Errorf("ParseType(%q) = %+v, want %+v", c.in, ti, want)
		}
	}
	for _, c := range []struct{ in, msg string }{
		{"text", "unsupported type"},
		{"longtext", "varchar"},
		{"varchar", "needs a length"},
		{"char", "needs a length"},
		{"binary(16)", "unsupported"},
		{"varbinary(10)", "unsupported"},
		{"bit", "unsupported"},
		{"blob@1raw", "store names"},
		{"float auto_increment", "only to integer"},
		{"<adapter>", "unsupported"},
		{"int8", "unsupported"},
		{"", "unsupported"},
	} {
		_, err := ParseType(c.in)
		if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseType(%q) error = %v, want %q", c.in, err, c.msg)
		}
	}
}

func TestCanonicalType(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"int", "int"},
		{"int(11)", "int"},
		{"INTEGER", "int"},
		{"int(10) unsigned", "int unsigned"},
		{"bigint unsigned auto_increment", "bigint unsigned"},
		{"serial", "bigint unsigned"},
		{"bool", "tinyint"},
		{"tinyint(1)", "tinyint"},
		{"numeric(5, 2)", "decimal(5,2)"},
		{"decimal", "decimal(10,0)"},
		{"decimal(7)", "decimal(7,0)"},
		{"real", "double"},
		{"float(30)", "double"},
		{"float(10)", "float"},
		{"double(10,2)", "double(10,2)"},
		{"enum(\"a\", 'b''c')", "enum('a','b''c')"},
		{"datetime(0)", "datetime"},
		{"datetime(3)", "datetime(3)"},
		{"year(4)", "year"},
		{"VARCHAR(32)", "varchar(32)"},
	} {
		if got := CanonicalType(c.in); got != c.want {
			t.Errorf("CanonicalType(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

type Level int8
type MyUUID [16]byte
type Name string

func TestInferType(t *testing.T) {
	for _, c := range []struct {
		typ      reflect.Type
		want     string
		nullable bool
	}{
		{reflect.TypeFor[int8](), "tinyint", false},
		{reflect.TypeFor[int16](), "smallint", false},
		{reflect.TypeFor[int32](), "int", false},
		{reflect.TypeFor[int64](), "bigint", false},
		{reflect.TypeFor[uint8](), "tinyint unsigned", false},
		{reflect.TypeFor[uint16](), "smallint unsigned", false},
		{reflect.TypeFor[uint32](), "int unsigned", false},
		{reflect.TypeFor[uint64](), "bigint unsigned", false},
		{reflect.TypeFor[float32](), "float", false},
		{reflect.TypeFor[float64](), "double", false},
		{reflect.TypeFor[bool](), "bool", false},
		{reflect.TypeFor[Level](), "tinyint", false},
		{reflect.TypeFor[time.Time](), "datetime", false},
		{reflect.TypeFor[*time.Time](), "datetime", true},
		{reflect.TypeFor[MyUUID](), "uuid", false},
		{reflect.TypeFor[[16]byte](), "uuid", false},
		{reflect.TypeFor[*MyUUID](), "uuid", true},
		{reflect.TypeFor[json.RawMessage](), "json", false},
		{reflect.TypeFor[[]byte](), "longblob", false},
		{reflect.TypeFor[[]float64](), "longblob", false},
		{reflect.TypeFor[[3]int32](), "longblob", false},
		{reflect.TypeFor[map[string]any](), "longblob", false},
		{reflect.TypeFor[struct{ A int }](), "longblob", false},
		{reflect.TypeFor[any](), "longblob", false},
		{reflect.TypeFor[complex128](), "longblob", false},
		{reflect.TypeFor[*[]float64](), "longblob", true},
		{reflect.TypeFor[*int32](), "int", true},
		{reflect.TypeFor[sql.Null[int64]](), "bigint", true},
		{reflect.TypeFor[sql.NullFloat64](), "double", true},
		{reflect.TypeFor[sql.NullInt32](), "int", true},
		{reflect.TypeFor[sql.NullBool](), "bool", true},
		{reflect.TypeFor[sql.NullTime](), "datetime", true},
		{reflect.TypeFor[sql.NullByte](), "tinyint unsigned", true},
	} {
		inner, nullable := NullableGoType(c.typ)
		got, why := inferType(inner)
		if got != c.want || nullable != c.nullable {
			t.Errorf("infer(%s) = %q %v (%s), want %q %v", c.typ, got, nullable, why, c.want, c.nullable)
		}
	}
	for _, c := range []struct {
		typ reflect.Type
		msg string
	}{
		{reflect.TypeFor[int](), "use int32 or int64"},
		{reflect.TypeFor[uint](), "use int32 or int64"},
		{reflect.TypeFor[string](), "type=varchar(255)"},
		{reflect.TypeFor[Name](), "type=varchar(255)"},
		{reflect.TypeFor[chan int](), "cannot be stored"},
		{reflect.TypeFor[func()](), "cannot be stored"},
		{reflect.TypeFor[**int32](), "pointer to a pointer"},
	} {
		inner, _ := NullableGoType(c.typ)
		got, why := inferType(inner)
		if got != "" || !strings.Contains(why, c.msg) {
			t.Errorf("infer(%s) = %q, %q; want error %q", c.typ, got, why, c.msg)
		}
	}
}

// TestFits checks the fit table of doc.go: a Go type fits a column when it
// holds every value of the column's type.
func TestFits(t *testing.T) {
	for _, c := range []struct {
		typ reflect.Type
		dj  string
		sql string
		ok  bool
	}{
		{reflect.TypeFor[int32](), "smallint", "", true},
		{reflect.TypeFor[int32](), "mediumint unsigned", "", true},
		{reflect.TypeFor[int32](), "int unsigned", "", false},
		{reflect.TypeFor[int64](), "int unsigned", "", true},
		{reflect.TypeFor[int64](), "bigint unsigned", "", false},
		{reflect.TypeFor[int64](), "serial", "", false},
		{reflect.TypeFor[uint64](), "serial", "", true},
		{reflect.TypeFor[int16](), "bigint", "", false},
		{reflect.TypeFor[int32](), "bigint", "", false},
		{reflect.TypeFor[int](), "bigint", "", strconv.IntSize == 64},
		{reflect.TypeFor[uint8](), "int", "", false},
		{reflect.TypeFor[uint8](), "tinyint", "", false},
		{reflect.TypeFor[uint8](), "tinyint unsigned", "", true},
		{reflect.TypeFor[uint32](), "int", "", false},
		{reflect.TypeFor[uint64](), "int(11) unsigned", "", true},
		{reflect.TypeFor[int8](), "tinyint(4)", "", true},
		{reflect.TypeFor[int64](), "decimal(10,0)", "", true},
		{reflect.TypeFor[int64](), "decimal", "", true},
		{reflect.TypeFor[int64](), "decimal(19,0)", "", false},
		{reflect.TypeFor[uint64](), "decimal(19,0) unsigned", "", true},
		{reflect.TypeFor[uint64](), "decimal(5,0)", "", false},
		{reflect.TypeFor[int32](), "decimal(5,2)", "", false},
		{reflect.TypeFor[int8](), "bool", "", true},
		{reflect.TypeFor[int32](), "varchar(3)", "", false},
		{reflect.TypeFor[int32](), "double", "", false},
		{reflect.TypeFor[float64](), "decimal(5,2)", "", true},
		{reflect.TypeFor[float64](), "decimal(15,3)", "", true},
		{reflect.TypeFor[float64](), "decimal(16,3)", "", false},
		{reflect.TypeFor[float32](), "decimal(6,2)", "", true},
		{reflect.TypeFor[float32](), "decimal(7,2)", "", false},
		{reflect.TypeFor[float32](), "double", "", false},
		{reflect.TypeFor[float32](), "real", "", false},
		{reflect.TypeFor[float32](), "float(30)", "", false},
		{reflect.TypeFor[float32](), "float(7,3)", "", true},
		{reflect.TypeFor[float64](), "float", "", true},
		{reflect.TypeFor[float64](), "int", "", false},
		{reflect.TypeFor[string](), "int", "", false},
		{reflect.TypeFor[string](), "varchar(3)", "", true},
		{reflect.TypeFor[[]byte](), "varchar(3)", "", true},
		{reflect.TypeFor[string](), "char(3)", "", true},
		{reflect.TypeFor[string](), "enum('a')", "", true},
		{reflect.TypeFor[string](), "date", "", true},
		{reflect.TypeFor[string](), "datetime(3)", "", true},
		{reflect.TypeFor[string](), "decimal(5,2)", "", true},
		{reflect.TypeFor[string](), "json", "", true},
		{reflect.TypeFor[string](), "filepath@s", "", true},
		{reflect.TypeFor[string](), "uuid", "", true},
		{reflect.TypeFor[string](), "longblob", "", true},
		{reflect.TypeFor[time.Time](), "date", "", true},
		{reflect.TypeFor[time.Time](), "datetime", "", true},
		{reflect.TypeFor[time.Time](), "timestamp", "", true},
		{reflect.TypeFor[time.Time](), "time", "", false},
		{reflect.TypeFor[time.Time](), "year", "", false},
		{reflect.TypeFor[time.Time](), "varchar(10)", "", false},
		{reflect.TypeFor[time.Duration](), "time", "", true},
		{reflect.TypeFor[time.Duration](), "time(6)", "", true},
		{reflect.TypeFor[time.Duration](), "bigint", "", false},
		{reflect.TypeFor[time.Duration](), "datetime", "", false},
		{reflect.TypeFor[int64](), "time", "", false},
		{reflect.TypeFor[int16](), "year", "", true},
		{reflect.TypeFor[int8](), "year", "", false},
		{reflect.TypeFor[bool](), "bool", "", true},
		{reflect.TypeFor[bool](), "tinyint", "", false},
		{reflect.TypeFor[bool](), "tinyint", "tinyint(1)", true},
		{reflect.TypeFor[bool](), "varchar(1)", "", false},
		{reflect.TypeFor[[]float64](), "blob@raw", "", true},
		{reflect.TypeFor[[]float64](), "mediumblob", "", true},
		{reflect.TypeFor[float64](), "longblob", "", true},
		{reflect.TypeFor[[]float64](), "attach", "", false},
		{reflect.TypeFor[[]float64](), "int", "", false},
		{reflect.TypeFor[[]byte](), "attach@s", "", false},
		{reflect.TypeFor[struct{ Name string }](), "attach@s", "", true},
		{reflect.TypeFor[MyUUID](), "uuid", "", true},
		{reflect.TypeFor[MyUUID](), "int", "", false},
		{reflect.TypeFor[json.RawMessage](), "json", "", true},
		{reflect.TypeFor[map[string]any](), "json", "", true},
		{reflect.TypeFor[any](), "int", "", true},
	} {
		ti, err := ParseType(c.dj)
		if err != nil {
			t.Fatal(err)
		}
		if ok := fits(c.typ, ti, c.sql); ok != c.ok {
			t.Errorf("fits(%s, %s) = %v, want %v", c.typ, c.dj, ok, c.ok)
		}
	}
}
