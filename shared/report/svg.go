package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"strings"
)

// SVG renders the chart for a web page: Width pixels wide (its viewBox scales with CSS such as
// svg{max-width:100%;height:auto}), role="img" with the title and the chart as text (Text) for
// screen readers. Every text is escaped.
func (c Chart) SVG() ([]byte, error) {
	f, err := newFaces()
	if err != nil {
		return nil, fmt.Errorf("report: chart %s: %w", c.ID, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	d := c.layout(f)
	id := "chart-" + safeID(c.ID)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" font-family="%s">`,
		d.width, d.height, d.width, d.height, id, id, esc(fontFamily))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Text()))
	fmt.Fprintf(&b, `<defs><pattern id="%s-hatch" width="%d" height="%d" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="%d" height="%d" fill="%s"/><rect width="3" height="%d" fill="%s"/></pattern></defs>`,
		id, hatchPeriod, hatchPeriod, hatchPeriod, hatchPeriod, hex(white), hatchPeriod, hex(hatchInk))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="%s"/>`, d.width, d.height, hex(white))
	for _, it := range d.items {
		switch it.kind {
		case kindText:
			weight := ""
			if it.bold {
				weight = ` font-weight="bold"`
			}
			a := map[anchor]string{anchorStart: "start", anchorMiddle: "middle", anchorEnd: "end"}[it.anchor]
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%g"%s text-anchor="%s" fill="%s" textLength="%.1f" lengthAdjust="spacingAndGlyphs">%s</text>`,
				it.x, it.y, it.size, weight, a, hex(it.fill), f.width(it.text, it.size, it.bold), esc(it.text))
		case kindRect:
			fill := hex(it.fill)
			if it.hatch {
				fill = "url(#" + id + "-hatch)"
			}
			stroke := ""
			if it.strokeW > 0 { // inside the rectangle, as the PNG draws it
				o := float64(it.strokeW) / 2
				stroke = fmt.Sprintf(`<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="%s" stroke-width="%d"/>`,
					float64(it.x)+o, float64(it.y)+o, float64(it.w)-2*o, float64(it.h)-2*o, hex(it.stroke), it.strokeW)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>%s`, it.x, it.y, it.w, it.h, fill, stroke)
		case kindLine:
			dash := ""
			if it.dashed {
				dash = ` stroke-dasharray="4 4"`
			}
			// A line of width w covers the pixels from x to x+w (as in the PNG).
			o := float64(it.strokeW) / 2
			x1, y1, x2, y2 := float64(it.x), float64(it.y), float64(it.x2), float64(it.y2)
			if it.x == it.x2 {
				x1, x2 = x1+o, x2+o
			} else {
				y1, y2 = y1+o, y2+o
			}
			fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%d"%s/>`, x1, y1, x2, y2, hex(it.stroke), it.strokeW, dash)
		}
	}
	b.WriteString(`</svg>`)
	return b.Bytes(), nil
}

// esc escapes text for XML content and attribute values (characters XML cannot hold become
// U+FFFD).
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// safeID keeps a chart id to the characters an XML id and a URL fragment take as they are.
func safeID(s string) string {
	out := []byte{}
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			out = append(out, byte(r))
		} else {
			out = append(out, '-')
		}
	}
	return string(out)
}
