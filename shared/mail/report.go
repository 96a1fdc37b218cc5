package mail

import (
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The data of "report", a round's report to its coordinators (English only): the statistics
// table, each chart as an inline image with the same counts in a table beside it (and in the
// image's alt text, so that the email reads the same without images, and no chart needs its
// colours to be read), and the CSV exports, which the caller attaches. As for the other
// emails, every field is plain text shown as given, and the HTML escapes every field.

// ReportData is "report".
type ReportData struct {
	ProgrammeName, RoundName string
	// Final marks the report sent when the round is finalised: the figures frozen at its close.
	// Otherwise the report was asked for, and shows the round as it stands (State).
	Final bool
	State string // the round's state, e.g. "active", "closing", "closed"
	AsOf  string // when the figures were taken, already formatted
	// Stats is the statistics table, in reading order.
	Stats []Count
	// Across is the programme's rounds side by side (one row a round, then the totals); empty
	// for a programme's first round.
	Across []Count
	Charts []ReportChart
	// Files names the attached CSV files, in order.
	Files          []string
	UnsubscribeURL string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d ReportData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// StatsText is the statistics table for the text part: one row a line, the values aligned.
func (d ReportData) StatsText() string { return textTable(d.Stats) }

// AcrossText is the rounds-across table for the text part.
func (d ReportData) AcrossText() string { return textTable(d.Across) }

// ReportChart is one chart of a report: its bars, and the inline image that draws them.
type ReportChart struct {
	Title string
	// Note is a line under the title: where the counts come from and how to read them.
	Note string
	// Categories and Counts head the table's two columns: what the bars stand for (e.g.
	// "Country") and what they count (e.g. "Participants matched").
	Categories, Counts string
	Bars               []ReportBar
	// ContentID names the chart's inline PNG (Attachment.ContentID); "" shows no image, only
	// the table of counts.
	ContentID string
	// Width and Height are the image's size in the email, in CSS pixels (it shrinks to a
	// narrower screen, keeping its proportions).
	Width, Height int
}

// ReportBar is one bar of a chart: what it counts and how many; with Of set, Count is out of
// Of (e.g. responses of invitations).
type ReportBar struct {
	Label string
	Count int
	Of    int
}

// Value is the bar's count as the tables show it: "28", or "28 of 32 (88%)" out of Of.
func (b ReportBar) Value() string {
	if b.Of == 0 {
		return strconv.Itoa(b.Count)
	}
	return fmt.Sprintf("%d of %d (%d%%)", b.Count, b.Of, (200*b.Count+b.Of)/(2*b.Of))
}

// Src is the chart image's URL in the HTML: cid: and its content id.
func (c ReportChart) Src() htmltemplate.URL { return CIDURL(c.ContentID) }

// Alt is the image's text alternative: the title, what is counted and every bar's count, so
// that a screen reader, or a mail client that blocks images, says what the chart shows.
func (c ReportChart) Alt() string {
	var b strings.Builder
	b.WriteString(c.Title)
	if c.Counts != "" {
		fmt.Fprintf(&b, " (%s)", strings.ToLower(c.Counts))
	}
	if len(c.Bars) == 0 {
		b.WriteString(": no data yet.")
		return b.String()
	}
	b.WriteString(": ")
	for i, bar := range c.Bars {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", bar.Label, bar.Value())
	}
	b.WriteString(".")
	return b.String()
}

// Text is the chart's counts for the text part: one bar a line, the counts aligned.
func (c ReportChart) Text() string {
	rows := make([]Count, len(c.Bars))
	for i, b := range c.Bars {
		rows[i] = Count{Label: b.Label, Value: b.Value()}
	}
	return textTable(rows)
}

// textTable writes rows as "  label   value" lines, the values lined up after the longest
// label (counted in characters), or "  None yet." for no rows.
func textTable(rows []Count) string {
	if len(rows) == 0 {
		return "  None yet."
	}
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r.Label))
	}
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("  ")
		b.WriteString(r.Label)
		b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(r.Label)+3))
		b.WriteString(r.Value)
	}
	return b.String()
}
