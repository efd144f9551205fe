package dj

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/blob"
)

// sentinels are every error class of the package.
var sentinels = []error{
	ErrDuplicate, ErrIntegrity, ErrNoRows, ErrTooManyRows, ErrUnknownAttribute, ErrMissingAttribute,
	ErrMissingTable, ErrDeclaration, ErrHeadingMismatch, ErrIllegalJoin, ErrIncompatible, ErrInvalidQuery,
	ErrType, ErrDirectInsert, ErrLostConnection, ErrAccess, ErrSyntax, ErrTransaction, ErrPartIntegrity,
	ErrMissingExternal, ErrStore, ErrConfig, ErrConflict, ErrReadOnly,
}

// TestErrorsSayItOnce wraps every sentinel the ways the package does —
// classified by an operation, nested in another operation on the same or
// another table, wrapped by fmt — and requires each result to match its
// sentinel and no other, and to say "dj:", the table and the sentinel's
// text once.
func TestErrorsSayItOnce(t *testing.T) {
	const table = "`lab`.`session`"
	for _, s := range sentinels {
		cause := fmt.Errorf("%w: the detail", s)
		inner := opError("insert", table, "", cause)
		cases := map[string]error{
			"op":               inner,
			"same op again":    opError("insert", table, "", inner),
			"other op, table":  opError("populate", table, "", inner),
			"nested directly":  &Error{Op: "populate", Table: table, Err: inner},
			"other table":      &Error{Op: "fetch", Table: "`lab`.`subject`", Err: inner},
			"attribute":        &Error{Op: "fetch", Table: table, Attr: "trace", Err: inner},
			"fmt around Error": fmt.Errorf("make key 3: %w", inner),
		}
		for name, err := range cases {
			msg := err.Error()
			if !errors.Is(err, s) {
				t.Errorf("%v, %s: %q does not match its sentinel", s, name, msg)
			}
			for _, other := range sentinels {
				if other != s && errors.Is(err, other) {
					t.Errorf("%v, %s: %q also matches %v", s, name, msg, other)
				}
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Errorf("%v, %s: not an *Error", s, name)
			}
			if n := strings.Count(msg, "dj: "); n != 1 {
				t.Errorf("%v, %s: %q says \"dj: \" %d times", s, name, msg, n)
			}
			if n := strings.Count(msg, s.Error()); n != 1 {
				t.Errorf("%v, %s: %q says %q %d times", s, name, msg, s.Error(), n)
			}
			if n := strings.Count(msg, table); n != 1 {
				t.Errorf("%v, %s: %q names the table %d times", s, name, msg, n)
			}
		}
	}
}

// TestTypeErrorsOneRule: a conversion or blob failure matches ErrType
// whichever way it happened, keeps matching the blob package's sentinel,
// and says "type mismatch" at most once.
func TestTypeErrorsOneRule(t *testing.T) {
	var v []float64
	malformed := blob.Unmarshal([]byte("mYm\x00X"), &v)
	var ch chan int
	_, unencodable := blob.Marshal(ch)
	var s string
	mismatch := blob.Unmarshal(mustMarshal(t, []float64{1}), &s)
	for name, c := range map[string]struct {
		err      error
		sentinel error
	}{
		"malformed":   {malformed, blob.ErrMalformed},
		"unencodable": {unencodable, blob.ErrType},
		"unsupported": {fmt.Errorf("%w: class 'sparse'", blob.ErrUnsupported), blob.ErrUnsupported},
		"mismatch":    {mismatch, blob.ErrType},
		"conversion":  {errors.New("cannot convert"), ErrType},
		"already":     {fmt.Errorf("%w: x", ErrType), ErrType},
	} {
		if c.err == nil {
			t.Fatalf("%s: no error to wrap", name)
		}
		for _, err := range []error{typeErr(c.err), opError("fetch", "`a`.`b`", "x", typeErr(c.err)), opError("insert", "`a`.`b`", "x", typeErr(typeErr(c.err)))} {
			msg := err.Error()
			if !errors.Is(err, ErrType) || !errors.Is(err, c.sentinel) {
				t.Errorf("%s: %q does not match ErrType and %v", name, msg, c.sentinel)
			}
			if strings.Count(msg, "type mismatch") > 1 {
				t.Errorf("%s: %q repeats itself", name, msg)
			}
		}
	}
	big := fmt.Errorf("%w: 3 GiB", blob.ErrTooLarge)
	if err := typeErr(big); errors.Is(err, ErrType) || !errors.Is(err, blob.ErrTooLarge) {
		t.Errorf("a blob over the size limit: %v", err)
	}
	if typeErr(nil) != nil {
		t.Error("typeErr(nil) is not nil")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := blob.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
