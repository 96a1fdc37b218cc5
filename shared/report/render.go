package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/width"
)

// Width is the width of every chart, in pixels: a phone shows it whole.
const Width = 600

// Sizes and spacing, in pixels. Text is large because a phone shows a 600-pixel image at about
// 60% of its size.
const (
	pad         = 16
	titleSize   = 24
	noteSize    = 17
	axisSize    = 17 // the axis names
	labelSize   = 18 // the category labels
	countSize   = 18
	tickSize    = 15
	lineGap     = 1.3 // line height, in font sizes
	barHeight   = 26
	rowMin      = 38
	labelShare  = 0.42 // of the plot width, at most, for the category labels
	labelLines  = 3    // lines of a category label, at most
	maxTicks    = 5
	hatchPeriod = 8
)

// The palette. Colour carries no meaning on its own: every bar has its label and its count in
// text beside it, and the invited part of a response bar is hatched as well as lighter.
var (
	ink      = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	softInk  = color.RGBA{0x40, 0x40, 0x40, 0xff}
	barFill  = color.RGBA{0x1b, 0x4f, 0x72, 0xff} // 8.9:1 against white
	hatchInk = color.RGBA{0x8d, 0xa9, 0xc0, 0xff}
	gridInk  = color.RGBA{0xd4, 0xd4, 0xd4, 0xff}
	white    = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// fontFamily is what the SVG asks browsers for. The layout measures text with the Go fonts, and
// the SVG holds each text to the measured length (textLength), so a browser's wider or
// narrower font still fits where the layout put it.
const fontFamily = "Go, 'Helvetica Neue', Helvetica, Arial, sans-serif"

// The Go fonts (BSD licence, about 130 KB each) are the PNG's text, and the measure of both
// renderings. They cover Latin, Greek and Cyrillic; other scripts show in the PNG as empty
// boxes (the SVG, drawn by the browser, shows them).
var parsedFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return [2]*opentype.Font{}, fmt.Errorf("parse Go Regular: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return [2]*opentype.Font{}, fmt.Errorf("parse Go Bold: %w", err)
	}
	return [2]*opentype.Font{regular, bold}, nil
})

// faces hands out font faces by size and weight for one rendering (a face is not safe for
// concurrent use; a rendering is one goroutine's).
type faces struct {
	fonts [2]*opentype.Font
	made  map[[2]int]font.Face
	buf   sfnt.Buffer
}

func newFaces() (*faces, error) {
	f, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	return &faces{fonts: f, made: map[[2]int]font.Face{}}, nil
}

func (f *faces) face(size float64, bold bool) font.Face {
	key := [2]int{int(size * 10), 0}
	if bold {
		key[1] = 1
	}
	if fc, ok := f.made[key]; ok {
		return fc
	}
	fc, err := opentype.NewFace(f.fonts[key[1]], &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil { // x/image's NewFace does not fail today; should it, text is still drawn
		fc = basicfont.Face7x13
	}
	f.made[key] = fc
	return fc
}

// width is how wide s sets. A character the Go fonts lack is measured as a browser's font would
// set it (a wide East Asian character 1 em, any other 0.6 em), not as the font's empty box.
func (f *faces) width(s string, size float64, bold bool) float64 {
	face := f.face(size, bold)
	w := float64(font.MeasureString(face, s)) / 64
	fnt := f.fonts[0]
	if bold {
		fnt = f.fonts[1]
	}
	for _, r := range s {
		if i, err := fnt.GlyphIndex(&f.buf, r); err == nil && i != 0 {
			continue
		}
		box, _ := face.GlyphAdvance(r)
		est := 0.6 * size
		if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
			est = size
		}
		w += est - float64(box)/64
	}
	return w
}

