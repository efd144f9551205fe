package dj_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// ExtBench holds one 1 MB external blob per row.
type ExtBench struct {
	dj.Manual `comment:"external blob benchmark"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@djext"`
}

// ExtBenchF holds one 1 MB array of float64 per row, as a numeric
// pipeline would.
type ExtBenchF struct {
	dj.Manual `comment:"external array benchmark"`
	ID        int32     `dj:"pk"`
	Data      []float64 `dj:"type=blob@djext"`
}

const (
	extBenchRows    = 100
	extBenchSize    = 1_000_000
	extBenchWorkers = 8
	extBenchBytes   = extBenchRows * extBenchSize
)

var extBenchCounter atomic.Uint64

// extBench is the set-up shared by the external-storage measurements: a
// table on a MinIO store, 100 payloads of 1 MB, and a plain minio-go client
// on the same server.
type extBench struct {
	tb      testing.TB
	ctx     context.Context
	c       *dj.Conn
	mc      *minio.Client
	bucket  string
	payload [][]byte
	floats  [][]float64
	keys    []string
	fkeys   []string // the objects of the first batch of ExtBenchF rows
	bufs    [][]byte
	batch   int32 // last batch of ExtBench rows
	fbatch  int32 // last batch of ExtBenchF rows
}

func newExtBench(tb testing.TB) *extBench {
	ctx := context.Background()
	srv := testenv.S3(tb)
	mc := minioClient(tb, srv)
	loc := "dj-ext-bench/" + randomHex(6)
	tb.Cleanup(func() {
		for o := range mc.ListObjects(ctx, srv.Bucket, minio.ListObjectsOptions{Prefix: loc + "/", Recursive: true}) {
			if o.Err == nil {
				_ = mc.RemoveObject(ctx, srv.Bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	c, s := connect(tb)
	must(tb, c.SetStore(extStore, s3StoreConfig(srv.Endpoint, srv.Bucket, srv.AccessKey, srv.SecretKey, loc, tb.TempDir())))
	must(tb, s.Declare(ctx, ExtBench{}, ExtBenchF{}))
	x := &extBench{tb: tb, ctx: ctx, c: c, mc: mc, bucket: srv.Bucket}
	for i := range extBenchRows {
		p := make([]byte, extBenchSize)
		_, _ = rand.Read(p)
		x.payload = append(x.payload, p)
		x.keys = append(x.keys, fmt.Sprintf("%s/plain/%03d", loc, i))
		f := make([]float64, extBenchSize/8)
		for j := range f {
			f[j] = mrand.NormFloat64()
		}
		x.floats = append(x.floats, f)
	}
	for range extBenchWorkers {
		x.bufs = append(x.bufs, make([]byte, extBenchSize))
	}
	x.insert() // the rows dj_fetch reads and the objects minio_get reads
	x.insertFloats()
	for _, f := range x.floats {
		packed, err := blob.Marshal(f)
		must(tb, err)
		x.fkeys = append(x.fkeys, blobKey(loc, s.Name(), expectedUUID(packed)))
	}
	x.putSerial()
	return x
}

// getDecodeFloats reads the objects of the first batch of ExtBenchF rows
// with plain GetObject calls on 8 goroutines and decodes each into a
// []float64: the plain equivalent of dj_fetch_float64.
func (x *extBench) getDecodeFloats() {
	x.inParallel(func(_, i int) error {
		obj, err := x.mc.GetObject(x.ctx, x.bucket, x.fkeys[i], minio.GetObjectOptions{})
		if err != nil {
			return err
		}
		defer obj.Close()
		b, err := io.ReadAll(obj)
		if err != nil {
			return err
		}
		var f []float64
		if err := blob.Unmarshal(b, &f); err != nil {
			return err
		}
		if len(f) != extBenchSize/8 {
			return fmt.Errorf("decoded %d floats", len(f))
		}
		return nil
	})
}

// stamp gives every payload new contents (identical contents would be
// deduplicated and not uploaded again).
func (x *extBench) stamp() {
	for _, p := range x.payload {
		binary.LittleEndian.PutUint64(p, extBenchCounter.Add(1))
	}
}

func (x *extBench) insert() {
	x.stamp()
	x.batch++
	rows := make([]ExtBench, extBenchRows)
	for i := range rows {
		rows[i] = ExtBench{ID: x.batch*extBenchRows + int32(i), Data: x.payload[i]}
	}
	must(x.tb, dj.Insert(x.ctx, x.c, rows))
}

func (x *extBench) insertFloats() {
	x.fbatch++
	rows := make([]ExtBenchF, extBenchRows)
	for i := range rows {
		x.floats[i][0] = float64(extBenchCounter.Add(1))
		rows[i] = ExtBenchF{ID: x.fbatch*extBenchRows + int32(i), Data: x.floats[i]}
	}
	must(x.tb, dj.Insert(x.ctx, x.c, rows))
}

func (x *extBench) fetchFloats() {
	q := dj.From[ExtBenchF](x.c).Restrict(dj.Where(fmt.Sprintf("id >= %d AND id < %d", x.fbatch*extBenchRows, (x.fbatch+1)*extBenchRows)))
	got, err := dj.Fetch[ExtBenchF](x.ctx, x.c, q)
	must(x.tb, err)
	if len(got) != extBenchRows || len(got[0].Data) != extBenchSize/8 {
		x.tb.Fatalf("fetched %d rows", len(got))
	}
}

func (x *extBench) fetch() {
	q := dj.From[ExtBench](x.c).Restrict(dj.Where(fmt.Sprintf("id >= %d AND id < %d", x.batch*extBenchRows, (x.batch+1)*extBenchRows)))
	got, err := dj.Fetch[ExtBench](x.ctx, x.c, q)
	must(x.tb, err)
	if len(got) != extBenchRows || len(got[0].Data) != extBenchSize {
		x.tb.Fatalf("fetched %d rows", len(got))
	}
}

func (x *extBench) put(i int) error {
	_, err := x.mc.PutObject(x.ctx, x.bucket, x.keys[i], bytes.NewReader(x.payload[i]), int64(len(x.payload[i])), minio.PutObjectOptions{})
	return err
}

func (x *extBench) get(w, i int) error {
	obj, err := x.mc.GetObject(x.ctx, x.bucket, x.keys[i], minio.GetObjectOptions{})
	if err != nil {
		return err
	}
	defer obj.Close()
	_, err = io.ReadFull(obj, x.bufs[w])
	return err
}

// inParallel runs f for every object on extBenchWorkers goroutines.
func (x *extBench) inParallel(f func(w, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	for w := range extBenchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= extBenchRows {
					return
				}
				if err := f(w, i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		x.tb.Fatal(err)
	}
}

func (x *extBench) putParallel() {
	x.stamp()
	x.inParallel(func(_, i int) error { return x.put(i) })
}

func (x *extBench) putSerial() {
	x.stamp()
	for i := range extBenchRows {
		must(x.tb, x.put(i))
	}
}

func (x *extBench) getParallel() { x.inParallel(x.get) }

// getParallelAlloc reads every object into a new buffer, as any API that
// hands the contents to its caller must.
func (x *extBench) getParallelAlloc() {
	x.inParallel(func(_, i int) error {
		obj, err := x.mc.GetObject(x.ctx, x.bucket, x.keys[i], minio.GetObjectOptions{})
		if err != nil {
			return err
		}
		defer obj.Close()
		_, err = io.ReadAll(obj)
		return err
	})
}

func (x *extBench) getSerial() {
	for i := range extBenchRows {
		must(x.tb, x.get(0, i))
	}
}

// measurements lists the operations in the order they are compared.
func (x *extBench) measurements() []extMeasurement {
	return []extMeasurement{
		{"dj_insert", x.insert},
		{"dj_insert_float64", x.insertFloats},
		{"minio_put_parallel", x.putParallel},
		{"minio_put_serial", x.putSerial},
		{"dj_fetch", x.fetch},
		{"dj_fetch_float64", x.fetchFloats},
		{"minio_get_parallel", x.getParallel},
		{"minio_get_parallel_alloc", x.getParallelAlloc},
		{"minio_get_serial", x.getSerial},
		{"minio_get_decode_float64", x.getDecodeFloats},
	}
}

// BenchmarkExternalS3 compares dj's insert and fetch of 100 rows x 1 MB
// blob@store on MinIO with the same number of plain minio-go PutObject and
// GetObject calls, on 8 goroutines and in a serial loop. Each operation
// moves 100 MB, so the MB/s column compares directly.
func BenchmarkExternalS3(b *testing.B) {
	x := newExtBench(b)
	for _, m := range x.measurements() {
		b.Run(m.name, func(b *testing.B) {
			x.tb = b
			b.SetBytes(extBenchBytes)
			for b.Loop() {
				m.run()
			}
		})
	}
}
