// Package external stores the objects of DataJoint's external attributes
// (blob@store, attach@store, filepath@store) in a file system directory or
// an S3 bucket, under the same names DataJoint for Python 0.14 uses, so a
// pipeline written in Go and one written in Python share their stores.
//
// The package is storage and content addressing only. The tracking tables
// (~external_<store>) and the columns that reference them belong to package
// dj, which builds on this one.
//
// # Content addressing
//
// Every object is named by a 16-byte MD5 digest, a [Hash]. DataJoint keeps
// it as binary(16) in the database (a UUID) and writes it as 32 lowercase
// hex digits in paths:
//
//	type             hashed                              stored object
//	blob@store       the serialized blob bytes            those bytes
//	attach@store     file name + "\x00" + file contents   the file contents
//	filepath@store   the relative path (UTF-8)            the file
//	contents_hash    the file contents (filepath only)    -
//
// # Layout
//
// Keys passed to a [Store] are relative to the store's location. With the
// default subfolding (2, 2) they are:
//
//	blob      <db>/<hex[0:2]>/<hex[2:4]>/<hex>
//	attach    <db>/<hex[0:2]>/<hex[2:4]>/<hex>.<attachment name>
//	filepath  <relative path>
//
// Each subfolding entry n takes the next n hex digits as one directory level;
// an empty subfolding gives a flat layout. The full path is the POSIX join of
// the location and the key ([StoreConfig.FullPath]): a file name for the
// "file" protocol, an object key in the bucket for "s3". For S3, a location
// whose first component is a drive or a root ("C:\data", "\data", "/data")
// loses it, as in DataJoint 0.14 on Python 3.11. Subfolding is not recorded
// anywhere: reading with a subfolding other than the one used for writing
// finds nothing.
//
// File stores write each object to a temporary file beside its target and
// rename it into place, so readers never see a partial object. On S3, the
// filepath objects carry their contents hash as user metadata
// (x-amz-meta-contents_hash), which [Info.Metadata] reports under
// "contents_hash".
//
// # Errors
//
// Errors are *[Error] values naming the operation, store and path. A missing
// object matches [ErrNotFound] (the same value as dj.ErrMissingExternal),
// any other failure of the store matches [ErrStore], and an invalid
// configuration matches [ErrConfig], all through errors.Is.
//
// # Transfers
//
// [PutMany] and [GetMany] move many objects with bounded concurrency,
// transferring each distinct key once; DataJoint for Python moves external
// objects one at a time. [NewCache] adds DataJoint's read-through local cache
// of blobs (<cache>/<hex[0:2]>/<hex[2:4]>/<hex>).
package external
