package report

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/sheet"
)

// readCSV checks the byte-order mark and parses the rest, as a spreadsheet program would,
// into rows keyed by the header.
func readCSV(t *testing.T, data []byte) (header []string, rows []map[string]string) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(sheet.BOM)) {
		t.Fatalf("no byte-order mark: %q", data[:min(len(data), 16)])
	}
	all, err := csv.NewReader(bytes.NewReader(data[len(sheet.BOM):])).ReadAll()
	if err != nil {
		t.Fatalf("does not parse back: %v", err)
	}
	header = all[0]
	for _, rec := range all[1:] {
		row := map[string]string{}
		for i, v := range rec {
			row[header[i]] = v
		}
		rows = append(rows, row)
	}
	return header, rows
}

func column(rows []map[string]string, name string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[name])
	}
	return out
}

func TestRegistrationsCSV(t *testing.T) {
	in := seeded()
	_, rows := readCSV(t, RegistrationsCSV(in))
	// Every registration but the erased r07, in signup order.
	if got, want := column(rows, "registration"), []string{"r01", "r02", "r03", "r04", "r05", "r06", "r08", "r09", "r10", "r11", "r12"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("registrations %v, want %v", got, want)
	}
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["registration"]] = r
	}
	for _, tc := range []struct{ id, col, want string }{
		{"r02", "name", "陳大文"},
		{"r02", "languages", "Chinese; English"},
		{"r02", "country", "Hong Kong SAR China"},
		{"r03", "name", "'" + hyperlinkName}, // neutralised: a spreadsheet shows it as text
		{"r04", "name", "Björk Guðmundsdóttir"},
		{"r01", "email", "r01@example.org"},
		{"r01", "status", "confirmed"},
		{"r01", "country code", "GB"},
		{"r01", "sector", "Academic library"},
		{"r01", "career stage", "New professional (under 5 years)"},
		{"r01", "interests", "Outreach and programming; Library systems and technology"},
		{"r01", "role", "peer"},
		{"r01", "outcome", "paired"},
		{"r01", "signed up (UTC)", "2026-12-05 10:00"},
		{"r01", "confirmed (UTC)", "2026-12-05 11:00"},
		{"r09", "status", "pending"},
		{"r09", "confirmed (UTC)", ""},
		{"r10", "status", "withdrawn"},
		{"r10", "withdrawn (UTC)", "2027-01-24 09:00"},
		{"r11", "outcome", "deferred"},
		{"r11", "outcome reason", "over the country cap"},
		{"r11", "position", "1"},
	} {
		if got := byID[tc.id][tc.col]; got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.id, tc.col, got, tc.want)
		}
	}
}

func TestPairsCSV(t *testing.T) {
	header, rows := readCSV(t, PairsCSV(seeded()))
	if header[2] != "member 1 registration" || header[3] != "member 1" || !reflect.DeepEqual(header[len(header)-6:],
		[]string{"score", "pinned", "reasons", "replaces pair", "ended (UTC)", "end reason"}) {
		t.Errorf("header %q", header)
	}
	if got, want := column(rows, "pair"), []string{"r01+r02", "r03+r04", "r05+r06+r07", "r08+r10", "r08+r12"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pairs %v, want %v", got, want)
	}
	for _, tc := range []struct {
		row       int
		col, want string
	}{
		{0, "member 2", "陳大文"},
		{0, "member 2 country", "Hong Kong SAR China"},
		{0, "member 1 check-in", "yes"},
		{0, "member 1 continue choice", "continue"},
		{0, "member 2 continue choice", "continue"},
		{0, "member 3", ""},
		{0, "score", "80"},
		{0, "reasons", "both in academic libraries"},
		{0, "made (UTC)", "2027-01-04 09:00"},
		{1, "member 1", "'" + hyperlinkName},
		{1, "member 2 continue choice", "conclude"},
		{1, "member 2 check-in", ""},
		{2, "member 3 registration", "r07"},
		{2, "member 3", "(erased)"},
		{2, "member 3 country", ""},
		{3, "ended (UTC)", "2027-01-24 09:00"},
		{3, "end reason", "withdrawn"},
		{3, "member 1 check-in", "no"},
		{4, "replaces pair", "r08+r10"},
		{4, "member 1 check-in", "yes"},
		{4, "ended (UTC)", ""},
	} {
		if got := rows[tc.row][tc.col]; got != tc.want {
			t.Errorf("pair %s: %s = %q, want %q", rows[tc.row]["pair"], tc.col, got, tc.want)
		}
	}
	t.Run("MentorMode", func(t *testing.T) {
		in := seeded()
		in.Programme.Mode = "mentor"
		in.Pairs = in.Pairs[:2]
		header, rows := readCSV(t, PairsCSV(in))
		if header[3] != "mentor" || header[8] != "mentee" || len(header) != 2+2*5+6 || rows[0]["mentee"] != "陳大文" {
			t.Errorf("header %q, first row %v", header, rows[0])
		}
	})
}

