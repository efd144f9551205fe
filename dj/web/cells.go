package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"reflect"
	"strings"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/inspect"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Limits of the inline pictures of blob cells.
const (
	sparkMax = 2000 // longest 1-D array drawn as a sparkline
	heatMax  = 128  // largest side of a 2-D array drawn as a heatmap or image
)

// cellView is one value of a preview row: its text (a blob's shape and
// class) and, for a small numeric array, a picture of it.
type cellView struct {
	Text  string
	Spark template.HTML // inline SVG polyline of a 1-D array
	Image template.URL  // PNG data URL of a 2-D array (heatmap) or an image
	Kind  string        // "sparkline", "heatmap" or "image" when pictured
}

// cellOf formats one value of attribute a as the preview shows it
// (inspect.Cell), with a picture of a small numeric array.
func cellOf(a *schema.Attribute, v any) cellView {
	raw, isBytes := v.([]byte)
	if a == nil || a.Category != schema.CatBlob || !isBytes {
		return cellView{Text: inspect.Cell(a, v)}
	}
	m, err := blob.Decode(raw, blob.MaxDecodedSize(64<<20))
	if err != nil {
		return cellView{Text: fmt.Sprintf("<blob, %d bytes, unreadable>", len(raw))}
	}
	cv := cellView{Text: inspect.Summary(m)}
	if arr, ok := m.(*blob.Array); ok {
		picture(&cv, arr)
	}
	return cv
}

// floats returns the real part of a numeric array as float64s, column-major.
func floats(a *blob.Array) ([]float64, bool) {
	if a.Class == blob.ClassChar || a.Data == nil {
		return nil, false
	}
	v := reflect.ValueOf(a.Data)
	if v.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]float64, v.Len())
	for i := range out {
		e := v.Index(i)
		switch e.Kind() {
		case reflect.Float32, reflect.Float64:
			out[i] = e.Float()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			out[i] = float64(e.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			out[i] = float64(e.Uint())
		case reflect.Bool:
			if e.Bool() {
				out[i] = 1
			}
		default:
			return nil, false
		}
	}
	return out, true
}

// picture adds a sparkline, heatmap or image to cv for small numeric
// arrays: 1-D arrays as sparklines, 2-D arrays as heatmaps, and uint8
// arrays of H×W or H×W×3 as images.
func picture(cv *cellView, a *blob.Array) {
	dims := []int{}
	for _, n := range a.Shape {
		if n != 1 {
			dims = append(dims, n)
		}
	}
	if len(dims) == 0 {
		return
	}
	vals, ok := floats(a)
	if !ok || len(vals) < 2 {
		return
	}
	_, isU8 := a.Data.([]uint8)
	switch {
	case len(dims) == 1 && dims[0] <= sparkMax:
		cv.Kind, cv.Spark = "sparkline", sparkline(vals)
	case len(a.Shape) == 3 && a.Shape[2] == 3 && isU8 && a.Shape[0] <= heatMax && a.Shape[1] <= heatMax:
		cv.Kind, cv.Image = "image", rgbImage(a.Data.([]uint8), a.Shape[0], a.Shape[1])
	case len(a.Shape) == 2 && len(dims) == 2 && a.Shape[0] <= heatMax && a.Shape[1] <= heatMax:
		if isU8 {
			cv.Kind, cv.Image = "image", grayImage(vals, a.Shape[0], a.Shape[1])
		} else {
			cv.Kind, cv.Image = "heatmap", heatmap(vals, a.Shape[0], a.Shape[1])
		}
	}
}

// sparkline draws vals as a 120×24 SVG polyline. Only numbers go into the
// markup.
func sparkline(vals []float64) template.HTML {
	lo, hi := bounds(vals)
	const w, h = 120.0, 24.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img"><polyline fill="none" stroke="currentColor" stroke-width="1" points="`, int(w), int(h), int(w), int(h))
	for i, v := range vals {
		x := w * float64(i) / float64(len(vals)-1)
		y := h - 1
		if hi > lo {
			y = (h - 2) - (h-2)*(v-lo)/(hi-lo) + 1
		}
		if math.IsNaN(y) {
			continue
		}
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String())
}

// bounds returns the smallest and largest finite values.
func bounds(vals []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// heatmap colours a rows×cols column-major matrix from dark blue (lowest)
// to yellow (highest).
func heatmap(vals []float64, rows, cols int) template.URL {
	lo, hi := bounds(vals)
	img := image.NewNRGBA(image.Rect(0, 0, cols, rows))
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			f := 0.5
			if hi > lo {
				f = (vals[i+j*rows] - lo) / (hi - lo)
			}
			if math.IsNaN(f) {
				img.SetNRGBA(j, i, color.NRGBA{A: 0})
				continue
			}
			img.SetNRGBA(j, i, color.NRGBA{R: uint8(20 + 235*f), G: uint8(30 + 200*f), B: uint8(120 * (1 - f)), A: 255})
		}
	}
	return pngURL(img)
}

// grayImage draws a rows×cols column-major uint8 matrix as a grey image.
func grayImage(vals []float64, rows, cols int) template.URL {
	img := image.NewGray(image.Rect(0, 0, cols, rows))
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			img.SetGray(j, i, color.Gray{Y: uint8(vals[i+j*rows])})
		}
	}
	return pngURL(img)
}

// rgbImage draws an H×W×3 column-major uint8 array as a colour image.
func rgbImage(d []uint8, rows, cols int) template.URL {
	img := image.NewNRGBA(image.Rect(0, 0, cols, rows))
	plane := rows * cols
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			k := i + j*rows
			img.SetNRGBA(j, i, color.NRGBA{R: d[k], G: d[k+plane], B: d[k+2*plane], A: 255})
		}
	}
	return pngURL(img)
}

func pngURL(img image.Image) template.URL {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}
