package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/klauspost/compress/zlib"
)

// hostileRSSLimit is the bound on the peak resident memory of a process
// that decodes every hostile input of hostileCases: 128 MiB. The inputs
// declare up to 2⁶³ bytes or elements, nest a million deep, or inflate to
// 256 MiB; the only memory the decoder may spend is what the decoded-size
// limit allows (16 MiB in the bomb cases) and what the input itself holds.
const hostileRSSLimit = 128 << 20

// raceMemoryFactor widens hostileRSSLimit under the race detector.
const raceMemoryFactor = 4

// hostileEnv makes the test binary run the hostile inputs itself (the child
// process of TestHostileInputsMemory).
const hostileEnv = "DJ_BLOB_HOSTILE_CHILD"

type hostileCase struct {
	name string
	data []byte
	opts []Option
	want error // the sentinel every decode must wrap
	// genericOK: Decode may succeed (a msgpack payload that Decode returns
	// as Msgpack bytes without decoding it).
	genericOK bool
}

// u64s returns the little-endian bytes of the values.
func u64s(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func u32s(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// zerosStream returns a zlib stream of n zero bytes after prefix, built a
// megabyte at a time so that the zeros are never held in memory at once.
func zerosStream(t testing.TB, prefix []byte, n int) []byte {
	t.Helper()
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(prefix); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// hostileCases returns inputs that must fail cleanly and cheaply.
func hostileCases(t testing.TB) []hostileCase {
	const huge = 1 << 62
	mal, big := ErrMalformed, ErrTooLarge
	var cases []hostileCase
	add := func(name string, want error, data []byte, opts ...Option) {
		cases = append(cases, hostileCase{name: name, data: data, opts: opts, want: want})
	}
	// The two reproducers of the unbounded msgpack decoder.
	add("msgpack array32 of 2^32-1", mal, msgpackHugeArray)
	add("msgpack nested 5×10^6 deep", mal, msgpackDeepBlob(t, 5_000_000))
	add("msgpack map32", mal, append([]byte(headerMsgpack), 0xdf, 0xff, 0xff, 0xff, 0xff))
	add("msgpack str32", mal, append([]byte(headerMsgpack), 0xdb, 0xff, 0xff, 0xff, 0xff))
	nils := append([]byte(headerMsgpack), 0xdd, 0x00, 0x10, 0x00, 0x00) // 2^20 nils
	add("msgpack 2^20 nils into 1 KiB elements", big, append(nils, bytes.Repeat([]byte{0xc0}, 1<<20)...), MaxDecodedSize(16<<20))
	cases[len(cases)-1].genericOK = true
	// Huge declared lengths in the mYm and dj0 protocols.
	for _, h := range []string{headerMYM, headerDJ0} {
		hb := []byte(h)
		add(h[:3]+" array shape 2^62", mal, cat(hb, []byte{'A'}, u64s(1, huge), u32s(6, 0)))
		add(h[:3]+" array ndim 2^62", mal, cat(hb, []byte{'A'}, u64s(huge)))
		add(h[:3]+" array 2^31×2^31", mal, cat(hb, []byte{'A'}, u64s(2, 1<<31, 1<<31), u32s(6, 0)))
		add(h[:3]+" object array 2^62", mal, cat(hb, []byte{'A'}, u64s(1, huge), u32s(5, 0)))
		add(h[:3]+" struct 2^62 elements", mal, cat(hb, []byte{'S'}, u64s(2, huge, 1), u32s(1), []byte("a\x00")))
		add(h[:3]+" struct 2^32-1 fields", mal, cat(hb, []byte{'S'}, u64s(2, 1, 1), u32s(0xffffffff)))
		add(h[:3]+" cell 2^62", mal, cat(hb, []byte{'C'}, u64s(2, huge, 1)))
		add(h[:3]+" record 2^32-1 fields", mal, cat(hb, []byte{'F'}, u32s(0xffffffff)))
		for _, code := range []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 'd'} {
			add(fmt.Sprintf("%s code %#x length 2^62", h[:3], code), mal, cat(hb, []byte{code}, u64s(huge)))
		}
		add(h[:3]+" nested item length 2^62", mal, cat(hb, []byte{0x02}, u64s(1, huge), []byte{0xff}))
		add(h[:3]+" int of 65535 bytes", mal, cat(hb, []byte{0x0a, 0xff, 0xff, 1}))
		// Legacy 32-bit lengths.
		add(h[:3]+" legacy array 2^32-1", mal, cat(hb, []byte{'A'}, u32s(1, 0xffffffff, 6, 0)), Legacy32Bit())
		add(h[:3]+" legacy list 2^32-1", mal, cat(hb, []byte{0x02}, u32s(0xffffffff)), Legacy32Bit())
	}
	// Deep nesting in dj0: lists of one list, 20000 deep.
	inner := []byte{0xff}
	for i := 0; i < 20000; i++ {
		inner = cat([]byte{0x02}, u64s(1, uint64(len(inner))), inner)
	}
	add("dj0 lists nested 20000 deep", mal, cat([]byte(headerDJ0), inner))
	// Compression envelopes.
	add("ZL123 declares 2^63", big, cat([]byte(headerZL), u64s(1<<63), []byte{0x78, 0x9c}))
	add("ZL123 declares 2^40", big, cat([]byte(headerZL), u64s(1<<40), zerosStream(t, nil, 1<<20)))
	add("ZL123 legacy declares 2^32-1", big, cat([]byte(headerZL), u32s(0xffffffff), []byte{0x78, 0x9c}), Legacy32Bit(), MaxDecodedSize(1<<30))
	bomb := zerosStream(t, []byte(headerMYM), 256<<20) // 256 MiB of zeros
	add("bomb declaring its size over the limit", big, cat([]byte(headerZL), u64s(256<<20+4), bomb), MaxDecodedSize(16<<20))
	add("bomb declaring less than it inflates to", mal, cat([]byte(headerZL), u64s(16<<20), bomb), MaxDecodedSize(16<<20))
	small := zerosStream(t, []byte(headerMYM), 1000)
	add("stream shorter than the declared 1 GiB", mal, cat([]byte(headerZL), u64s(1<<30), small, make([]byte, 2<<20)))
	// A payload within the limit whose decoded value is not: 2^20 Nones
	// (9 bytes each in the blob, an interface each in Go).
	nones := cat([]byte(headerDJ0), []byte{0x02}, u64s(1<<20), bytes.Repeat(cat(u64s(1), []byte{0xff}), 1<<20))
	add("list of 2^20 None beyond the decoded-size limit", big, cat([]byte(headerZL), u64s(uint64(len(nones))), deflate(t, nones)), MaxDecodedSize(10<<20))
	return cases
}

// deflate compresses payload into a zlib stream.
func deflate(t testing.TB, payload []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// runHostile decodes every hostile case into the generic model, *any and
// typed destinations, and checks the errors. It collects garbage between
// cases, so the peak memory is that of the costliest case, not the sum of
// what the collector had not yet reclaimed.
func runHostile(t *testing.T) {
	for _, c := range hostileCases(t) {
		runtime.GC()
		var (
			v     any
			fs    []float64
			list  []any
			large [][1024]byte
		)
		_, err := Decode(c.data, c.opts...)
		if err == nil && c.genericOK {
			err = c.want
		}
		errs := []error{err}
		for _, dst := range []any{&v, &fs, &list, &large} {
			errs = append(errs, Unmarshal(c.data, dst, c.opts...))
		}
		for i, err := range errs {
			if !errors.Is(err, c.want) && !(i > 0 && errors.Is(err, ErrType) && c.want == ErrMalformed) {
				t.Errorf("%s: decode %d: %v, want an error wrapping %v", c.name, i, err, c.want)
			}
		}
	}
}

// TestHostileInputsMemory decodes hostile inputs (huge declared lengths in
// every protocol, deep nesting, compression bombs, the msgpack crashers) in
// a child process and checks that each fails with the right sentinel and
// that the child's peak resident memory stays under hostileRSSLimit.
func TestHostileInputsMemory(t *testing.T) {
	if os.Getenv(hostileEnv) == "1" {
		runHostile(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileInputsMemory$", "-test.count=1")
	// GOGC=50: the heap may outgrow what is live by half rather than by
	// all of it before a collection, so that the peak measures what the
	// decoder holds and not how far a starved collector lagged behind.
	cmd.Env = append(os.Environ(), hostileEnv+"=1", "GOGC=50")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) * 1024 // Linux reports KiB
	limit := int64(hostileRSSLimit)
	if raceEnabled {
		limit *= raceMemoryFactor // the race detector's shadow memory
	}
	t.Logf("peak RSS of the child: %.1f MiB (bound %d MiB)", float64(rss)/(1<<20), limit>>20)
	if rss > limit {
		t.Errorf("peak RSS %d bytes exceeds %d", rss, limit)
	}
}
