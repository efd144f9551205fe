package schema

import "fmt"

// AttributeDiff lists how a declared attribute (from Parse) differs from
// the same column read back from the database (from Load), one
// human-readable item per aspect: "type smallint → int unsigned",
// "nullable → NOT NULL", "default "0" → "1"", "comment "a" → "b"". Types
// compare in canonical form (see CanonicalType) and DataJoint types by
// their marker, defaults with quoting removed and numbers normalized, as
// Compare does; unlike Compare, the comments are compared too. An empty
// result means that declaring the attribute afresh gives the same column.
func AttributeDiff(declared, actual *Attribute) []string {
	var out []string
	if dt, at := comparableType(declared), comparableType(actual); dt != at {
		out = append(out, fmt.Sprintf("type %s → %s", at, dt))
	}
	if declared.Nullable != actual.Nullable {
		out = append(out, nullWord(actual.Nullable)+" → "+nullWord(declared.Nullable))
	}
	if dd, ad := comparableDefault(declared), comparableDefault(actual); dd != ad {
		out = append(out, fmt.Sprintf("default %s → %s", ad, dd))
	}
	if dai, aai := declared.AutoIncrement || compactType(declared.Type) == "serial", actual.AutoIncrement; dai != aai {
		out = append(out, fmt.Sprintf("%sauto_increment → %sauto_increment", notWord(aai), notWord(dai)))
	}
	if declared.Comment != actual.Comment {
		out = append(out, fmt.Sprintf("comment %q → %q", actual.Comment, declared.Comment))
	}
	return out
}

// ComparableType is the form in which two attribute types are compared:
// the canonical type (CanonicalType) of native types, the DataJoint type of
// marker types (uuid, attach, blob@store, ...), and <name> for adapted
// types.
func ComparableType(a *Attribute) string { return comparableType(a) }
