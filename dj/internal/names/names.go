// Package names converts Go identifiers to the snake_case names DataJoint
// uses for attributes and dictionary keys.
package names

import (
	"strings"
	"unicode"
)

// Snake returns the Go-style snake_case of a field name, keeping
// initialisms together: "SubjectID" gives "subject_id", "HTTPServer"
// "http_server", "Scan2Mouse" "scan2_mouse", "X" "x". Underscores are kept.
func Snake(field string) string {
	rs := []rune(field)
	var b strings.Builder
	b.Grow(len(field) + 4)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && rs[i-1] != '_' {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				// A word starts at an upper-case letter that follows a
				// lower-case letter or digit, or that ends an initialism
				// and is followed by a lower-case letter (HTTPServer).
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