func TestResponsesCSV(t *testing.T) {
	header, rows := readCSV(t, ResponsesCSV(seeded()))
	// A column per question: the mid survey's, then the end survey's own (again).
	want := []string{"survey", "registration", "name", "role", "country", "first sent (UTC)", "last sent (UTC)", "times sent",
		"How satisfied are you with the programme so far?", "How did you hear about the programme?", "What has taking part given you?",
		"Anything else you would like to tell the coordinators?", "Would you take part again?"}
	if !reflect.DeepEqual(header, want) {
		t.Errorf("header\n%q\nwant\n%q", header, want)
	}
	if len(rows) != 9 {
		t.Fatalf("%d rows, want one per response (9)", len(rows))
	}
	if got := column(rows, "survey"); got[0] != "Mid-round survey" || got[3] != "Mid-round survey" || got[4] != "End-of-round survey" {
		t.Errorf("surveys %v", got)
	}
	sat, heard, impact, comments, again := header[8], header[9], header[10], header[11], header[12]
	for _, tc := range []struct {
		row       int
		col, want string
	}{
		{0, "name", "Ada Lovelace"},
		{0, sat, "4"},
		{0, heard, "A friend or colleague"},
		{0, impact, "Wider awareness of the profession; New professional contacts"},
		{0, comments, "Lovely so far"},
		{0, again, ""}, // not asked mid-round
		{2, "name", "'" + hyperlinkName},
		{4, comments, "'=1+1 is how I felt"},
		{5, "name", "陳大文"},
		{5, comments, "謝謝！很有幫助。"},
		{5, "country", "Hong Kong SAR China"},
		{6, again, "Maybe"},
		{7, heard, ""},
		{8, comments, "Line one\nLine two, with a comma"},
		{8, sat, "1"},
		{8, "first sent (UTC)", "2027-05-03 11:00"},
		{8, "times sent", "1"},
	} {
		if got := rows[tc.row][tc.col]; got != tc.want {
			t.Errorf("row %d %q = %q, want %q", tc.row, tc.col, got, tc.want)
		}
	}
	t.Run("Erased", func(t *testing.T) {
		in := seeded()
		in.Registrations[0].ErasedAt = roundEnd // r01; erasure took the comments, kept the rest
		delete(in.Responses[0].Answers, "comments")
		_, rows := readCSV(t, ResponsesCSV(in))
		if rows[0]["name"] != "(erased)" || rows[0]["country"] != "" || rows[0][sat] != "4" || rows[0][comments] != "" {
			t.Errorf("an erased respondent's row: %v", rows[0])
		}
		if strings.Contains(string(ResponsesCSV(in)), "Ada Lovelace") {
			t.Error("an erased name in the export")
		}
	})
}

func TestCSVWithoutProgramme(t *testing.T) {
	in := seeded()
	in.Programme = nil
	for name, data := range map[string][]byte{"registrations": RegistrationsCSV(in), "pairs": PairsCSV(in), "responses": ResponsesCSV(in)} {
		if _, rows := readCSV(t, data); len(rows) == 0 {
			t.Errorf("%s: no rows", name)
		}
	}
}
