// Package djerr holds the sentinel errors shared by dj and its internal
// packages. Package dj re-exports every one of them under the same name, so
// users test with errors.Is(err, dj.ErrUnknownAttribute) whichever layer
// produced the error.
package djerr

import "errors"

// Sentinels. Each describes a class of failure; concrete errors wrap one of
// them with %w and add the table, attribute and cause.
var (
	// ErrDuplicate: a row with the same primary key (or unique index) exists.
	ErrDuplicate = errors.New("duplicate entry")
	// ErrIntegrity: a foreign-key constraint would be violated.
	ErrIntegrity = errors.New("referential integrity violated")
	// ErrNoRows: a query that must return one row returned none.
	ErrNoRows = errors.New("no rows")
	// ErrTooManyRows: a query that must return one row returned several.
	ErrTooManyRows = errors.New("more than one row")
	// ErrUnknownAttribute: an attribute name that the table or query does
	// not have.
	ErrUnknownAttribute = errors.New("unknown attribute")
	// ErrMissingAttribute: a required attribute has no value.
	ErrMissingAttribute = errors.New("missing attribute")
	// ErrMissingTable: the table does not exist in the database.
	ErrMissingTable = errors.New("missing table")
	// ErrDeclaration: a struct or definition cannot be declared as a table.
	ErrDeclaration = errors.New("invalid table declaration")
	// ErrHeadingMismatch: a declared struct disagrees with the existing
	// table in the database.
	ErrHeadingMismatch = errors.New("declared table differs from the database")
	// ErrIllegalJoin: two expressions cannot be joined (or restricted by
	// one another) under DataJoint's rules.
	ErrIllegalJoin = errors.New("illegal join")
	// ErrIncompatible: operands of a union (or similar) have incompatible
	// headings.
	ErrIncompatible = errors.New("incompatible headings")
	// ErrInvalidQuery: an operator was used in a way DataJoint forbids
	// (bad projection, bad restriction value, ...).
	ErrInvalidQuery = errors.New("invalid query")
	// ErrType: a value cannot be converted to or from an attribute's type.
	ErrType = errors.New("type mismatch")
	// ErrDirectInsert: insert into an Imported or Computed table outside
	// its make.
	ErrDirectInsert = errors.New("direct insert into an auto-populated table")
	// ErrLostConnection: the connection to the server was lost where it
	// could not be re-established transparently (inside a transaction).
	ErrLostConnection = errors.New("lost connection to the database")
	// ErrAccess: the server refused the operation for lack of privileges.
	ErrAccess = errors.New("access denied")
	// ErrSyntax: the server rejected the SQL as malformed.
	ErrSyntax = errors.New("query syntax error")
	// ErrTransaction: a transaction rule was broken (nesting, declaring
	// inside a transaction, ...).
	ErrTransaction = errors.New("transaction error")
	// ErrPartIntegrity: an operation would leave part rows without their
	// master, or delete parts alone.
	ErrPartIntegrity = errors.New("master-part integrity")
	// ErrMissingExternal: an externally stored object is missing.
	ErrMissingExternal = errors.New("missing external object")
	// ErrStore: an object store failed or is misconfigured.
	ErrStore = errors.New("object store error")
	// ErrConfig: the configuration is invalid.
	ErrConfig = errors.New("invalid configuration")
	// ErrConflict: the server gave up on a statement because of a lock
	// conflict with concurrent transactions (a deadlock, or a lock wait
	// timeout). Nothing of the failed transaction is committed; running it
	// again may succeed.
	ErrConflict = errors.New("lock conflict with a concurrent transaction")
	// ErrReadOnly: a write on a read-only connection (Config.ReadOnly), or
	// one the server refused because the session or server is read-only.
	ErrReadOnly = errors.New("read-only connection")
)
