package inspect

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"testing"
)

// TestSynthetic40 generates and binds the Go code of a 40-table pipeline
// and draws it; with DJ_DIAGRAM_PNG=path the picture is written there to
// be looked at.
func TestSynthetic40(t *testing.T) {
	_, s := connect(t)
	ctx := context.Background()
	createSynthetic(t, s, 4)
	src, err := Generate(ctx, s, GenOptions{Package: "synth"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("Tables left out")) {
		t.Fatalf("tables left out:\n%s", src)
	}
	checkGenerated(t, s, src, "")
	d, err := NewDiagram(ctx, s, DiagramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 40 {
		t.Fatalf("%d tables in the diagram", d.Len())
	}
	pic, err := d.Render(ctx, "png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("PNG %v", img.Bounds())
	if p := os.Getenv("DJ_DIAGRAM_PNG"); p != "" {
		if err := os.WriteFile(p, pic, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
