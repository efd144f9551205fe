package inspect

import (
	"bytes"
	"context"
	"database/sql"
	"os/exec"
	"testing"
)

// plainMetadata reads what code generation needs with the plain driver:
// the columns, keys and foreign keys of every table of a database.
func plainMetadata(b *testing.B, db *sql.DB, name string) {
	ctx := context.Background()
	for _, q := range []string{
		"SELECT table_name, column_name, column_type, is_nullable, column_default, column_key, extra, column_comment FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position",
		"SELECT table_name, constraint_name, column_name, referenced_table_schema, referenced_table_name, referenced_column_name FROM information_schema.key_column_usage WHERE table_schema = ? ORDER BY table_name, constraint_name, ordinal_position",
		"SELECT table_name, index_name, non_unique, column_name FROM information_schema.statistics WHERE table_schema = ? ORDER BY table_name, index_name, seq_in_index",
	} {
		rows, err := db.QueryContext(ctx, q, name)
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
	}
}

// BenchmarkGenerate30 generates the Go code of a 30-table schema; "plain"
// reads the same metadata from information_schema with the plain driver.
func BenchmarkGenerate30(b *testing.B) {
	_, s := connect(b)
	createSynthetic(b, s, 3)
	ctx := context.Background()
	b.Run("dj", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Generate(ctx, s, GenOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			plainMetadata(b, s.Conn().DB(), s.Name())
		}
	})
}

// BenchmarkDiagram100SVG reads and renders the diagram of a 100-table
// schema to SVG; "plain" runs Graphviz alone on the same DOT text.
func BenchmarkDiagram100SVG(b *testing.B) {
	_, s := connect(b)
	createSynthetic(b, s, 10)
	ctx := context.Background()
	b.Run("dj", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d, err := NewDiagram(ctx, s, DiagramOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := d.Render(ctx, "svg"); err != nil {
				b.Fatal(err)
			}
		}
	})
	d, err := NewDiagram(ctx, s, DiagramOptions{})
	if err != nil {
		b.Fatal(err)
	}
	dot := d.DOT()
	b.Run("plain", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cmd := exec.Command("dot", "-Tsvg")
			cmd.Stdin = bytes.NewReader([]byte(dot))
			if _, err := cmd.Output(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
