package blob

import (
	"encoding/binary"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/cblas128"
	"gonum.org/v1/gonum/mat"
)

// Gonum matrices are row-major in memory (with a row stride that may exceed
// the number of columns for sliced views); blob arrays are column-major. The
// transposes below walk the matrix in strips of 8 columns (one 64-byte cache
// line of a row): each row of a strip is read once and its 8 values go to 8
// sequential column streams, so both sides are accessed with unit stride.
const strip = 8

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

// appendColumnMajor appends the r×c row-major matrix data (row stride
// stride) to buf in column-major little-endian order.
func appendColumnMajor(buf []byte, data []float64, r, c, stride int) []byte {
	start := len(buf)
	n := r * c * 8
	if cap(buf)-start < n {
		nb := make([]byte, start, start+n)
		copy(nb, buf)
		buf = nb
	}
	buf = buf[:start+n]
	out := buf[start:]
	col := func(j int) []byte { return out[8*j*r : 8*(j+1)*r] }
	j0 := 0
	for ; j0+strip <= c; j0 += strip {
		c0, c1, c2, c3 := col(j0), col(j0+1), col(j0+2), col(j0+3)
		c4, c5, c6, c7 := col(j0+4), col(j0+5), col(j0+6), col(j0+7)
		for i := 0; i < r; i++ {
			row := data[i*stride+j0 : i*stride+j0+strip]
			o := 8 * i
			binary.LittleEndian.PutUint64(c0[o:], math.Float64bits(row[0]))
			binary.LittleEndian.PutUint64(c1[o:], math.Float64bits(row[1]))
			binary.LittleEndian.PutUint64(c2[o:], math.Float64bits(row[2]))
			binary.LittleEndian.PutUint64(c3[o:], math.Float64bits(row[3]))
			binary.LittleEndian.PutUint64(c4[o:], math.Float64bits(row[4]))
			binary.LittleEndian.PutUint64(c5[o:], math.Float64bits(row[5]))
			binary.LittleEndian.PutUint64(c6[o:], math.Float64bits(row[6]))
			binary.LittleEndian.PutUint64(c7[o:], math.Float64bits(row[7]))
		}
	}
	for ; j0 < c; j0++ {
		cj := col(j0)
		for i := 0; i < r; i++ {
			binary.LittleEndian.PutUint64(cj[8*i:], math.Float64bits(data[i*stride+j0]))
		}
	}
	return buf
}

// readColumnMajor fills the r×c row-major dst (row stride stride) from the
// column-major little-endian bytes src.
func readColumnMajor(dst []float64, r, c, stride int, src []byte) {
	col := func(j int) []byte { return src[8*j*r : 8*(j+1)*r] }
	get := func(b []byte, i int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) }
	j0 := 0
	for ; j0+strip <= c; j0 += strip {
		c0, c1, c2, c3 := col(j0), col(j0+1), col(j0+2), col(j0+3)
		c4, c5, c6, c7 := col(j0+4), col(j0+5), col(j0+6), col(j0+7)
		for i := 0; i < r; i++ {
			row := dst[i*stride+j0 : i*stride+j0+strip]
			row[0], row[1], row[2], row[3] = get(c0, i), get(c1, i), get(c2, i), get(c3, i)
			row[4], row[5], row[6], row[7] = get(c4, i), get(c5, i), get(c6, i), get(c7, i)
		}
	}
	for ; j0 < c; j0++ {
		cj := col(j0)
		for i := 0; i < r; i++ {
			dst[i*stride+j0] = get(cj, i)
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
func arrayToDense(dst *mat.Dense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || a.Imag != nil || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.Dense")
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
func arrayToVecDense(dst *mat.VecDense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || (r != 1 && c != 1) || a.Imag != nil || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.VecDense")
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
func arrayToCDense(dst *mat.CDense, a *Array) error {
	r, c, ok := matrixDims(a.Shape)
	if !ok || !a.Class.IsNumeric() {
		return typeErr(a, "*mat.CDense")
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
