// Package query is DataJoint's relational algebra (DataJoint for Python
// 0.14): immutable expressions over table metadata that render to MySQL
// SELECT statements. It has no database access; package dj executes the
// SQL and scans the results.
//
// Every operator returns a new Expr and leaves its inputs unchanged. An
// operator checks attribute names when it is called and records the first
// error in its result; the terminal calls (SQL, CountSQL, ExistsSQL,
// WhereSQL) return it, and Err allows an early check. Errors wrap the
// sentinels of package djerr (ErrUnknownAttribute, ErrIllegalJoin,
// ErrIncompatible, ErrInvalidQuery, ErrType) and name the attribute or
// operand at fault. Values are always sent as parameters (?) and
// identifiers are always quoted with backticks.
//
// # Operators
//
//	DataJoint for Python                    Go
//	--------------------------------------  ----------------------------------------------
//	Table()                                 Table(&t)
//	A & "x > 5"                             A.Restrict(Where("x > ?", 5))
//	A & {"id": 1}                           A.Restrict(Match(map[string]any{"id": 1}))
//	A & [{"id": 1}, {"id": 2}]              A.Restrict(Matches(k1, k2))
//	A & ["x=1", "y=2"]  (OR list)           A.Restrict(Or(Where("x=1"), Where("y=2")))
//	A & dj.AndList([c1, c2]), A & c1 & c2   A.Restrict(c1, c2) or A.Restrict(And(c1, c2))
//	A & dj.Not(c)                           A.Restrict(Not(c))
//	A & True, A & False                     A.Restrict(True), A.Restrict(False)
//	A & B   (semijoin)                      A.Restrict(B)
//	A - B   (antijoin), A - c               A.Exclude(B), A.Exclude(c)
//	A - dj.AndList([c1, c2])                A.Exclude(c1, c2)
//	A - c1 - c2, A - [c1, c2]               A.Exclude(c1).Exclude(c2), A.Exclude(Or(c1, c2))
//	A * B                                   A.Join(B)
//	A @ B                                   A.JoinPermissive(B)
//	A.join(B, left=True)                    A.LeftJoin(B)
//	A.join(B, semantic_check=False,         A.LeftJoinPermissive(B)
//	       left=True)
//	A ^ B                                   A.Restrict(Permissive(B))
//	A ^ dj.Not(B)                           A.Exclude(Permissive(B))
//	A.proj()                                A.Proj()
//	A.proj("x", "y")                        A.Proj("x", "y")
//	A.proj(...)                             A.Proj("*")  (or "..."; also ProjAll())
//	A.proj(..., "-x")                       A.Proj("*", "-x")
//	A.proj(new="old")                       A.Proj("new=old")
//	A.proj(new="(old)")                     A.Proj("new=(old)")
//	A.proj(d="x*2")                         A.Proj("d=x*2")
//	A.aggr(B, n="count(*)")                 A.Aggr(B, false, "n=count(*)")
//	A.aggr(B, ..., n="count(*)")            A.Aggr(B, false, "*", "n=count(*)")
//	A.aggr(B, keep_all_rows=True, n=...)    A.Aggr(B, true, "n=count(b_attr)")
//	A.aggr(B, ...), nothing shared          A.Aggr(B, false, ...) (grouped cross join)
//	dj.U("a", "b") & A                      U("a", "b").Restrict(A)
//	dj.U("a").aggr(A, n="count(*)")         U("a").Aggr(A, false, "n=count(*)")
//	dj.U().aggr(A, n="count(*)")            U().Aggr(A, false, "n=count(*)")
//	dj.U("a") * A                           U("a").Join(A)
//	A + B                                   A.Union(B)
//	A.fetch(order_by="x DESC")              A.OrderBy("x DESC")
//	A.fetch(order_by="KEY", limit=10,       A.OrderBy("KEY").Limit(10).Offset(20)
//	        offset=20)
//	dj.Top(limit=5, order_by="KEY DESC")    A.OrderBy("KEY DESC").Limit(5)
//	len(A)                                  A.CountSQL()
//	bool(A)                                 A.ExistsSQL()
//	A.fetch("KEY")                          A.Proj()   (then fetch)
//	A.heading, A.primary_key                A.Heading(), A.PrimaryKey()
//	A.make_sql()                            A.SQL()
//	(A & cond).delete()                     A.Source() and A.WhereSQL()
//	T.insert(A)                             A.InsertSQL(t, fields, mode)
//
// The join rule is DataJoint 0.14's: A and B cannot be joined (or
// restrict one another) when they share an attribute that is secondary in
// both; a namesake that is primary in one of them is a join attribute.
// JoinPermissive, LeftJoinPermissive and Permissive skip the rule and
// match on every common attribute.
//
// Differences from DataJoint for Python 0.14, all deliberate:
//
//   - Exclude() with no condition changes nothing.
//   - Semijoins treat NULL as matching nothing in two-valued logic: NULLs
//     are left out of the subquery (a NULL there made NOT IN unknown for
//     every row, so A - B was empty), and where a restricted-side column
//     is nullable and the membership is negated the test is written
//     COALESCE((cols) IN (...), FALSE), so that A & B and A - B partition A.
//   - Where checks attribute names with DataJoint's heuristic, but knows
//     more SQL keywords (true, false, case, when, div, collate names, ...),
//     skips words after a "." or "@", and accepts upper-case keywords.
//   - Match ignores JSON paths (attr.path keys); use Where with json_value.
//   - A semijoin with no common attribute renders EXISTS(...) instead of
//     asking the database at build time whether B is empty.
//   - Proj checks dropped ("-x") names too.
//   - The SQL text of Where and of computed attributes must stay one
//     expression: no comment of any form, no "--", ";" or backslash
//     outside quotes, parentheses balanced (see Where). Computed
//     attributes are written in parentheses.
//   - Operands with a Top are wrapped as derived tables before a join, a
//     semijoin (MySQL rejects LIMIT inside IN) or a restriction; DISTINCT
//     operands (U(...).Restrict(B)) before a join; and a left-joined
//     operand with restrictions before the join, so that its restrictions
//     do not remove unmatched rows.
//   - Attributes kept by an aggregation are added to its GROUP BY (they
//     depend on the key), so the SQL is valid under ONLY_FULL_GROUP_BY on
//     MariaDB too, which does not detect functional dependencies.
//   - An offset without a limit renders LIMIT 18446744073709551615.
//   - CountSQL of an expression with a key attribute that may be NULL
//     (from a left join) counts rows, not DISTINCT keys, which would skip
//     the keys with a NULL.
//
// # SQL shape
//
// A plain expression renders as
//
//	SELECT [DISTINCT] fields FROM sources [WHERE (c1)AND(c2)…] [ORDER BY … LIMIT n [OFFSET m]]
//
// where a field is `name`, `source` as `name` for a renamed attribute or
// (expression) as `name` for a computed one, and sources are tables and
// derived tables joined by NATURAL JOIN (or NATURAL LEFT JOIN inside
// aggregations and unions). An aggregation adds GROUP BY <key> [HAVING …].
// Derived tables are written (SELECT …) as `$1`, `$2`, … numbered in the
// order they appear in the text, so a given expression always renders the
// same SQL. An expression
// is wrapped as a derived table exactly when
//
//   - it is restricted after a top (ORDER BY/LIMIT), or after renamed or
//     computed attributes (a WHERE clause sees only FROM columns), or it
//     is a global aggregate being restricted;
//   - it is joined as an aggregation, with a top or DISTINCT, or with a
//     join attribute renamed or computed in it; or the FROM columns of the
//     two operands overlap beyond the join attributes (a NATURAL JOIN
//     would join them too), in which case the operand that does not
//     select the column is wrapped;
//   - it is the operand of a semijoin (Restrict/Exclude by an Expr) and is
//     an aggregation or has a top;
//   - it is projected with a new attribute computed from, or renamed from,
//     a renamed or computed attribute, or with a new computed attribute
//     over DISTINCT, or a projection would change what its ORDER BY
//     refers to;
//   - it is the grouping operand A of A.Aggr(B) with renamed or computed
//     attributes (besides the join rules above); or the group B has
//     renamed or computed attributes, or is left-joined (keepAllRows) with
//     restrictions or several tables; or it is the group of U(...).Aggr
//     with a top, DISTINCT, aggregation or computed attributes.
//
// A union is always a derived table.
package query
