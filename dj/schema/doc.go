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
// the platform. A pointer or sql.Null[T] makes the attribute nullable.
//
// A reference, DataJoint's "-> Parent", is a zero-size field of type
// dj.Ref[Parent] (Reference) with options pk, nullable, unique and
// proj=(new=old,...). It copies the parent's primary key into the table at
// its own position; those attributes are also declared as ordinary fields
// so that rows stay flat, and Parse checks that their names, key
// membership, nullability and Go types agree with the parent.
//
// Parse returns the Table; Table.CreateSQL its CREATE TABLE statement,
// byte for byte as DataJoint 0.14 writes it. Dependencies and SortTypes
// order struct types for declaration.
//
// # Reading tables back
//
// Load reconstructs a Table from information_schema, including the
// DataJoint types recorded in comment markers, and absorbs the differences
// between MariaDB and MySQL 8. Compare reports how a declared struct
// differs from the table in the database. ListTables lists a database's
// user tables. LoadGraph builds the foreign-key graph used for cascading
// deletes and for ordering.
//
// The package performs no I/O other than queries through the Querier it is
// given.
package schema
