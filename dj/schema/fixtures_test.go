package schema

import (
	"encoding/json"
	"reflect"
	"time"
)

// The fixture pipeline below covers every DataJoint 0.14 type, comment
// marker, reference form and index form. Each struct comes with the DDL
// DataJoint for Python 0.14 emits for the equivalent definition (derived
// by hand from the reference's rules; "{db}" stands for the database).

type Subject struct {
	DJManual  `comment:"experimental subject"`
	SubjectID int32      `dj:"pk" comment:"subject id"`
	Species   string     `dj:"type=varchar(32),default=\"mouse\""`
	Sex       string     `dj:"type=enum('M','F','U'),default=U"`
	DOB       *time.Time `dj:"type=date" comment:"date of birth"`
	Weight    *float64   `dj:"type=decimal(5,2)"`
}

// subject_id : int # subject id
// ---
// species = "mouse" : varchar(32)
// sex = "U" : enum('M','F','U')
// dob = null : date # date of birth
// weight = null : decimal(5,2)
const pySubject = "CREATE TABLE IF NOT EXISTS `{db}`.`subject` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`species` varchar(32) NOT NULL DEFAULT \"mouse\",\n" +
	"`sex` enum('M','F','U') NOT NULL DEFAULT \"U\",\n" +
	"`dob` date DEFAULT NULL COMMENT \"date of birth\",\n" +
	"`weight` decimal(5,2) DEFAULT NULL,\n" +
	"PRIMARY KEY (`subject_id`)\n" +
	") ENGINE=InnoDB, COMMENT \"experimental subject\""

type Species struct {
	DJLookup    `comment:"numeric types"`
	SpeciesName string  `dj:"pk,type=varchar(64)"`
	N8          int8    ``
	N16         uint16  `comment:"unsigned small"`
	N24         int32   `dj:"type=mediumint"`
	N32         uint32  `dj:"default=0"`
	N64         int64   ``
	U64         uint64  ``
	Flag        bool    `dj:"default=1"`
	F32         float32 ``
	F64         float64 `dj:"default=1.5"`
}

const pySpecies = "CREATE TABLE IF NOT EXISTS `{db}`.`#species` (\n" +
	"`species_name` varchar(64) NOT NULL,\n" +
	"`n8` tinyint NOT NULL,\n" +
	"`n16` smallint unsigned NOT NULL COMMENT \"unsigned small\",\n" +
	"`n24` mediumint NOT NULL,\n" +
	"`n32` int unsigned NOT NULL DEFAULT \"0\",\n" +
	"`n64` bigint NOT NULL,\n" +
	"`u64` bigint unsigned NOT NULL,\n" +
	"`flag` bool NOT NULL DEFAULT \"1\",\n" +
	"`f32` float NOT NULL,\n" +
	"`f64` double NOT NULL DEFAULT \"1.5\",\n" +
	"PRIMARY KEY (`species_name`)\n" +
	") ENGINE=InnoDB, COMMENT \"numeric types\""

type Rig struct {
	DJLookup `comment:"recording rig"`
	RigUUID  [16]byte `dj:"pk" comment:"rig id"`
	RigName  string   `dj:"type=char(8)"`
}

const pyRig = "CREATE TABLE IF NOT EXISTS `{db}`.`#rig` (\n" +
	"`rig_uuid` binary(16) NOT NULL COMMENT \":uuid:rig id\",\n" +
	"`rig_name` char(8) NOT NULL,\n" +
	"PRIMARY KEY (`rig_uuid`)\n" +
	") ENGINE=InnoDB, COMMENT \"recording rig\""

type Session struct {
	DJManual    `dj:"index=(session_date)" comment:"a session"`
	Subject     Ref[Subject] `dj:"pk"`
	SubjectID   int32        `dj:"pk"`
	SessionID   uint16       `dj:"pk"`
	Rig         Ref[Rig]     `dj:"nullable"`
	RigUUID     *[16]byte
	SessionDate time.Time `dj:"type=date"`
	Created     time.Time `dj:"type=timestamp,default=CURRENT_TIMESTAMP"`
	Started     time.Time `dj:"type=datetime(3)"`
}

