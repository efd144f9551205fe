// Package migrate changes the tables of a DataJoint schema to match the Go
// structs that declare them, the way DataJoint for Python 0.14's
// Table.alter() does, with a plan to review first and a history of what
// was applied.
//
// # Diff and plan
//
// Diff compares structs (as given to dj.Schema.Declare) with the tables in
// the database and returns a Plan: per table, the operations (add, drop,
// modify, rename or move a secondary attribute; add or drop an index or a
// unique index; change the table comment; create a table the database does
// not have) and the one ALTER TABLE statement that makes them, clauses in
// DataJoint's order ("ALTER TABLE `db`.`t`\n\tDROP ...,\n\tADD ... AFTER
// ...,\n\tMODIFY ...,\n\tCHANGE ...,\n\tCOMMENT=..."). After Apply, SHOW
// CREATE TABLE is the one of the same table declared afresh from the new
// struct, and the one DataJoint for Python's alter() leaves for the same
// change.
//
// A field is renamed, keeping its values, with a `was:"old_name"` struct
// tag or, as in DataJoint, a comment that starts with "{old_name}"
// (DataJoint keeps that token in the column comment, and so does this
// package). A rename whose old attribute is gone is an attribute like any
// other, so the same structs can be planned again after the migration.
//
// Every operation that can lose data is a Warning that counts the rows it
// affects in the database: a dropped attribute (rows with a value), a type
// that does not hold every value of the old one (rows whose value does not
// fit: longer strings, integers out of range, decimals with more digits,
// enum values that go, fractional seconds), and NOT NULL on a column with
// NULLs (filled with the attribute's default first, when it has one).
//
// Differences that cannot be altered in place are Refusals, each with what
// to do instead: a change of the primary key (its attributes, their order
// or types), of a reference (added, removed, made nullable or not),
// moving an existing attribute into or out of an object store, and a
// change of tier (which changes the table's name). DataJoint for Python
// 0.14 refuses the same changes, except the primary-key type, which its
// alter() silently leaves as it is. Attributes stored in object stores
// (blob@store, attach@store, filepath@store) are added and dropped
// together with their foreign key to ~external_<store>, which DataJoint's
// alter() refuses; indexes are altered too.
//
// # Apply
//
// Apply runs a plan: it makes the plan again and refuses if the statements
// changed since it was reviewed (ErrPlanChanged), refuses plans with
// refusals (ErrNotAlterable) and, without AllowDataLoss, plans with
// warnings that need confirmation (ErrDataLoss). Each ALTER TABLE is tried
// with ALGORITHM=INSTANT, then INPLACE, then COPY, and the algorithm the
// server accepted is reported. A statement waits at most LockTimeout for
// the table's metadata lock (it gets it when the transactions using the
// table end; populate workers go on, their statements waiting briefly
// behind the ALTER) and is run again after a lock wait timeout. OnProgress
// reports long statements, with MariaDB's percentage of an ALTER that
// copies rows. Each altered table is logged in ~log as DataJoint logs it
// ("Altered `db`.`table`").
//
// # History and status
//
// Each applied migration is recorded in the table ~migrations of the
// schema (HistoryTable): when, the database user and host, the
// operating-system user, the revision of the code (Revision, or the VCS
// revision stamped by go build), the definitions hash (Plan.Hash: the
// SHA-256 of the tables' CREATE TABLE statements, the same in every
// database) and the statements with their algorithms. DataJoint for Python
// treats every table whose name starts with "~" as a system table: it
// never lists, spawns or diagrams it. CheckStatus tells whether a schema
// matches the structs, for a CI job that must fail when it does not.
//
// # Migration programs
//
// Structs live in Go code, so the command line runs a program built from
// it: Main is the whole main function of such a program
// (func main() { migrate.Main(lab.Subject{}, lab.Session{}) }), with the
// commands plan, apply and status; "dj migrate plan|apply|status -pkg
// PKG SCHEMA" builds and runs it, and "dj migrate history SCHEMA" lists
// the history of a schema without any code.
//
// The package is built on dj's public API and dj/schema; dj itself does
// not import it.
package migrate
