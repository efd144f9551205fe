package pyzlib_test

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/pyzlib"
)

// The stream is the one Python's zlib.compress(b"hello, hello, hello")
// returns.
func ExampleCompress() {
	z := pyzlib.Compress(nil, []byte("hello, hello, hello"))
	fmt.Printf("%x\n", z)
	// Output: 789ccb48cdc9c9d751c840a200442806d5
}
