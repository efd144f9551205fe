package schema

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Every name and literal that reaches DDL passes through this file:
// database names are validated, comments are checked and escaped, default
// values and enum values must be single SQL literals.

// MySQL's limits on comments, in characters.
const (
	MaxTableCommentLength  = 2048
	MaxColumnCommentLength = 1024
)

var (
	databaseNameRE = regexp.MustCompile(`^[A-Za-z0-9_$-]+$`)
	nowDefaultRE   = regexp.MustCompile(`(?i)^current_timestamp(\([0-6]?\))?$`)
)

// ValidateDatabaseName checks a schema (database) name: 1 to 64
// characters (MySQL's limit on identifiers), each an ASCII letter, a
// digit, "_", "$" or "-". DataJoint for Python 0.14 pastes the name into
// its DDL and object-store paths unchecked; this rule keeps every name
// that works there without quoting surprises (no quotes, backticks,
// slashes, dots, spaces or control characters). The error wraps
// djerr.ErrConfig.
func ValidateDatabaseName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty schema name", djerr.ErrConfig)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%w: schema name %q is %d characters long; MySQL allows at most %d", djerr.ErrConfig, name, len(name), MaxNameLength)
	case !databaseNameRE.MatchString(name):
		return fmt.Errorf("%w: invalid schema name %q: use ASCII letters, digits, '_', '$' and '-' only", djerr.ErrConfig, name)
	}
	return nil
}

// checkComment reports why text cannot be a comment of at most max
// characters: it must be valid UTF-8 without control characters other
// than tab (a DataJoint comment is one line of a definition).
func checkComment(text string, max int) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("comment %q is not valid UTF-8", text)
	}
	for _, r := range text {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return fmt.Errorf("comment %q contains control character %U; a comment is one line of text", text, r)
		}
	}
	if n := utf8.RuneCountInString(text); n > max {
		return fmt.Errorf("comment is %d characters long; MySQL allows at most %d", n, max)
	}
	return nil
}

// quotedLiteralEnd returns the length of the SQL string literal at the
// start of s ('…' or "…", with backslash escapes and doubled quotes), or
// -1 when s does not start with a complete one.
func quotedLiteralEnd(s string) int {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return -1
	}
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return -1
}

// isQuotedLiteral reports whether s is exactly one SQL string literal of
// valid UTF-8 without NUL bytes.
func isQuotedLiteral(s string) bool {
	return quotedLiteralEnd(s) == len(s) && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkDefault validates the text of a default= option (other than null)
// for a column of category cat, as DataJoint 0.14 writes it into DDL (see
// sqlDefault): a quoted string literal, CURRENT_TIMESTAMP[(n)], or bare
// text that DataJoint wraps in double quotes, which therefore must not
// contain quotes, backticks, backslashes or control characters. Numeric
// columns take numbers only, bare or quoted.
func checkDefault(def string, cat Category) error {
	if !utf8.ValidString(def) {
		return fmt.Errorf("default %q is not valid UTF-8", def)
	}
	head := strings.ToUpper(strings.TrimSpace(strings.SplitN(def, "(", 2)[0]))
	switch {
	case def[0] == '"' || def[0] == '\'':
		if !isQuotedLiteral(def) {
			return fmt.Errorf("default %s is not one complete SQL string literal: quote it as '...' and write a quote inside it as '' or \\'", def)
		}
		if cat.Numeric() && !numberRE.MatchString(strings.TrimSpace(unquoteSQL(def))) {
			return fmt.Errorf("default %s of a numeric attribute is not a number", def)
		}
		return nil
	case head == "CURRENT_TIMESTAMP":
		if !nowDefaultRE.MatchString(def) {
			return fmt.Errorf("default %s: write CURRENT_TIMESTAMP or CURRENT_TIMESTAMP(n) with n from 0 to 6", def)
		}
		if cat != CatTemporal {
			return fmt.Errorf("default %s applies only to datetime and timestamp attributes", def)
		}
		return nil
	case head == "NULL":
		return fmt.Errorf("default %s: write default=null for a NULL default", def)
	}
	for _, r := range def {
		if r < 0x20 || r == 0x7f || strings.ContainsRune("\"'`\\", r) {
			return fmt.Errorf("default %s contains %q: quote a string default as '...' (SQL literal syntax)", def, r)
		}
	}
	if cat.Numeric() && !numberRE.MatchString(def) {
		return fmt.Errorf("default %s of a numeric attribute is not a number", def)
	}
	return nil
}

// checkEnum checks that the values of an enum type (the text between
// "enum(" and the final ")") are SQL string literals separated by commas.
func checkEnum(body string) error {
	vals, err := splitTopLevel(body, ',')
	if err != nil {
		return err
	}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if !isQuotedLiteral(v) {
			return fmt.Errorf("enum value %s is not a quoted SQL string literal such as 'a'", v)
		}
	}
	return nil
}
