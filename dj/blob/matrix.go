package blob

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/cblas128"
	"gonum.org/v1/gonum/mat"
)

// Gonum matrices are row-major in memory (with a row stride that may exceed
// the number of columns for sliced views); blob arrays are column-major. The
// transposes below move blocks of columns (about 256 KB) through a scratch
// buffer that is copied to or from the blob in one piece; inside a block
// they take eight rows at a time, so each step reads the rows sequentially
// and writes (or reads) one 64-byte cache line of a column.

// dense writes a *mat.Dense as a 2-D double array (an empty Dense is 0×0).
func (e *encoder) dense(m *mat.Dense) {
	raw := m.RawMatrix()
	r, c := raw.Rows, raw.Cols
	if m.IsEmpty() {
		r, c = 0, 0
	}
	e.matrixHeader(ClassDouble, r, c, false)
	e.buf = appendColumnMajor(e.buf, raw.Data, r, c, raw.Stride)
}

// vecDense writes a *mat.VecDense as a 1-D double array, like []float64.
func (e *encoder) vecDense(v *mat.VecDense) {
	raw := v.RawVector()
	n := v.Len()
	e.vector(ClassDouble, n)
	if raw.Inc == 1 {
		e.buf = appendElems(e.buf, raw.Data[:n])
		return
	}
	for i := 0; i < n; i++ {
		e.u64(math.Float64bits(raw.Data[i*raw.Inc]))
	}
}

// cdense writes a *mat.CDense as a 2-D complex double array.
func (e *encoder) cdense(m *mat.CDense) {
	raw := m.RawCMatrix()
	r, c := raw.Rows, raw.Cols
	if m.IsEmpty() {
		r, c = 0, 0
	}
	e.matrixHeader(ClassDouble, r, c, true)
	for part := 0; part < 2; part++ {
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				v := raw.Data[i*raw.Stride+j]
				f := real(v)
				if part == 1 {
					f = imag(v)
				}
				e.u64(math.Float64bits(f))
			}
		}
	}
}

// matrix writes any other mat.Matrix through At as a 2-D double array.
func (e *encoder) matrix(m mat.Matrix) {
	r, c := m.Dims()
	e.matrixHeader(ClassDouble, r, c, false)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			e.u64(math.Float64bits(m.At(i, j)))
		}
	}
}

// columnBlock is the number of columns moved through the scratch buffer
// at a time: about 256 KB of doubles, so a block stays in cache.
func columnBlock(r, c int) int {
	return max(1, min(c, (32<<10)/max(r, 1)))
}

// scratchPool holds the per-block buffers of appendColumnMajor and
// readColumnMajor.
var scratchPool = sync.Pool{New: func() any { return new([]float64) }}

func getScratch(n int) *[]float64 {
	p := scratchPool.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return p
}

// appendColumnMajor appends the r×c row-major matrix data (row stride
// stride) to buf in column-major little-endian order. Blocks of columns are
// transposed into a small scratch buffer and appended with one copy each.
func appendColumnMajor(buf []byte, data []float64, r, c, stride int) []byte {
	if r == 0 || c == 0 {
		return buf
	}
	if n := r * c * 8; cap(buf)-len(buf) < n {
		nb := make([]byte, len(buf), len(buf)+n)
		copy(nb, buf)
		buf = nb
	}
	bw := columnBlock(r, c)
	sp := getScratch(bw * r)
	defer scratchPool.Put(sp)
	for j0 := 0; j0 < c; j0 += bw {
		w := min(bw, c-j0)
		blk := (*sp)[:w*r]
		// Eight rows at a time: each column of the block then receives
		// eight consecutive values (one cache line) per step.
		i0 := 0
		for ; i0+8 <= r; i0 += 8 {
			base := i0*stride + j0
			r0, r1 := data[base:base+w], data[base+stride:base+stride+w]
			r2, r3 := data[base+2*stride:base+2*stride+w], data[base+3*stride:base+3*stride+w]
			r4, r5 := data[base+4*stride:base+4*stride+w], data[base+5*stride:base+5*stride+w]
			r6, r7 := data[base+6*stride:base+6*stride+w], data[base+7*stride:base+7*stride+w]
			for k := range r0 {
				o := blk[k*r+i0 : k*r+i0+8 : k*r+i0+8]
				o[0], o[1], o[2], o[3] = r0[k], r1[k], r2[k], r3[k]
				o[4], o[5], o[6], o[7] = r4[k], r5[k], r6[k], r7[k]
			}
		}
		for ; i0 < r; i0++ {
			row := data[i0*stride+j0 : i0*stride+j0+w]
			for k, v := range row {
				blk[k*r+i0] = v
			}
		}
		buf = appendElems(buf, blk)
	}
	return buf
}

