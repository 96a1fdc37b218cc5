package main

import (
	"strings"
	"testing"
)

func TestPrettyJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"OrderKept", `{"statusCode":200,"headers":{"content-type":"text/html"},"body":"ok","cookies":[]}`,
			`{
  "statusCode": 200,
  "headers": {
    "content-type": "text/html"
  },
  "body": "ok",
  "cookies": []
}`},
		{"ReverseAlphabetical", `{"z":1,"y":2,"a":3}`, "{\n  \"z\": 1,\n  \"y\": 2,\n  \"a\": 3\n}"},
		{"NestedObjectsAndArrays", `{"a":[1,[2,{"b":[]}],{}],"c":{"d":{"e":null}},"f":[true,false]}`,
			`{
  "a": [
    1,
    [
      2,
      {
        "b": []
      }
    ],
    {}
  ],
  "c": {
    "d": {
      "e": null
    }
  },
  "f": [
    true,
    false
  ]
}`},
		{"HTMLKept", `{"body":"<p>Tom & Jerry > you</p>"}`, "{\n  \"body\": \"<p>Tom & Jerry > you</p>\"\n}"},
		{"HTMLEscapesUndone", `{"body":"\u003cp\u003eA \u0026 B\u003c/p\u003e"}`, "{\n  \"body\": \"<p>A & B</p>\"\n}"},
		{"NumbersExact", `{"big":12345678901234567890,"price":1.50,"exp":1e+21,"neg":-0.0}`,
			"{\n  \"big\": 12345678901234567890,\n  \"price\": 1.50,\n  \"exp\": 1e+21,\n  \"neg\": -0.0\n}"},
		{"Unicode", `{"name":"中文","escaped":"\u4e2d\u6587","emoji":"🙂"}`,
			"{\n  \"name\": \"中文\",\n  \"escaped\": \"中文\",\n  \"emoji\": \"🙂\"\n}"},
		{"LiteralBackslashU", `{"s":"\\u003c","t":"a\\\\u0026b"}`, "{\n  \"s\": \"\\\\u003c\",\n  \"t\": \"a\\\\\\\\u0026b\"\n}"},
		{"EscapesKept", `{"s":"line\nbreak \"quoted\" tab\t\u0001"}`, "{\n  \"s\": \"line\\nbreak \\\"quoted\\\" tab\\t\\u0001\"\n}"},
		{"HTMLInKey", `{"<b>":"x"}`, "{\n  \"<b>\": \"x\"\n}"},
		{"EmptyObject", `{}`, `{}`},
		{"EmptyArray", ` [ ] `, `[]`},
		{"Scalar", `"<hi>"`, `"<hi>"`},
		{"Null", `null`, `null`},
		{"AlreadyIndented", "{\n    \"a\" : [ 1 , 2 ]\n}\n", "{\n  \"a\": [\n    1,\n    2\n  ]\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := prettyJSON([]byte(tc.in))
			if err != nil {
				t.Fatalf("prettyJSON: %v", err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestPrettyJSONNotJSON(t *testing.T) {
	for _, in := range []string{
		"",
		"hello, world",
		"<p>hi</p>",
		`{"a":1`,
		`{"a":1} {"b":2}`,
		`{"a" 1}`,
		`[1,]`,
		`{"a":1,}`,
		`{1:2}`,
		`]`,
		strings.Repeat("[", 3),
	} {
		t.Run(in, func(t *testing.T) {
			got, err := prettyJSON([]byte(in))
			if err == nil {
				t.Fatalf("no error for %q, got %s", in, got)
			}
			if string(got) != in {
				t.Fatalf("got %q, want the input unchanged", got)
			}
		})
	}
}
