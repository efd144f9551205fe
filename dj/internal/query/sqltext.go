package query

import (
	"fmt"
	"strings"
)

// countPlaceholders counts the ? placeholders of a SQL text outside string
// literals, quoted identifiers and comments, as go-sql-driver/mysql does.
func countPlaceholders(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			i = skipQuoted(s, i)
		case '#':
			i = skipLine(s, i)
		case '-':
			if i+1 < len(s) && s[i+1] == '-' && (i+2 == len(s) || isSpace(s[i+2])) {
				i = skipLine(s, i)
			}
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				if j := strings.Index(s[i+2:], "*/"); j >= 0 {
					i += j + 3
				} else {
					i = len(s)
				}
			}
		case '?':
			n++
		}
	}
	return n
}

// skipQuoted returns the index of the quote closing the literal or quoted
// identifier that starts at i (or len(s)-1 if it is unterminated).
func skipQuoted(s string, i int) int {
	if j := closesAt(s, i); j >= 0 {
		return j
	}
	return len(s) - 1
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s) - 1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// isIdent reports whether s is a bare attribute name: a letter or
// underscore followed by letters, digits and underscores.
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentStart(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// sqlWords are lower-case words that columnNames never takes for attribute
// names: DataJoint's list plus further SQL keywords, literals and units.
var sqlWords = map[string]bool{
	"is": true, "in": true, "between": true, "like": true, "and": true, "or": true,
	"null": true, "not": true, "interval": true, "second": true, "minute": true,
	"hour": true, "day": true, "month": true, "week": true, "year": true,
	"quarter": true, "microsecond": true, "true": true, "false": true,
	"unknown": true, "xor": true, "div": true, "mod": true, "regexp": true,
	"rlike": true, "escape": true, "case": true, "when": true, "then": true,
	"else": true, "end": true, "exists": true, "select": true, "from": true,
	"where": true, "as": true, "asc": true, "desc": true, "distinct": true,
	"binary": true, "collate": true, "any": true, "all": true, "some": true,
	"sounds": true, "current_date": true, "current_time": true,
	"current_timestamp": true, "localtime": true, "localtimestamp": true,
	"utc_date": true, "utc_time": true, "utc_timestamp": true, "group": true,
	"by": true, "having": true, "order": true, "limit": true, "offset": true,
	"join": true, "natural": true, "left": true, "using": true, "on": true,
	"union": true, "separator": true, "unsigned": true, "signed": true,
	"char": true, "date": true, "time": true, "datetime": true, "decimal": true,
	"json": true, "double": true, "float": true, "integer": true, "int": true,
	"returning": true, "member": true, "of": true,
}

// columnNames returns the names a SQL condition appears to use, with
// DataJoint's heuristic: names in backticks, and bare lower-case words
// outside literals that are neither SQL keywords nor followed by "(" (a
// function call). Words after a "." (qualified names), session variables
// (@x) and collation names are skipped.
func columnNames(s string) []string {
	var out []string
	add := func(name string) {
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	afterCollate := false // a collation name follows COLLATE
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '`':
			j := skipQuoted(s, i)
			if j > i+1 {
				add(strings.ReplaceAll(s[i+1:j], "``", "`"))
			}
			i = j
		case c == '\'' || c == '"':
			i = skipQuoted(s, i)
		case c == '#':
			i = skipLine(s, i)
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			i = skipLine(s, i)
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(s)
			}
		case c >= '0' && c <= '9':
			for i+1 < len(s) && isIdentChar(s[i+1]) {
				i++
			}
		case isIdentStart(c) || c == '@':
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			word := s[i:j]
			prev := byte(0)
			if i > 0 {
				prev = s[i-1]
			}
			k := j
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			call := k < len(s) && s[k] == '('
			dotted := j < len(s) && s[j] == '.'
			if c != '@' && prev != '.' && prev != '@' && !call && !dotted && !afterCollate &&
				isLowerWord(word) && !sqlWords[word] {
				add(word)
			}
			afterCollate = strings.EqualFold(word, "collate")
			i = j - 1
		}
	}
	return out
}

// isLowerWord reports whether w starts with a lower-case letter and has no
// upper-case letters (DataJoint only takes such words for names).
func isLowerWord(w string) bool {
	if w[0] < 'a' || w[0] > 'z' {
		return false
	}
	for i := 1; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkFragment checks a SQL fragment that is pasted into a statement (a
// Where condition or a computed attribute): quotes and block comments must
// be closed, parentheses balanced, and there may be no ";" (and, when
// noComma is set, no "," outside parentheses). It returns the fragment,
// with a line break added when it ends in a line comment so that the text
// after it stays code.
func checkFragment(s string, noComma bool) (string, error) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			j := closesAt(s, i)
			if j < 0 {
				return "", fmt.Errorf("unterminated %c quote", c)
			}
			i = j
		case '#':
			i = skipLine(s, i)
			if s[i] != '\n' {
				return s + "\n", checkDepth(depth)
			}
		case '-':
			if i+1 < len(s) && s[i+1] == '-' && (i+2 == len(s) || isSpace(s[i+2])) {
				i = skipLine(s, i)
				if s[i] != '\n' {
					return s + "\n", checkDepth(depth)
				}
			}
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				j := strings.Index(s[i+2:], "*/")
				if j < 0 {
					return "", fmt.Errorf("unterminated /* comment")
				}
				i += j + 3
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return "", fmt.Errorf("unbalanced )")
			}
		case ';':
			return "", fmt.Errorf("';' is not allowed")
		case ',':
			if noComma && depth == 0 {
				return "", fmt.Errorf("',' outside parentheses")
			}
		}
	}
	return s, checkDepth(depth)
}

func checkDepth(depth int) error {
	if depth != 0 {
		return fmt.Errorf("unbalanced (")
	}
	return nil
}

// closesAt returns the index of the quote closing the literal that starts
// at i, or -1 when it is unterminated.
func closesAt(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q != '`' {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return -1
}
