package dj_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Structs whose tags the declaration and the data path once read
// differently: a spaced skip, an upper-case option key and an embedded
// struct.

type TagInner struct {
	Upper string `dj:"type=varchar(16)"`
}

type TagCase struct {
	dj.Manual
	ID   int32  `dj:"pk"`
	Skip string `dj:" - "`
	Col  string `dj:"NAME=upper_col,type=varchar(16)"`
	TagInner
}

// NeverDeclared is a table struct that no test declares: restriction by
// one of its values must mean its primary key all the same.
type NeverDeclared struct {
	dj.Manual
	ID   int32  `dj:"pk"`
	Note string `dj:"type=varchar(16)"`
}

// fieldMapFixtures are the table structs of the package's tests.
var fieldMapFixtures = []any{
	TagCase{}, NeverDeclared{}, Species{}, Subject{}, Session{}, Filtered{}, FilteredChannel{},
	Student{}, Department{}, StudentMajor{}, Course{}, Term{}, Section{}, Enroll{}, Grade{}, LetterGrade{},
	Trial{}, Recording{}, ExtRecording{}, ExtBlob{}, ExtMatrix{}, ExtOpaque{}, ExtOther{}, ExtScan{}, ExtTag{},
	MatRecording{}, Mouse{}, Neuron{}, Scan{}, Obs{}, NumRow{}, InfRow{}, BombRow{}, BenchRow{}, Document{},
	CasSubject{}, CasSession{}, CasTrial{}, CasPair{}, Grp{}, LogParent{}, LogChild{},
	MlLab{}, MlLabCount{}, MlSubject{}, MlSession{}, MlScan{}, MlScanFrame{},
	PopSource{}, PopSquare{}, PopSquarePart{}, PopMean{}, PopEven{}, PopPair{}, PopPairSum{}, PopCube{}, PopTriv{},
	RtKey{}, RtHost{}, RtComp{}, RtStores{}, Sweep{}, SweepPeak{}, SweepEnergy{},
	ExtBench{}, ExtBenchF{},
}

// closure lists typ's dependencies (parents first) and typ.
func closure(t *testing.T, typ reflect.Type, seen map[reflect.Type]bool, out *[]any) {
	if seen[typ] {
		return
	}
	seen[typ] = true
	deps, err := schema.Dependencies(typ)
	if err != nil {
		t.Fatalf("%s: %v", typ.Name(), err)
	}
	for _, d := range deps {
		if d != typ {
			closure(t, d, seen, out)
		}
	}
	*out = append(*out, reflect.New(typ).Elem().Interface())
}

// TestFieldMapAgreesWithDeclaration declares every table struct of the
// tests on an offline connection and requires the data path — insert,
// fetch and restriction by a struct — to map exactly the attributes the
// declaration made, to the same fields.
func TestFieldMapAgreesWithDeclaration(t *testing.T) {
	ctx := context.Background()
	for _, row := range fieldMapFixtures {
		typ := reflect.TypeOf(row)
		t.Run(typ.Name(), func(t *testing.T) {
			c := dj.Offline()
			s, err := c.Schema(ctx, "fixtures")
			must(t, err)
			var rows []any
			closure(t, typ, map[reflect.Type]bool{}, &rows)
			must(t, s.Declare(ctx, rows...))
			meta := boundMeta(t, c, typ)
			fm, err := schema.Fields(typ)
			must(t, err)

			declared := map[string][]int{}
			for _, a := range meta.Heading.Attributes {
				if a.Field == nil {
					t.Fatalf("attribute %s has no field", a.Name)
				}
				declared[a.Name] = a.Field
				f, ok := fm.Lookup(a.Name)
				if !ok || !slices.Equal(f.Index, a.Field) || f.InKey != a.InKey {
					t.Errorf("attribute %s: field map %+v, declaration field %v inKey %v", a.Name, f, a.Field, a.InKey)
				}
			}
			if len(fm.Fields) != len(meta.Heading.Attributes) {
				t.Errorf("field map has %d fields, the heading %d attributes", len(fm.Fields), len(meta.Heading.Attributes))
			}
			ins, err := dj.InsertPaths(meta, typ)
			must(t, err)
			if !reflect.DeepEqual(ins, declared) {
				t.Errorf("insert maps %v, declaration %v", ins, declared)
			}
			fet, err := dj.FetchPaths(typ, &meta.Heading)
			must(t, err)
			if !reflect.DeepEqual(fet, declared) {
				t.Errorf("fetch maps %v, declaration %v", fet, declared)
			}
			match, err := dj.MatchColumns(row)
			must(t, err)
			pk := meta.Heading.PrimaryKey()
			sort.Strings(pk)
			if !slices.Equal(match, pk) {
				t.Errorf("Match names %v, primary key %v", match, pk)
			}
		})
	}
}

