package dj

// SkipHashCheck turns the content-hash check of external fetches off (on
// true) for a benchmark and returns the function that restores it.
func SkipHashCheck(skip bool) (restore func()) {
	old := skipHashCheck.Swap(skip)
	return func() { skipHashCheck.Store(old) }
}
