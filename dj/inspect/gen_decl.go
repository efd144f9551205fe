package inspect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// decl returns the key struct and the row struct of a table.
func (g *generator) decl(t *genTable) string {
	m := t.meta
	items := layout(m)
	inherited := map[string]bool{}
	for _, fk := range userFKs(m) {
		for _, a := range fk.Attrs {
			inherited[a] = true
		}
	}
	var b strings.Builder

	// The key struct: the key structs of primary-key parents embedded
	// (largest first, without overlaps), then the other key attributes.
	var cands []*schema.ForeignKey
	for _, fk := range userFKs(m) {
		if fk.Primary && !fk.Renamed() && g.parent(fk) != nil && g.parent(fk) != t {
			cands = append(cands, fk)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return len(cands[i].Attrs) > len(cands[j].Attrs) })
	inKeyStruct := map[string]bool{}
	var chosen []*schema.ForeignKey
	for _, fk := range cands {
		overlap := false
		for _, a := range fk.Attrs {
			overlap = overlap || inKeyStruct[a]
		}
		if overlap {
			continue
		}
		chosen = append(chosen, fk)
		for _, a := range fk.Attrs {
			inKeyStruct[a] = true
		}
	}
	sort.SliceStable(chosen, func(i, j int) bool { return fkIndex(m, chosen[i]) < fkIndex(m, chosen[j]) })
	keyNames := map[string]bool{}
	fmt.Fprintf(&b, "// %s is the primary key of %s.\ntype %s struct {\n", t.key, t.name, t.key)
	for _, fk := range chosen {
		p := g.parent(fk)
		b.WriteString(p.key + "\n")
		keyNames[p.key] = true
		for n := range g.keyNames(p) {
			keyNames[n] = true
		}
	}
	for _, n := range m.Heading.PrimaryKey() {
		if inKeyStruct[n] {
			continue
		}
		a, _ := m.Heading.Attr(n)
		b.WriteString(g.field(a, inherited[n], true, keyNames))
	}
	b.WriteString("}\n\n")

	// Can the row struct embed its key struct? Its own key attributes
	// then follow every primary reference, and carry no option a key
	// struct cannot.
	embed := true
	ownSeen := false
	for _, it := range items {
		switch {
		case it.attr != nil && it.attr.InKey:
			ownSeen = true
			if it.attr.AutoIncrement || (it.attr.HasDefault && !it.attr.Nullable) {
				embed = false
			}
		case it.fk != nil && it.fk.Primary && ownSeen:
			embed = false
		}
	}

	g.writeDoc(&b, t)
	fmt.Fprintf(&b, "type %s struct {\n", t.name)
	b.WriteString(g.marker(t))
	names := map[string]bool{"Manual": true, "Lookup": true, "Imported": true, "Computed": true, "Part": true}
	if embed {
		names[t.key] = true
		for n := range keyNames {
			names[n] = true
		}
		for n := range g.keyNames(t) {
			names[n] = true
		}
	}
	// Reference fields yield their names to attribute fields.
	refNames := map[string]bool{}
	for n := range names {
		refNames[n] = true
	}
	for i := range m.Heading.Attributes {
		a := &m.Heading.Attributes[i]
		if !(embed && a.InKey) {
			refNames[goNameOnly(a)] = true
		}
	}
	wroteKey := false
	for _, it := range items {
		inKey := (it.fk != nil && it.fk.Primary) || (it.attr != nil && it.attr.InKey)
		if embed && !inKey && !wroteKey {
			b.WriteString(t.key + "\n")
			wroteKey = true
		}
		if it.fk != nil {
			if it.fk != t.masterFK {
				b.WriteString(g.ref(t, it.fk, refNames, names))
			}
			if embed && inKey {
				continue
			}
			for _, a := range it.brought {
				b.WriteString(g.field(a, true, false, names))
			}
			continue
		}
		if embed && inKey {
			continue
		}
		b.WriteString(g.field(it.attr, inherited[it.attr.Name], false, names))
	}
	if embed && !wroteKey {
		b.WriteString(t.key + "\n")
	}
	b.WriteString("}\n\n")
	return b.String()
}

func goNameOnly(a *schema.Attribute) string {
	if a == nil {
		return ""
	}
	n, _ := goName(a.Name)
	return n
}

// keyNames lists the Go names a key struct promotes.
func (g *generator) keyNames(t *genTable) map[string]bool {
	out := map[string]bool{}
	for _, fk := range userFKs(t.meta) {
		if p := g.parent(fk); p != nil && p != t && fk.Primary && !fk.Renamed() {
			out[p.key] = true
			for n := range g.keyNames(p) {
				out[n] = true
			}
		}
	}
	for _, n := range t.meta.Heading.PrimaryKey() {
		nm, _ := goName(n)
		out[nm] = true
	}
	return out
}

func fkIndex(m *schema.Table, fk *schema.ForeignKey) int {
	for i := range m.ForeignKeys {
		if &m.ForeignKeys[i] == fk {
			return i
		}
	}
	return len(m.ForeignKeys)
}

