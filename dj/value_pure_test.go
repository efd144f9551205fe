package dj

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

func catAttr(cat schema.Category, typ string) *schema.Attribute {
	return &schema.Attribute{Name: "a", Type: typ, Category: cat}
}

type rate float64

type label string

func TestEncodeValue(t *testing.T) {
	u := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	at := time.Date(2024, 2, 3, 4, 5, 6, 789000000, time.FixedZone("x", 3600))
	two := int32(2)
	var nilPtr *int32
	num := catAttr(schema.CatInteger, "int")
	nullableNum := &schema.Attribute{Name: "a", Type: "double", Category: schema.CatFloat, Nullable: true}
	cases := []struct {
		name string
		a    *schema.Attribute
		v    any
		want any
	}{
		{"nil", num, nil, sqlDefault{}},
		{"nil pointer", num, nilPtr, sqlDefault{}},
		{"pointer", num, &two, two},
		{"null sql.Null", num, sql.NullInt64{}, sqlDefault{}},
		{"valid sql.Null", num, sql.NullInt64{Int64: 5, Valid: true}, int64(5)},
		{"bool true", catAttr(schema.CatBool, "bool"), true, int64(1)},
		{"bool false", catAttr(schema.CatBool, "bool"), false, int64(0)},
		{"float", catAttr(schema.CatFloat, "double"), 1.5, 1.5},
		{"float32", catAttr(schema.CatFloat, "float"), float32(0.25), 0.25},
		{"NaN in nullable", nullableNum, math.NaN(), sqlDefault{}},
		{"empty string number", num, "", sqlDefault{}},
		{"string number", num, "12", "12"},
		{"uint", num, uint8(7), uint8(7)},
		{"decimal", catAttr(schema.CatDecimal, "decimal(5,2)"), blob.Decimal("1.25"), "1.25"},
		{"named float", catAttr(schema.CatFloat, "double"), rate(2.5), 2.5},
		{"named int", num, time.Month(3), int64(3)},
		{"named empty string", num, label(""), sqlDefault{}},
		{"named string", num, label("4"), "4"},
		{"named bool", num, reflect.ValueOf(true).Interface(), int64(1)},
		{"string", catAttr(schema.CatString, "varchar(8)"), "x", "x"},
		{"bytes", catAttr(schema.CatString, "varchar(8)"), []byte("y"), []byte("y")},
		{"named string col", catAttr(schema.CatEnum, "enum('a')"), label("a"), "a"},
		{"datetime", catAttr(schema.CatTemporal, "datetime(3)"), at, "2024-02-03 03:05:06.789"},
		{"date", catAttr(schema.CatTemporal, "date"), at, "2024-02-03"},
		{"year", catAttr(schema.CatTemporal, "year"), at, int64(2024)},
		{"time of day", catAttr(schema.CatTemporal, "time"), at, "03:05:06.789"},
		{"duration", catAttr(schema.CatTemporal, "time"), -(26*time.Hour + 1500*time.Millisecond), "-26:00:01.500000"},
		{"blob.Date", catAttr(schema.CatTemporal, "date"), blob.Date{Year: 2020, Month: 1, Day: 9}, "2020-01-09"},
		{"date text", catAttr(schema.CatTemporal, "date"), "2020-01-09", "2020-01-09"},
		{"year int", catAttr(schema.CatTemporal, "year"), int16(1999), int16(1999)},
		{"json raw", catAttr(schema.CatJSON, "json"), json.RawMessage(`{"a":1}`), `{"a":1}`},
		{"json value", catAttr(schema.CatJSON, "json"), map[string]int{"b": 2}, `{"b":2}`},
		{"uuid", catAttr(schema.CatUUID, "uuid"), u, u[:]},
		{"uuid text", catAttr(schema.CatUUID, "uuid"), u.String(), u[:]},
		{"uuid bytes", catAttr(schema.CatUUID, "uuid"), u[:], u[:]},
		{"uuid text bytes", catAttr(schema.CatUUID, "uuid"), []byte(u.String()), u[:]},
		{"uuid array", catAttr(schema.CatUUID, "uuid"), [16]byte(u), u[:]},
		{"attach", catAttr(schema.CatAttach, "attach"), Attachment{Name: "f.txt", Data: []byte("hi")}, []byte("f.txt\x00hi")},
	}
	for _, c := range cases {
		got, err := encodeValue(c.a, c.v)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v (%T), want %#v (%T)", c.name, got, got, c.want, c.want)
		}
	}
	b, err := encodeValue(catAttr(schema.CatBlob, "longblob"), []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	var back []float64
	if err := blob.Unmarshal(b.([]byte), &back); err != nil || !reflect.DeepEqual(back, []float64{1, 2}) {
		t.Errorf("blob round trip: %v %v", back, err)
	}
}

type badValuer struct{}

func (badValuer) Value() (driver.Value, error) { return nil, errors.New("no value") }