// -> Subject
// session_id : smallint unsigned
// ---
// -> [nullable] Rig
// session_date : date
// created = CURRENT_TIMESTAMP : timestamp
// started : datetime(3)
// index (session_date)
const pySession = "CREATE TABLE IF NOT EXISTS `{db}`.`session` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL,\n" +
	"`rig_uuid` binary(16) COMMENT \":uuid:rig id\",\n" +
	"`session_date` date NOT NULL,\n" +
	"`created` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n" +
	"`started` datetime(3) NOT NULL,\n" +
	"PRIMARY KEY (`subject_id`,`session_id`),\n" +
	"FOREIGN KEY (`subject_id`) REFERENCES `{db}`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`rig_uuid`) REFERENCES `{db}`.`#rig` (`rig_uuid`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"index (`session_date`)\n" +
	") ENGINE=InnoDB, COMMENT \"a session\""

type Scan struct {
	DJImported `comment:"two-photon scan"`
	Session    Ref[Session] `dj:"pk"`
	SubjectID  int32        `dj:"pk"`
	SessionID  uint16       `dj:"pk"`
	ScanIdx    uint8        `dj:"pk"`
	Depth      float32      `comment:"depth in \"um\""`
	Data       []float64
	Meta       json.RawMessage `dj:"nullable"`
	Img        []float64       `dj:"type=blob@ext"`
	Small      []byte          `dj:"type=tinyblob"`
	Med        []byte          `dj:"type=mediumblob"`
	B          map[string]any  `dj:"type=blob"`
	Att        *Attachment     `dj:"type=attach,default=null"`
	Doc        *string         `dj:"type=attach@ext"`
	FP         *string         `dj:"type=filepath@ext"`
}

const pyScan = "CREATE TABLE IF NOT EXISTS `{db}`.`_scan` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL COMMENT \"\",\n" +
	"`scan_idx` tinyint unsigned NOT NULL,\n" +
	"`depth` float NOT NULL COMMENT \"depth in \\\"um\\\"\",\n" +
	"`data` longblob NOT NULL,\n" +
	"`meta` json DEFAULT NULL,\n" +
	"`img` binary(16) NOT NULL COMMENT \":blob@ext:\",\n" +
	"`small` tinyblob NOT NULL,\n" +
	"`med` mediumblob NOT NULL,\n" +
	"`b` blob NOT NULL,\n" +
	"`att` LONGBLOB DEFAULT NULL COMMENT \":attach:\",\n" +
	"`doc` binary(16) DEFAULT NULL COMMENT \":attach@ext:\",\n" +
	"`fp` binary(16) DEFAULT NULL COMMENT \":filepath@ext:\",\n" +
	"PRIMARY KEY (`subject_id`,`session_id`,`scan_idx`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`) REFERENCES `{db}`.`session` (`subject_id`,`session_id`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`img`) REFERENCES `{db}`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`doc`) REFERENCES `{db}`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`fp`) REFERENCES `{db}`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"two-photon scan\""

type ScanUnit struct {
	DJPart[Scan]
	SubjectID int32  `dj:"pk"`
	SessionID uint16 `dj:"pk"`
	ScanIdx   uint8  `dj:"pk"`
	UnitID    int32  `dj:"pk"`
	Rate      float64
}

// -> master
// unit_id : int
// ---
// rate : double
const pyScanUnit = "CREATE TABLE IF NOT EXISTS `{db}`.`_scan__unit` (\n" +
	"`subject_id` int NOT NULL COMMENT \"subject id\",\n" +
	"`session_id` smallint unsigned NOT NULL COMMENT \"\",\n" +
	"`scan_idx` tinyint unsigned NOT NULL COMMENT \"\",\n" +
	"`unit_id` int NOT NULL,\n" +
	"`rate` double NOT NULL,\n" +
	"PRIMARY KEY (`subject_id`,`session_id`,`scan_idx`,`unit_id`),\n" +
	"FOREIGN KEY (`subject_id`,`session_id`,`scan_idx`) REFERENCES `{db}`.`_scan` (`subject_id`,`session_id`,`scan_idx`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type Neuron struct {
	DJManual
	NeuronID int32       `dj:"pk"`
	Parent   Ref[Neuron] `dj:"nullable,proj=(parent_id=neuron_id)"`
	ParentID *int32
}

