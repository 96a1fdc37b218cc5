package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// prettyJSON re-indents the JSON value raw (two spaces) as a person wants to read a handler's
// result: object members stay in the result's own order, numbers are copied exactly as written
// (12345678901234567890 and 1.50 stay so), and strings are written without HTML escaping, so
// "<p>" reads as <p>, not \u003cp\u003e; a literal backslash-u in the data stays escaped.
//
// If raw is not one JSON value (plain text, truncated, trailing data), prettyJSON returns raw
// unchanged together with an error saying why, so callers may print the result and ignore the
// error.
func prettyJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	p := &printer{dec: dec}
	if err := p.value(0); err != nil {
		return raw, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return raw, errors.New("not JSON: data after the value")
	}
	return p.out.Bytes(), nil
}

type printer struct {
	dec *json.Decoder
	out bytes.Buffer
	str bytes.Buffer // scratch for encoding strings
}

// value copies the next JSON value, which starts at nesting depth.
func (p *printer) value(depth int) error {
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return p.container(depth, '{', '}', true)
		case '[':
			return p.container(depth, '[', ']', false)
		default:
			return fmt.Errorf("unexpected %q", rune(t))
		}
	case string:
		return p.string(t)
	case json.Number:
		p.out.WriteString(t.String())
	case bool:
		if t {
			p.out.WriteString("true")
		} else {
			p.out.WriteString("false")
		}
	case nil:
		p.out.WriteString("null")
	default:
		return fmt.Errorf("unexpected token %T", tok)
	}
	return nil
}

// container copies an object's members or an array's elements, after its opening delimiter.
func (p *printer) container(depth int, open, close byte, object bool) error {
	p.out.WriteByte(open)
	n := 0
	for p.dec.More() {
		if n > 0 {
			p.out.WriteByte(',')
		}
		n++
		p.newline(depth + 1)
		if object {
			tok, err := p.dec.Token()
			if err != nil {
				return err
			}
			key, ok := tok.(string)
			if !ok {
				return fmt.Errorf("object key is %T, not a string", tok)
			}
			if err := p.string(key); err != nil {
				return err
			}
			p.out.WriteString(": ")
		}
		if err := p.value(depth + 1); err != nil {
			return err
		}
	}
	tok, err := p.dec.Token() // the closing delimiter
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || byte(d) != close {
		return fmt.Errorf("unexpected %v, want %q", tok, rune(close))
	}
	if n > 0 {
		p.newline(depth)
	}
	p.out.WriteByte(close)
	return nil
}

func (p *printer) newline(depth int) {
	p.out.WriteByte('\n')
	p.out.WriteString(strings.Repeat("  ", depth))
}

// string writes s as a JSON string, escaping only what JSON requires (quotes, backslashes,
// control characters; encoding/json also escapes U+2028 and U+2029), not <, > or &.
func (p *printer) string(s string) error {
	p.str.Reset()
	enc := json.NewEncoder(&p.str)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	p.out.Write(bytes.TrimSuffix(p.str.Bytes(), []byte("\n")))
	return nil
}
