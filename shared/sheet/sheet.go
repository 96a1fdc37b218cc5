// Package sheet writes the CSV files coordinators open in a spreadsheet program: UTF-8 with a
// byte-order mark (without it Excel reads UTF-8 as a legacy code page and Chinese names turn to
// mojibake), and every cell that a spreadsheet would run as a formula neutralised, since names
// and free-text answers come from public forms (CSV injection: a name "=HYPERLINK(…)" must stay
// text). The match run's proposal and the round reports write through it.
package sheet

import (
	"bytes"
	"encoding/csv"
	"strings"
)

// BOM is the UTF-8 byte-order mark that starts every file this package writes.
const BOM = "\ufeff"

// Cell neutralises a cell a spreadsheet would read as a formula or a command: one that begins
// with '=', '+', '-', '@', a tab or a carriage return gets a leading apostrophe, which
// spreadsheet programs show as text. Any other cell is returned as it is.
func Cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// CSV is a whole file: the BOM, the header, then the rows, every cell through Cell (the header
// too), CRLF line ends as RFC 4180 has them.
func CSV(header []string, rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString(BOM)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	write := func(row []string) {
		safe := make([]string, len(row))
		for i, v := range row {
			safe[i] = Cell(v)
		}
		_ = w.Write(safe) // a bytes.Buffer does not fail
	}
	write(header)
	for _, row := range rows {
		write(row)
	}
	w.Flush()
	return b.Bytes()
}
