package dj

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestInsertHeadAndTail(t *testing.T) {
	cases := []struct {
		name          string
		replace, skip bool
		pk            []string
		want          string
	}{
		{"plain", false, false, []string{"id"}, "INSERT INTO `db`.`t` (`id`,`v`) VALUES "},
		{"replace", true, false, []string{"id"}, "REPLACE INTO `db`.`t` (`id`,`v`) VALUES "},
		{"skip", false, true, []string{"id", "v"}, "INSERT INTO `db`.`t` (`id`,`v`) VALUES  ON DUPLICATE KEY UPDATE `id`=`id`"},
		// Replace already overwrites: no ON DUPLICATE clause.
		{"skip+replace", true, true, []string{"id"}, "REPLACE INTO `db`.`t` (`id`,`v`) VALUES "},
		{"skip without key", false, true, nil, "INSERT INTO `db`.`t` (`id`,`v`) VALUES "},
	}
	for _, c := range cases {
		got := insertHead("`db`.`t`", []string{"id", "v"}, c.replace) + insertTail(c.pk, c.skip, c.replace)
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := insertHead("`db`.`t`", []string{"we`ird"}, false); got != "INSERT INTO `db`.`t` (`we``ird`) VALUES " {
		t.Errorf("quoting: %q", got)
	}
}

func TestInsertMaxBytes(t *testing.T) {
	for _, c := range []struct{ pkt, want int }{
		{0, 16 << 20},
		{-1, 16 << 20},
		{4 << 20, 1 << 20},
		{1 << 30, 16 << 20},
		{64 << 20, 16 << 20},
		{3, 16 << 20}, // a quarter of 3 is 0: unknown
	} {
		if got := insertMaxBytes(c.pkt); got != c.want {
			t.Errorf("insertMaxBytes(%d) = %d, want %d", c.pkt, got, c.want)
		}
	}
}

// drain returns every statement of b with a copy of its arguments.
func drain(b *insertBuilder) []scriptCall {
	var out []scriptCall
	b.reset()
	for {
		q, args, ok := b.next()
		if !ok {
			return out
		}
		out = append(out, scriptCall{q, append([]any(nil), args...)})
	}
}

func TestInsertBuilderBatchesByRows(t *testing.T) {
	values := []any{1, "a", 2, "b", 3, "c", 4, "d", 5, "e"}
	b := newInsertStatements("`db`.`t`", []string{"id", "v"}, []string{"id"}, values, &insertOptions{batchRows: 2}, 0)
	if !b.several() {
		t.Fatal("5 rows in batches of 2 should take several statements")
	}
	got := drain(b)
	two := "INSERT INTO `db`.`t` (`id`,`v`) VALUES (?,?),(?,?)"
	one := "INSERT INTO `db`.`t` (`id`,`v`) VALUES (?,?)"
	want := []scriptCall{
		{two, []any{1, "a", 2, "b"}},
		{two, []any{3, "c", 4, "d"}},
		{one, []any{5, "e"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	// A second pass gives the same statements.
	if again := drain(b); !reflect.DeepEqual(again, want) {
		t.Fatalf("second pass differs: %#v", again)
	}
	single := newInsertStatements("`db`.`t`", []string{"id", "v"}, nil, values[:4], &insertOptions{batchRows: 2}, 0)
	if single.several() {
		t.Error("2 rows in batches of 2 take one statement")
	}
}

func TestInsertBuilderDefaults(t *testing.T) {
	values := []any{1, sqlDefault{}, 2, "x"}
	b := newInsertStatements("`db`.`t`", []string{"id", "v"}, []string{"id"}, values, &insertOptions{batchRows: 10, skipDuplicates: true}, 0)
	got := drain(b)
	want := []scriptCall{{"INSERT INTO `db`.`t` (`id`,`v`) VALUES (?,DEFAULT),(?,?) ON DUPLICATE KEY UPDATE `id`=`id`", []any{1, 2, "x"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestInsertBuilderBatchesByPacket(t *testing.T) {
	// Each row is a 100-byte string: 2*100+3 bytes interpolated plus 2 per
	// column. A quarter of a 2000-byte packet (500 bytes) holds two rows.
	s := strings.Repeat("x", 100)
	values := []any{s, s, s, s, s}
	b := newInsertStatements("`db`.`t`", []string{"v"}, nil, values, &insertOptions{batchRows: 1000}, 2000)
	var sizes []int
	for _, st := range drain(b) {
		sizes = append(sizes, len(st.args))
	}
	if !reflect.DeepEqual(sizes, []int{2, 2, 1}) {
		t.Fatalf("rows per statement %v, want [2 2 1]", sizes)
	}
	// A row larger than the limit still goes, alone.
	big := []any{strings.Repeat("y", 1000), "z"}
	b = newInsertStatements("`db`.`t`", []string{"v"}, nil, big, &insertOptions{batchRows: 1000}, 2000)
	if got := drain(b); len(got) != 2 || len(got[0].args) != 1 {
		t.Fatalf("oversized row: %#v", got)
	}
}

func TestApproxSize(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{{"abc", 9}, {[]byte{1, 2}, 7}, {int64(5), 24}, {3.5, 24}, {nil, 24}} {
		if got := approxSize(c.v); got != c.want {
			t.Errorf("approxSize(%#v) = %d, want %d", c.v, got, c.want)
		}
	}
}

type InsMouse struct {
	Manual
	MouseID int32  `dj:"pk"`
	Name    string `dj:"type=varchar(16)"`
	Weight  *float64
}

type InsNeuron struct {
	Computed
	MouseID  int32 `dj:"pk"`
	NeuronID int32 `dj:"pk"`
	Rate     float64
}

func TestInsertSendsStatements(t *testing.T) {
	ctx := context.Background()
	db := &scriptDB{answer: func(string, []any) scriptAnswer { return scriptAnswer{affected: 1} }}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", InsMouse{}, InsNeuron{})
	w := 21.5
	rows := []InsMouse{{MouseID: 1, Name: "a", Weight: &w}, {MouseID: 2, Name: "b"}}
	if err := Insert(ctx, c, rows, SkipDuplicates()); err != nil {
		t.Fatal(err)
	}
	want := []scriptCall{{
		"INSERT INTO `lab`.`ins_mouse` (`mouse_id`,`name`,`weight`) VALUES (?,?,?),(?,?,DEFAULT) ON DUPLICATE KEY UPDATE `mouse_id`=`mouse_id`",
		[]any{int64(1), "a", 21.5, int64(2), "b"},
	}}
	if !reflect.DeepEqual(db.calls, want) {
		t.Fatalf("sent %#v\nwant %#v", db.calls, want)
	}

	// Several statements run in one transaction.
	db.calls = nil
	if err := Insert(ctx, c, []InsMouse{{MouseID: 3, Name: "c"}, {MouseID: 4, Name: "d"}, {MouseID: 5, Name: "e"}}, BatchRows(2), Replace()); err != nil {
		t.Fatal(err)
	}
	got := db.queries()
	wantQ := []string{
		"START TRANSACTION WITH CONSISTENT SNAPSHOT",
		"REPLACE INTO `lab`.`ins_mouse` (`mouse_id`,`name`,`weight`) VALUES (?,?,DEFAULT),(?,?,DEFAULT)",
		"REPLACE INTO `lab`.`ins_mouse` (`mouse_id`,`name`,`weight`) VALUES (?,?,DEFAULT)",
		"COMMIT",
	}
	if !reflect.DeepEqual(got, wantQ) {
		t.Fatalf("sent %q\nwant %q", got, wantQ)
	}

	// Map rows: the attributes of the first row, in heading order.
	db.calls = nil
	mt, err := TableOf[InsMouse](c)
	if err != nil {
		t.Fatal(err)
	}
	if err := mt.Insert1(ctx, c, map[string]any{"name": "m", "mouse_id": 9}); err != nil {
		t.Fatal(err)
	}
	if want := "INSERT INTO `lab`.`ins_mouse` (`mouse_id`,`name`) VALUES (?,?)"; len(db.calls) != 1 || db.calls[0].query != want || !reflect.DeepEqual(db.calls[0].args, []any{9, "m"}) {
		t.Fatalf("map insert sent %#v", db.calls)
	}
}

func TestInsertRefusesBeforeSending(t *testing.T) {
	ctx := context.Background()
	db := &scriptDB{}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", InsMouse{}, InsNeuron{})
	mt, err := TableOf[InsMouse](c)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		run  func() error
	}{
		{"computed table", ErrDirectInsert, func() error { return Insert1(ctx, c, InsNeuron{MouseID: 1, NeuronID: 1}) }},
		{"not a slice", ErrType, func() error { return mt.Insert(ctx, c, InsMouse{}) }},
		{"nil row", ErrType, func() error { return mt.Insert1(ctx, c, (*InsMouse)(nil)) }},
		{"unknown key", ErrUnknownAttribute, func() error { return mt.Insert1(ctx, c, map[string]any{"mouse_id": 1, "tail": 3}) }},
		{"no attributes", ErrMissingAttribute, func() error { return mt.Insert(ctx, c, []map[string]any{{"tail": 1}}, IgnoreExtraFields()) }},
		{"ragged maps", ErrMissingAttribute, func() error {
			return mt.Insert(ctx, c, []map[string]any{{"mouse_id": 1, "name": "a"}, {"mouse_id": 2}})
		}},
		{"bad value", ErrType, func() error { return mt.Insert1(ctx, c, map[string]any{"mouse_id": []int{7}}) }},
		{"infinity", ErrType, func() error { return mt.Insert1(ctx, c, map[string]any{"mouse_id": 1, "weight": math.Inf(1)}) }},
		{"NaN in a key", ErrMissingAttribute, func() error { return mt.Insert1(ctx, c, map[string]any{"mouse_id": math.NaN()}) }},
		{"scalar rows", ErrType, func() error { return mt.Insert(ctx, c, []int{1}) }},
	}
	for _, cs := range cases {
		err := cs.run()
		if !errors.Is(err, cs.err) {
			t.Errorf("%s: got %v, want %v", cs.name, err, cs.err)
		}
	}
	if len(db.calls) != 0 {
		t.Errorf("refused inserts sent %q", db.queries())
	}
	// AllowDirectInsert lets the computed table's row through.
	if err := Insert1(ctx, c, InsNeuron{MouseID: 1, NeuronID: 2, Rate: 0.5}, AllowDirectInsert()); err != nil {
		t.Fatal(err)
	}
	if got := db.queries(); len(got) != 1 || got[0] != "INSERT INTO `lab`.`__ins_neuron` (`mouse_id`,`neuron_id`,`rate`) VALUES (?,?,?)" {
		t.Fatalf("direct insert sent %q", got)
	}
	// Empty inserts send nothing.
	db.calls = nil
	if err := Insert(ctx, c, []InsMouse{}); err != nil || len(db.calls) != 0 {
		t.Fatalf("empty insert: %v, %q", err, db.queries())
	}
}
