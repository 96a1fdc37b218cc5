// Package report computes a round's report for its coordinators: the statistics table (the
// reference paper's Figure 4), the charts (satisfaction, Figure 5; how participants heard of
// the programme, Figure 6; the impact of taking part, Figure 7; survey responses against
// invitations; participants by country), the statistics across a programme's rounds, and the
// CSV exports of registrations, pairs and survey responses. It computes from data the caller
// reads (Input) and imports nothing of AWS; delivering the report (the email, the console
// event) is the caller's.
//
// # Figures
//
// The statistics are pairup.RoundStats, the one formula package roundclose freezes on a round
// when it closes (pairup.RoundRecord.Stats). A closed round reports its frozen statistics as
// they are, marked final; a round in progress computes them as of Input.At, marked as changing.
// The survey charts count the answers of one survey each, so nobody counts twice: the
// end-of-round survey's if anyone answered the question there, else the mid-round survey's
// (the mentee report, which only mentees answer and must, is left out), with the programme's
// own labels; each chart's note says which survey and how many answered. Participants by
// country are the people the committed matching paired (the members of pairs that replace no
// other), so they add up to the table's participants matched and countries.
//
// # Charts: small drawings of our own, not gonum/plot
//
// Every chart is a horizontal bar chart: labels wrap beside their bars, which reads at a
// phone's width, and each bar carries its count as text (a response bar "4 of 9 (44%)", its
// invited part hatched), so colour never carries meaning alone. One layout (in pixels,
// measured with the Go fonts) is drawn twice: as SVG for pages, written directly (every text
// escaped, held to its measured length so any browser font fits), and as PNG for email (mail
// clients strip SVG), rasterised with image/draw and golang.org/x/image's font drawer, 600
// pixels wide.
//
// gonum.org/v1/plot renders both formats too, but it links a PDF writer, a LaTeX typesetter,
// a second rasteriser and the whole Liberation font family. Measured on the round-close
// function (linux/arm64, -s -w, zipped as make build zips it): 6.19 MB before this package;
// 6.56 MB with it (binary 18.1 → 19.1 MB); 9.71 MB with gonum/plot added as well — a hair
// under Lambda's 10 MB for a direct upload. Bar charts need none of its generality: a few
// hundred lines here draw exactly what the issue asks, identically in both formats, and the
// tests can check every bar where the layout put it.
//
// The Go fonts cover Latin, Greek and Cyrillic; in the PNG, text in other scripts (a programme's
// Chinese labels) shows as empty boxes, while the SVG, drawn by the browser, shows it. Chart.Text
// is each chart in words, for alt text beside the image.
//
// # Exports
//
// The CSV files are written by package sheet (UTF-8 with a byte-order mark, formula-like cells
// neutralised). Nothing of an erased person is exported: their registration is left out, and
// where a pair or a response names them, "(erased)" stands for the name (the ids stay, as they
// do in the store).
package report
