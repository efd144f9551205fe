package query

import (
	"github.com/datajoint-go/datajoint/dj/schema"
)

// uni is a small university schema in DataJoint style, as metadata and as
// the DDL that creates it.
type uni struct {
	Student, Department, Major, Course, Enroll, Grade, Letter, Sample, Thesis *schema.Table
}

func col(name, typ string, cat schema.Category, key bool) schema.Attribute {
	sqlType := typ
	if cat == schema.CatUUID {
		sqlType = "binary(16)"
	}
	return schema.Attribute{Name: name, Type: typ, SQLType: sqlType, Category: cat, InKey: key}
}

func nullable(a schema.Attribute) schema.Attribute {
	a.Nullable = true
	return a
}

func newUni(db string) uni {
	t := func(name string, attrs ...schema.Attribute) *schema.Table {
		return &schema.Table{Database: db, Name: name, Tier: schema.Manual, Heading: schema.Heading{Attributes: attrs}}
	}
	return uni{
		Student: t("student",
			col("student_id", "int unsigned", schema.CatInteger, true),
			col("first_name", "varchar(40)", schema.CatString, false),
			col("last_name", "varchar(40)", schema.CatString, false),
			col("date_of_birth", "date", schema.CatTemporal, false),
			nullable(col("home_state", "char(2)", schema.CatString, false)),
		),
		Department: t("#department",
			col("dept", "varchar(6)", schema.CatString, true),
			col("dept_name", "varchar(200)", schema.CatString, false),
		),
		Major: t("student_major",
			col("student_id", "int unsigned", schema.CatInteger, true),
			col("dept", "varchar(6)", schema.CatString, false),
			col("declare_date", "date", schema.CatTemporal, false),
		),
		Course: t("course",
			col("dept", "varchar(6)", schema.CatString, true),
			col("course", "int unsigned", schema.CatInteger, true),
			col("course_name", "varchar(200)", schema.CatString, false),
			col("credits", "decimal(3,1)", schema.CatDecimal, false),
		),
		Enroll: t("enroll",
			col("student_id", "int unsigned", schema.CatInteger, true),
			col("dept", "varchar(6)", schema.CatString, true),
			col("course", "int unsigned", schema.CatInteger, true),
		),
		Grade: t("grade",
			col("student_id", "int unsigned", schema.CatInteger, true),
			col("dept", "varchar(6)", schema.CatString, true),
			col("course", "int unsigned", schema.CatInteger, true),
			col("grade", "char(2)", schema.CatString, false),
		),
		Letter: t("#letter_grade",
			col("grade", "char(2)", schema.CatString, true),
			col("points", "decimal(3,2)", schema.CatDecimal, false),
		),
		Sample: t("sample",
			col("sample_id", "uuid", schema.CatUUID, true),
			col("label", "varchar(40)", schema.CatString, false),
			nullable(col("weight", "double", schema.CatFloat, false)),
		),
		Thesis: t("thesis",
			col("thesis_id", "int", schema.CatInteger, true),
			nullable(col("student_id", "int unsigned", schema.CatInteger, false)),
			col("title", "varchar(80)", schema.CatString, false),
		),
	}
}

// uniDDL creates the tables of newUni (use with the database selected).
var uniDDL = []string{
	"CREATE TABLE `student` (`student_id` int unsigned NOT NULL, `first_name` varchar(40) NOT NULL, `last_name` varchar(40) NOT NULL, `date_of_birth` date NOT NULL, `home_state` char(2) DEFAULT NULL, PRIMARY KEY (`student_id`)) ENGINE=InnoDB",
	"CREATE TABLE `#department` (`dept` varchar(6) NOT NULL, `dept_name` varchar(200) NOT NULL, PRIMARY KEY (`dept`)) ENGINE=InnoDB",
	"CREATE TABLE `student_major` (`student_id` int unsigned NOT NULL, `dept` varchar(6) NOT NULL, `declare_date` date NOT NULL, PRIMARY KEY (`student_id`), FOREIGN KEY (`student_id`) REFERENCES `student` (`student_id`), FOREIGN KEY (`dept`) REFERENCES `#department` (`dept`)) ENGINE=InnoDB",
	"CREATE TABLE `course` (`dept` varchar(6) NOT NULL, `course` int unsigned NOT NULL, `course_name` varchar(200) NOT NULL, `credits` decimal(3,1) NOT NULL, PRIMARY KEY (`dept`,`course`), FOREIGN KEY (`dept`) REFERENCES `#department` (`dept`)) ENGINE=InnoDB",
	"CREATE TABLE `enroll` (`student_id` int unsigned NOT NULL, `dept` varchar(6) NOT NULL, `course` int unsigned NOT NULL, PRIMARY KEY (`student_id`,`dept`,`course`), FOREIGN KEY (`student_id`) REFERENCES `student` (`student_id`), FOREIGN KEY (`dept`,`course`) REFERENCES `course` (`dept`,`course`)) ENGINE=InnoDB",
	"CREATE TABLE `#letter_grade` (`grade` char(2) NOT NULL, `points` decimal(3,2) NOT NULL, PRIMARY KEY (`grade`)) ENGINE=InnoDB",
	"CREATE TABLE `grade` (`student_id` int unsigned NOT NULL, `dept` varchar(6) NOT NULL, `course` int unsigned NOT NULL, `grade` char(2) NOT NULL, PRIMARY KEY (`student_id`,`dept`,`course`), FOREIGN KEY (`student_id`,`dept`,`course`) REFERENCES `enroll` (`student_id`,`dept`,`course`), FOREIGN KEY (`grade`) REFERENCES `#letter_grade` (`grade`)) ENGINE=InnoDB",
	"CREATE TABLE `sample` (`sample_id` binary(16) NOT NULL COMMENT ':uuid:', `label` varchar(40) NOT NULL, `weight` double DEFAULT NULL, PRIMARY KEY (`sample_id`)) ENGINE=InnoDB",
	"CREATE TABLE `thesis` (`thesis_id` int NOT NULL, `student_id` int unsigned DEFAULT NULL, `title` varchar(80) NOT NULL, PRIMARY KEY (`thesis_id`), FOREIGN KEY (`student_id`) REFERENCES `student` (`student_id`)) ENGINE=InnoDB",
}
