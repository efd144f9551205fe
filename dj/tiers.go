package dj

import (
	"reflect"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Manual marks a struct as a Manual table (rows entered by users). Embed
// it as the first field; its `comment` tag is the table comment and its
// `dj` tag takes table options (index=(a,b), unique=(a,b)).
//
//	type Subject struct {
//		dj.Manual `comment:"experimental subject"`
//		SubjectID int32 `dj:"pk"`
//	}
type Manual struct{}

// DJTier reports the tier; it lets dj/schema recognise the marker.
func (Manual) DJTier() schema.Tier { return schema.Manual }

// Lookup marks a struct as a Lookup table ("#" prefix): a Manual table whose
// fixed contents may be declared with it. A Lookup struct with a method
// `Contents() []T` (T the struct itself) gets those rows inserted when it
// is declared, as DataJoint inserts a Lookup's contents.
type Lookup struct{}

// DJTier reports the tier.
func (Lookup) DJTier() schema.Tier { return schema.Lookup }

// Imported marks a struct as an Imported table ("_" prefix), populated by
// its Make from data outside the database.
type Imported struct{}

// DJTier reports the tier.
func (Imported) DJTier() schema.Tier { return schema.Imported }

// Computed marks a struct as a Computed table ("__" prefix), populated by
// its Make from other tables.
type Computed struct{}

// DJTier reports the tier.
func (Computed) DJTier() schema.Tier { return schema.Computed }

// Part marks a struct as a part table of master M: its name is
// "<master table>__<part>", it inherits M's primary key (declare those
// fields in the struct too), and its rows are inserted in the same
// transaction as their master row.
type Part[M any] struct{}

// DJTier reports the tier.
func (Part[M]) DJTier() schema.Tier { return schema.Part }

// DJMaster reports the master's struct type.
func (Part[M]) DJMaster() reflect.Type { return reflect.TypeFor[M]() }

// Ref is a typed foreign-key reference to table T: DataJoint's "-> T". It
// occupies no memory and is never stored; the parent's primary-key
// attributes that it brings must be declared as ordinary fields of the
// struct too (checked by Declare). Options go in its `dj` tag: pk (the
// reference is part of the primary key), nullable, unique, and
// proj=(new=old,...) for a renamed reference.
//
//	Subject dj.Ref[Subject] `dj:"pk"`
//	SubjectID int32         `dj:"pk"`
type Ref[T any] struct{}

// DJReference reports the referenced struct type.
func (Ref[T]) DJReference() reflect.Type { return reflect.TypeFor[T]() }