func TestEncodeValueRefuses(t *testing.T) {
	notNull := catAttr(schema.CatFloat, "double")
	cases := []struct {
		name string
		a    *schema.Attribute
		v    any
		err  error
	}{
		{"NaN not null", notNull, math.NaN(), ErrMissingAttribute},
		{"infinity", notNull, math.Inf(-1), ErrType},
		{"struct in number", notNull, struct{}{}, ErrType},
		{"number in string", catAttr(schema.CatString, "varchar(3)"), 3, ErrType},
		{"duration in datetime", catAttr(schema.CatTemporal, "datetime"), time.Second, ErrType},
		{"int in date", catAttr(schema.CatTemporal, "date"), 3, ErrType},
		{"bad json", catAttr(schema.CatJSON, "json"), json.RawMessage("{"), ErrType},
		{"unencodable json", catAttr(schema.CatJSON, "json"), func() {}, ErrType},
		{"unencodable blob", catAttr(schema.CatBlob, "longblob"), func() {}, ErrType},
		{"bad uuid", catAttr(schema.CatUUID, "uuid"), "nope", ErrType},
		{"bad uuid bytes", catAttr(schema.CatUUID, "uuid"), []byte("nope"), ErrType},
		{"int uuid", catAttr(schema.CatUUID, "uuid"), 5, ErrType},
		{"nameless attachment", catAttr(schema.CatAttach, "attach"), Attachment{Data: []byte("x")}, ErrType},
		{"missing file", catAttr(schema.CatAttach, "attach"), filepath.Join(t.TempDir(), "none"), ErrType},
		{"int attachment", catAttr(schema.CatAttach, "attach"), 1, ErrType},
		{"failing valuer", notNull, badValuer{}, ErrType},
	}
	for _, c := range cases {
		if _, err := encodeValue(c.a, c.v); !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.err)
		}
	}
}

func TestAttachmentFromPathAndBack(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(p, []byte{0, 1, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := encodeValue(catAttr(schema.CatAttach, "attach"), p)
	if err != nil {
		t.Fatal(err)
	}
	att, err := splitAttach(v.([]byte))
	if err != nil || att.Name != "data.bin" || !reflect.DeepEqual(att.Data, []byte{0, 1, 2}) {
		t.Fatalf("attachment %+v %v", att, err)
	}
	if _, err := splitAttach([]byte("no separator")); !errors.Is(err, ErrType) {
		t.Errorf("splitAttach without NUL: %v", err)
	}

	// Saving: the same contents reuse the file, other contents get an alias.
	out := t.TempDir()
	p1, err := saveAttachment(out, att)
	if err != nil || p1 != filepath.Join(out, "data.bin") {
		t.Fatalf("save: %s %v", p1, err)
	}
	if p2, err := saveAttachment(out, att); err != nil || p2 != p1 {
		t.Errorf("same contents saved again as %s %v", p2, err)
	}
	p3, err := saveAttachment(out, Attachment{Name: "data.bin", Data: []byte("other")})
	if err != nil || p3 != filepath.Join(out, "data_0000.bin") {
		t.Errorf("other contents saved as %s %v", p3, err)
	}
	if b, _ := os.ReadFile(p3); string(b) != "other" {
		t.Errorf("alias holds %q", b)
	}
	if _, err := saveAttachment(out, Attachment{Name: "/"}); !errors.Is(err, ErrType) {
		t.Errorf("bad name: %v", err)
	}
}

func TestDurationText(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		text string
	}{
		{0, "00:00:00"},
		{time.Hour + 2*time.Minute + 3*time.Second, "01:02:03"},
		{-(838*time.Hour + 59*time.Minute + 59*time.Second), "-838:59:59"},
		{1500 * time.Microsecond, "00:00:00.001500"},
	} {
		if got := formatDuration(c.d); got != c.text {
			t.Errorf("formatDuration(%v) = %s, want %s", c.d, got, c.text)
		}
		back, err := parseDuration([]byte(c.text))
		if err != nil || back != c.d {
			t.Errorf("parseDuration(%s) = %v %v", c.text, back, err)
		}
	}
	for _, bad := range []string{"", "1:2", "a:b:c", "01:02:x"} {
		if _, err := parseDuration([]byte(bad)); !errors.Is(err, ErrType) {
			t.Errorf("parseDuration(%q): %v", bad, err)
		}
	}
}

func TestParseTimeText(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2024-01-02 03:04:05.5":     time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC),
		"2024-01-02":                time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		"2024-01-02T03:04:05+01:00": time.Date(2024, 1, 2, 2, 4, 5, 0, time.UTC),
	} {
		got, err := parseTimeText(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTimeText(%s) = %v %v", s, got, err)
		}
	}
	if _, err := parseTimeText("yesterday"); err == nil {
		t.Error("parseTimeText accepted yesterday")
	}
}
