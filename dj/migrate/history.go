package migrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// HistoryTable is the table in every migrated schema that records the
// migrations applied. Its name starts with "~", so DataJoint for Python
// 0.14 (and dj) treat it as a system table: it is not a user table, has
// no tier, and is left out of dependencies, diagrams and virtual modules.
const HistoryTable = "~migrations"

// historyVersion is the version column: dj's version with the suffix
// "go", as in ~log.
const historyVersion = dj.Version + "go"

// HistoryTableSQL is the DDL of the history table of a database.
func HistoryTableSQL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + schema.QuoteFull(db, HistoryTable) + ` (
` + "`id`" + ` int unsigned auto_increment NOT NULL COMMENT "migration order id",
` + "`timestamp`" + ` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT "when the migration was applied",
` + "`version`" + ` varchar(12) NOT NULL COMMENT "dj version",
` + "`user`" + ` varchar(255) NOT NULL COMMENT "database user@host",
` + "`host`" + ` varchar(255) NOT NULL DEFAULT "" COMMENT "system hostname",
` + "`applied_by`" + ` varchar(255) NOT NULL DEFAULT "" COMMENT "operating-system user",
` + "`revision`" + ` varchar(255) NOT NULL DEFAULT "" COMMENT "revision of the definitions, e.g. a commit",
` + "`definition_hash`" + ` char(64) NOT NULL COMMENT "sha-256 of the definitions applied",
` + "`tables`" + ` text NOT NULL COMMENT "tables created or altered",
` + "`statements`" + ` mediumtext NOT NULL COMMENT "statements run, each with its algorithm",
PRIMARY KEY (` + "`id`" + `)
) ENGINE=InnoDB, COMMENT "schema migrations applied by dj"`
}

// Record is one applied migration.
type Record struct {
	ID         int64
	Time       time.Time
	Version    string   // dj version that applied it
	User       string   // database user@host
	Host       string   // machine name
	AppliedBy  string   // operating-system user or AppliedBy
	Revision   string   // Revision option, e.g. a commit
	Hash       string   // definition hash (Plan.Hash)
	Tables     []string // full names of the tables created or altered
	Statements string   // the statements run, each preceded by "-- <algorithm>"
}

// record writes the history entry of a migration.
// A migration that failed part way is recorded with what ran and, last, a
// "-- failed: <error>" line.
func record(ctx context.Context, s *dj.Schema, p *Plan, ex []Executed, o options, failure error) (int64, error) {
	db := s.Conn()
	if _, err := db.ExecContext(ctx, HistoryTableSQL(s.Name())); err != nil {
		return 0, &dj.Error{Op: "migrate", Table: schema.QuoteFull(s.Name(), HistoryTable), Err: classify(err)}
	}
	tables := make([]string, 0, len(p.Tables))
	for _, t := range p.Tables {
		tables = append(tables, t.Table)
	}
	var stmts strings.Builder
	for _, e := range ex {
		alg := e.Algorithm
		if alg == "" {
			alg = "-"
		}
		fmt.Fprintf(&stmts, "-- %s algorithm=%s duration=%s lock_retries=%d\n%s;\n", e.Table, alg, e.Duration.Round(time.Millisecond), e.LockRetries, e.Statement)
	}
	if failure != nil {
		fmt.Fprintf(&stmts, "-- failed: %s\n", strings.ReplaceAll(failure.Error(), "\n", " "))
	}
	u, err := s.Conn().ServerUser(ctx)
	if err != nil {
		return 0, err
	}
	host, _ := os.Hostname()
	r, err := db.ExecContext(ctx, "INSERT INTO "+schema.QuoteFull(s.Name(), HistoryTable)+
		" (`version`,`user`,`host`,`applied_by`,`revision`,`definition_hash`,`tables`,`statements`) VALUES (?,?,?,?,?,?,?,?)",
		historyVersion, u, host, o.appliedBy, o.revision, p.Hash, strings.Join(tables, "\n"), stmts.String())
	if err != nil {
		return 0, &dj.Error{Op: "migrate", Table: schema.QuoteFull(s.Name(), HistoryTable), Err: classify(err)}
	}
	return r.LastInsertId()
}

// History returns the migrations applied to schema s, oldest first; none
// when the schema was never migrated.
func History(ctx context.Context, s *dj.Schema) ([]Record, error) {
	rows, err := s.Conn().QueryContext(ctx, "SELECT `id`,`timestamp`,`version`,`user`,`host`,`applied_by`,`revision`,`definition_hash`,`tables`,`statements` FROM "+
		schema.QuoteFull(s.Name(), HistoryTable)+" ORDER BY `id`")
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1146 {
		return nil, nil
	}
	if err != nil {
		return nil, &dj.Error{Op: "migrate", Table: schema.QuoteFull(s.Name(), HistoryTable), Err: classify(err)}
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var tables string
		if err := rows.Scan(&r.ID, &r.Time, &r.Version, &r.User, &r.Host, &r.AppliedBy, &r.Revision, &r.Hash, &tables, &r.Statements); err != nil {
			return nil, &dj.Error{Op: "migrate", Table: schema.QuoteFull(s.Name(), HistoryTable), Err: err}
		}
		if tables != "" {
			r.Tables = strings.Split(tables, "\n")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "migrate", Table: schema.QuoteFull(s.Name(), HistoryTable), Err: err}
	}
	return out, nil
}

// Status tells whether a schema matches a set of structs.
type Status struct {
	// Schema is the database name.
	Schema string
	// Hash is the definition hash of the structs.
	Hash string
	// Plan is what Apply would do; empty when the schema matches.
	Plan *Plan
	// Last is the most recent migration applied, or nil.
	Last *Record
}

// Matches reports whether the tables of the schema are those the structs
// declare.
func (st *Status) Matches() bool { return st.Plan.Empty() }

// String describes the status in a few lines.
func (st *Status) String() string {
	var b strings.Builder
	if st.Matches() {
		fmt.Fprintf(&b, "schema %s matches the definitions (hash %s)\n", st.Schema, short(st.Hash))
	} else {
		fmt.Fprintf(&b, "schema %s does NOT match the definitions (hash %s): %d %s to change, %d refused\n",
			st.Schema, short(st.Hash), len(st.Plan.Tables), plural(int64(len(st.Plan.Tables)), "table", "tables"), len(st.Plan.Refusals))
	}
	if st.Last == nil {
		b.WriteString("no migration recorded\n")
		return b.String()
	}
	l := st.Last
	same := "other definitions"
	if l.Hash == st.Hash {
		same = "these definitions"
	}
	fmt.Fprintf(&b, "last migration #%d at %s by %s (%s) from %s", l.ID, l.Time.UTC().Format(time.RFC3339), l.AppliedBy, l.User, same)
	if l.Revision != "" {
		fmt.Fprintf(&b, ", revision %s", l.Revision)
	}
	fmt.Fprintf(&b, " (hash %s)\n", short(l.Hash))
	return b.String()
}

// CheckStatus compares schema s with the structs and reads its history.
func CheckStatus(ctx context.Context, s *dj.Schema, rows ...any) (*Status, error) {
	p, err := Diff(ctx, s, rows...)
	if err != nil {
		return nil, err
	}
	h, err := History(ctx, s)
	if err != nil {
		return nil, err
	}
	st := &Status{Schema: s.Name(), Hash: p.Hash, Plan: p}
	if len(h) > 0 {
		st.Last = &h[len(h)-1]
	}
	return st, nil
}
