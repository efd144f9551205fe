// Package dj is DataJoint for Go: a framework for scientific data
// pipelines on MySQL or MariaDB, compatible on disk with DataJoint for
// Python 0.14, so Go and Python users can share one database.
//
// # Declaring a pipeline
//
// A table is a struct. An embedded zero-size marker gives its tier —
// Manual, Lookup, Imported, Computed or Part[Master] — and typed references
// (Ref[Parent]) give its foreign keys. Field order is attribute order;
// column names are the snake_case of field names.
//
//	type Subject struct {
//		dj.Manual `comment:"experimental subject"`
//		SubjectID int32      `dj:"pk"`
//		Species   string     `dj:"type=varchar(32),default='mouse'"`
//		DOB       *time.Time `dj:"type=date" comment:"date of birth"` // pointer: nullable
//	}
//
//	type Session struct {
//		dj.Manual
//		Subject   dj.Ref[Subject] `dj:"pk"` // -> Subject
//		SubjectID int32           `dj:"pk"` // the key it brings, declared too
//		SessionID int16           `dj:"pk"`
//		Trace     []float64                 // a DataJoint blob (longblob)
//	}
//
// Schema.Declare creates the tables exactly as DataJoint for Python would
// (names such as "#species", "_scan", "__filtered", "__filtered__unit";
// column types, comments, type markers, foreign keys and indexes), or
// checks existing tables against the structs.
//
// The `dj` tag takes: pk; name=<column>; type=<DataJoint type>
// (int, smallint unsigned, varchar(n), enum('a','b'), decimal(p,s), date,
// datetime(6), json, uuid, longblob, blob@store, attach, attach@store,
// filepath@store, ...); default=<SQL literal>; auto_increment; and "-" to
// skip a field. On a Ref field: pk, nullable, unique and proj=(new=old,...)
// for a renamed reference. On the tier marker: index=(a,b) and
// unique=(a,b). A separate `comment` tag holds comments. Go types map to
// DataJoint types: int8..int64 to tinyint..bigint (uintN: unsigned),
// float32/float64 to float/double, bool to bool, time.Time to datetime,
// uuid.UUID to uuid, json.RawMessage to json, and slices, maps, structs,
// gonum matrices and any to longblob (see package dj/blob). A string needs
// an explicit type.
//
// # Reading and writing
//
// Insert, Insert1 and Update1 write rows of declared structs; Table.Insert
// takes maps too. Fetch, FetchOne, All (streaming), FetchMaps, FetchKeys,
// FetchColumn, Count and Exists read the result of a query expression.
// Every such call takes a context and a Querier: a *Conn, or the *Tx of
// Conn.Tx, so the same code runs inside and outside transactions.
//
// Tables that no Go code declared — for example ones declared by
// DataJoint for Python — open with Schema.Table and Schema.Tables; their
// headings are read from the database.
//
// # Queries
//
// An Expr is DataJoint's query expression: an immutable value built with
// Restrict (&), Exclude (-), Join (*), Proj, Aggr, Union (+), U, OrderBy,
// Limit and Offset. Builders never fail; the first error is returned by
// the terminal call.
//
// # Deleting
//
// Delete removes rows and everything that depends on them, leaves first,
// in one transaction, and refuses to orphan part rows. Table.Drop drops a
// table with its dependents.
//
// # Errors
//
// Errors wrap the sentinels ErrDuplicate, ErrIntegrity, ErrNoRows,
// ErrTooManyRows, ErrUnknownAttribute, ErrMissingAttribute,
// ErrMissingTable, ErrDeclaration, ... inside an *Error that names the
// operation, the table and the attribute. Server errors keep the
// *mysql.MySQLError in the chain.
package dj
