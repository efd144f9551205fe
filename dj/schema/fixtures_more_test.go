package schema

import (
	"database/sql"
	"encoding/json"
	"time"
)

// Fixtures downstream of the recording tables: computed tables, parts
// without the master's name prefix, nullable multi-column references,
// auto_increment and the remaining types. See fixtures_test.go.

type Spikes struct {
	DJComputed `comment:"detected spikes"`
	Scan       Ref[Scan] `dj:"pk"`
	SubjectID  int32     `dj:"pk"`
	SessionID  uint16    `dj:"pk"`
	ScanIdx    uint8     `dj:"pk"`
	NSpikes    int32     `dj:"default=0"`
	Times      []float64
	Waveforms  []float64 `dj:"type=blob@ext,nullable"`
	Rig        Ref[Rig]  `dj:"nullable"`
	RigUUID    *[16]byte
	Params     map[string]any `dj:"type=longblob,nullable"`
}

const pySpikes = "CREATE TABLE IF NOT EXISTS `{db}`.`__spikes` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL COMMENT \"\",\n" +
	"`scan_idx` tinyint unsigned NOT NULL COMMENT \"\",\n" +
	"`n_spikes` int NOT NULL DEFAULT \"0\",\n" +
	"`times` longblob NOT NULL,\n" +
	"`waveforms` binary(16) DEFAULT NULL COMMENT \":blob@ext:\",\n" +
	"`rig_uuid` binary(16) COMMENT \":uuid:rig id\",\n" +
	"`params` longblob DEFAULT NULL,\n" +
	"PRIMARY KEY (`subject_id`,`session_id`,`scan_idx`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`,`scan_idx`) REFERENCES `{db}`.`_scan` (`subject_id`,`session_id`,`scan_idx`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`waveforms`) REFERENCES `{db}`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`rig_uuid`) REFERENCES `{db}`.`#rig` (`rig_uuid`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"detected spikes\""

type SpikesUnit struct {
	DJPart[Spikes]
	SubjectID int32         `dj:"pk"`
	SessionID uint16        `dj:"pk"`
	ScanIdx   uint8         `dj:"pk"`
	Unit      Ref[ScanUnit] `dj:"pk"`
	UnitID    int32         `dj:"pk"`
	Rate      float64       `comment:"spikes/s"`
}

// -> master
// -> Scan.Unit
// ---
// rate : double # spikes/s
const pySpikesUnit = "CREATE TABLE IF NOT EXISTS `{db}`.`__spikes__unit` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL COMMENT \"\",\n" +
	"`scan_idx` tinyint unsigned NOT NULL COMMENT \"\",\n" +
	"`unit_id` int NOT NULL COMMENT \"\",\n" +
	"`rate` double NOT NULL COMMENT \"spikes/s\",\n" +
	"PRIMARY KEY (`subject_id`,`session_id`,`scan_idx`,`unit_id`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`,`scan_idx`) REFERENCES `{db}`.`__spikes` (`subject_id`,`session_id`,`scan_idx`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`subject_id`,`session_id`,`scan_idx`,`unit_id`) REFERENCES `{db}`.`_scan__unit` (`subject_id`,`session_id`,`scan_idx`,`unit_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type Channel struct {
	DJPart[Spikes]
	SubjectID int32   `dj:"pk"`
	SessionID uint16  `dj:"pk"`
	ScanIdx   uint8   `dj:"pk"`
	Channel   uint16  `dj:"pk"`
	Gain      float64 `dj:"type=decimal(8,3),default=1.000"`
	Label     *string `dj:"type=varchar(8)"`
}

const pyChannel = "CREATE TABLE IF NOT EXISTS `{db}`.`__spikes__channel` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL COMMENT \"\",\n" +
	"`scan_idx` tinyint unsigned NOT NULL COMMENT \"\",\n" +
	"`channel` smallint unsigned NOT NULL,\n" +
	"`gain` decimal(8,3) NOT NULL DEFAULT \"1.000\",\n" +
	"`label` varchar(8) DEFAULT NULL,\n" +
	"PRIMARY KEY (`subject_id`,`session_id`,`scan_idx`,`channel`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`,`scan_idx`) REFERENCES `{db}`.`__spikes` (`subject_id`,`session_id`,`scan_idx`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type Note struct {
	DJManual
	NoteID    int64        `dj:"pk"`
	Session   Ref[Session] `dj:"nullable"`
	SubjectID *int32       ``
	SessionID sql.Null[uint16]
	Text      string `dj:"type=varchar(1000)"`
	Payload   json.RawMessage
	Extra     any
	Vec       [3]float64
	Score     sql.NullFloat64
}