// wrap breaks s into lines no wider than max, at spaces; a word wider than a line (or text
// without spaces, such as Chinese) breaks between characters. At most limit lines (0: no
// limit); the last line kept ends in "…" when text was left out.
func (f *faces) wrap(s string, size float64, bold bool, max float64, limit int) []string {
	var lines []string
	line := ""
	fits := func(t string) bool { return f.width(t, size, bold) <= max }
	for _, word := range strings.Fields(s) {
		candidate := word
		if line != "" {
			candidate = line + " " + word
		}
		if fits(candidate) {
			line = candidate
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for !fits(word) { // break the word itself
			cut := 0
			for i := range word {
				if i > 0 && !fits(word[:i]) {
					break
				}
				cut = i
			}
			if cut == 0 { // not even one character fits: take one anyway
				_, cut = utf8.DecodeRuneInString(word)
			}
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	if limit > 0 && len(lines) > limit {
		last := lines[limit-1]
		for last != "" && !fits(last+"…") {
			_, n := utf8.DecodeLastRuneInString(last)
			last = strings.TrimRight(last[:len(last)-n], " ")
		}
		lines = append(lines[:limit-1], last+"…")
	}
	return lines
}

// A drawing is a chart laid out: what to draw, in order, in pixels. The SVG and the PNG draw the
// same drawing, so they agree.
type drawing struct {
	width, height int
	items         []item
}

type anchor int

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

// item is a text, a rectangle or a line (x1,y1 to x2,y2, horizontal or vertical).
type item struct {
	kind       itemKind
	x, y, w, h int // a rectangle; a text's x and baseline y
	x2, y2     int // a line's end
	text       string
	size       float64
	bold       bool
	anchor     anchor
	fill       color.RGBA
	stroke     color.RGBA // a rectangle's outline (if strokeW > 0) or a line's colour
	strokeW    int
	hatch      bool // a rectangle filled with diagonal hatching in hatchInk
	dashed     bool
}

type itemKind int

const (
	kindText itemKind = iota
	kindRect
	kindLine
)

// barText is what a bar says beside it: its count, or "3 of 8 (38%)".
func barText(b Bar) string {
	if b.Of > 0 {
		return fmt.Sprintf("%s of %s (%s)", count(b.Count), count(b.Of), percent(b.Count, b.Of))
	}
	return count(b.Count)
}

// layout places a chart's title, note, axes, bars and texts.
func (c Chart) layout(f *faces) drawing {
	d := drawing{width: Width}
	text := func(x, y int, s string, size float64, bold bool, a anchor, col color.RGBA) {
		d.items = append(d.items, item{kind: kindText, x: x, y: y, text: s, size: size, bold: bold, anchor: a, fill: col})
	}
	line := func(x1, y1, x2, y2 int, col color.RGBA, w int, dashed bool) {
		d.items = append(d.items, item{kind: kindLine, x: x1, y: y1, x2: x2, y2: y2, stroke: col, strokeW: w, dashed: dashed})
	}
	inner := float64(Width - 2*pad)
	y := pad
	paragraph := func(s string, size float64, bold bool, col color.RGBA) {
		for _, l := range f.wrap(s, size, bold, inner, 0) {
			y += int(math.Round(size * lineGap))
			text(pad, y, l, size, bold, anchorStart, col)
		}
	}
	paragraph(c.Title, titleSize, true, ink)
	if c.Note != "" {
		y += 4
		paragraph(c.Note, noteSize, false, softInk)
	}
	y += 14
	paragraph(c.YLabel, axisSize, true, ink)
	y += 8

	// Columns: the labels, the bars, and room for the longest count beside a full bar.
	labels := make([][]string, len(c.Bars))
	labelW, countW, top := 0.0, 0.0, 1
	for i, b := range c.Bars {
		labels[i] = f.wrap(b.Label, labelSize, false, inner*labelShare, labelLines)
		for _, l := range labels[i] {
			labelW = max(labelW, f.width(l, labelSize, false))
		}
		countW = max(countW, f.width(barText(b), countSize, true))
		top = max(top, b.Count, b.Of)
	}
	x0 := pad + int(math.Ceil(labelW)) + 10
	x1 := Width - pad - int(math.Ceil(countW)) - 8
	step, axisMax := ticks(top)
	scale := func(v int) int { return int(math.Round(float64(v) * float64(x1-x0) / float64(axisMax))) }

	rowsTop := y
	if len(c.Bars) == 0 {
		y += rowMin
		text(x0+8, y-12, "Nothing to show yet.", labelSize, false, anchorStart, softInk)
	}
	for i, b := range c.Bars {
		lineH := int(math.Round(labelSize * lineGap))
		rowH := max(rowMin, len(labels[i])*lineH+12)
		mid := y + rowH/2
		// The label, right-aligned against the axis, its lines centred on the bar.
		first := mid - (len(labels[i])*lineH)/2 + int(math.Round(labelSize*0.95))
		for j, l := range labels[i] {
			text(x0-10, first+j*lineH, l, labelSize, false, anchorEnd, ink)
		}
		barTop := mid - barHeight/2
		end := x0 + scale(b.Count)
		if b.Of > 0 {
			d.items = append(d.items, item{kind: kindRect, x: x0, y: barTop, w: scale(b.Of), h: barHeight,
				fill: white, hatch: true, stroke: barFill, strokeW: 2})
			end = x0 + scale(b.Of)
		}
		if w := scale(b.Count); w > 0 {
			d.items = append(d.items, item{kind: kindRect, x: x0, y: barTop, w: w, h: barHeight, fill: barFill})
		}
		text(end+8, mid+int(math.Round(countSize*0.35)), barText(b), countSize, true, anchorStart, ink)
		y += rowH
	}
	rowsBottom := y
	// The count axis: gridlines behind the bars (drawn first), ticks and their values below.
	var grid []item
	for v := 0; v <= axisMax; v += step {
		x := x0 + scale(v)
		if v > 0 {
			grid = append(grid, item{kind: kindLine, x: x, y: rowsTop, x2: x, y2: rowsBottom, stroke: gridInk, strokeW: 1, dashed: true})
		}
		line(x, rowsBottom, x, rowsBottom+6, ink, 1, false)
		text(x, rowsBottom+8+tickSize, count(v), tickSize, false, anchorMiddle, softInk)
	}
	d.items = append(grid, d.items...)
	line(x0, rowsTop, x0, rowsBottom, ink, 2, false)    // the category axis
	line(x0, rowsBottom, x1, rowsBottom, ink, 2, false) // the count axis
	y = rowsBottom + 8 + tickSize + 10
	for _, l := range f.wrap(c.XLabel, axisSize, true, inner, 0) {
		y += int(math.Round(axisSize * lineGap))
		text((x0+x1)/2, y, l, axisSize, true, anchorMiddle, ink)
	}
	d.height = y + pad
	return d
}

// ticks picks the count axis' step (1, 2 or 5 times a power of ten) and its end, so that at
// most maxTicks steps cover top.
func ticks(top int) (step, end int) {
	step = 1
	for mult := 0; ; mult++ {
		for _, m := range []int{1, 2, 5} {
			step = m * int(math.Pow10(mult))
			if (top+step-1)/step <= maxTicks {
				return step, max(1, (top+step-1)/step) * step
			}
		}
	}
}

// Text is the chart as plain text, for an image's alt text and a screen reader: the title, the
// note, then each bar's label and count.
func (c Chart) Text() string {
	var b strings.Builder
	b.WriteString(c.Title)
	b.WriteString(". ")
	if c.Note != "" {
		b.WriteString(c.Note)
		b.WriteString(" ")
	}
	for i, bar := range c.Bars {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(bar.Label)
		b.WriteString(": ")
		b.WriteString(barText(bar))
	}
	if len(c.Bars) > 0 {
		b.WriteString(".")
	}
	return strings.TrimSpace(b.String())
}
