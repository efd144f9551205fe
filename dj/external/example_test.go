package external_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/datajoint-go/datajoint/dj/external"
)

// The content address and paths of a blob, an attachment and a filepath
// value, as DataJoint 0.14 names them.
func ExampleStoreConfig_BlobPath() {
	stores, err := external.ParseStores([]byte(`{
		"raw": {"protocol": "file", "location": "/data/dj"},
		"shared": {"protocol": "s3", "endpoint": "s3.example.org:9000", "bucket": "lab",
		           "access_key": "ak", "secret_key": "sk", "location": "C:\\dj\\store"}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	h := external.BlobHash([]byte("hello"))
	fmt.Println(h.Hex())
	fmt.Println(stores["raw"].BlobPath("lab_ephys", h))
	fmt.Println(stores["shared"].BlobPath("lab_ephys", h))
	a := external.AttachHash("notes.txt", []byte("hello world"))
	fmt.Println(stores["raw"].AttachPath("lab_ephys", a, "notes.txt"))
	fmt.Println(stores["raw"].FilepathPath("session1/raw/data.bin"), external.FilepathHash("session1/raw/data.bin"))
	// Output:
	// 5d41402abc4b2a76b9719d911017c592
	// /data/dj/lab_ephys/5d/41/5d41402abc4b2a76b9719d911017c592
	// dj/store/lab_ephys/5d/41/5d41402abc4b2a76b9719d911017c592
	// /data/dj/lab_ephys/8a/7b/8a7be28e0003e25ac344fb88e10b571a.notes.txt
	// /data/dj/session1/raw/data.bin 3dbb1822-a85f-9e34-297f-52f6a0ff202f
}

// Storing and reading a blob in a file store.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	s, err := external.Open(external.StoreConfig{Name: "raw", Protocol: external.ProtocolFile, Location: dir})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	blob := []byte("serialized blob")
	key := external.BlobKey("lab_ephys", external.BlobHash(blob), s.Config().Folds())
	if err := s.Put(ctx, key, blob); err != nil {
		log.Fatal(err)
	}
	got, _ := s.Get(ctx, key)
	fmt.Printf("%s: %s\n", key, got)
	_, err = s.Get(ctx, "lab_ephys/00/00/00000000000000000000000000000000")
	fmt.Println(errors.Is(err, external.ErrNotFound))
	// Output:
	// lab_ephys/0c/ca/0ccadb17f44df36fa824cac9b7c3afd1: serialized blob
	// true
}

// Uploading many objects at once; identical contents are sent once.
func ExamplePutMany() {
	s := external.NewMemory("mem")
	var objs []external.Object
	for _, v := range []string{"a", "b", "a"} {
		objs = append(objs, external.Object{Key: external.BlobKey("db", external.BlobHash([]byte(v)), nil), Data: []byte(v)})
	}
	ctx := context.Background()
	if err := external.PutMany(ctx, s, objs, 4); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Len(), "objects stored")
	data, err := external.GetMany(ctx, s, []string{objs[1].Key, "db/missing"}, 4)
	var te *external.TransferError
	if errors.As(err, &te) {
		fmt.Printf("%s, failed: %v, not found: %v\n", data[0], te.Failed(), errors.Is(err, external.ErrNotFound))
	}
	// Output:
	// 2 objects stored
	// b, failed: [1], not found: true
}
