package dj

import "github.com/datajoint-go/datajoint/dj/internal/query"

// LeftJoin is DataJoint's A.join(B, left=True): every row of A, with B's
// attributes where a row of B agrees with it on the common attributes and
// NULL where none does (fetch those attributes into pointer fields). The
// join rule is Join's. The primary key is the union of both keys, as in
// DataJoint, so B's key attributes are NULL in the rows of A without a
// match.
//
// B's own restrictions select the rows of B to match and never remove rows
// of A; restrictions applied to the result select joined rows:
//
//	students.LeftJoin(majors)                                  every student, with a major or NULL
//	students.LeftJoin(majors).Restrict(dj.Where("dept IS NULL")) students without a major
func (e Expr) LeftJoin(other Expr) Expr { return e.binary(other, e.q.LeftJoin) }

// JoinPermissive is DataJoint's permissive join A @ B: the natural join on
// all common attributes, also those that are secondary in both operands,
// which Join refuses under DataJoint 0.14's rule. A shared secondary
// attribute appears once in the result.
func (e Expr) JoinPermissive(other Expr) Expr { return e.binary(other, e.q.JoinPermissive) }

// LeftJoinPermissive is DataJoint's A.join(B, semantic_check=False,
// left=True): LeftJoin matching on shared secondary attributes too.
func (e Expr) LeftJoinPermissive(other Expr) Expr {
	return e.binary(other, e.q.LeftJoinPermissive)
}

// Permissive makes a restriction by the expression e match on all common
// attributes, also those that are secondary in both, which Restrict(e)
// refuses under DataJoint 0.14's rule: A.Restrict(dj.Permissive(B)) is
// DataJoint's A ^ B, and A.Exclude(dj.Permissive(B)) is A ^ dj.Not(B).
func Permissive(e Expr) Cond {
	if e.err != nil {
		return cond{err: e.err}
	}
	return cond{c: query.Permissive(e.q)}
}
