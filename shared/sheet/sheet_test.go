package sheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Ada Lovelace", "Ada Lovelace"},
		{"陳大文", "陳大文"},
		{`=HYPERLINK("https://evil.example","click")`, `'=HYPERLINK("https://evil.example","click")`},
		{"+61 2 9999 0000", "'+61 2 9999 0000"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"a=b", "a=b"}, // only the first character matters
		{" =1", " =1"},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSV(t *testing.T) {
	data := CSV([]string{"name", "note"}, [][]string{
		{"陳大文", "line one\nline two, with a comma"},
		{"=1+1", `says "hi"`},
	})
	if !bytes.HasPrefix(data, []byte(BOM)) {
		t.Fatalf("no byte-order mark: % x", data[:min(len(data), 8)])
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("no CRLF line ends")
	}
	got, err := csv.NewReader(bytes.NewReader(data[len(BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"name", "note"}, {"陳大文", "line one\nline two, with a comma"}, {"'=1+1", `says "hi"`}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%q\nwant\n%q", got, want)
	}
}
