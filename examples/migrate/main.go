// Command migrate is the migration program of a small lab pipeline: built
// from the code that declares the pipeline's structs, it plans and applies
// the changes that make a database match them, and tells CI whether a
// database matches the code of a commit.
//
//	go run ./examples/migrate plan lab
//	go run ./examples/migrate apply lab
//	go run ./examples/migrate status lab
//
// A pipeline keeps its structs in a package of its own and calls
// migrate.Main with them from a main package like this one.
package main

import (
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/migrate"
)

// Subject is an experimental animal.
type Subject struct {
	dj.Manual `comment:"experimental subject"`
	SubjectID int32      `dj:"pk"`
	Species   string     `dj:"type=varchar(64)"`
	DOB       *time.Time `dj:"type=date"`
	Sex       string     `dj:"type=enum('F','M','U'),default='U'"`
	Weight    *float32   `was:"mass" comment:"grams"`
}

// Session is one recording session of a subject.
type Session struct {
	dj.Manual
	Subject   dj.Ref[Subject] `dj:"pk"`
	SubjectID int32           `dj:"pk"`
	SessionID int16           `dj:"pk"`
	Trace     []float64
}

func main() { migrate.Main(Subject{}, Session{}) }
