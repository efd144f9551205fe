package schema

import (
	"strings"
)

// CreateSQL returns the CREATE TABLE statement DataJoint 0.14 emits for the
// table:
//
//	CREATE TABLE IF NOT EXISTS `db`.`name` (
//	<attribute lines>,
//	PRIMARY KEY (`a`,`b`),
//	<foreign keys>,
//	<indexes>
//	) ENGINE=InnoDB, COMMENT "<table comment>"
//
// Attribute lines are `name` <sqltype>[ auto_increment] followed by
// NOT NULL, DEFAULT NULL or NOT NULL DEFAULT <default>, and
// COMMENT "<marker><comment>" when that is not empty. Inherited attributes
// (brought by a reference) are written as DataJoint copies them:
// `name` <type> NOT NULL COMMENT "<comment>", without NOT NULL when the
// reference is nullable. Foreign keys are ON UPDATE CASCADE ON DELETE
// RESTRICT, or ON UPDATE RESTRICT ON DELETE RESTRICT for the
// ~external_<store> tables, in the order of Table.ForeignKeys. In comments
// `"` is written as `\"` and `\` as `\\`.
func (t *Table) CreateSQL() string {
	lines := make([]string, 0, len(t.Heading.Attributes)+len(t.ForeignKeys)+len(t.Indexes)+1)
	for i := range t.Heading.Attributes {
		a := &t.Heading.Attributes[i]
		if a.Inherited {
			lines = append(lines, inheritedLine(a))
		} else {
			lines = append(lines, AttributeSQL(a))
		}
	}
	lines = append(lines, "PRIMARY KEY ("+quoteNames(t.Heading.PrimaryKey())+")")
	for i := range t.ForeignKeys {
		lines = append(lines, ForeignKeySQL(&t.ForeignKeys[i]))
	}
	for _, ix := range t.Indexes {
		lines = append(lines, IndexSQL(ix))
	}
	return "CREATE TABLE IF NOT EXISTS " + t.FullName() + " (\n" + strings.Join(lines, ",\n") +
		"\n) ENGINE=InnoDB, COMMENT \"" + escapeComment(t.Comment) + "\""
}

// AttributeSQL returns the column definition of an attribute as DataJoint
// 0.14 declares it: `name` <sqltype>[ auto_increment] <default clause>
// [ COMMENT "<marker><comment>"].
func AttributeSQL(a *Attribute) string {
	var b strings.Builder
	b.WriteString(QuoteIdent(a.Name))
	b.WriteByte(' ')
	b.WriteString(a.SQLType)
	if a.AutoIncrement {
		b.WriteString(" auto_increment")
	}
	switch {
	case a.Nullable && a.HasDefault && !strings.EqualFold(a.Default, "NULL"):
		b.WriteString(" DEFAULT " + a.Default)
	case a.Nullable:
		b.WriteString(" DEFAULT NULL")
	case a.HasDefault:
		b.WriteString(" NOT NULL DEFAULT " + a.Default)
	default:
		b.WriteString(" NOT NULL")
	}
	if c := a.ColumnComment(); c != "" {
		b.WriteString(` COMMENT "` + escapeComment(c) + `"`)
	}
	return b.String()
}

// inheritedLine is the column definition DataJoint writes for an attribute
// copied from a referenced table: the comment clause is always present and
// keeps only the :uuid: marker; no default is copied.
func inheritedLine(a *Attribute) string {
	comment := a.Comment
	if a.Category == CatUUID {
		comment = ":uuid:" + comment
	}
	s := QuoteIdent(a.Name) + " " + a.SQLType + " NOT NULL COMMENT \"" + escapeComment(comment) + "\""
	if a.Nullable {
		s = strings.Replace(s, "NOT NULL ", "", 1)
	}
	return s
}

// ForeignKeySQL returns the FOREIGN KEY clause of a constraint.
func ForeignKeySQL(fk *ForeignKey) string {
	action := " ON UPDATE CASCADE ON DELETE RESTRICT"
	if isExternalTable(fk.ParentTable) {
		action = " ON UPDATE RESTRICT ON DELETE RESTRICT"
	}
	return "FOREIGN KEY (" + quoteNames(fk.Attrs) + ") REFERENCES " + fk.ParentFullName() +
		" (" + quoteNames(fk.RefAttrs) + ")" + action
}

