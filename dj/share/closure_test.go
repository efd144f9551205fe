package share_test

import (
	"context"
	"errors"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/share"
)

func counts(sub *share.Subset) map[string]int64 {
	m := map[string]int64{}
	for _, r := range sub.Tables {
		m[r.Table.Database+"."+r.Table.Table] = r.Rows
	}
	return m
}

func wantCounts(t *testing.T, sub *share.Subset, want map[string]int64) {
	t.Helper()
	got := counts(sub)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d rows in the closure, want %d", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 {
			t.Errorf("%s: %d rows in the closure, want none", k, v)
		}
	}
}

// TestClosureDownstreamAndUpstream restricts subjects to subject 1: its
// sessions, scans, channels and the reviews in the other schema come
// downstream; its owner and the experimenter of a session (references
// under other names) come upstream; the Lookup table comes whole; the
// objects are the photos of its two sessions, the traces of the two
// channels, and the scan's attachment and file.
func TestClosureDownstreamAndUpstream(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	sub, err := share.Closure(ctx, p.c, share.Restrict(dj.From[ShSubject](p.c).Restrict(dj.Where("subject_id = 1"))))
	must(t, err)
	a, b := p.a+".", p.b+"."
	wantCounts(t, sub, map[string]int64{
		a + "#sh_lab": 2, a + "sh_person": 2, a + "sh_subject": 1, a + "sh_session": 2,
		a + "sh_scan": 1, a + "sh_scan__channel": 2, b + "sh_review": 1,
	})
	if sub.Rows(id(p.a, "sh_person")) != 2 || sub.TotalRows() != 11 {
		t.Errorf("Rows = %d, TotalRows = %d", sub.Rows(id(p.a, "sh_person")), sub.TotalRows())
	}
	if len(sub.Objects) != 1 || sub.Objects[0].Objects != 6 || sub.Objects[0].Store != store {
		t.Fatalf("objects = %+v", sub.Objects)
	}
	bytes := int64(len(p.doc) + len(p.file))
	for k, ph := range p.photos {
		if k[0] == 1 {
			bytes += int64(len(marshal(t, ph)))
		}
	}
	for k, tr := range p.traces {
		if k[0] == 1 {
			bytes += int64(len(marshal(t, tr)))
		}
	}
	if sub.Objects[0].Bytes != bytes {
		t.Errorf("object bytes = %d, want %d", sub.Objects[0].Bytes, bytes)
	}
	// The same closure from a condition on the table by name.
	sub2, err := share.Closure(ctx, p.c, share.Where(id(p.a, "sh_subject"), "subject_id = ?", 1))
	must(t, err)
	if got, want := counts(sub2), counts(sub); len(got) != len(want) || got[a+"sh_person"] != want[a+"sh_person"] || sub2.TotalRows() != sub.TotalRows() {
		t.Errorf("Where closure %v differs from Restrict closure %v", got, want)
	}
}

// TestClosureParts starts from one channel of a scan: the scan (its
// master) comes upstream and with it the scan's other channel, then the
// session, subject and people they reference; nothing downstream of those
// (reviews, other sessions) comes.
func TestClosureParts(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	sub, err := share.Closure(ctx, p.c, share.Restrict(dj.From[ShScanChannel](p.c).Restrict(dj.Where("subject_id = 2 AND channel = 0"))))
	must(t, err)
	a := p.a + "."
	wantCounts(t, sub, map[string]int64{
		a + "#sh_lab": 2, a + "sh_person": 2, a + "sh_subject": 1, a + "sh_session": 1,
		a + "sh_scan": 1, a + "sh_scan__channel": 2,
	})
	if sub.Objects[0].Objects != 3 {
		t.Errorf("objects = %+v, want the session's photo and two traces", sub.Objects)
	}
}

// TestClosureSeveralSeedsAndErrors unions two seeds and refuses
// expressions that are not restrictions of one table.
func TestClosureSeveralSeedsAndErrors(t *testing.T) {
	p := newPipeline(t)
	ctx := context.Background()
	sub, err := share.Closure(ctx, p.c,
		share.Restrict(dj.From[ShSubject](p.c).Restrict(dj.Where("subject_id = 3"))),
		share.Where(id(p.a, "sh_person"), "name = 'Eve'"))
	must(t, err)
	wantCounts(t, sub, map[string]int64{
		p.a + ".#sh_lab": 2, p.a + ".sh_person": 3, p.a + ".sh_subject": 1, p.a + ".sh_session": 1,
	})
	_, err = share.Closure(ctx, p.c, share.Restrict(dj.From[ShSubject](p.c).Join(dj.From[ShSession](p.c))))
	if !errors.Is(err, dj.ErrInvalidQuery) {
		t.Errorf("join: err = %v, want ErrInvalidQuery", err)
	}
	_, err = share.Closure(ctx, p.c, share.All(id(p.a, "no_such_table")))
	if !errors.Is(err, dj.ErrMissingTable) {
		t.Errorf("missing table: err = %v, want ErrMissingTable", err)
	}
	whole, err := share.Closure(ctx, p.c, share.Schema(p.a))
	must(t, err)
	wantCounts(t, whole, map[string]int64{
		p.a + ".#sh_lab": 2, p.a + ".sh_person": 5, p.a + ".sh_subject": 3, p.a + ".sh_session": 4,
		p.a + ".sh_scan": 2, p.a + ".sh_scan__channel": 4,
	})
	// Both schemas, the second whole with the first.
	both, err := share.Closure(ctx, p.c, share.Schema(p.b))
	must(t, err)
	wantCounts(t, both, map[string]int64{
		p.a + ".#sh_lab": 2, p.a + ".sh_person": 3, p.a + ".sh_subject": 2, p.a + ".sh_session": 2, p.b + ".sh_review": 2,
	})
}

// TestClosureUpstreamAcrossSchemas starts from a review in the second
// schema: the session, subject and people it needs come from the first
// schema, without the session's scans (downstream of an upstream row).
func TestClosureUpstreamAcrossSchemas(t *testing.T) {
	p := newPipeline(t)
	sub, err := share.Closure(context.Background(), p.c, share.Where(id(p.b, "sh_review"), "subject_id = 2"))
	must(t, err)
	a := p.a + "."
	wantCounts(t, sub, map[string]int64{
		a + "#sh_lab": 2, a + "sh_person": 2, a + "sh_subject": 1, a + "sh_session": 1, p.b + ".sh_review": 1,
	})
	if len(sub.Databases) != 2 || sub.Objects[0].Objects != 1 {
		t.Errorf("databases %v, objects %+v", sub.Databases, sub.Objects)
	}
}