// writeDoc writes the doc comment of a row struct: tier, table, comment
// and the DataJoint definition.
func (g *generator) writeDoc(b *strings.Builder, t *genTable) {
	m := t.meta
	fmt.Fprintf(b, "// %s is the %s table %s", t.name, m.Tier, m.Name)
	if m.Comment != "" {
		fmt.Fprintf(b, ": %s", m.Comment)
	}
	b.WriteString(".\n")
	if m.Tier == schema.Lookup {
		fmt.Fprintf(b, "// Its contents are not generated; a Contents() []%s method declares them.\n", t.name)
	}
	b.WriteString("//\n// DataJoint definition:\n//\n")
	for _, l := range strings.Split(strings.TrimRight(t.def, "\n"), "\n") {
		b.WriteString("//\t" + strings.TrimRight(l, " ") + "\n")
	}
}

// marker returns the tier marker line with the table options.
func (g *generator) marker(t *genTable) string {
	m := t.meta
	typ := "dj." + m.Tier.String()
	if m.Tier == schema.Part {
		typ = "dj.Part[" + t.master.name + "]"
	}
	var opts []string
	for _, ix := range m.Indexes {
		if ix.Unique && uniqueRef(m, ix.Attrs) {
			continue
		}
		functional := false
		for _, a := range ix.Attrs {
			functional = functional || strings.HasPrefix(a, "(")
		}
		if functional {
			continue
		}
		kw := "index"
		if ix.Unique {
			kw = "unique"
		}
		opts = append(opts, kw+"=("+strings.Join(ix.Attrs, ",")+")")
	}
	return typ + structTag(opts, m.Comment, m.Comment != "") + "\n"
}

// uniqueRef reports whether a unique index is a [unique] reference's.
func uniqueRef(m *schema.Table, attrs []string) bool {
	for _, fk := range userFKs(m) {
		if fk.Unique && len(fk.Attrs) == len(attrs) && allIn(attrs, toSet(fk.Attrs)) {
			return true
		}
	}
	return false
}

func toSet(list []string) map[string]bool {
	out := make(map[string]bool, len(list))
	for _, s := range list {
		out[s] = true
	}
	return out
}

// ref returns the dj.Ref field of a reference.
func (g *generator) ref(t *genTable, fk *schema.ForeignKey, taken, names map[string]bool) string {
	parent := t.name
	if p := g.parent(fk); p != nil {
		parent = p.name
	}
	base := parent
	if fk.Renamed() {
		var renamed []string
		for i := range fk.Attrs {
			if fk.Attrs[i] != fk.RefAttrs[i] {
				renamed = append(renamed, fk.Attrs[i])
			}
		}
		if p := commonPrefix(renamed); p != "" {
			if n, _ := goName(p); isIdent(n) {
				base = n + parent
			}
		}
	}
	name := base
	for i := 2; names[name] || taken[name]; i++ {
		name = fmt.Sprintf("%sRef%d", base, i)
		if i == 2 {
			name = base + "Ref"
		}
	}
	names[name] = true
	var opts []string
	if fk.Primary {
		opts = append(opts, "pk")
	}
	if fk.Nullable {
		opts = append(opts, "nullable")
	}
	if fk.Unique {
		opts = append(opts, "unique")
	}
	if fk.Renamed() {
		var pr []string
		for i := range fk.Attrs {
			if fk.Attrs[i] != fk.RefAttrs[i] {
				pr = append(pr, fk.Attrs[i]+"="+fk.RefAttrs[i])
			}
		}
		opts = append(opts, "proj=("+strings.Join(pr, ",")+")")
	}
	return name + " dj.Ref[" + parent + "]" + structTag(opts, "", false) + "\n"
}

// commonPrefix returns the common prefix of names up to an underscore
// ("first_subject", "first_idx" → "first").
func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	if len(names) == 1 {
		if i := strings.IndexByte(p, '_'); i > 0 {
			return p[:i]
		}
		return ""
	}
	if i := strings.LastIndexByte(p, '_'); i > 0 {
		return p[:i]
	}
	return ""
}

// field returns the field of an attribute. inherited attributes (brought
// by a reference) take no comment and no options but pk; in a key struct
// the attribute carries no auto_increment and no default.
func (g *generator) field(a *schema.Attribute, inherited, keyStruct bool, names map[string]bool) string {
	gf, _ := goFieldOf(a)
	if gf.imp != "" {
		g.imps[gf.imp] = true
	}
	name, mapped := goName(a.Name)
	if names[name] {
		name, mapped = name+"Attr", false
	}
	names[name] = true
	typ := gf.typ
	var opts []string
	if a.InKey {
		opts = append(opts, "pk")
	}
	if !mapped {
		opts = append(opts, "name="+a.Name)
	}
	if gf.typeTag != "" {
		opts = append(opts, "type="+gf.typeTag)
	}
	if a.Nullable {
		if gf.nilable {
			opts = append(opts, "nullable")
		} else {
			typ = "*" + typ
		}
	}
	if !inherited && !keyStruct {
		if a.AutoIncrement {
			opts = append(opts, "auto_increment")
		}
		if a.HasDefault && !a.Nullable {
			opts = append(opts, "default="+tagDefault(a))
		}
	}
	comment := ""
	if a.Adapter != "" {
		comment = " // adapted type <" + a.Adapter + ">, stored as " + a.Type
	}
	return name + " " + typ + structTag(opts, a.Comment, !inherited && a.Comment != "") + comment + "\n"
}
