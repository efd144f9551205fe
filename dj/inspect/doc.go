// Package inspect shows and adopts an existing DataJoint pipeline: it lists
// the schemas of a server and the tables of a schema, prints a table's
// definition as DataJoint for Python 0.14's describe() does, draws the
// dependency graph in DataJoint's visual language (DOT, and SVG or PNG
// through Graphviz), generates Go structs for every table of a live schema,
// and previews query results as text tables.
//
// It works over the public API of package dj and reads metadata from the
// server's information_schema, so it needs no Go declarations: tables
// declared by DataJoint for Python or by another Go program look the same.
package inspect
