package schema_test

import (
	"fmt"
	"reflect"
	"time"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// manual and ref stand in for package dj's dj.Manual and dj.Ref[T].
type manual struct{}

func (manual) DJTier() schema.Tier { return schema.Manual }

type ref[T any] struct{}

func (ref[T]) DJReference() reflect.Type { return reflect.TypeFor[T]() }

type Subject struct {
	manual    `comment:"experimental subject"`
	SubjectID int32  `dj:"pk" comment:"subject id"`
	Species   string `dj:"type=varchar(32),default=\"mouse\""`
}

type Session struct {
	manual      `comment:"a session"`
	Subject     ref[Subject] `dj:"pk"`
	SubjectID   int32        `dj:"pk"`
	SessionID   uint16       `dj:"pk" comment:"session number"`
	SessionDate time.Time    `dj:"type=date"`
	Notes       string       `dj:"type=varchar(255),default=\"\"" comment:"free text"`
	Signal      []float64    `comment:"raw trace"`
	Stim        []float64    `dj:"type=blob@ext,default=null" comment:"stimulus"`
	UID         [16]byte     `comment:"a uuid"`
}

// ExampleParse declares DataJoint's worked example (reference §2.2) as Go
// structs and prints the DDL, which is DataJoint 0.14's text byte for byte.
func ExampleParse() {
	tables := map[reflect.Type]*schema.Table{}
	var resolve schema.Resolver
	resolve = func(t reflect.Type) (*schema.Table, error) {
		if tb, ok := tables[t]; ok {
			return tb, nil
		}
		tb, err := schema.Parse(t, "lab", resolve)
		if err == nil {
			tables[t] = tb
		}
		return tb, err
	}
	session, err := resolve(reflect.TypeFor[Session]())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(session.CreateSQL())
	// Output:
	// CREATE TABLE IF NOT EXISTS `lab`.`session` (
	// `subject_id` int NOT NULL COMMENT "subject id",
	// `session_id` smallint unsigned NOT NULL COMMENT "session number",
	// `session_date` date NOT NULL,
	// `notes` varchar(255) NOT NULL DEFAULT "" COMMENT "free text",
	// `signal` longblob NOT NULL COMMENT "raw trace",
	// `stim` binary(16) DEFAULT NULL COMMENT ":blob@ext:stimulus",
	// `uid` binary(16) NOT NULL COMMENT ":uuid:a uuid",
	// PRIMARY KEY (`subject_id`,`session_id`),
	// FOREIGN KEY (`subject_id`) REFERENCES `lab`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
	// FOREIGN KEY (`stim`) REFERENCES `lab`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT
	// ) ENGINE=InnoDB, COMMENT "a session"
}

// ExampleToSnakeCase shows DataJoint's class-name rule.
func ExampleToSnakeCase() {
	for _, c := range []string{"TableName", "MyTableABC", "Scan2Mouse"} {
		s, _ := schema.ToSnakeCase(c)
		fmt.Println(s)
	}
	// Output:
	// table_name
	// my_table_a_b_c
	// scan2_mouse
}

// ExampleFieldColumn shows how Go field names become column names.
func ExampleFieldColumn() {
	for _, f := range []string{"SubjectID", "HTTPServer", "Scan2Mouse", "X"} {
		fmt.Println(schema.FieldColumn(f))
	}
	// Output:
	// subject_id
	// http_server
	// scan2_mouse
	// x
}

// ExampleParseTableName identifies tiers from table names.
func ExampleParseTableName() {
	for _, n := range []string{"subject", "#species", "_recording", "__spikes", "__spikes__unit", "~jobs"} {
		tier, master, _ := schema.ParseTableName(n)
		fmt.Printf("%s %s %q\n", n, tier, master)
	}
	// Output:
	// subject Manual ""
	// #species Lookup ""
	// _recording Imported ""
	// __spikes Computed ""
	// __spikes__unit Part "__spikes"
	// ~jobs System ""
}

// ExampleExternalTableSQL prints the tracking table of an object store.
func ExampleExternalTableSQL() {
	fmt.Println(schema.ExternalTableSQL("lab", "raw"))
	// Output:
	// CREATE TABLE IF NOT EXISTS `lab`.`~external_raw` (
	// `hash` binary(16) NOT NULL COMMENT ":uuid:hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)",
	// `size` bigint unsigned NOT NULL COMMENT "size of object in bytes",
	// `attachment_name` varchar(255) DEFAULT NULL COMMENT "the filename of an attachment",
	// `filepath` varchar(1000) DEFAULT NULL COMMENT "relative filepath or attachment filename",
	// `contents_hash` binary(16) DEFAULT NULL COMMENT ":uuid:used for the filepath datatype",
	// `timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT "automatic timestamp",
	// PRIMARY KEY (`hash`)
	// ) ENGINE=InnoDB, COMMENT "external storage tracking"
}

// ExampleCanonicalType shows the forms in which types are compared.
func ExampleCanonicalType() {
	for _, t := range []string{"INT(11) unsigned", "bool", "numeric(5, 2)", "serial", "enum(\"a\", \"b\")"} {
		fmt.Println(schema.CanonicalType(t))
	}
	// Output:
	// int unsigned
	// tinyint
	// decimal(5,2)
	// bigint unsigned
	// enum('a','b')
}

func ExampleValidateDatabaseName() {
	for _, name := range []string{"lab_pipeline", "my-lab", `x",ENGINE=MyISAM,COMMENT="y`, "lab.v2"} {
		fmt.Printf("%-30q %v\n", name, schema.ValidateDatabaseName(name))
	}
	// Output:
	// "lab_pipeline"                 <nil>
	// "my-lab"                       <nil>
	// "x\",ENGINE=MyISAM,COMMENT=\"y" invalid configuration: invalid schema name "x\",ENGINE=MyISAM,COMMENT=\"y": use ASCII letters, digits, '_', '$' and '-' only
	// "lab.v2"                       invalid configuration: invalid schema name "lab.v2": use ASCII letters, digits, '_', '$' and '-' only
}

// A column of an adapted type declared by DataJoint for Python reads as
// the column that stores it, with the adapter's name.
func ExampleAttribute_Marker() {
	a := schema.Attribute{Name: "graph", Type: "longblob", SQLType: "longblob", Category: schema.CatBlob, Adapter: "graph", Comment: "a graph"}
	fmt.Println(a.Marker(), a.ColumnComment())
	fmt.Println(schema.AttributeSQL(&a))
	// Output:
	// :<graph>: :<graph>:a graph
	// `graph` longblob NOT NULL COMMENT ":<graph>:a graph"
}
