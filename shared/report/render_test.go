package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

// svgDoc is what the tests read back from a chart's SVG.
type svgDoc struct {
	title, desc string
	texts       []string // the visible texts, in order
	width       string
}

func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root %v", tok.Name)
				}
				for _, a := range tok.Attr {
					if a.Name.Local == "width" {
						doc.width = a.Value
					}
				}
			}
			stack = append(stack, tok.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			switch tok.Name.Local {
			case "title":
				doc.title = text.String()
			case "desc":
				doc.desc = text.String()
			case "text":
				doc.texts = append(doc.texts, text.String())
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	return doc
}

func TestSVG(t *testing.T) {
	rep, err := Build(seeded())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Charts {
		t.Run(c.ID, func(t *testing.T) {
			data, err := c.SVG()
			if err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, data)
			if doc.title != c.Title || doc.desc != c.Text() || doc.width != "600" {
				t.Errorf("title %q desc %q width %q", doc.title, doc.desc, doc.width)
			}
			visible := strings.Join(doc.texts, " ")
			// The title, the axes' names, each bar's count and each word of its label, as text.
			for _, s := range []string{c.Title, c.XLabel, c.YLabel} {
				if !strings.Contains(visible, s) {
					t.Errorf("%q not shown", s)
				}
			}
			for _, b := range c.Bars {
				if !contains(doc.texts, barText(b)) {
					t.Errorf("bar %q: count %q not shown", b.Label, barText(b))
				}
				for _, w := range strings.Fields(b.Label) {
					if !strings.Contains(visible, w) {
						t.Errorf("bar %q: %q not shown", b.Label, w)
					}
				}
			}
			writeArtefact(t, c.ID+".svg", data)
		})
	}
}

func TestSVGEscapes(t *testing.T) {
	c := Chart{ID: "x\"><script>", Title: `<script>alert("t")</script> & co`, XLabel: "a<b", YLabel: "'quoted'",
		Bars: []Bar{{Label: `</text><script>alert(1)</script>`, Count: 3}, {Label: "陳大文 & 李小明", Count: 1}}}
	data, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("<script")) {
		t.Fatalf("markup from a label reached the SVG:\n%s", data)
	}
	doc := parseSVG(t, data)
	if doc.title != c.Title || !strings.Contains(strings.Join(doc.texts, " "), "陳大文 & 李小明") {
		t.Errorf("title %q texts %q", doc.title, doc.texts)
	}
}

func TestPNG(t *testing.T) {
	rep, err := Build(seeded())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Charts {
		t.Run(c.ID, func(t *testing.T) {
			data, err := c.PNG()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			f, err := newFaces()
			if err != nil {
				t.Fatal(err)
			}
			d := c.layout(f)
			if b := img.Bounds(); b.Dx() != Width || b.Dx() > 600 || b.Dy() != d.height {
				t.Errorf("%v, want %d×%d", b, Width, d.height)
			}
			// Each bar is drawn where the layout put it, in the bar colour (the count's part)
			// or hatched (the invited part).
			bars := 0
			for _, it := range d.items {
				if it.kind != kindRect {
					continue
				}
				bars++
				if it.hatch { // the right end, past the count's part, inside the outline
					if !hasColour(img, image.Rect(it.x+it.w-12, it.y+4, it.x+it.w-4, it.y+it.h-4), hatchInk) {
						t.Errorf("bar at %d,%d is not hatched at its end", it.x, it.y)
					}
					continue
				}
				if at := colourAt(img, it.x+it.w/2, it.y+it.h/2); at != it.fill {
					t.Errorf("bar at %d,%d is %v, want %v", it.x, it.y, at, it.fill)
				}
			}
			nonZero := 0
			for _, b := range c.Bars {
				if b.Count > 0 {
					nonZero++
				}
				if b.Of > 0 {
					nonZero++
				}
			}
			if bars != nonZero {
				t.Errorf("%d bars drawn, want %d", bars, nonZero)
			}
			// Text is drawn: the title's first line has ink in it.
			if !hasInk(img, image.Rect(pad, pad, Width-pad, pad+titleSize+8)) {
				t.Error("no title drawn")
			}
			again, err := c.PNG()
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("a second rendering differs (err %v)", err)
			}
			writeArtefact(t, c.ID+".png", data)
		})
	}
}

func TestRenderRefusesNegativeCounts(t *testing.T) {
	c := Chart{ID: "bad", Title: "Bad", Bars: []Bar{{Label: "x", Count: -1}}}
	if _, err := c.SVG(); pairup.ErrorCode(err) != pairup.EINVALID {
		t.Errorf("SVG: %v", err)
	}
	if _, err := c.PNG(); pairup.ErrorCode(err) != pairup.EINVALID {
		t.Errorf("PNG: %v", err)
	}
}

func TestEmptyChart(t *testing.T) {
	c := Chart{ID: "empty", Title: "Nothing yet", XLabel: "People", YLabel: "Survey"}
	data, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if doc := parseSVG(t, data); !contains(doc.texts, "Nothing to show yet.") {
		t.Errorf("texts %q", doc.texts)
	}
	if _, err := c.PNG(); err != nil {
		t.Error(err)
	}
}

func TestWrap(t *testing.T) {
	f, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		s     string
		max   float64
		limit int
		want  []string
	}{
		{"Fits", "Social media", 300, 3, []string{"Social media"}},
		{"AtSpaces", "Wider awareness of the profession", 200, 3, []string{"Wider awareness of the", "profession"}},
		{"LongWord", "Supercalifragilisticexpialidocious", 120, 0, nil},
		{"Chinese", "香港圖書館協會導師計劃參加者", 100, 0, nil},
		{"Limited", "one two three four five six seven eight nine ten", 60, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.wrap(tc.s, labelSize, false, tc.max, tc.limit)
			for _, l := range got {
				if w := f.width(l, labelSize, false); w > tc.max {
					t.Errorf("line %q is %.0f wide, over %.0f", l, w, tc.max)
				}
			}
			switch {
			case tc.want != nil:
				if strings.Join(got, "|") != strings.Join(tc.want, "|") {
					t.Errorf("%q, want %q", got, tc.want)
				}
			case tc.limit > 0:
				if len(got) != tc.limit || !strings.HasSuffix(got[len(got)-1], "…") {
					t.Errorf("%q: want %d lines, the last ending in …", got, tc.limit)
				}
			default:
				if len(got) < 2 || strings.Join(got, "") != tc.s {
					t.Errorf("%q does not break %q into lines", got, tc.s)
				}
			}
		})
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct{ top, step, end int }{
		{0, 1, 1}, {1, 1, 1}, {5, 1, 5}, {6, 2, 6}, {9, 2, 10}, {11, 5, 15}, {26, 10, 30}, {862, 200, 1000},
	} {
		if step, end := ticks(tc.top); step != tc.step || end != tc.end {
			t.Errorf("ticks(%d) = %d, %d; want %d, %d", tc.top, step, end, tc.step, tc.end)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func colourAt(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func hasColour(img image.Image, r image.Rectangle, want color.RGBA) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if colourAt(img, x, y) == want {
				return true
			}
		}
	}
	return false
}

func hasInk(img image.Image, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := colourAt(img, x, y); c.R < 0x80 {
				return true
			}
		}
	}
	return false
}

// writeArtefact keeps a rendering for a person to look at, when PAIRUP_TEST_ARTEFACTS names a
// directory.
func writeArtefact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("PAIRUP_TEST_ARTEFACTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(filepath.Join(dir, "report"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
