package schema

import (
	"fmt"
	"strings"
)

// A small MySQL lexer and a parser of the one statement shape this
// package emits, used to prove that no input changes the statement's
// structure: every statement must be exactly one CREATE TABLE whose
// clauses are the ones CreateSQL and the system-table functions write.

type tokKind int

const (
	tokWord    tokKind = iota + 1 // keyword, type name, number
	tokIdent                      // `quoted identifier`
	tokString                     // '…' or "…"
	tokPunct                      // ( ) , . = ; and other single characters
	tokComment                    // -- …, # …, /* … */
)

type token struct {
	kind tokKind
	text string // the unquoted value of identifiers and strings
}

func (t token) String() string { return fmt.Sprintf("%d:%q", t.kind, t.text) }

// lexSQL splits a statement into tokens as MySQL's lexer does with
// DataJoint's sql_mode (backslash escapes in strings, ANSI_QUOTES off).
func lexSQL(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, token{tokComment, s[i : i+j]})
			i += j
		case c == '-' && i+1 < len(s) && s[i+1] == '-' && (i+2 == len(s) || s[i+2] <= ' '):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			out = append(out, token{tokComment, s[i : i+j]})
			i += j
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated /* comment at %d", i)
			}
			out = append(out, token{tokComment, s[i : i+2+j+2]})
			i += 2 + j + 2
		case c == '`':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated identifier at %d", i)
				}
				if s[j] == '`' {
					if j+1 < len(s) && s[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{tokIdent, b.String()})
			i = j + 1
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated string at %d", i)
				}
				d := s[j]
				if d == '\\' && j+1 < len(s) {
					switch e := s[j+1]; e {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case '0':
						b.WriteByte(0)
					case 'b':
						b.WriteByte('\b')
					case 'Z':
						b.WriteByte(26)
					default:
						b.WriteByte(e)
					}
					j += 2
					continue
				}
				if d == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(d)
				j++
			}
			out = append(out, token{tokString, b.String()})
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, token{tokWord, s[i:j]})
			i = j
		default:
			out = append(out, token{tokPunct, string(c)})
			i++
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// ddlColumn is one column definition found in a CREATE TABLE statement.
type ddlColumn struct {
	name       string
	typ        string // the type's tokens joined by spaces
	nullable   bool
	hasDefault bool
	def        token // the default's token (a string, or a word such as CURRENT_TIMESTAMP)
	comment    string
	hasComment bool
}

// ddlTable is a parsed CREATE TABLE statement.
type ddlTable struct {
	database, name string
	columns        []ddlColumn
	primaryKey     []string
	foreignKeys    int
	indexes        int
	comment        string
}

// tokStream is a cursor over tokens.
type tokStream struct {
	toks []token
	pos  int
}

func (s *tokStream) peek() token {
	if s.pos < len(s.toks) {
		return s.toks[s.pos]
	}
	return token{}
}

func (s *tokStream) next() token { t := s.peek(); s.pos++; return t }

// word consumes the keyword w (case-insensitive).
func (s *tokStream) word(w string) error {
	t := s.next()
	if t.kind != tokWord || !strings.EqualFold(t.text, w) {
		return fmt.Errorf("token %d: want %s, got %v", s.pos-1, w, t)
	}
	return nil
}

func (s *tokStream) isWord(w string) bool {
	t := s.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func (s *tokStream) punct(p string) error {
	t := s.next()
	if t.kind != tokPunct || t.text != p {
		return fmt.Errorf("token %d: want %q, got %v", s.pos-1, p, t)
	}
	return nil
}

func (s *tokStream) isPunct(p string) bool {
	t := s.peek()
	return t.kind == tokPunct && t.text == p
}

func (s *tokStream) ident() (string, error) {
	t := s.next()
	if t.kind != tokIdent {
		return "", fmt.Errorf("token %d: want an identifier, got %v", s.pos-1, t)
	}
	return t.text, nil
}

func (s *tokStream) str() (string, error) {
	t := s.next()
	if t.kind != tokString {
		return "", fmt.Errorf("token %d: want a string, got %v", s.pos-1, t)
	}
	return t.text, nil
}

// identList parses "(`a`,`b`)".
func (s *tokStream) identList() ([]string, error) {
	if err := s.punct("("); err != nil {
		return nil, err
	}
	var out []string
	for {
		id, err := s.ident()
		if err != nil {
			return nil, err
		}
		out = append(out, id)
		if s.isPunct(",") {
			s.next()
			continue
		}
		return out, s.punct(")")
	}
}

// parseCreateTable parses one statement of the shape this package emits
// and fails on anything else: comments, a second statement, unknown
// clauses, table options other than ENGINE=InnoDB and one COMMENT.
func parseCreateTable(stmt string) (*ddlTable, error) {
	toks, err := lexSQL(stmt)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		if t.kind == tokComment {
			return nil, fmt.Errorf("statement contains a comment %q", t.text)
		}
	}
	s := &tokStream{toks: toks}
	for _, w := range []string{"CREATE", "TABLE", "IF", "NOT", "EXISTS"} {
		if err := s.word(w); err != nil {
			return nil, err
		}
	}
	d := &ddlTable{}
	if d.database, err = s.ident(); err != nil {
		return nil, err
	}
	if err := s.punct("."); err != nil {
		return nil, err
	}
	if d.name, err = s.ident(); err != nil {
		return nil, err
	}
	if err := s.punct("("); err != nil {
		return nil, err
	}
	for {
		if err := s.item(d); err != nil {
			return nil, err
		}
		if s.isPunct(",") {
			s.next()
			continue
		}
		if err := s.punct(")"); err != nil {
			return nil, err
		}
		break
	}
	if err := s.word("ENGINE"); err != nil {
		return nil, err
	}
	if err := s.punct("="); err != nil {
		return nil, err
	}
	if err := s.word("InnoDB"); err != nil {
		return nil, err
	}
	if err := s.punct(","); err != nil {
		return nil, err
	}
	if err := s.word("COMMENT"); err != nil {
		return nil, err
	}
	if d.comment, err = s.str(); err != nil {
		return nil, err
	}
	if s.pos != len(toks) {
		return nil, fmt.Errorf("tokens after the table comment: %v", toks[s.pos:])
	}
	return d, nil
}

// item parses one element of the table body.
func (s *tokStream) item(d *ddlTable) error {
	switch {
	case s.isWord("PRIMARY"):
		s.next()
		if err := s.word("KEY"); err != nil {
			return err
		}
		pk, err := s.identList()
		d.primaryKey = pk
		return err
	case s.isWord("FOREIGN"):
		s.next()
		if err := s.word("KEY"); err != nil {
			return err
		}
		if _, err := s.identList(); err != nil {
			return err
		}
		if err := s.word("REFERENCES"); err != nil {
			return err
		}
		for _, f := range []func() error{
			func() error { _, err := s.ident(); return err },
			func() error { return s.punct(".") },
			func() error { _, err := s.ident(); return err },
			func() error { _, err := s.identList(); return err },
			func() error { return s.word("ON") },
			func() error { return s.word("UPDATE") },
		} {
			if err := f(); err != nil {
				return err
			}
		}
		if !s.isWord("CASCADE") && !s.isWord("RESTRICT") {
			return fmt.Errorf("token %d: want CASCADE or RESTRICT, got %v", s.pos, s.peek())
		}
		s.next()
		for _, w := range []string{"ON", "DELETE", "RESTRICT"} {
			if err := s.word(w); err != nil {
				return err
			}
		}
		d.foreignKeys++
		return nil
	case s.isWord("unique") || s.isWord("index"):
		if s.isWord("unique") {
			s.next()
		}
		if err := s.word("index"); err != nil {
			return err
		}
		_, err := s.identList()
		d.indexes++
		return err
	}
	return s.column(d)
}

// typeWords are the words a column type may contain.
var typeWords = map[string]bool{
	"tinyint": true, "smallint": true, "mediumint": true, "int": true, "integer": true, "bigint": true,
	"serial": true, "unsigned": true, "zerofill": true, "decimal": true, "numeric": true, "float": true,
	"double": true, "real": true, "char": true, "varchar": true, "enum": true, "bool": true, "boolean": true,
	"date": true, "datetime": true, "time": true, "timestamp": true, "year": true, "json": true,
	"tinyblob": true, "blob": true, "mediumblob": true, "longblob": true, "binary": true,
}

// column parses `name` <type> [auto_increment] <null/default> [COMMENT "…"].
func (s *tokStream) column(d *ddlTable) error {
	var c ddlColumn
	var err error
	if c.name, err = s.ident(); err != nil {
		return err
	}
	var typ []string
	t := s.next()
	if t.kind != tokWord || !typeWords[strings.ToLower(t.text)] {
		return fmt.Errorf("column %q: %v is not a type", c.name, t)
	}
	typ = append(typ, t.text)
	if s.isPunct("(") {
		s.next()
		typ = append(typ, "(")
		for {
			a := s.next()
			if a.kind != tokWord && a.kind != tokString {
				return fmt.Errorf("column %q: type argument %v", c.name, a)
			}
			if a.kind == tokWord && strings.Trim(a.text, "0123456789") != "" {
				return fmt.Errorf("column %q: type argument %v is not a number", c.name, a)
			}
			typ = append(typ, a.text)
			if s.isPunct(",") {
				s.next()
				continue
			}
			if err := s.punct(")"); err != nil {
				return err
			}
			typ = append(typ, ")")
			break
		}
	}
	for s.isWord("unsigned") || s.isWord("zerofill") {
		typ = append(typ, s.next().text)
	}
	c.typ = strings.Join(typ, " ")
	if s.isWord("auto_increment") {
		s.next()
	}
	switch {
	case s.isWord("NOT"):
		s.next()
		if err := s.word("NULL"); err != nil {
			return err
		}
		if s.isWord("DEFAULT") {
			s.next()
			if err := s.defaultValue(&c); err != nil {
				return err
			}
		}
	case s.isWord("DEFAULT"):
		s.next()
		c.nullable = true
		if err := s.defaultValue(&c); err != nil {
			return err
		}
	default:
		c.nullable = true
	}
	if s.isWord("COMMENT") {
		s.next()
		if c.comment, err = s.str(); err != nil {
			return err
		}
		c.hasComment = true
	}
	if !s.isPunct(",") && !s.isPunct(")") {
		return fmt.Errorf("column %q: unexpected %v after its definition", c.name, s.peek())
	}
	d.columns = append(d.columns, c)
	return nil
}

// defaultValue parses one default: a string literal, NULL, or
// CURRENT_TIMESTAMP[(n)].
func (s *tokStream) defaultValue(c *ddlColumn) error {
	c.hasDefault = true
	t := s.next()
	c.def = t
	switch {
	case t.kind == tokString:
		return nil
	case t.kind == tokWord && strings.EqualFold(t.text, "NULL"):
		return nil
	case t.kind == tokWord && strings.EqualFold(t.text, "CURRENT_TIMESTAMP"):
		if s.isPunct("(") {
			s.next()
			if a := s.peek(); a.kind == tokWord {
				if strings.Trim(a.text, "0123456789") != "" {
					return fmt.Errorf("column %q: CURRENT_TIMESTAMP(%s)", c.name, a.text)
				}
				s.next()
			}
			return s.punct(")")
		}
		return nil
	}
	return fmt.Errorf("column %q: default %v is not one literal", c.name, t)
}
