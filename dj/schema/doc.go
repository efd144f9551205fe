// Package schema turns Go structs into DataJoint table metadata and DDL,
// reads the same metadata back from a live MySQL or MariaDB database, and
// builds the dependency graph between tables. Everything it writes follows
// the on-disk contract of DataJoint for Python 0.14, so tables declared
// from Go and from Python are interchangeable.
//
// # Declaring a table
//
// A table is a named struct that embeds one zero-size tier marker
// (TierMarker: dj.Manual, dj.Lookup, dj.Imported, dj.Computed, or
// dj.Part[Master] for a part table). The struct name gives the table name
// with DataJoint's rule (ToSnakeCase, TableName): Session → "session", a
// Lookup Species → "#species", a Computed Spikes → "__spikes", its part
// SpikesUnit → "__spikes__unit".
//
// Every exported field is an attribute whose column name is the field
// name in snake case (FieldColumn: SubjectID → "subject_id"). Embedded
// structs are flattened. Options go in the `dj` tag (see the grammar in
// tags.go): pk, unique, nullable, auto_increment, "-", name=, type=,
// default=. The column comment is the separate `comment` tag. The type is
// inferred from the Go type when type= is absent: int8…int64 and
// uint8…uint64 map to tinyint…bigint [unsigned], float32/float64 to
// float/double, bool to bool, time.Time to datetime, 16-byte arrays such
// as uuid.UUID to uuid, json.RawMessage to json, and slices, arrays, maps,
// structs, gonum matrices and interfaces to longblob. A string needs an
// explicit type, and int/uint are rejected because their size depends on
// the platform. A time.Duration is a bigint of nanoseconds unless it is
// given type=time or time(n). A pointer or sql.Null[T] makes the attribute
// nullable.
//
// A reference, DataJoint's "-> Parent", is a zero-size field of type
// dj.Ref[Parent] (Reference) with options pk, nullable, unique and
// proj=(new=old,...). It copies the parent's primary key into the table at
// its own position; those attributes are also declared as ordinary fields
// so that rows stay flat, and Parse checks that their names, key
// membership, nullability and Go types agree with the parent.
//
// Parse returns the Table; Table.CreateSQL its CREATE TABLE statement,
// byte for byte as DataJoint 0.14 writes it. Dependencies lists the struct
// types a struct type references, so that declarations can be ordered.
//
// # Go types that fit a column
//
// A field's Go type (unwrapped from *T or sql.Null[T]) must hold every
// value of its column's type, whether the type comes from type=, from a
// referenced parent's key (dj.Ref) or from an existing table (Compare);
// otherwise Parse fails with a declaration error that names the field,
// the column type and the Go types that fit:
//
//	tinyint … bigint [unsigned], serial  a Go integer whose range contains the column's:
//	                                     intN holds signed columns of at most N bits and
//	                                     unsigned ones of fewer than N bits; uintN holds
//	                                     unsigned columns of at most N bits (tinyint 8,
//	                                     smallint 16, mediumint 24, int 32, bigint 64; Go's
//	                                     int and uint count at their size on the platform,
//	                                     64 bits on 64-bit platforms). bool also fits
//	                                     tinyint(1), the column MySQL makes of bool.
//	bool, boolean                        bool, or a signed integer
//	decimal(p,s)                         a string type (string, blob.Decimal); float64 when
//	                                     p ≤ 15 and float32 when p ≤ 6, where every value
//	                                     survives the round trip; an integer type when s = 0
//	                                     and it holds every p-digit number (int8/uint8 p ≤ 2,
//	                                     int16/uint16 p ≤ 4, int32/uint32 p ≤ 9, int64 p ≤ 18,
//	                                     uint64 p ≤ 19; unsigned Go types for unsigned
//	                                     decimals only)
//	float                                float32, float64
//	double, real, float(p) with p > 24   float64
//	char(n), varchar(n), enum(...)       a string type, []byte
//	date, datetime, timestamp            time.Time, a string type
//	time                                 time.Duration, a string type
//	year                                 int16, int32, int64, int, a string type
//	json                                 json.RawMessage, []byte, a string type, slices,
//	                                     arrays, maps, structs (encoded as JSON)
//	tinyblob … longblob, blob@store      any value with a blob encoding: numbers, bool,
//	                                     strings, []byte, slices, arrays, maps, structs,
//	                                     time.Time, uuid.UUID, gonum matrices (*mat.Dense)
//	uuid                                 a 16-byte array (uuid.UUID), a string type, []byte
//	attach, attach@store                 a struct (dj.Attachment), a string type (a path)
//	filepath@store                       a string type
//
// An interface type (any) fits every column. So an int16 field cannot
// inherit a bigint key, an int32 field cannot be type=int unsigned (int64
// can), and a float32 field cannot be type=double.
//
// # Names and literals in DDL
//
// Every name and literal written into DDL is validated or quoted:
// identifiers are backquoted, column names match [a-z][a-z0-9_]* (at most
// 64 characters), schema names pass ValidateDatabaseName, comments are
// one line of text within MySQL's limits and written with " and \
// escaped, enum values must be quoted SQL strings, and a default= value
// must be one SQL literal: a quoted string ('mouse', "a\"b"; a quote
// inside is doubled or follows a backslash),
// CURRENT_TIMESTAMP[(n)], null, true/false for bool, or bare text without
// quotes, backquotes or backslashes, which DataJoint writes in double
// quotes (default=mouse gives DEFAULT "mouse", default=0 DEFAULT "0");
// numeric attributes take numbers only. Anything else is a declaration
// error naming the field and the tag.
//
// # Reading tables back
//
// Load reconstructs a Table from information_schema, including the
// DataJoint types recorded in comment markers, and absorbs the differences
// between MariaDB and MySQL 8. Attributes of adapted types (DataJoint's
// <name>, marker ":<name>:") read as the column that stores them, with
// Attribute.Adapter naming the adapter. Compare reports how a declared struct
// differs from the table in the database. ListTables lists a database's
// user tables. LoadGraph builds the foreign-key graph used for cascading
// deletes and for ordering.
//
// The package performs no I/O other than queries through the Querier it is
// given.
package schema