// boundMeta returns the metadata of the table typ is declared as on c.
func boundMeta(t *testing.T, c *dj.Conn, typ reflect.Type) *schema.Table {
	t.Helper()
	tb, ok := c.Bound(typ)
	if !ok {
		t.Fatalf("%s is not declared", typ.Name())
	}
	return tb.Meta()
}

// TestTagVariantsRoundTrip inserts, fetches and restricts a struct whose
// tags use a spaced skip, an upper-case option key and an embedded struct.
func TestTagVariantsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	must(t, s.Declare(ctx, TagCase{}, NeverDeclared{}))
	in := TagCase{ID: 1, Skip: "not stored", Col: "upper", TagInner: TagInner{Upper: "inner"}}
	must(t, dj.Insert1(ctx, c, in))
	got, err := dj.FetchOne[TagCase](ctx, c, dj.From[TagCase](c).Restrict(dj.Match(TagCase{ID: 1, Col: "other"})))
	must(t, err)
	want := in
	want.Skip = ""
	if got != want {
		t.Fatalf("fetched %+v, want %+v", got, want)
	}
	m, err := dj.FetchMaps(ctx, c, dj.From[TagCase](c))
	must(t, err)
	if len(m) != 1 || m[0]["upper_col"] != "upper" || m[0]["upper"] != "inner" || len(m[0]) != 3 {
		t.Fatalf("stored row %v, want id, upper_col and upper", m)
	}
	must(t, dj.Insert1(ctx, c, NeverDeclared{ID: 7, Note: "a"}))
	n, err := dj.Count(ctx, c, dj.From[NeverDeclared](c).Restrict(dj.Match(NeverDeclared{ID: 7, Note: "b"})))
	must(t, err)
	if n != 1 {
		t.Fatalf("Match by a table struct counted %d rows, want 1 (by its primary key)", n)
	}
	var de *dj.Error
	if err := dj.Insert1(ctx, c, struct{ ID int32 }{1}); err == nil || !errors.As(err, &de) {
		t.Fatalf("insert of an undeclared struct: %v", err)
	}
}

// TestDeclareOrdersTypes declares a pipeline given children first: the
// declaration orders the types parents first, and a part after its master.
func TestDeclareOrdersTypes(t *testing.T) {
	ctx := context.Background()
	c := dj.Offline()
	s, err := c.Schema(ctx, "lab")
	must(t, err)
	must(t, s.Declare(ctx, FilteredChannel{}, Filtered{}, Session{}, Subject{}, Species{}))
	for _, typ := range []reflect.Type{reflect.TypeFor[Species](), reflect.TypeFor[Subject](), reflect.TypeFor[Session](), reflect.TypeFor[Filtered](), reflect.TypeFor[FilteredChannel]()} {
		if _, ok := c.Bound(typ); !ok {
			t.Errorf("%s not declared", typ.Name())
		}
	}
	c2 := dj.Offline()
	s2, err := c2.Schema(ctx, "lab")
	must(t, err)
	err = s2.Declare(ctx, Session{})
	if !errors.Is(err, dj.ErrDeclaration) || !strings.Contains(err.Error(), "declare Subject first or in the same call") {
		t.Errorf("a parent that is not declared: %v", err)
	}
}
