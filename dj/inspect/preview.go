package inspect

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// PreviewOptions configures Preview.
type PreviewOptions struct {
	// Limit is the number of rows shown; 0 means 12, DataJoint's
	// display.limit.
	Limit int
	// Width is the widest a column gets, in characters; longer values are
	// cut. 0 means 40.
	Width int
}

// Preview returns the first rows of a query as a text table, laid out as
// DataJoint for Python shows a query in a notebook or a terminal: a header
// with the primary-key attributes marked "*", a rule under each column,
// one line per row, "..." when there are more rows, and the total count.
// Blobs show as their shape and type (<3×4 double>, <list 5>, "text" for
// a string), as blob decoding describes them, rather than DataJoint's
// =BLOB=; attachments show their file name, external attributes their
// type (=blob@store=, whose contents stay in the store), NULL as NULL.
// Nothing is downloaded from object stores.
func Preview(ctx context.Context, q dj.Querier, e dj.Expr, opts PreviewOptions) (string, error) {
	p, err := PreviewRows(ctx, q, e, opts)
	if err != nil {
		return "", err
	}
	return p.Format(opts.Width), nil
}

// PreviewTable is the first rows of a query, each value formatted as
// Preview shows it.
type PreviewTable struct {
	Columns    []string   `json:"columns"`
	PrimaryKey []string   `json:"primary_key"`
	Rows       [][]string `json:"rows"`
	More       bool       `json:"more"`  // more rows follow
	Total      int64      `json:"total"` // rows of the whole query
}

// PreviewRows fetches the first rows of a query for Preview.
func PreviewRows(ctx context.Context, q dj.Querier, e dj.Expr, opts PreviewOptions) (*PreviewTable, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 12
	}
	h := e.Heading()
	stmt, args, err := e.Limit(limit + 1).SQL()
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	p := &PreviewTable{Columns: cols, PrimaryKey: e.PrimaryKey(), Rows: [][]string{}}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
		}
		line := make([]string, len(cols))
		for i, c := range cols {
			a, _ := h.Attr(c)
			line[i] = Cell(a, vals[i])
		}
		p.Rows = append(p.Rows, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "preview", Table: e.String(), Err: err}
	}
	if len(p.Rows) > limit {
		p.More, p.Rows = true, p.Rows[:limit]
	}
	if p.Total, err = dj.Count(ctx, q, e); err != nil {
		return nil, err
	}
	return p, nil
}

// Format lays the rows out as Preview does, no column wider than width
// characters (0 means 40).
func (p *PreviewTable) Format(width int) string {
	if width <= 0 {
		width = 40
	}
	pk := toSet(p.PrimaryKey)
	header := make([]string, len(p.Columns))
	widths := make([]int, len(p.Columns))
	for i, c := range p.Columns {
		header[i] = c
		if pk[c] {
			header[i] = "*" + c
		}
		w := utf8.RuneCountInString(header[i])
		for _, l := range p.Rows {
			w = max(w, utf8.RuneCountInString(l[i]))
		}
		widths[i] = min(w+2, width)
	}
	var b strings.Builder
	writeLine := func(fields []string) {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = pad(f, widths[i])
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, " "), " ") + "\n")
	}
	writeLine(header)
	rules := make([]string, len(p.Columns))
	for i := range p.Columns {
		rules[i] = "+" + strings.Repeat("-", max(widths[i]-2, 0)) + "+"
	}
	writeLine(rules)
	for _, l := range p.Rows {
		writeLine(l)
	}
	if p.More {
		b.WriteString("   ...\n")
	}
	fmt.Fprintf(&b, " (Total: %d)\n", p.Total)
	return b.String()
}

// pad cuts or pads s to exactly w characters.
func pad(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n > w {
		r := []rune(s)
		return string(r[:w])
	}
	return s + strings.Repeat(" ", w-n)
}

// previewBlobLimit bounds the decoded size of a blob shown in a preview.
const previewBlobLimit = 64 << 20

// Cell formats one value of attribute a (nil: unknown) as a preview shows
// it: NULL, blobs as Summary describes them, attachments by name, external
// values by type, UUIDs, dates and datetimes in SQL's form, floats in
// their shortest form.
func Cell(a *schema.Attribute, v any) string {
	if v == nil {
		return "NULL"
	}
	if a == nil {
		return plain(v)
	}
	raw, isBytes := v.([]byte)
	switch {
	case a.Category.External():
		return "=" + a.Type + "="
	case a.Category == schema.CatAttach && isBytes:
		name, _, _ := strings.Cut(string(raw), "\x00")
		return "=attach: " + name + "="
	case a.Category == schema.CatBlob && isBytes:
		m, err := blob.Decode(raw, blob.MaxDecodedSize(previewBlobLimit))
		if err != nil {
			return fmt.Sprintf("<blob, %d bytes, unreadable>", len(raw))
		}
		return Summary(m)
	case a.Category == schema.CatUUID && isBytes && len(raw) == 16:
		u, _ := uuid.FromBytes(raw)
		return u.String()
	case a.Category == schema.CatTemporal:
		if t, ok := v.(time.Time); ok {
			if strings.HasPrefix(schema.CanonicalType(a.Type), "date") && !strings.HasPrefix(schema.CanonicalType(a.Type), "datetime") {
				return t.Format("2006-01-02")
			}
			return t.Format("2006-01-02 15:04:05.999999")
		}
	}
	return plain(v)
}

func plain(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999")
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}

// Summary describes a decoded blob value (blob.Decode's model) in a few
// characters: the shape and class of arrays (<3×4 double>, <scalar int32>),
// the length of lists, dicts and tuples, strings quoted (cut at 20
// characters), numbers as they are.
func Summary(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case *blob.Array:
		if x.Class == blob.ClassChar && len(x.Shape) <= 2 {
			if s, ok := x.Data.([]uint16); ok && (len(x.Shape) < 2 || x.Shape[0] <= 1) {
				return quote(string(utf16Runes(s)))
			}
		}
		return "<" + shape(x.Shape) + " " + x.Class.String() + ">"
	case *blob.MatStruct:
		return "<" + shape(x.Shape) + " struct>"
	case *blob.MatCell:
		return "<" + shape(x.Shape) + " cell>"
	case string:
		return quote(x)
	case []byte:
		return fmt.Sprintf("<bytes %d>", len(x))
	case []any:
		return fmt.Sprintf("<list %d>", len(x))
	case blob.Tuple:
		return fmt.Sprintf("<tuple %d>", len(x))
	case blob.Dict:
		return fmt.Sprintf("<dict %d>", len(x))
	case blob.Set:
		return fmt.Sprintf("<set %d>", len(x))
	case *big.Int:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool, int64, complex128, blob.Decimal, uuid.UUID:
		return fmt.Sprint(x)
	case time.Time:
		return x.Format("2006-01-02 15:04:05.999999")
	}
	return fmt.Sprintf("<%T>", v)
}

func shape(s []int) string {
	if len(s) == 0 {
		return "scalar"
	}
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "×")
}

func quote(s string) string {
	r := []rune(s)
	if len(r) > 20 {
		return strconv.Quote(string(r[:20])) + "…"
	}
	return strconv.Quote(s)
}

func utf16Runes(s []uint16) []rune {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		out = append(out, rune(c))
	}
	return out
}
