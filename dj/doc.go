// Package dj is DataJoint for Go: a framework for scientific data
// pipelines on MySQL or MariaDB, compatible on disk with DataJoint for
// Python 0.14, so Go and Python users can share one database.
//
// # Declaring a pipeline
//
// A table is a struct. An embedded zero-size marker gives its tier —
// Manual, Lookup, Imported, Computed or Part[Master] — and typed references
// (Ref[Parent]) give its foreign keys. Field order is attribute order;
// column names are the snake_case of field names.
//
//	type Subject struct {
//		dj.Manual `comment:"experimental subject"`
//		SubjectID int32      `dj:"pk"`
//		Species   string     `dj:"type=varchar(32),default='mouse'"`
//		DOB       *time.Time `dj:"type=date" comment:"date of birth"` // pointer: nullable
//	}
//
//	type Session struct {
//		dj.Manual
//		Subject   dj.Ref[Subject] `dj:"pk"` // -> Subject
//		SubjectID int32           `dj:"pk"` // the key it brings, declared too
//		SessionID int16           `dj:"pk"`
//		Trace     []float64                 // a DataJoint blob (longblob)
//	}
//
// Schema.Declare creates the tables exactly as DataJoint for Python would
// (names such as "#species", "_scan", "__filtered", "__filtered__unit";
// column types, comments, type markers, foreign keys and indexes), or
// checks existing tables against the structs.
//
// The `dj` tag takes: pk; name=<column>; type=<DataJoint type>
// (int, smallint unsigned, varchar(n), enum('a','b'), decimal(p,s), date,
// datetime(6), json, uuid, longblob, blob@store, attach, attach@store,
// filepath@store, ...); default=<SQL literal>; auto_increment; and "-" to
// skip a field. On a Ref field: pk, nullable, unique and proj=(new=old,...)
// for a renamed reference. On the tier marker: index=(a,b) and
// unique=(a,b). A separate `comment` tag holds comments. Go types map to
// DataJoint types: int8..int64 to tinyint..bigint (uintN: unsigned),
// float32/float64 to float/double, bool to bool, time.Time to datetime,
// uuid.UUID to uuid, json.RawMessage to json, and slices, maps, structs,
// gonum matrices and any to longblob (see package dj/blob). A string needs
// an explicit type.
//
// # Reading and writing
//
// Insert, Insert1 and Update1 write rows of declared structs; Table.Insert
// takes maps too. Fetch, FetchOne, All (streaming), FetchMaps, FetchKeys,
// FetchColumn, Count and Exists read the result of a query expression.
// Every such call takes a context and a Querier: a *Conn, or the *Tx of
// Conn.Tx, so the same code runs inside and outside transactions.
//
// With Config.Replicas, reads of data through a *Conn go to healthy read
// replicas and everything else to the server (see Conn and UsePrimary);
// with Config.ReadOnly every write fails with ErrReadOnly before it is
// sent.
//
// Tables that no Go code declared — for example ones declared by
// DataJoint for Python — open with Schema.Table and Schema.Tables; their
// headings are read from the database.
//
// # Queries
//
// An Expr is DataJoint's query expression: an immutable value built with
// Restrict (&), Exclude (-), Join (*), JoinPermissive (@), LeftJoin, Proj,
// Aggr, Union (+), U, OrderBy, Limit and Offset. Builders never fail; the
// first error is returned by the terminal call. Values always travel as
// parameters and identifiers are always quoted; Expr.SQL shows the
// statement. Every operator of DataJoint for Python 0.14's query language:
//
//	DataJoint for Python                  Go
//	------------------------------------  ------------------------------------------------
//	Table()                               dj.From[T](q), or t.Expr() for a *Table
//	A & "x > 5"                           A.Restrict(dj.Where("x > ?", 5))
//	A & {"id": 1}                         A.Restrict(dj.Match(dj.Key{"id": 1})) or Match(row)
//	A & [k1, k2], A & recarray/DataFrame  A.Restrict(dj.MatchAny(keys))  (OR of keys)
//	A & ["x=1", "y=2"]                    A.Restrict(dj.Or(dj.Where("x=1"), dj.Where("y=2")))
//	A & c1 & c2, A & dj.AndList([...])    A.Restrict(c1, c2)
//	A & dj.Not(c)                         A.Restrict(dj.Not(c))
//	A & True, A & False                   A.Restrict(dj.True), A.Restrict(dj.False)
//	A & B  (semijoin)                     A.Restrict(B)
//	A - B  (antijoin), A - c              A.Exclude(B), A.Exclude(c)
//	A - dj.AndList([c1, c2])              A.Exclude(c1, c2)
//	A ^ B  (permissive restriction),      A.Restrict(dj.Permissive(B))
//	A.restrict(B, semantic_check=False)
//	A ^ dj.Not(B)                         A.Exclude(dj.Permissive(B))
//	A * B, A.join(B)                      A.Join(B)
//	A @ B  (permissive join),             A.JoinPermissive(B)
//	A.join(B, semantic_check=False)
//	A.join(B, left=True)                  A.LeftJoin(B)
//	A.join(B, semantic_check=False,       A.LeftJoinPermissive(B)
//	       left=True)
//	A.proj()                              A.Proj()
//	A.proj("x", "y")                      A.Proj("x", "y")
//	A.proj(...), A.proj(..., "-x")        A.Proj("*"), A.Proj("*", "-x")
//	A.proj(new="old"), new="(old)"        A.Proj("new=old"), A.Proj("new=(old)")
//	A.proj(d="x*2")                       A.Proj("d=x*2")
//	A.aggr(B, n="count(*)")               A.Aggr(B, "n=count(*)")
//	A.aggr(B, ..., n="count(*)")          A.Aggr(B, "*", "n=count(*)")
//	A.aggr(B, keep_all_rows=True, n=...)  A.AggrKeepAll(B, "n=count(b_attr)")
//	A.aggr(B, ...), nothing shared        A.Aggr(B, ...): every row of A with all of B
//	dj.U("a", "b") & A                    dj.U("a", "b").Restrict(A)
//	dj.U("a").aggr(A, n="count(*)")       dj.U("a").Aggr(A, "n=count(*)")
//	dj.U().aggr(A, n="count(*)")          dj.U().Aggr(A, "n=count(*)")
//	dj.U("a") * A, A * dj.U("a")          dj.U("a").Join(A), A.Join(dj.U("a"))
//	A + B                                 A.Union(B)
//	A & dj.Top(limit=5, order_by="x",     A.OrderBy("x").Limit(5).Offset(20)
//	           offset=20)
//	A.fetch(order_by="x DESC", limit=10,  A.OrderBy("x DESC").Limit(10).Offset(20)
//	        offset=20)
//	A.head(n), A.tail(n)                  A.OrderBy("KEY").Limit(n), A.OrderBy("KEY DESC").Limit(n) (last first)
//	len(A), bool(A)                       dj.Count(ctx, q, A), dj.Exists(ctx, q, A)
//	key in A                              dj.Exists(ctx, q, A.Restrict(dj.Match(key)))
//	A.fetch(), A.fetch(as_dict=True)      dj.Fetch[T](ctx, q, A), dj.FetchMaps(ctx, q, A)
//	for row in A, A.cursor()              dj.All[T](ctx, q, A)
//	A.fetch("KEY")                        dj.FetchKeys(ctx, q, A)
//	A.fetch("x")                          dj.FetchColumn[float64](ctx, q, A, "x")
//	A.fetch1()                            dj.FetchOne[T](ctx, q, A)
//	A.fetch("x", "y") as arrays           dj.FetchMatrix(ctx, q, A, "x", "y") (*mat.Dense)
//	A.heading, A.primary_key              A.Heading(), A.PrimaryKey()
//	A.make_sql()                          A.SQL()
//	T.insert(A)  (insert from a query)    dj.InsertFrom[T](ctx, q, A), t.InsertFrom(ctx, q, A)
//	(A & c).delete()                      dj.Delete(ctx, q, A.Restrict(c))
//	(A & c).delete_quick()                dj.DeleteQuick(ctx, q, A.Restrict(c))
//
// Joins follow DataJoint 0.14's rule: A and B cannot be joined (or
// restrict one another) when they share an attribute that is secondary in
// both; JoinPermissive, LeftJoinPermissive and Permissive lift it, as @
// and ^ do. An aggregation over an expression that shares no attribute is
// a grouped cross join, as in DataJoint 0.14.
//
// Differences from DataJoint for Python 0.14, all deliberate:
//
//   - Semijoins ignore NULLs: a NULL never matches, so A & B and A - B
//     always split A in two (in SQL a NULL in B makes NOT IN unknown for
//     every row, and A - B empty).
//   - Attributes kept by an aggregation are added to its GROUP BY, so the
//     SQL is valid under ONLY_FULL_GROUP_BY on MariaDB too, which does not
//     see that they depend on the key.
//   - Restriction by an expression that carries a limit (Top) works: that
//     operand becomes a derived table, because MySQL rejects LIMIT inside
//     IN.
//   - A left join's right operand keeps its restrictions to itself (it
//     becomes a derived table), so they select the rows to match and never
//     remove rows of the left operand, which a WHERE clause would.
//   - The count of an expression whose key may be NULL (after a left join)
//     counts its rows; count(DISTINCT key) would skip those with NULLs.
//   - A restriction with no common attribute is tested by the server
//     (EXISTS) when the query runs, not once when it is built.
//   - Exclude() with no condition changes nothing.
//   - Proj checks the names it drops ("-x") too.
//   - Where checks attribute names with DataJoint's heuristic, but knows
//     more SQL keywords and skips words after "." or "@".
//   - Where and computed attributes must each stay one SQL expression: no
//     comment, ";", or unbalanced quote or parenthesis.
//   - Match ignores JSON paths (attr.path keys); use Where with json_value.
//   - An offset without a limit is allowed (LIMIT 18446744073709551615).
//   - InsertFrom copies external values only into the same store of the
//     same schema, where the tracking rows they refer to exist; copying
//     them elsewhere is refused instead of leaving dangling references.
//   - A fetch that fails returns no rows with its error.
//
// # Populating
//
// Imported and Computed tables are filled by their Make method (Maker) or
// a function (PopulateFunc): Populate finds the keys of the key source —
// by default the join of the table's primary-key parents — that the table
// lacks, and makes each in its own transaction, on Workers goroutines.
// With ReserveJobs, keys are reserved in the schema's ~jobs table exactly
// as DataJoint for Python reserves them, so Go and Python workers on any
// number of hosts share the work and no key is made twice; reservations of
// workers that died are reclaimed. PopulateThreePart keeps long
// computations outside the transaction. Schema.Jobs manages the jobs
// table; RunWorker runs a populate loop that stops cleanly on SIGTERM.
//
// # Deleting
//
// Delete removes rows and everything that depends on them, leaves first,
// in one transaction, and refuses to orphan part rows. Table.Drop drops a
// table with its dependents.
//
// # Errors
//
// Errors wrap the sentinels ErrDuplicate, ErrIntegrity, ErrNoRows,
// ErrTooManyRows, ErrUnknownAttribute, ErrMissingAttribute,
// ErrMissingTable, ErrDeclaration, ... inside an *Error that names the
// operation, the table and the attribute. Server errors keep the
// *mysql.MySQLError in the chain.
package dj
