package query

import (
	"slices"
	"strings"
)

// countPlaceholders counts the ? placeholders of a SQL text outside string
// literals, quoted identifiers and comments.
func countPlaceholders(s string) int {
	n := 0
	for t := range tokens(s) {
		if t.kind == tokCode && s[t.start] == '?' {
			n++
		}
	}
	return n
}

// isSpace reports whether c is white space to MariaDB's lexer.
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

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
// outside literals and comments that are neither SQL keywords nor followed
// by "(" (a function call). Words after a "." (qualified names), session
// variables (@x) and collation names are skipped.
func columnNames(s string) []string {
	var out []string
	add := func(name string) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	afterCollate := false // a collation name follows COLLATE
	skip := 0             // the end of the word or number just read
	for t := range tokens(s) {
		if t.start < skip {
			continue
		}
		switch t.kind {
		case tokIdent:
			if !t.open && t.end-t.start > 2 {
				add(strings.ReplaceAll(s[t.start+1:t.end-1], "``", "`"))
			}
			continue
		case tokCode:
		default:
			continue
		}
		i, c := t.start, s[t.start]
		switch {
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			skip = j
		case isIdentStart(c) || c == '@':
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			skip = j
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

// tokKind is the kind of a lexical unit of SQL text.
type tokKind uint8

const (
	tokCode         tokKind = iota // one byte of code
	tokString                      // '...' or "..." (a string literal)
	tokIdent                       // `...` (a quoted identifier)
	tokLineComment                 // # or -- up to the end of the line
	tokBlockComment                // /* ... */, also /*! */ and /*M! */
)

// token is one lexical unit s[start:end] of SQL text.
type token struct {
	kind       tokKind
	start, end int
	// open marks a literal or block comment that the text leaves open.
	open bool
}

// tokens splits SQL text into code bytes, literals and comments as the
// MariaDB and MySQL lexers do for a connection in utf8mb4 whose sql_mode
// has neither ANSI_QUOTES nor NO_BACKSLASH_ESCAPES (DataJoint's):
//
//   - '...' and "..." are strings: a quote is escaped by doubling it or
//     by a backslash, and a backslash escapes any byte. Prefixed forms
//     (N'...', _charset'...', X'...', B'...', @'...') end where the plain
//     string would: the digits of X'..' and B'..' contain no quote or
//     backslash, and a quote right after them opens a new string in
//     which the same rules apply.
//   - `...` is an identifier in which a backtick is escaped by doubling.
//   - # starts a comment up to the end of the line, and so does -- when
//     followed by white space, a control character or the end of the
//     text.
//   - /* starts a comment up to the first */, including the executable
//     forms /*!, /*!NNNNN, /*M! and /*M!NNNNNN whose content the server
//     runs as code.
//
// Multi-byte UTF-8 sequences never contain a byte below 0x80, so the
// scan is by bytes.
func tokens(s string) func(yield func(token) bool) {
	return func(yield func(token) bool) {
		for i := 0; i < len(s); {
			t := nextToken(s, i)
			if !yield(t) {
				return
			}
			i = t.end
		}
	}
}

// nextToken returns the token that starts at s[i].
func nextToken(s string, i int) token {
	t := token{kind: tokCode, start: i, end: i + 1}
	switch c := s[i]; {
	case c == '\'' || c == '"':
		t.kind = tokString
		t.end, t.open = scanString(s, i)
	case c == '`':
		t.kind = tokIdent
		t.end, t.open = scanIdent(s, i)
	case c == '#' || c == '-' && startsDashComment(s, i):
		t.kind = tokLineComment
		t.end = len(s)
		if j := strings.IndexAny(s[i:], "\n\x00"); j >= 0 {
			t.end = i + j
		}
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		t.kind = tokBlockComment
		if j := strings.Index(s[i+2:], "*/"); j >= 0 {
			t.end = i + 2 + j + 2
		} else {
			t.end, t.open = len(s), true
		}
	}
	return t
}

// startsDashComment reports whether s[i:] starts with "--" followed by
// white space, a control character or the end of the text.
func startsDashComment(s string, i int) bool {
	if i+1 >= len(s) || s[i+1] != '-' {
		return false
	}
	return i+2 == len(s) || s[i+2] <= ' ' || s[i+2] == 0x7f
}

// scanString scans the string literal quoted by s[i] and returns the
// index after its closing quote.
func scanString(s string, i int) (end int, open bool) {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1, false
		}
	}
	return len(s), true
}

// scanIdent scans the identifier quoted by the backtick s[i] and returns
// the index after its closing backtick.
func scanIdent(s string, i int) (end int, open bool) {
	for j := i + 1; j < len(s); j++ {
		if s[j] == '`' {
			if j+1 < len(s) && s[j+1] == '`' {
				j++
				continue
			}
			return j + 1, false
		}
	}
	return len(s), true
}
