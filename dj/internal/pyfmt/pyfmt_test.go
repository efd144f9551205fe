package pyfmt

import (
	"math"
	"testing"
)

func TestFloat(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", 0.1: "0.1", -1.5: "-1.5", 1e16: "1e+16", 1e15: "1000000000000000.0",
		1e-4: "0.0001", 1e-5: "1e-05", 123456789.125: "123456789.125", math.Inf(1): "inf",
		math.Inf(-1): "-inf", float64(float32(0.1)): "0.10000000149011612",
	} {
		if got := Float(f); got != want {
			t.Errorf("Float(%v) = %q, want %q", f, got, want)
		}
	}
	if Float(math.NaN()) != "nan" || Float(math.Copysign(0, -1)) != "-0.0" {
		t.Error("nan or -0.0")
	}
}
