package dj

import "testing"

func TestParseObjectKey(t *testing.T) {
	const hx = "0123456789abcdef0123456789abcdef"
	cases := []struct {
		key   string
		folds []int
		name  string
		ok    bool
	}{
		{"db/01/23/" + hx, []int{2, 2}, "", true},
		{"db/01/23/" + hx + ".notes.txt", []int{2, 2}, "notes.txt", true},
		{"db/" + hx, []int{}, "", true},
		{"db/0/123/" + hx, []int{1, 3}, "", true},
		{"db/01/24/" + hx, []int{2, 2}, "", false},                            // folds do not match the name
		{"db/01/" + hx, []int{2, 2}, "", false},                               // one level short
		{"db/01/23/" + hx[:31], []int{2, 2}, "", false},                       // not a hash
		{"db/01/23/" + hx + ".", []int{2, 2}, "", false},                      // empty attachment name
		{"db/01/23/" + hx + "x", []int{2, 2}, "", false},                      // no dot before the name
		{"db/01/23/0123456789ABCDEF0123456789ABCDEF", []int{2, 2}, "", false}, // upper case
		{"other/01/23/" + hx, []int{2, 2}, "", false},
		{"db/raw.dat", []int{2, 2}, "", false},
	}
	for _, c := range cases {
		h, name, ok := parseObjectKey(c.key, "db", c.folds)
		if ok != c.ok || name != c.name || (ok && hexOf(h) != hx) {
			t.Errorf("parseObjectKey(%q, %v) = %s, %q, %v", c.key, c.folds, hexOf(h), name, ok)
		}
	}
}
