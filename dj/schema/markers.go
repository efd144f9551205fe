package schema

import "reflect"

// TierMarker is implemented by the zero-size tier markers (dj.Manual,
// dj.Lookup, dj.Imported, dj.Computed, dj.Part[M]). A struct declares a
// table by embedding exactly one marker as an anonymous field; the
// marker's `dj` tag holds table options (index=(a,b), unique=(a,b)) and
// its `comment` tag the table comment.
//
// Because the methods of an embedded marker are promoted, the outer struct
// implements TierMarker too; Parse therefore looks for the anonymous field
// whose type implements it.
type TierMarker interface {
	DJTier() Tier
}

// PartMarker is implemented by the part marker (dj.Part[M]): DJMaster
// returns the master's struct type.
type PartMarker interface {
	TierMarker
	DJMaster() reflect.Type
}

// Reference is implemented by zero-size reference fields (dj.Ref[T]),
// DataJoint's "-> T": DJReference returns the referenced struct type.
type Reference interface {
	DJReference() reflect.Type
}

var (
	tierMarkerType = reflect.TypeFor[TierMarker]()
	referenceType  = reflect.TypeFor[Reference]()
)

// markerField finds the anonymous tier-marker field of a struct type.
func markerField(typ reflect.Type) (reflect.StructField, int, bool) {
	found, count := reflect.StructField{}, 0
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Anonymous && f.Type.Implements(tierMarkerType) {
			if count == 0 {
				found = f
			}
			count++
		}
	}
	return found, count, count > 0
}

// tierOf returns the tier reported by a marker type, and for parts the
// master's struct type.
func tierOf(markerType reflect.Type) (Tier, reflect.Type) {
	v := reflect.Zero(markerType).Interface()
	tier := v.(TierMarker).DJTier()
	if pm, ok := v.(PartMarker); ok {
		return tier, pm.DJMaster()
	}
	return tier, nil
}

// isReference reports whether a field type is a reference (or a pointer
// to one, which Parse rejects), and returns the referenced type.
func isReference(t reflect.Type) (reflect.Type, bool) {
	switch {
	case t.Kind() == reflect.Struct && t.Implements(referenceType):
		return reflect.Zero(t).Interface().(Reference).DJReference(), true
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && t.Elem().Implements(referenceType):
		return reflect.Zero(t.Elem()).Interface().(Reference).DJReference(), true
	}
	return nil, false
}
