package migrate_test

import (
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestServerExamples runs the Examples of this package that need a server
// and checks what they print (see testenv.RunExample).
func TestServerExamples(t *testing.T) {
	t.Run("Example", func(t *testing.T) {
		testenv.RunExample(t, Example, "schema dj_example_migrate: 2 tables to change (definitions hash 81505754c602)\n`dj_example_migrate`.`subject`\n  modify species: type varchar(32) → varchar(64)\n  add sex: `sex` enum('F','M','U') NOT NULL DEFAULT 'U'\n  rename mass → weight: comment \"\" → \"grams\"\n`dj_example_migrate`.`session`\n  create table: Session (Manual)\nstatements:\nALTER TABLE `dj_example_migrate`.`subject`\n\tMODIFY `species` varchar(64) NOT NULL,\n\tADD `sex` enum('F','M','U') NOT NULL DEFAULT 'U' AFTER `dob`,\n\tCHANGE `mass` `weight` float DEFAULT NULL COMMENT \"grams\";\nCREATE TABLE IF NOT EXISTS `dj_example_migrate`.`session` (\n`subject_id` int NOT NULL COMMENT \"\",\n`session_id` smallint NOT NULL,\n`trace` longblob NOT NULL,\nPRIMARY KEY (`subject_id`,`session_id`),\nFOREIGN KEY (`subject_id`) REFERENCES `dj_example_migrate`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n) ENGINE=InnoDB, COMMENT \"\";\n2 statements; migration 1\nmouse U 21.5")
	})
	t.Run("ExampleCheckStatus", func(t *testing.T) {
		testenv.RunExample(t, ExampleCheckStatus, "matches: false migrations: false\nmatches: true last revision: v1.2.0\n1 migration; true")
	})
	t.Run("ExampleAllowDataLoss", func(t *testing.T) {
		testenv.RunExample(t, ExampleAllowDataLoss, `drop mass 1
true
<nil>`)
	})
}
