package external_test

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/external"
)

// Printing a store configuration never shows its secret key, whatever the
// verb.
func ExampleStoreConfig_Format() {
	cfg := external.StoreConfig{Name: "raw", Protocol: external.ProtocolS3, Endpoint: "s3.example.org:9000",
		Bucket: "lab", Location: "dj", AccessKey: "lab-user", SecretKey: "do-not-print"}
	fmt.Printf("%v\n%+v\n", cfg, cfg)
	// Output:
	// raw (s3 http://s3.example.org:9000/lab/dj)
	// {Name:raw Protocol:s3 Location:dj Endpoint:s3.example.org:9000 Bucket:lab AccessKey:lab-user SecretKey:[redacted] Secure:false Subfolding:[] Stage: ProxyServer: Cache:}
}

// The relative path of a filepath object must stay under the stage and
// the store location.
func ExampleCheckFilepath() {
	for _, rel := range []string{"session1/raw.dat", "../outside.dat", "/etc/passwd", `a\b.dat`} {
		fmt.Println(rel, external.CheckFilepath(rel) == nil)
	}
	// Output:
	// session1/raw.dat true
	// ../outside.dat false
	// /etc/passwd false
	// a\b.dat false
}
