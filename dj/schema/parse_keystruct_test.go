package schema

import (
	"reflect"
	"strings"
	"testing"
)

// KsParentKey is a key struct, as generated code embeds it: its field
// carries the parent's comment.
type KsParentKey struct {
	Sid int32 `dj:"pk" comment:"subject"`
}

type KsChild struct {
	DJManual
	Parent Ref[KsParentKey] `dj:"pk"`
	KsParentKey
	Run int16 `dj:"pk"`
}

type KsChildOtherComment struct {
	DJManual
	Parent Ref[KsParentKey] `dj:"pk"`
	Sid    int32            `dj:"pk" comment:"something else"`
}

// TestInheritedFieldComment accepts, on a field inherited through a
// reference, a comment tag that repeats the parent's comment (an embedded
// key struct), and refuses any other.
func TestInheritedFieldComment(t *testing.T) {
	parent := &Table{Database: "py", Name: "ks_parent", Tier: Manual, Heading: Heading{Attributes: []Attribute{
		{Name: "sid", Type: "int", SQLType: "int(11)", Category: CatInteger, InKey: true, Comment: "subject"},
	}}}
	resolve := func(reflect.Type) (*Table, error) { return parent, nil }
	tb, err := Parse(reflect.TypeFor[KsChild](), "py", resolve)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tb.Heading.Names(), ","); got != "sid,run" {
		t.Errorf("heading %s", got)
	}
	if a, _ := tb.Heading.Attr("sid"); !a.Inherited || a.Comment != "subject" {
		t.Errorf("sid: %+v", a)
	}
	_, err = Parse(reflect.TypeFor[KsChildOtherComment](), "py", resolve)
	if err == nil || !strings.Contains(err.Error(), `keeps the parent's comment "subject"`) {
		t.Errorf("a different comment: %v", err)
	}
}
