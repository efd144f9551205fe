package external

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"
)

// BenchmarkS3Transfer moves 100 objects of 1 MiB to and from the test S3
// server per iteration, through PutMany/GetMany, through plain minio-go
// calls on as many goroutines, and one at a time through the Store (as
// DataJoint for Python does). Compare ns/op (or MB/s) of the variants.
func BenchmarkS3Transfer(b *testing.B) {
	const n, size, workers = 100, 1 << 20, DefaultConcurrency
	ctx := context.Background()
	cfg := s3Config(b)
	s, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	cleanupS3(b, s)
	plain := plainClient(b, cfg)
	objs := make([]Object, n)
	keys := make([]string, n)
	for i := range objs {
		data := make([]byte, size)
		rand.Read(data)
		keys[i] = BlobKey("db", BlobHash(data), cfg.Folds())
		objs[i] = Object{Key: keys[i], Data: data}
	}
	plainParallel := func(f func(i int) error) error {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					if err := f(i); err != nil {
						errs <- err
					}
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		return <-errs
	}
	plainPut := func(i int) error {
		_, err := plain.PutObject(ctx, cfg.Bucket, cfg.FullPath(keys[i]), bytes.NewReader(objs[i].Data), size, minio.PutObjectOptions{})
		return err
	}
	plainGet := func(i int) error {
		o, err := plain.GetObject(ctx, cfg.Bucket, cfg.FullPath(keys[i]), minio.GetObjectOptions{})
		if err != nil {
			return err
		}
		defer o.Close()
		buf := make([]byte, size)
		_, err = io.ReadFull(o, buf)
		return err
	}
	variants := []struct {
		name string
		run  func() error
	}{
		{"Put/PutMany", func() error { return PutMany(ctx, s, objs, workers) }},
		{"Put/minio-go-parallel", func() error { return plainParallel(plainPut) }},
		{"Put/serial", func() error {
			for _, o := range objs {
				if err := s.Put(ctx, o.Key, o.Data); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Get/GetMany", func() error { _, err := GetMany(ctx, s, keys, workers); return err }},
		{"Get/minio-go-parallel", func() error { return plainParallel(plainGet) }},
		{"Get/serial", func() error {
			for _, k := range keys {
				if _, err := s.Get(ctx, k); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	if err := PutMany(ctx, s, objs, workers); err != nil {
		b.Fatal(err)
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(n * size)
			for b.Loop() {
				if err := v.run(); err != nil {
					b.Fatal(fmt.Errorf("%s: %w", v.name, err))
				}
			}
		})
	}
}
