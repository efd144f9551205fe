package query

import (
	"fmt"
	"unicode/utf8"
)

// checkFragment checks a SQL fragment that is pasted into a statement (a
// Where condition, or the expression of a computed attribute, which is
// written in parentheses too), so that it stays one expression inside its
// parentheses. Tokenised as the server does (see tokens), the fragment
// must be valid UTF-8 and have
//
//   - no comment of any form (#, -- , /* */, /*! */, /*M! */): a line
//     comment could swallow the closing parenthesis and an executable
//     comment runs code that a scanner skipping comments would not see;
//   - no "--" at all outside literals, so that no reading of the bytes
//     after it can make it a comment (write "- -" for a double minus);
//   - its literals closed, read as under the sql_mode every dj
//     connection sets (backslash escapes on, "..." a string);
//   - outside literals: no ";", no backslash, no control character other
//     than tab, line feed and carriage return, parentheses balanced and
//     never closing one the fragment did not open, and, when noComma is
//     set, no "," outside parentheses.
func checkFragment(s string, noComma bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	depth := 0
	for t := range tokens(s) {
		switch t.kind {
		case tokString, tokIdent:
			if t.open {
				return fmt.Errorf("unterminated %c quote", s[t.start])
			}
		case tokLineComment, tokBlockComment:
			return commentError(s, t)
		case tokCode:
			switch c := s[t.start]; {
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth < 0 {
					return fmt.Errorf("unbalanced )")
				}
			case c == ';':
				return fmt.Errorf("';' is not allowed")
			case c == ',' && noComma && depth == 0:
				return fmt.Errorf("',' outside parentheses")
			case c == '-' && t.end < len(s) && s[t.end] == '-':
				return fmt.Errorf("'--' is not allowed outside quotes (write '- -' for a double minus)")
			case c == '\\':
				return fmt.Errorf("backslash outside quotes")
			case c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f:
				return fmt.Errorf("control character 0x%02x outside quotes", c)
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced (")
	}
	return nil
}

// commentError describes the comment t of s, which a fragment may not
// contain.
func commentError(s string, t token) error {
	text := s[t.start:t.end]
	if len(text) > 20 {
		text = text[:20] + "..."
	}
	switch {
	case t.kind == tokBlockComment && t.open:
		return fmt.Errorf("unterminated /* comment (comments are not allowed): %q", text)
	case t.kind == tokBlockComment && len(text) > 2 && (text[2] == '!' || text[2] == 'M' && len(text) > 3 && text[3] == '!'):
		return fmt.Errorf("executable comment %q is not allowed", text)
	}
	return fmt.Errorf("comments are not allowed: %q", text)
}