// IndexSQL returns the index clause of a secondary index:
// "index (`a`,`b`)" or "unique index (`a`)". Functional index parts,
// written "(expression)", are kept verbatim.
func IndexSQL(ix Index) string {
	prefix := "index ("
	if ix.Unique {
		prefix = "unique index ("
	}
	return prefix + quoteNames(ix.Attrs) + ")"
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		if strings.HasPrefix(n, "(") {
			q[i] = n
		} else {
			q[i] = QuoteIdent(n)
		}
	}
	return strings.Join(q, ",")
}

func escapeComment(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, `"`, `\"`)
}

// isExternalTable reports whether a table name is an external-storage
// tracking table (~external_<store>).
func isExternalTable(name string) bool { return strings.HasPrefix(name, "~external_") }

// ExternalTableName returns the tracking table name of a store.
func ExternalTableName(store string) string { return "~external_" + store }

// JobsTableSQL returns DataJoint 0.14's DDL of the ~jobs table of a
// database, byte for byte for every name ValidateDatabaseName accepts.
// Whatever the name holds, the statement creates that one table: the name
// is backquoted, and escaped as comments are where the table comment
// repeats it.
func JobsTableSQL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + QuoteFull(db, "~jobs") + " (\n" +
		"`table_name` varchar(255) NOT NULL COMMENT \"className of the table\",\n" +
		"`key_hash` char(32) NOT NULL COMMENT \"key hash\",\n" +
		"`status` enum('reserved','error','ignore') NOT NULL COMMENT \"if tuple is missing, the job is available\",\n" +
		"`key` blob DEFAULT NULL COMMENT \"structure containing the key\",\n" +
		"`error_message` varchar(2047) NOT NULL DEFAULT \"\" COMMENT \"error message returned if failed\",\n" +
		"`error_stack` mediumblob DEFAULT NULL COMMENT \"error stack if failed\",\n" +
		"`user` varchar(255) NOT NULL DEFAULT \"\" COMMENT \"database user\",\n" +
		"`host` varchar(255) NOT NULL DEFAULT \"\" COMMENT \"system hostname\",\n" +
		"`pid` int unsigned NOT NULL DEFAULT \"0\" COMMENT \"system process id\",\n" +
		"`connection_id` bigint unsigned NOT NULL DEFAULT \"0\" COMMENT \"connection_id()\",\n" +
		"`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"automatic timestamp\",\n" +
		"PRIMARY KEY (`table_name`,`key_hash`)\n" +
		") ENGINE=InnoDB, COMMENT \"job reservation table for `" + escapeComment(db) + "`\""
}

// ExternalTableSQL returns DataJoint 0.14's DDL of the ~external_<store>
// tracking table of a database, byte for byte.
func ExternalTableSQL(db, store string) string {
	return "CREATE TABLE IF NOT EXISTS " + QuoteFull(db, ExternalTableName(store)) + " (\n" +
		"`hash` binary(16) NOT NULL COMMENT \":uuid:hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)\",\n" +
		"`size` bigint unsigned NOT NULL COMMENT \"size of object in bytes\",\n" +
		"`attachment_name` varchar(255) DEFAULT NULL COMMENT \"the filename of an attachment\",\n" +
		"`filepath` varchar(1000) DEFAULT NULL COMMENT \"relative filepath or attachment filename\",\n" +
		"`contents_hash` binary(16) DEFAULT NULL COMMENT \":uuid:used for the filepath datatype\",\n" +
		"`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"automatic timestamp\",\n" +
		"PRIMARY KEY (`hash`)\n" +
		") ENGINE=InnoDB, COMMENT \"external storage tracking\""
}

// LogTableSQL returns DataJoint 0.14's DDL of the ~log table of a
// database, byte for byte for every name ValidateDatabaseName accepts;
// other names are quoted and escaped as in JobsTableSQL.
func LogTableSQL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + QuoteFull(db, "~log") + " (\n" +
		"`id` int unsigned auto_increment NOT NULL COMMENT \"event order id\",\n" +
		"`timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"event timestamp\",\n" +
		"`version` varchar(12) NOT NULL COMMENT \"datajoint version\",\n" +
		"`user` varchar(255) NOT NULL COMMENT \"user@host\",\n" +
		"`host` varchar(255) NOT NULL DEFAULT \"\" COMMENT \"system hostname\",\n" +
		"`event` varchar(255) NOT NULL DEFAULT \"\" COMMENT \"event message\",\n" +
		"PRIMARY KEY (`id`)\n" +
		") ENGINE=InnoDB, COMMENT \"event logging table for `" + escapeComment(db) + "`\""
}
