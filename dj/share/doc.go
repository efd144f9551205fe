// Package share selects a self-consistent part of a DataJoint pipeline and
// copies it, with its externally stored objects, into other databases on
// the same or another server.
//
// Closure computes the rows to share from restrictions on one or more
// tables: every row downstream of the restricted rows (the rows a
// cascading delete of them would reach), every row those rows reference
// upstream (parents, through renamed references too, and the parts of
// every master brought in), the whole contents of the Lookup tables of the
// schemas involved, and the rows of the ~external_<store> tracking tables
// that the selected rows use. References that cross schemas are followed.
//
// Clone copies such a closure, or whole schemas, into destination
// databases: tables are created with the source's own CREATE TABLE
// statements (so DataJoint for Python opens the copy), parents before
// children; objects are copied to the destination's stores by content
// hash, in parallel, skipping those already present; then tracking rows
// and table rows are copied, server-side when both databases are on the
// same server and streamed in batches otherwise. Every step skips what is
// already there, so a clone that was interrupted completes when it is run
// again.
//
// Export writes such a closure, or whole schemas, to a release archive: a
// tar file or a directory holding manifest.json (format and release
// version, source, creation time, every table's CREATE TABLE statement,
// columns, primary key and row count, every external object's tracking
// row, and the size and SHA-256 of every member), manifest.sha256, the
// rows of each table as a zstd stream of length-prefixed values (the
// server's text of each value, blobs as stored, NULL distinct), and the
// objects by content hash. Import loads a release into any MySQL or
// MariaDB server, with schemas renamed on request and objects written to
// the destination's stores, after verifying every member (Verify does so
// without a server): a damaged or incomplete archive is refused with
// ErrCorruptArchive before anything is created. Releases lists the
// releases of a directory and FindRelease picks one by version;
// PublishRelease copies a .tar release to an object store with its
// manifest beside it, StoreReleases lists the releases under a key prefix
// from those manifests and FetchRelease downloads one by version. Package
// dj/share/embedded opens a small release read-only without a server.
package share
