package dj

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Sentinel errors. Every error returned by dj wraps one of these (usually
// inside an *Error that names the table and attribute), so callers test
// with errors.Is. Server errors additionally keep the *mysql.MySQLError in
// the chain for errors.As.
var (
	ErrDuplicate        = djerr.ErrDuplicate        // a row with the same key exists (MySQL 1062)
	ErrIntegrity        = djerr.ErrIntegrity        // a foreign-key constraint would break (1451, 1452, 1217)
	ErrNoRows           = djerr.ErrNoRows           // FetchOne found no row
	ErrTooManyRows      = djerr.ErrTooManyRows      // FetchOne found several rows
	ErrUnknownAttribute = djerr.ErrUnknownAttribute // no such attribute (1054)
	ErrMissingAttribute = djerr.ErrMissingAttribute // a required attribute has no value (1364, 1048)
	ErrMissingTable     = djerr.ErrMissingTable     // no such table (1146)
	ErrDeclaration      = djerr.ErrDeclaration      // a struct cannot be declared as a table
	ErrHeadingMismatch  = djerr.ErrHeadingMismatch  // a declared struct differs from the existing table
	ErrIllegalJoin      = djerr.ErrIllegalJoin      // operands cannot be joined under DataJoint's rules
	ErrIncompatible     = djerr.ErrIncompatible     // union of incompatible headings
	ErrInvalidQuery     = djerr.ErrInvalidQuery     // an operator used in a way DataJoint forbids
	ErrType             = djerr.ErrType             // a value does not fit the attribute or Go type
	ErrDirectInsert     = djerr.ErrDirectInsert     // insert into an Imported/Computed table outside make
	ErrLostConnection   = djerr.ErrLostConnection   // the connection died inside a transaction
	ErrAccess           = djerr.ErrAccess           // privileges missing (1044, 1142)
	ErrSyntax           = djerr.ErrSyntax           // the server rejected the SQL (1064)
	ErrTransaction      = djerr.ErrTransaction      // a transaction rule was broken
	ErrPartIntegrity    = djerr.ErrPartIntegrity    // parts would lose rows without their master
	ErrMissingExternal  = djerr.ErrMissingExternal  // an externally stored object is missing
	ErrStore            = djerr.ErrStore            // an object store failed or is misconfigured
	ErrConfig           = djerr.ErrConfig           // the configuration is invalid
	ErrConflict         = djerr.ErrConflict         // a deadlock (1213) or lock wait timeout (1205); see RetryConflicts
	ErrReadOnly         = djerr.ErrReadOnly         // a write on a read-only connection (Config.ReadOnly), or refused by a read-only server (1792, 1290)
)

// Error is the error type of dj operations. It names the operation, the
// table and, when known, the attribute; Err holds the classified cause (a
// sentinel, usually joined with the underlying driver error).
type Error struct {
	Op    string // "insert", "fetch", "declare", "delete", ...
	Table string // table name as `db`.`table`, or a Go type name
	Attr  string // attribute name, when one is at fault
	Err   error
}

// Error formats the error as "dj: <op> <table>: attribute <attr>: <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dj: ")
	b.WriteString(e.Op)
	if e.Table != "" {
		b.WriteByte(' ')
		b.WriteString(e.Table)
	}
	if e.Attr != "" {
		b.WriteString(": attribute ")
		b.WriteString(e.Attr)
	}
	if e.Err != nil {
		b.WriteString(": ")
		if inner, ok := e.Err.(*Error); ok {
			// One "dj:" prefix, and the table named once.
			b.WriteString(inner.body(e.Table))
		} else {
			// A cause that wraps a dj error keeps its words but not a
			// second "dj: ".
			b.WriteString(strings.TrimPrefix(e.Err.Error(), "dj: "))
		}
	}
	return b.String()
}

