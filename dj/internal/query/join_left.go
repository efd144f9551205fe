package query

import (
	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// LeftJoin is DataJoint's A.join(B, left=True): every row of A, combined
// with the rows of B that agree with it on all common attributes, and with
// NULL for B's other attributes where no row of B does. The join rule and
// the heading are those of Join: the primary key is the union of both
// keys, so the key attributes that only B provides are NULL in the rows of
// A without a match; every attribute that only B provides is Nullable in
// the heading.
//
// B is wrapped as a derived table when it has restrictions, several
// tables or a top, so that its restrictions select the rows of B to match
// and never remove rows of A. Restricting the result afterwards applies to
// the joined rows: A.LeftJoin(B).Restrict(Where("b_attr IS NULL")) gives
// the rows of A without a match.
//
// A left join with a universal set is the same as Join: U(attrs...)
// promotes attrs into the other operand's key.
func (e Expr) LeftJoin(other Expr) Expr { return e.joinWith(other, true, true) }

// JoinPermissive is DataJoint's permissive join A @ B: the natural join on
// all common attributes, including those that are secondary in both
// operands (which Join refuses under DataJoint 0.14's rule). A shared
// secondary attribute appears once in the heading, with A's definition.
func (e Expr) JoinPermissive(other Expr) Expr { return e.joinWith(other, false, false) }

// LeftJoinPermissive is DataJoint's A.join(B, semantic_check=False,
// left=True): LeftJoin without the join rule, matching on shared
// secondary attributes too.
func (e Expr) LeftJoinPermissive(other Expr) Expr { return e.joinWith(other, true, false) }

// joinWith is the join of e and other; left keeps every row of e, check
// applies DataJoint's join rule.
func (e Expr) joinWith(other Expr, left, check bool) Expr {
	a, bad, ok := e.ok()
	if !ok {
		return bad
	}
	b, bad, ok := other.ok()
	if !ok {
		return bad
	}
	switch {
	case a.kind == kindUniversal && b.kind == kindUniversal:
		return withErr("%w: cannot join two universal sets", djerr.ErrInvalidQuery)
	case a.kind == kindUniversal:
		return universalJoin(a, b)
	case b.kind == kindUniversal:
		return universalJoin(b, a)
	}
	if check {
		if err := checkJoinable(a, b); err != nil {
			return invalid(err)
		}
	}
	return Expr{joinNodes(a, b, left)}
}

// Permissive makes a restriction by the expression e skip DataJoint's join
// rule: A.Restrict(Permissive(B)) is DataJoint's A ^ B, the rows of A that
// match some row of B on all common attributes, including those that are
// secondary in both (which Restrict(B) refuses). Exclude(Permissive(B)) and
// Not(Permissive(B)) are its antijoin, DataJoint's A ^ dj.Not(B).
func Permissive(e Expr) Cond { return permissiveCond{e: e} }

type permissiveCond struct{ e Expr }

func (permissiveCond) isCond() {}
