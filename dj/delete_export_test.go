package dj

// SetDeleteBatch sets the rows per DELETE statement of a cascade for a
// test and returns the function that restores it.
func SetDeleteBatch(n int64) (restore func()) {
	old := deleteBatch
	deleteBatch = n
	return func() { deleteBatch = old }
}