// readColumnMajor fills the r×c row-major dst (row stride stride) from the
// column-major little-endian bytes src, a block of columns at a time.
func readColumnMajor(dst []float64, r, c, stride int, src []byte) {
	if r == 0 || c == 0 {
		return
	}
	bw := columnBlock(r, c)
	sp := getScratch(bw * r)
	defer scratchPool.Put(sp)
	for j0 := 0; j0 < c; j0 += bw {
		w := min(bw, c-j0)
		blk := (*sp)[:w*r]
		readElems(blk, src[8*j0*r:8*(j0+w)*r])
		i0 := 0
		for ; i0+8 <= r; i0 += 8 {
			base := i0*stride + j0
			r0, r1 := dst[base:base+w], dst[base+stride:base+stride+w]
			r2, r3 := dst[base+2*stride:base+2*stride+w], dst[base+3*stride:base+3*stride+w]
			r4, r5 := dst[base+4*stride:base+4*stride+w], dst[base+5*stride:base+5*stride+w]
			r6, r7 := dst[base+6*stride:base+6*stride+w], dst[base+7*stride:base+7*stride+w]
			for k := range r0 {
				v := blk[k*r+i0 : k*r+i0+8 : k*r+i0+8]
				r0[k], r1[k], r2[k], r3[k] = v[0], v[1], v[2], v[3]
				r4[k], r5[k], r6[k], r7[k] = v[4], v[5], v[6], v[7]
			}
		}
		for ; i0 < r; i0++ {
			row := dst[i0*stride+j0 : i0*stride+j0+w]
			for k := range row {
				row[k] = blk[k*r+i0]
			}
		}
	}
}

// matrixDims returns the rows and columns of an array that can be a matrix:
// 2-D arrays, and 1-D arrays as a column (n×1). ok is false for other ranks.
func matrixDims(shape []int) (r, c int, ok bool) {
	switch len(shape) {
	case 1:
		return shape[0], 1, true
	case 2:
		return shape[0], shape[1], true
	}
	return 0, 0, false
}

// setDense stores the column-major r×c doubles src into dst, reusing dst's
// storage when it is large enough. A matrix with no rows or columns leaves
// dst empty (gonum cannot construct 0×n matrices).
func setDense(dst *mat.Dense, r, c int, src []byte) {
	raw := dst.RawMatrix()
	dst.Reset()
	if r == 0 || c == 0 {
		return
	}
	data := raw.Data[:cap(raw.Data)]
	if len(data) < r*c {
		data = make([]float64, r*c)
	}
	data = data[:r*c]
	readColumnMajor(data, r, c, c, src)
	dst.SetRawMatrix(blas64.General{Rows: r, Cols: c, Stride: c, Data: data})
}

// arrayToDense converts a real numeric array of rank ≤ 2 into dst.
func (as *assigner) arrayToDense(dst *mat.Dense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || a.Imag != nil || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.Dense")
	}
	if err := as.charge(2*r*c, 8); err != nil {
		return err
	}
	vals, err := floats(a, a.Data)
	if err != nil {
		return err
	}
	dst.Reset()
	if r == 0 || c == 0 {
		return nil
	}
	data := make([]float64, r*c)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			data[i*c+j] = vals[j*r+i]
		}
	}
	dst.SetRawMatrix(blas64.General{Rows: r, Cols: c, Stride: c, Data: data})
	return nil
}

// arrayToVecDense converts a real numeric vector (1-D, n×1 or 1×n) into dst.
func (as *assigner) arrayToVecDense(dst *mat.VecDense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || (r != 1 && c != 1) || a.Imag != nil || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.VecDense")
	}
	if err := as.charge(r*c, 8); err != nil {
		return err
	}
	vals, err := floats(a, a.Data)
	if err != nil {
		return err
	}
	dst.Reset()
	if len(vals) == 0 {
		return nil
	}
	dst.SetRawVector(blas64.Vector{N: len(vals), Inc: 1, Data: vals})
	return nil
}

// arrayToCDense converts a numeric array of rank ≤ 2 into dst.
func (as *assigner) arrayToCDense(dst *mat.CDense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.CDense")
	}
	if err := as.charge(4*r*c, 8); err != nil {
		return err
	}
	re, err := floats(a, a.Data)
	if err != nil {
		return err
	}
	var im []float64
	if a.Imag != nil {
		if im, err = floats(a, a.Imag); err != nil {
			return err
		}
	}
	dst.Reset()
	if r == 0 || c == 0 {
		return nil
	}
	data := make([]complex128, r*c)
	for j := 0; j < c; j++ {
		for i := 0; i < r; i++ {
			v := complex(re[j*r+i], 0)
			if im != nil {
				v = complex(re[j*r+i], im[j*r+i])
			}
			data[i*c+j] = v
		}
	}
	dst.SetRawCMatrix(cblas128.General{Rows: r, Cols: c, Stride: c, Data: data})
	return nil
}

// floats returns the elements of a numeric data slice as float64, failing
// when a value cannot be represented exactly.
func floats(a *Array, data any) ([]float64, error) {
	if f, ok := data.([]float64); ok {
		return f, nil
	}
	n := sliceLen(data)
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		v, ok := elemFloat(data, i)
		if !ok {
			return nil, fmt.Errorf("%w: %s element %d cannot be represented as float64", ErrType, a.DType(), i)
		}
		out[i] = v
	}
	return out, nil
}

// vector wraps contiguous data as a blas64 vector.
func vector(data []float64) blas64.Vector {
	return blas64.Vector{N: len(data), Inc: 1, Data: data}
}