const pyNeuron = "CREATE TABLE IF NOT EXISTS `{db}`.`neuron` (\n" +
	"`neuron_id` int NOT NULL,\n" +
	"`parent_id` int COMMENT \"\",\n" +
	"PRIMARY KEY (`neuron_id`),\n" +
	"FOREIGN KEY (`parent_id`) REFERENCES `{db}`.`neuron` (`neuron_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type Synapse struct {
	DJComputed
	Pre      Ref[Neuron] `dj:"pk,proj=(pre_id=neuron_id)"`
	PreID    int32       `dj:"pk"`
	Post     Ref[Neuron] `dj:"pk,proj=(post_id=neuron_id)"`
	PostID   int32       `dj:"pk"`
	Strength float32
}

// -> Neuron.proj(pre_id='neuron_id')
// -> Neuron.proj(post_id='neuron_id')
// ---
// strength : float
const pySynapse = "CREATE TABLE IF NOT EXISTS `{db}`.`__synapse` (\n" +
	"`pre_id` int NOT NULL COMMENT \"\",\n" +
	"`post_id` int NOT NULL COMMENT \"\",\n" +
	"`strength` float NOT NULL,\n" +
	"PRIMARY KEY (`pre_id`,`post_id`),\n" +
	"FOREIGN KEY (`pre_id`) REFERENCES `{db}`.`neuron` (`neuron_id`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"FOREIGN KEY (`post_id`) REFERENCES `{db}`.`neuron` (`neuron_id`) ON UPDATE CASCADE ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"\""

type RigAssignment struct {
	DJManual     `dj:"unique=(label,note)" comment:"who uses which rig"`
	AssignmentID uint32   `dj:"pk,auto_increment"`
	Rig          Ref[Rig] `dj:"unique"`
	RigUUID      [16]byte
	Label        string `dj:"type=varchar(16),unique"`
	Note         string `dj:"type=varchar(255),default=''"`
}

// DataJoint definition:
//
//	assignment_id : int unsigned auto_increment
//	---
//	-> [unique] Rig
//	label : varchar(16)
//	note = '' : varchar(255)
//	unique index (label)
//	unique index (label, note)
const pyRigAssignment = "CREATE TABLE IF NOT EXISTS `{db}`.`rig_assignment` (\n" +
	"`assignment_id` int unsigned auto_increment NOT NULL,\n" +
	"`rig_uuid` binary(16) NOT NULL COMMENT \":uuid:rig id\",\n" +
	"`label` varchar(16) NOT NULL,\n" +
	"`note` varchar(255) NOT NULL DEFAULT '',\n" +
	"PRIMARY KEY (`assignment_id`),\n" +
	"FOREIGN KEY (`rig_uuid`) REFERENCES `{db}`.`#rig` (`rig_uuid`) ON UPDATE CASCADE ON DELETE RESTRICT,\n" +
	"UNIQUE INDEX (`rig_uuid`),\n" +
	"unique index (`label`),\n" +
	"unique index (`label`,`note`)\n" +
	") ENGINE=InnoDB, COMMENT \"who uses which rig\""

// fixture pairs a struct with DataJoint's DDL for it.
type fixture struct {
	typ  reflect.Type
	name string
	py   string
}

// fixtures are listed parents first.
var fixtures = []fixture{
	{reflect.TypeFor[Subject](), "subject", pySubject},
	{reflect.TypeFor[Species](), "#species", pySpecies},
	{reflect.TypeFor[Rig](), "#rig", pyRig},
	{reflect.TypeFor[Session](), "session", pySession},
	{reflect.TypeFor[Scan](), "_scan", pyScan},
	{reflect.TypeFor[ScanUnit](), "_scan__unit", pyScanUnit},
	{reflect.TypeFor[Neuron](), "neuron", pyNeuron},
	{reflect.TypeFor[Synapse](), "__synapse", pySynapse},
	{reflect.TypeFor[RigAssignment](), "rig_assignment", pyRigAssignment},
	{reflect.TypeFor[Spikes](), "__spikes", pySpikes},
	{reflect.TypeFor[SpikesUnit](), "__spikes__unit", pySpikesUnit},
	{reflect.TypeFor[Channel](), "__spikes__channel", pyChannel},
	{reflect.TypeFor[Note](), "note", pyNote},
	{reflect.TypeFor[Event](), "#event", pyEvent},
	{reflect.TypeFor[Misc](), "misc", pyMisc},
	{reflect.TypeFor[SubjectNote](), "subject_note", pySubjectNote},
}

// Attachment stands for dj.Attachment: a file's name and contents.
type Attachment struct {
	Name string
	Data []byte
}
