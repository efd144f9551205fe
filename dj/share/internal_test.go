package share

import (
	"errors"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

func TestParseFullName(t *testing.T) {
	for in, want := range map[string]schema.TableID{
		"`lab`.`subject`":     {Database: "lab", Table: "subject"},
		"`l``b`.`#a`":         {Database: "l`b", Table: "#a"},
		"`lab`.`m__p`":        {Database: "lab", Table: "m__p"},
		"query":               {},
		"`lab`":               {},
		"`lab`.`a`.`b`":       {},
		"`lab`.`unterminated": {},
		"`lab`x`a`":           {},
	} {
		got, ok := parseFullName(in)
		if got != want || ok != (want != schema.TableID{}) {
			t.Errorf("parseFullName(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func TestRewriteDDL(t *testing.T) {
	rename := map[string]string{"lab": "lab_copy", "ana": "ana_copy"}
	in := "CREATE TABLE `x` (\n  CONSTRAINT `x_ibfk_1` FOREIGN KEY (`a`) REFERENCES `lab`.`subject` (`a`),\n" +
		"  CONSTRAINT `x_ibfk_2` FOREIGN KEY (`b`) REFERENCES `other`.`t` (`b`),\n" +
		"  CONSTRAINT `x_ibfk_3` FOREIGN KEY (`c`) REFERENCES `y` (`c`)\n) ENGINE=InnoDB AUTO_INCREMENT=12 COMMENT='event logging table for `ana`'"
	want := "CREATE TABLE `x` (\n  CONSTRAINT `x_ibfk_1` FOREIGN KEY (`a`) REFERENCES `lab_copy`.`subject` (`a`),\n" +
		"  CONSTRAINT `x_ibfk_2` FOREIGN KEY (`b`) REFERENCES `other`.`t` (`b`),\n" +
		"  CONSTRAINT `x_ibfk_3` FOREIGN KEY (`c`) REFERENCES `y` (`c`)\n) ENGINE=InnoDB AUTO_INCREMENT=12 COMMENT='event logging table for `ana_copy`'"
	if got := rewriteDDL(in, rename); got != want {
		t.Errorf("rewrite:\n%s\nwant\n%s", got, want)
	}
	in = "CONSTRAINT `a` FOREIGN KEY (`x`) REFERENCES `lab`.`t` (`x`),\n CONSTRAINT `b` FOREIGN KEY (`y`) REFERENCES `u``v` (`y`)"
	want = "CONSTRAINT `a` FOREIGN KEY (`x`) REFERENCES `lab`.`t` (`x`),\n CONSTRAINT `b` FOREIGN KEY (`y`) REFERENCES `d`.`u``v` (`y`)"
	if got := qualifyRefs(in, "d"); got != want {
		t.Errorf("qualifyRefs:\n%s\nwant\n%s", got, want)
	}
	if normalizeDDL(want) == normalizeDDL(in) || normalizeDDL("a AUTO_INCREMENT=3 b") != "a b" {
		t.Error("normalizeDDL")
	}
}

func TestObjectKeysAndVerify(t *testing.T) {
	data := []byte("contents")
	blob := trackedObject{hash: external.BlobHash(data), size: int64(len(data))}
	src, dst := blob.keys("lab", "copy", []int{2, 2}, []int{2, 2})
	h := blob.hash.Hex()
	if src != "lab/"+h[:2]+"/"+h[2:4]+"/"+h || dst != "copy/"+h[:2]+"/"+h[2:4]+"/"+h {
		t.Errorf("blob keys %s, %s", src, dst)
	}
	if err := blob.verify(data); err != nil {
		t.Error(err)
	}
	if err := blob.verify([]byte("other")); !errors.Is(err, dj.ErrStore) {
		t.Errorf("altered blob: %v", err)
	}
	att := trackedObject{hash: external.AttachHash("a.txt", data), size: int64(len(data)), attach: "a.txt"}
	if _, dst := att.keys("lab", "copy", []int{}, []int{}); dst != "copy/"+att.hash.Hex()+".a.txt" {
		t.Errorf("attach key %s", dst)
	}
	if err := att.verify(data); err != nil {
		t.Error(err)
	}
	sum := external.ContentsHash(data)
	file := trackedObject{hash: external.FilepathHash("d/f.dat"), filepath: "d/f.dat", contents: sum[:]}
	if src, dst := file.keys("lab", "copy", nil, nil); src != "d/f.dat" || dst != "d/f.dat" {
		t.Errorf("file keys %s, %s", src, dst)
	}
	if err := file.verify(data); err != nil {
		t.Error(err)
	}
	if err := file.verify(append(data, 'x')); !errors.Is(err, dj.ErrStore) {
		t.Errorf("altered file: %v", err)
	}
}