// note_id : bigint
// ---
// -> [nullable] Session
// text : varchar(1000)
// payload : json
// extra : longblob
// vec : longblob
// score = null : double
const pyNote = "CREATE TABLE IF NOT EXISTS `{db}`.`note` (\n" +
	"`note_id` bigint NOT NULL,\n" +
	"`subject_id` int COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned COMMENT \"\",\n" +
	"`text` varchar(1000) NOT NULL,\n" +
	"`payload` json NOT NULL,\n" +
	"`extra` longblob NOT NULL,\n" +
	"`vec` longblob NOT NULL,\n" +
	"`score` double DEFAULT NULL,\n" +
	"PRIMARY KEY (`note_id`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`) REFERENCES `{db}`.`session` (`subject_id`,`session_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type Event struct {
	DJLookup `comment:"events"`
	EventID  uint64    `dj:"pk,type=bigint unsigned auto_increment"`
	Kind     string    `dj:"type=enum('start','stop'),default='start'"`
	At       time.Time `dj:"type=datetime(6),default=CURRENT_TIMESTAMP(6)"`
	Amount   string    `dj:"type=decimal(10,2),default=0"`
}

const pyEvent = "CREATE TABLE IF NOT EXISTS `{db}`.`#event` (\n" +
	"`event_id` bigint unsigned auto_increment NOT NULL,\n" +
	"`kind` enum('start','stop') NOT NULL DEFAULT 'start',\n" +
	"`at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n" +
	"`amount` decimal(10,2) NOT NULL DEFAULT \"0\",\n" +
	"PRIMARY KEY (`event_id`)\n" +
	") ENGINE=InnoDB, COMMENT \"events\""

type Misc struct {
	DJManual `comment:"remaining types"`
	MiscID   int32     `dj:"pk,type=integer"`
	Dur      string    `dj:"type=time"`
	Yr       string    `dj:"type=year,default=2020"`
	Num      float64   `dj:"type=numeric(6,3)"`
	R        *float64  `dj:"type=real"`
	Seq      uint64    `dj:"type=serial"`
	Big      uint64    `dj:"default=18446744073709551615"`
	Dt       time.Time `dj:"type=datetime,default='2020-01-01 00:00:00'"`
}

const pyMisc = "CREATE TABLE IF NOT EXISTS `{db}`.`misc` (\n" +
	"`misc_id` integer NOT NULL,\n" +
	"`dur` time NOT NULL,\n" +
	"`yr` year NOT NULL DEFAULT \"2020\",\n" +
	"`num` numeric(6,3) NOT NULL,\n" +
	"`r` real DEFAULT NULL,\n" +
	"`seq` serial NOT NULL,\n" +
	"`big` bigint unsigned NOT NULL DEFAULT \"18446744073709551615\",\n" +
	"`dt` datetime NOT NULL DEFAULT '2020-01-01 00:00:00',\n" +
	"PRIMARY KEY (`misc_id`)\n" +
	") ENGINE=InnoDB, COMMENT \"remaining types\""

type SubjectNote struct {
	DJManual
	SubjectID int32        `dj:"pk"`
	NoteID    int32        `dj:"pk"`
	Session   Ref[Session] `dj:"nullable"`
	SessionID *uint16
}

// subject_id : int
// note_id : int
// ---
// -> [nullable] Session
const pySubjectNote = "CREATE TABLE IF NOT EXISTS `{db}`.`subject_note` (\n" +
	"`subject_id` int NOT NULL,\n" +
	"`note_id` int NOT NULL,\n" +
	"`session_id` smallint unsigned COMMENT \"\",\n" +
	"PRIMARY KEY (`subject_id`,`note_id`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`) REFERENCES `{db}`.`session` (`subject_id`,`session_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""