// body is the message of e without the "dj: " prefix, and without the
// table when the enclosing error names the same one.
func (e *Error) body(outerTable string) string {
	msg := e.Error()[len("dj: "):]
	if e.Table != "" && e.Table == outerTable {
		msg = strings.Replace(msg, e.Op+" "+e.Table, e.Op, 1)
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// typeErr makes err match ErrType (a value that does not fit its attribute
// or Go type) — the one rule for wrapping conversion and blob failures on
// every path, insert and fetch alike. Errors of the blob package keep
// matching their own sentinels and their text is not repeated; a blob
// larger than the decoded-size limit stays blob.ErrTooLarge only.
func typeErr(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrType), errors.Is(err, blob.ErrTooLarge):
		return err
	case errors.Is(err, blob.ErrType), errors.Is(err, blob.ErrMalformed), errors.Is(err, blob.ErrUnsupported):
		return alsoMatches{err, ErrType}
	}
	return fmt.Errorf("%w: %w", ErrType, err)
}

// alsoMatches is err that also matches sentinel, with err's text only.
type alsoMatches struct {
	err      error
	sentinel error
}

func (a alsoMatches) Error() string   { return a.err.Error() }
func (a alsoMatches) Unwrap() []error { return []error{a.err, a.sentinel} }

// opError builds an *Error, classifying err first. A nil err gives nil.
func opError(op, table, attr string, err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) && de.Op == op {
		return err
	}
	err = classify(err)
	if attr == "" {
		attr = attributeFromServer(err)
	}
	return &Error{Op: op, Table: table, Attr: attr, Err: err}
}

// serverErrors maps MySQL error numbers to sentinels, as DataJoint does.
var serverErrors = map[uint16]error{
	1044: ErrAccess, 1142: ErrAccess, 1045: ErrAccess,
	1062: ErrDuplicate, 1586: ErrDuplicate,
	1217: ErrIntegrity, 1451: ErrIntegrity, 1452: ErrIntegrity, 3730: ErrIntegrity,
	1064: ErrSyntax,
	1146: ErrMissingTable, 1049: ErrMissingTable,
	1364: ErrMissingAttribute, 1048: ErrMissingAttribute,
	1054: ErrUnknownAttribute,
	1265: ErrType, 1366: ErrType, 1264: ErrType, 1292: ErrType, 4025: ErrType,
	1213: ErrConflict, 1205: ErrConflict,
	2006: ErrLostConnection, 2013: ErrLostConnection, 1927: ErrLostConnection,
	1792: ErrReadOnly, // a write in a READ ONLY transaction or session
}

// errOptionPrevents is ER_OPTION_PREVENTS_STATEMENT: a server option
// forbids the statement. With the option read_only it is ErrReadOnly.
const errOptionPrevents = 1290

// classify attaches the matching sentinel to a driver error. Errors that
// already carry a dj sentinel are returned unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		if s, ok := serverErrors[me.Number]; ok && !errors.Is(err, s) {
			return fmt.Errorf("%w: %w", s, err)
		}
		if me.Number == errOptionPrevents && strings.Contains(me.Message, "read-only") && !errors.Is(err, ErrReadOnly) {
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		}
		return err
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, sql.ErrConnDone) {
		if !errors.Is(err, ErrLostConnection) {
			return fmt.Errorf("%w: %w", ErrLostConnection, err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) && !errors.Is(err, ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNoRows, err)
	}
	return err
}

// Patterns that name the offending column in MySQL/MariaDB messages.
var serverAttrPatterns = []*regexp.Regexp{
	regexp.MustCompile(`Unknown column '([^']+)'`),
	regexp.MustCompile(`Field '([^']+)' doesn't have a default value`),
	regexp.MustCompile(`Column '([^']+)' cannot be null`),
	regexp.MustCompile(`for column .?'?([^' ]+?)'? at row`),
	regexp.MustCompile(`Out of range value for column '([^']+)'`),
}

func attributeFromServer(err error) string {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return ""
	}
	for _, re := range serverAttrPatterns {
		if m := re.FindStringSubmatch(me.Message); m != nil {
			name := m[1]
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[i+1:]
			}
			return strings.Trim(name, "`'")
		}
	}
	return ""
}
