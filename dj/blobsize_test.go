package dj_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zlib"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

type BombRow struct {
	dj.Manual
	BombID int32 `dj:"pk"`
	Data   []float64
}

// zlibBomb returns a ZL123 blob whose zlib stream is about 1 MB and
// inflates to 1 GiB (a "mYm\0" header, then zeros); the envelope declares
// declared bytes. The stream repeats one flushed block of zeros, which
// only ever refers back to zeros, so it is valid up to its end.
func zlibBomb(t *testing.T, declared uint64) []byte {
	t.Helper()
	const unit = 1 << 20
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	must(t, err)
	first := make([]byte, unit)
	copy(first, "mYm\x00")
	_, err = w.Write(first)
	must(t, err)
	must(t, w.Flush())
	head := z.Len()
	_, err = w.Write(make([]byte, unit))
	must(t, err)
	must(t, w.Flush())
	block := append([]byte(nil), z.Bytes()[head:]...)
	out := append([]byte("ZL123\x00"), binary.LittleEndian.AppendUint64(nil, declared)...)
	out = append(out, z.Bytes()[:head]...)
	for range 1023 {
		out = append(out, block...)
	}
	// A final empty stored block ends the stream.
	return append(out, 0x01, 0x00, 0x00, 0xff, 0xff)
}

func TestFetchBlobSizeLimit(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, BombRow{}))
	tbl, err := dj.TableOf[BombRow](c)
	must(t, err)
	honest := zlibBomb(t, 1<<30)
	liar := zlibBomb(t, 512<<10)
	if len(honest) > 2<<20 {
		t.Fatalf("bomb is %d bytes", len(honest))
	}
	_, err = c.DB().ExecContext(ctx, "INSERT INTO "+tbl.FullName()+" (bomb_id, data) VALUES (1, ?), (2, ?)", honest, liar)
	must(t, err)

	limit := dj.MaxBlobSize(1 << 20)
	one := func(id int) dj.Expr { return tbl.Expr().Restrict(dj.Match(dj.Key{"bomb_id": id})) }
	paths := map[string]func(e dj.Expr) error{
		"Fetch": func(e dj.Expr) error { _, err := dj.Fetch[BombRow](ctx, c, e, limit); return err },
		"FetchOne": func(e dj.Expr) error {
			_, err := dj.FetchOne[BombRow](ctx, c, e, limit)
			return err
		},
		"FetchMaps": func(e dj.Expr) error { _, err := dj.FetchMaps(ctx, c, e, limit); return err },
		"FetchColumn": func(e dj.Expr) error {
			_, err := dj.FetchColumn[[]float64](ctx, c, e, "data", limit)
			return err
		},
		"All": func(e dj.Expr) error {
			for _, err := range dj.All[BombRow](ctx, c, e, limit) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	for name, fetch := range paths {
		for id, sentinel := range map[int]error{1: blob.ErrTooLarge, 2: blob.ErrMalformed} {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := fetch(one(id))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, sentinel) {
				t.Fatalf("%s of bomb %d: err = %v, want %v", name, id, err, sentinel)
			}
			// A blob that cannot be decoded is a value that does not fit,
			// as on insert; one over the size limit is not.
			if errors.Is(err, dj.ErrType) != (sentinel == blob.ErrMalformed) {
				t.Errorf("%s of bomb %d: %v matches dj.ErrType: %v", name, id, err, errors.Is(err, dj.ErrType))
			}
			if n := strings.Count(err.Error(), "dj: "); n != 1 {
				t.Errorf("%s of bomb %d: %q says \"dj: \" %d times", name, id, err, n)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("%s of bomb %d allocated %d MiB", name, id, alloc>>20)
			}
			if took > 5*time.Second {
				t.Errorf("%s of bomb %d took %v", name, id, took)
			}
		}
	}

	// The connection's default comes from Config.MaxBlobSize.
	srv := testenv.MySQL(t)
	c2, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, MaxBlobSize: 1 << 20})
	must(t, err)
	defer c2.Close()
	s2, err := c2.Schema(ctx, s.Name())
	must(t, err)
	t2, err := s2.Table(ctx, tbl.Name())
	must(t, err)
	_, err = dj.FetchMaps(ctx, c2, t2.Expr().Restrict(dj.Match(dj.Key{"bomb_id": 1})))
	wantErr(t, err, blob.ErrTooLarge)
	// A small honest blob still decodes under the limit.
	must(t, dj.Insert1(ctx, c, BombRow{BombID: 3, Data: make([]float64, 1000)}))
	got, err := dj.FetchColumn[[]float64](ctx, c2, t2.Expr().Restrict(dj.Match(dj.Key{"bomb_id": 3})), "data")
	must(t, err)
	if len(got) != 1 || len(got[0]) != 1000 {
		t.Fatalf("small blob = %d rows", len(got))
	}
}
