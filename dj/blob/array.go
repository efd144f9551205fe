package blob

import (
	"fmt"
	"slices"
)

// arrayHeader writes an `A` item header and marks the blob dj0 where
// DataJoint for Python does: datetime64 and object arrays always, and 0-d
// (scalar) arrays of every class but char.
func (e *encoder) arrayHeader(c Class, shape []int, complex bool) {
	if c.IsDatetime64() || c == ClassObject || (len(shape) == 0 && c != ClassChar) {
		e.dj0 = true
	}
	e.u8('A')
	e.shape(shape)
	e.u32(uint32(c))
	if complex {
		e.u32(1)
	} else {
		e.u32(0)
	}
}

// vector writes the header of a real 1-D array of n elements.
func (e *encoder) vector(c Class, n int) {
	e.u8('A')
	e.u64(1)
	e.length(n)
	e.u32(uint32(c))
	e.u32(0)
}

// matrixHeader writes the header of a 2-D array.
func (e *encoder) matrixHeader(c Class, r, cols int, complex bool) {
	e.u8('A')
	e.u64(2)
	e.length(r)
	e.length(cols)
	e.u32(uint32(c))
	if complex {
		e.u32(1)
	} else {
		e.u32(0)
	}
}

// array writes an *Array after checking that its data match its class and shape.
func (e *encoder) array(a *Array) error {
	if err := a.check(); err != nil {
		return err
	}
	e.arrayHeader(a.Class, a.Shape, a.Imag != nil)
	if a.Class == ClassObject {
		for i, it := range a.Data.([]any) {
			if err := e.sub(it); err != nil {
				return fmt.Errorf("object array element %d: %w", i, err)
			}
		}
		return nil
	}
	e.buf, _ = appendData(e.buf, a.Data)
	if a.Imag != nil {
		e.buf, _ = appendData(e.buf, a.Imag)
	}
	return nil
}

// complexArray splits complex128 values into a 1-D complex double array.
func complexArray(x []complex128) *Array {
	re, im := make([]float64, len(x)), make([]float64, len(x))
	for i, c := range x {
		re[i], im[i] = real(c), imag(c)
	}
	return &Array{Class: ClassDouble, Shape: []int{len(x)}, Data: re, Imag: im}
}

// complex64Array splits complex64 values into a 1-D complex single array.
func complex64Array(x []complex64) *Array {
	re, im := make([]float32, len(x)), make([]float32, len(x))
	for i, c := range x {
		re[i], im[i] = real(c), imag(c)
	}
	return &Array{Class: ClassSingle, Shape: []int{len(x)}, Data: re, Imag: im}
}

// arrayHeader is the part of an `A` item before its data.
type arrayHeader struct {
	shape   []int
	n       int // number of elements
	class   Class
	complex bool
}

// arrayHeader reads an `A` item header (after the code byte) and checks that
// the data it announces fit in the remaining bytes.
func (d *decoder) arrayHeader() (arrayHeader, error) {
	shape, err := d.shape()
	if err != nil {
		return arrayHeader{}, err
	}
	return d.arrayClass(shape)
}

// arrayClass reads the class and complexity of an `A` item whose shape has
// been read, and checks that its data fit in the remaining bytes.
func (d *decoder) arrayClass(shape []int) (arrayHeader, error) {
	h := arrayHeader{shape: shape}
	if h.n = shapeProduct(h.shape); h.n < 0 {
		return h, malformed("array shape %v overflows", slices.Clone(h.shape))
	}
	c, err := d.u32()
	if err != nil {
		return h, err
	}
	cplx, err := d.u32()
	if err != nil {
		return h, err
	}
	h.class, h.complex = Class(c), cplx != 0
	size := h.class.ElemSize()
	switch {
	case h.class == ClassObject:
		if h.complex {
			return h, malformed("complex object array")
		}
		if h.n > d.rem()/(d.lenSize()+1) {
			return h, malformed("object array of %d elements cannot fit in %d bytes", h.n, d.rem())
		}
	case size == 0:
		return h, malformed("unsupported array class %d", c)
	default:
		if h.complex && !h.class.IsNumeric() {
			return h, malformed("complex %v array", h.class)
		}
		parts := 1
		if h.complex {
			parts = 2
		}
		if h.n > d.rem()/(size*parts) {
			return h, malformed("%v array of %d elements cannot fit in %d bytes", h.class, h.n, d.rem())
		}
	}
	return h, nil
}

// array reads an `A` item into an *Array.
func (d *decoder) array() (any, error) {
	h, err := d.arrayHeader()
	if err != nil {
		return nil, err
	}
	a := &Array{Class: h.class, Shape: h.shape}
	nb := h.n * h.class.ElemSize()
	if h.complex {
		nb *= 2
	}
	if err := d.charge(64 + nb); err != nil {
		return nil, err
	}
	if h.class == ClassObject {
		if a.Data, err = d.elems(h.n); err != nil {
			return nil, err
		}
		return a, nil
	}
	nb = h.n * h.class.ElemSize()
	s, _ := d.take(nb)
	a.Data = makeData(h.class, h.n, s)
	if h.complex {
		s, _ = d.take(nb)
		a.Imag = makeData(h.class, h.n, s)
	}
	return a, nil
}

// matStruct reads an `S` item.
func (d *decoder) matStruct() (any, error) {
	shape, err := d.shape()
	if err != nil {
		return nil, err
	}
	n := shapeProduct(shape)
	if n < 0 {
		return nil, malformed("struct shape %v overflows", shape)
	}
	nf, err := d.u32()
	if err != nil {
		return nil, err
	}
	s := &MatStruct{Shape: shape}
	if nf == 0 {
		// DataJoint reads no field names and no values for a struct
		// without fields.
		return s, nil
	}
	if s.Fields, err = d.names(nf); err != nil {
		return nil, err
	}
	if n > d.rem()/(d.lenSize()+1)/int(nf) {
		return nil, malformed("struct of %d elements × %d fields cannot fit in %d bytes", n, nf, d.rem())
	}
	if err := d.charge(64 + 24*n); err != nil {
		return nil, err
	}
	s.Elems = make([][]any, n)
	for i := range s.Elems {
		if s.Elems[i], err = d.elems(int(nf)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// matCell reads a `C` item.
func (d *decoder) matCell() (any, error) {
	shape, err := d.shape()
	if err != nil {
		return nil, err
	}
	n := shapeProduct(shape)
	if n < 0 || n > d.rem()/(d.lenSize()+1) {
		return nil, malformed("cell of shape %v cannot fit in %d bytes", shape, d.rem())
	}
	if err := d.charge(64); err != nil {
		return nil, err
	}
	c := &MatCell{Shape: shape}
	if c.Items, err = d.elems(n); err != nil {
		return nil, err
	}
	return c, nil
}

// record reads an `F` item: field names, then one array (or nested record)
// per field, without length prefixes.
func (d *decoder) record() (any, error) {
	nf, err := d.u32()
	if err != nil {
		return nil, err
	}
	r := &Record{}
	if nf == 0 {
		return r, nil
	}
	names, err := d.names(nf)
	if err != nil {
		return nil, err
	}
	if err := d.charge(64 + 32*len(names)); err != nil {
		return nil, err
	}
	r.Fields = make([]RecordField, nf)
	for i, name := range names {
		v, err := d.item()
		if err != nil {
			return nil, err
		}
		switch v.(type) {
		case *Array, *Record:
		default:
			return nil, malformed("record field %q holds %s, not an array", name, typeName(v))
		}
		r.Fields[i] = RecordField{Name: name, Value: v}
	}
	return r, nil
}
