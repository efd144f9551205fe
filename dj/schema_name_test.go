package dj_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// hostileSchemaNames would change the meaning of DDL, paths or Python's
// unquoted SQL if they reached them.
var hostileSchemaNames = []string{
	"", strings.Repeat("a", 65), "lab`; DROP DATABASE mysql; -- ", "lab'; DROP TABLE x; --", `lab"`,
	"a.b", "a/b", `a\b`, "a b", "lab\x00", "lab\n", "é", "a;b", "a%b", "../etc",
}

func TestSchemaRefusesHostileNames(t *testing.T) {
	srv := testenv.MySQL(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	// On a closed pool every statement fails with another error: an
	// ErrConfig shows that the name was refused before any statement.
	must(t, c.Close())
	for _, name := range hostileSchemaNames {
		_, err := c.Schema(ctx, name)
		if !errors.Is(err, dj.ErrConfig) {
			t.Errorf("Schema(%q) = %v, want ErrConfig before any statement", name, err)
			continue
		}
		if strings.Count(err.Error(), "dj:") != 1 {
			t.Errorf("Schema(%q): %v", name, err)
		}
		if _, err := dj.Offline().Schema(ctx, name); !errors.Is(err, dj.ErrConfig) {
			t.Errorf("offline Schema(%q) = %v, want ErrConfig", name, err)
		}
	}
	c, s := connect(t)
	for _, name := range []string{s.Name() + "-2", s.Name() + "$x"} {
		s2, err := c.Schema(ctx, name)
		must(t, err)
		must(t, s2.Drop(ctx))
	}
}
