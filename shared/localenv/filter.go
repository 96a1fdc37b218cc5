package localenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// filter is a compiled Lambda event-filter pattern (the EventBridge pattern
// syntax Lambda's event source mappings use in FilterCriteria), reduced to the
// subset this repository needs:
//
//   - A pattern is a JSON object; an event matches if every key of the
//     pattern matches the event's field of that name.
//   - A key's value is either a nested object (matched against the event's
//     object at that key) or a non-empty array of alternatives, of which one
//     must match: string, number, boolean and null literals, and the objects
//     {"exists": true|false}, {"prefix": "…"} and {"anything-but": …}, where
//     anything-but takes a literal, an array of literals or {"prefix": "…"}.
//
// As in EventBridge, alternatives match leaf values only: an event field
// holding an object is no leaf, so [{"exists": true}] does not match it and
// [{"exists": false}] does. An event array matches if one of its elements
// does. Numbers compare by value, and a number never equals a string (the
// DynamoDB "N" values of a stream record are strings).
//
// Operators outside the subset (numeric, suffix, cidr, equals-ignore-case,
// wildcard, $or) are reported as errors rather than silently ignored.
type filter struct {
	root *patternNode // nil matches everything
}

// patternNode is either an object (fields) or a leaf (alts).
type patternNode struct {
	fields map[string]*patternNode
	alts   []matcher
}

type matchKind int

const (
	matchLiteral matchKind = iota
	matchExists
	matchPrefix
	matchAnythingBut
)

type matcher struct {
	kind    matchKind
	literal any    // string, float64, bool or nil, for matchLiteral
	exists  bool   // for matchExists
	prefix  string // for matchPrefix, and for matchAnythingBut with isPrefix
	// anything-but: the excluded literals, or (isPrefix) the excluded prefix.
	excluded []any
	isPrefix bool
}

// compileFilter parses a Lambda filter pattern; "" (or only white space)
// compiles to a filter that matches every record.
func compileFilter(pattern string) (*filter, error) {
	if strings.TrimSpace(pattern) == "" {
		return &filter{}, nil
	}
	v, err := decodeJSON([]byte(pattern))
	if err != nil {
		return nil, fmt.Errorf("localenv: filter pattern: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("localenv: filter pattern: must be a JSON object")
	}
	if len(obj) == 0 {
		return &filter{}, nil
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, fmt.Errorf("localenv: filter pattern: %w", err)
	}
	return &filter{root: root}, nil
}

// decodeJSON decodes exactly one JSON value, with numbers as json.Number.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func compileObject(obj map[string]any, path string) (*patternNode, error) {
	n := &patternNode{fields: make(map[string]*patternNode, len(obj))}
	for k, v := range obj {
		p := joinPath(path, k)
		if strings.HasPrefix(k, "$") {
			return nil, fmt.Errorf("%s: %q is not supported", p, k)
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: empty object", p)
			}
			child, err := compileObject(v, p)
			if err != nil {
				return nil, err
			}
			n.fields[k] = child
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: empty array of values", p)
			}
			child := &patternNode{}
			for _, e := range v {
				m, err := compileMatcher(e, p)
				if err != nil {
					return nil, err
				}
				child.alts = append(child.alts, m)
			}
			n.fields[k] = child
		default:
			return nil, fmt.Errorf("%s: match values must be in an array, as in [%s]", p, compactJSON(v))
		}
	}
	return n, nil
}

func compileMatcher(e any, path string) (matcher, error) {
	if lit, ok, err := literal(e); ok || err != nil {
		if err != nil {
			return matcher{}, fmt.Errorf("%s: %w", path, err)
		}
		return matcher{kind: matchLiteral, literal: lit}, nil
	}
	op, ok := e.(map[string]any)
	if !ok {
		return matcher{}, fmt.Errorf("%s: unsupported value %s", path, compactJSON(e))
	}
	if len(op) != 1 {
		return matcher{}, fmt.Errorf("%s: an operator object must have exactly one key, got %s", path, compactJSON(e))
	}
	for name, arg := range op {
		switch name {
		case "exists":
			b, ok := arg.(bool)
			if !ok {
				return matcher{}, fmt.Errorf("%s: exists takes true or false", path)
			}
			return matcher{kind: matchExists, exists: b}, nil
		case "prefix":
			s, ok := arg.(string)
			if !ok {
				return matcher{}, fmt.Errorf("%s: prefix takes a string", path)
			}
			return matcher{kind: matchPrefix, prefix: s}, nil
		case "anything-but":
			return compileAnythingBut(arg, path)
		default:
			return matcher{}, fmt.Errorf("%s: operator %q is not supported", path, name)
		}
	}
	panic("unreachable")
}

