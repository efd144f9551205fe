package dj

import (
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the text of INSERT and REPLACE statements; insert.go
// encodes the rows and sends the statements.

type statement struct {
	sql  string
	args []any
}

// insertBuilder splits encoded values into multi-row statements of at most
// batchRows rows and about a quarter of max_allowed_packet, one statement at
// a time. A statement without DEFAULT values reuses the text of the
// previous one of the same size and takes its arguments straight from
// values.
type insertBuilder struct {
	head, tail string
	width      int
	values     []any
	batchRows  int
	maxBytes   int
	pos        int    // first row of the next statement
	buf        []byte // statement text under construction
	args       []any  // arguments of a statement with DEFAULT values
	lastRows   int    // rows of lastSQL
	lastSQL    string // text of the last statement without DEFAULT values
}

// newInsertStatements returns the builder of the statements that insert
// values (rows of len(cols) encoded values) into table full (`db`.`t`).
// pk is the table's primary key, used by SkipDuplicates; maxPkt is the
// server's max_allowed_packet (0 when unknown).
func newInsertStatements(full string, cols, pk []string, values []any, o *insertOptions, maxPkt int) *insertBuilder {
	return &insertBuilder{
		head:      insertHead(full, cols, o.replace),
		tail:      insertTail(pk, o.skipDuplicates, o.replace),
		width:     len(cols),
		values:    values,
		batchRows: o.batchRows,
		maxBytes:  insertMaxBytes(maxPkt),
	}
}

// insertHead is the statement up to its VALUES:
// INSERT INTO `db`.`t` (`a`,`b`) VALUES , or REPLACE INTO with replace.
func insertHead(full string, cols []string, replace bool) string {
	var head strings.Builder
	if replace {
		head.WriteString("REPLACE INTO ")
	} else {
		head.WriteString("INSERT INTO ")
	}
	head.WriteString(full)
	head.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			head.WriteByte(',')
		}
		head.WriteString(schema.QuoteIdent(c))
	}
	head.WriteString(") VALUES ")
	return head.String()
}

// insertTail is what follows the rows: with skipDuplicates (and not
// replace), DataJoint's ON DUPLICATE KEY UPDATE of the first key
// attribute to itself, which turns a duplicate into a no-op.
func insertTail(pk []string, skipDuplicates, replace bool) string {
	if !skipDuplicates || replace || len(pk) == 0 {
		return ""
	}
	q := schema.QuoteIdent(pk[0])
	return " ON DUPLICATE KEY UPDATE " + q + "=" + q
}

// insertMaxBytes is the size one statement is kept under: a quarter of
// max_allowed_packet, at most (and, when the packet size is unknown)
// 16 MiB.
func insertMaxBytes(maxPkt int) int {
	maxBytes := maxPkt / 4
	if maxBytes <= 0 || maxBytes > 16<<20 {
		maxBytes = 16 << 20
	}
	return maxBytes
}

// attrNames returns the names of attrs.
func attrNames(attrs []*schema.Attribute) []string {
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return names
}

// reset starts over from the first row.
func (b *insertBuilder) reset() { b.pos = 0 }

// several reports whether the values take more than one statement.
func (b *insertBuilder) several() bool {
	b.reset()
	end, _ := b.extent()
	return end < len(b.values)/b.width
}

// extent returns the end row of the statement that starts at b.pos and
// whether its rows hold DEFAULT values.
func (b *insertBuilder) extent() (end int, defaults bool) {
	nrows := len(b.values) / b.width
	size := 0
	for end = b.pos; end < nrows && end-b.pos < b.batchRows; end++ {
		rsize := 2 * b.width
		for _, v := range b.values[end*b.width : (end+1)*b.width] {
			if _, ok := v.(sqlDefault); ok {
				defaults = true
			}
			rsize += approxSize(v)
		}
		if end > b.pos && size+rsize > b.maxBytes {
			break
		}
		size += rsize
	}
	return end, defaults
}

// next returns the next statement and its arguments; ok is false after the
// last one. The arguments are valid until the following call.
func (b *insertBuilder) next() (query string, args []any, ok bool) {
	start := b.pos
	if start >= len(b.values)/b.width {
		return "", nil, false
	}
	end, defaults := b.extent()
	b.pos = end
	rows := b.values[start*b.width : end*b.width]
	if !defaults {
		if end-start != b.lastRows || b.lastSQL == "" {
			b.lastSQL, b.lastRows = b.text(rows, false), end-start
		}
		return b.lastSQL, rows, true
	}
	b.args = b.args[:0]
	for _, v := range rows {
		if _, ok := v.(sqlDefault); !ok {
			b.args = append(b.args, v)
		}
	}
	return b.text(rows, true), b.args, true
}

// text writes the statement for rows; with defaults, sqlDefault values
// become DEFAULT instead of a placeholder.
func (b *insertBuilder) text(rows []any, defaults bool) string {
	buf := append(b.buf[:0], b.head...)
	for r := 0; r < len(rows)/b.width; r++ {
		if r > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '(')
		for j, v := range rows[r*b.width : (r+1)*b.width] {
			if j > 0 {
				buf = append(buf, ',')
			}
			if _, ok := v.(sqlDefault); ok && defaults {
				buf = append(buf, "DEFAULT"...)
				continue
			}
			buf = append(buf, '?')
		}
		buf = append(buf, ')')
	}
	buf = append(buf, b.tail...)
	b.buf = buf
	return string(buf)
}

// approxSize estimates the bytes a value takes in an interpolated statement.
func approxSize(v any) int {
	switch x := v.(type) {
	case []byte:
		return 2*len(x) + 3
	case string:
		return 2*len(x) + 3
	}
	return 24
}
