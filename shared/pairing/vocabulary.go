package pairing

import (
	"strings"

	"github.com/pairup/pairup/shared/pairup"
)

// vocabulary is a validated option list (Rules.Sectors, Rules.Stages,
// Rules.Interests): value → index, index → label.
type vocabulary struct {
	index  map[string]int8
	values []string
	labels []string // the option's label, or its value when it has none
}

// newVocabulary validates opts (field names the list in errors): at most
// MaxOptions, each with a value, none twice.
func newVocabulary(field string, opts []pairup.Option, add problemFunc) *vocabulary {
	v := &vocabulary{index: make(map[string]int8, len(opts))}
	if len(opts) > MaxOptions {
		add("", field, "%d options, at most %d allowed", len(opts), MaxOptions)
		return v
	}
	for i, o := range opts {
		if o.Value == "" {
			add("", field, "option %d has no value", i)
			continue
		}
		if _, dup := v.index[o.Value]; dup {
			add("", field, "option %q appears twice", o.Value)
			continue
		}
		v.index[o.Value] = int8(len(v.values))
		v.values = append(v.values, o.Value)
		label := o.Label
		if label == "" {
			label = o.Value
		}
		v.labels = append(v.labels, label)
	}
	return v
}

// lookup returns the index of value (-1 when empty, meaning not given); an
// unknown value is reported against person and field.
func (v *vocabulary) lookup(person, field, what, value string, add problemFunc) int8 {
	if value == "" {
		return -1
	}
	i, ok := v.index[value]
	if !ok {
		if len(v.values) == 0 {
			add(person, field, "unknown %s %q (the programme offers none)", what, value)
		} else {
			add(person, field, "unknown %s %q (want one of %s)", what, value, strings.Join(v.values, ", "))
		}
		return -1
	}
	return i
}

// label returns the label of a known value.
func (v *vocabulary) label(value string) string { return v.labels[v.index[value]] }