func compileAnythingBut(arg any, path string) (matcher, error) {
	m := matcher{kind: matchAnythingBut}
	switch a := arg.(type) {
	case []any:
		if len(a) == 0 {
			return m, fmt.Errorf("%s: anything-but takes a non-empty array", path)
		}
		for _, e := range a {
			lit, ok, err := literal(e)
			if err != nil {
				return m, fmt.Errorf("%s: %w", path, err)
			}
			if !ok || lit == nil {
				return m, fmt.Errorf("%s: anything-but lists strings, numbers or booleans, not %s", path, compactJSON(e))
			}
			m.excluded = append(m.excluded, lit)
		}
		return m, nil
	case map[string]any:
		p, ok := a["prefix"].(string)
		if len(a) != 1 || !ok {
			return m, fmt.Errorf("%s: anything-but supports only {\"prefix\": \"…\"} as an operator, got %s", path, compactJSON(a))
		}
		m.isPrefix, m.prefix = true, p
		return m, nil
	default:
		lit, ok, err := literal(a)
		if err != nil {
			return m, fmt.Errorf("%s: %w", path, err)
		}
		if !ok || lit == nil {
			return m, fmt.Errorf("%s: unsupported anything-but value %s", path, compactJSON(a))
		}
		m.excluded = []any{lit}
		return m, nil
	}
}

// literal reports whether e is a scalar JSON value and returns it with
// numbers as float64.
func literal(e any) (any, bool, error) {
	switch e := e.(type) {
	case nil, string, bool:
		return e, true, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(e), 64)
		if err != nil {
			return nil, false, fmt.Errorf("bad number %s", e)
		}
		return f, true, nil
	}
	return nil, false, nil
}

// match reports whether the event, a JSON document, matches the filter.
func (f *filter) match(event []byte) (bool, error) {
	if f == nil || f.root == nil {
		return true, nil
	}
	v, err := decodeJSON(event)
	if err != nil {
		return false, err
	}
	return f.root.match(v, true), nil
}

// match matches n against v; present is false when the event has no field
// here.
func (n *patternNode) match(v any, present bool) bool {
	if n.fields != nil {
		if arr, ok := v.([]any); ok && present && len(arr) > 0 {
			for _, e := range arr {
				if n.match(e, true) {
					return true
				}
			}
			return false
		}
		obj, _ := v.(map[string]any) // anything else has no fields
		for k, child := range n.fields {
			cv, ok := obj[k]
			if !child.match(cv, ok) {
				return false
			}
		}
		return true
	}
	var leaves []any
	if present {
		leaves = collectLeaves(v, nil)
	}
	for _, m := range n.alts {
		if len(leaves) == 0 {
			if m.kind == matchExists && !m.exists {
				return true
			}
			continue
		}
		for _, l := range leaves {
			if m.match(l) {
				return true
			}
		}
	}
	return false
}

// collectLeaves appends the scalar values of v: v itself, or the scalars of
// an array's elements, flattened. Objects are not leaves.
func collectLeaves(v any, out []any) []any {
	switch v := v.(type) {
	case map[string]any:
		return out
	case []any:
		for _, e := range v {
			out = collectLeaves(e, out)
		}
		return out
	default:
		return append(out, v)
	}
}

// match matches a leaf value that is present.
func (m matcher) match(leaf any) bool {
	switch m.kind {
	case matchLiteral:
		return literalEqual(m.literal, leaf)
	case matchExists:
		return m.exists
	case matchPrefix:
		s, ok := leaf.(string)
		return ok && strings.HasPrefix(s, m.prefix)
	case matchAnythingBut:
		if m.isPrefix {
			s, ok := leaf.(string)
			return !ok || !strings.HasPrefix(s, m.prefix)
		}
		for _, x := range m.excluded {
			if literalEqual(x, leaf) {
				return false
			}
		}
		return true
	}
	return false
}

// literalEqual compares a pattern literal (float64 for numbers) with an event
// leaf (json.Number for numbers).
func literalEqual(lit, leaf any) bool {
	switch lit := lit.(type) {
	case float64:
		n, ok := leaf.(json.Number)
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(n), 64)
		return err == nil && f == lit
	case nil:
		return leaf == nil
	default: // string, bool
		return lit == leaf
	}
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
