package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// PNG renders the chart for an email (mail clients strip SVG): the SVG's drawing, Width pixels
// wide, on white. Text in scripts the Go fonts lack (Chinese, for one) shows as empty boxes; an
// email shows the figures as text beside the image as well (Text is its alt text).
func (c Chart) PNG() ([]byte, error) {
	f, err := newFaces()
	if err != nil {
		return nil, fmt.Errorf("report: chart %s: %w", c.ID, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	d := c.layout(f)
	img := image.NewRGBA(image.Rect(0, 0, d.width, d.height))
	fill := func(r image.Rectangle, col color.RGBA) {
		draw.Draw(img, r, image.NewUniform(col), image.Point{}, draw.Src)
	}
	fill(img.Bounds(), white)
	for _, it := range d.items {
		switch it.kind {
		case kindRect:
			r := image.Rect(it.x, it.y, it.x+it.w, it.y+it.h)
			fill(r, it.fill)
			if it.hatch {
				hatch(img, r)
			}
			if w := it.strokeW; w > 0 {
				fill(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), it.stroke)
				fill(image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), it.stroke)
				fill(image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), it.stroke)
				fill(image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), it.stroke)
			}
		case kindLine:
			for _, seg := range segments(it) {
				fill(seg, it.stroke)
			}
		case kindText:
			face := f.face(it.size, it.bold)
			x := float64(it.x)
			switch it.anchor {
			case anchorMiddle:
				x -= f.width(it.text, it.size, it.bold) / 2
			case anchorEnd:
				x -= f.width(it.text, it.size, it.bold)
			}
			dr := font.Drawer{Dst: img, Src: image.NewUniform(it.fill), Face: face,
				Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.I(it.y)}}
			dr.DrawString(it.text)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("report: encode chart %s: %w", c.ID, err)
	}
	return b.Bytes(), nil
}

// hatch draws the SVG's pattern: stripes 3 pixels wide every hatchPeriod pixels, at 45°.
func hatch(img *image.RGBA, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ((x+y)%hatchPeriod+hatchPeriod)%hatchPeriod < 3 {
				img.SetRGBA(x, y, hatchInk)
			}
		}
	}
}

// segments are the rectangles a horizontal or vertical line covers: strokeW pixels from its x
// (or y), in 4-pixel dashes if dashed.
func segments(it item) []image.Rectangle {
	w := it.strokeW
	var whole image.Rectangle
	if it.x == it.x2 {
		whole = image.Rect(it.x, min(it.y, it.y2), it.x+w, max(it.y, it.y2))
	} else {
		whole = image.Rect(min(it.x, it.x2), it.y, max(it.x, it.x2), it.y+w)
	}
	if !it.dashed {
		return []image.Rectangle{whole}
	}
	var out []image.Rectangle
	vertical := it.x == it.x2
	for at := 0; ; at += 8 {
		var seg image.Rectangle
		if vertical {
			seg = image.Rect(whole.Min.X, whole.Min.Y+at, whole.Max.X, whole.Min.Y+at+4)
		} else {
			seg = image.Rect(whole.Min.X+at, whole.Min.Y, whole.Min.X+at+4, whole.Max.Y)
		}
		seg = seg.Intersect(whole)
		if seg.Empty() {
			return out
		}
		out = append(out, seg)
	}
}
