//go:build !windows

package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
)

// targetKind says what a target bounds: websocketd's figure itself, or its
// ratio to the ceiling's.
type targetKind int

const (
	noTarget targetKind = iota
	ratioAtLeast
	ratioAtMost
	atLeast
	atMost
)

type target struct {
	kind  targetKind
	value float64
}

func (t target) String() string {
	v := strconv.FormatFloat(t.value, 'f', -1, 64)
	switch t.kind {
	case ratioAtLeast:
		return "ratio >= " + v
	case ratioAtMost:
		return "ratio <= " + v
	case atLeast:
		return ">= " + v
	case atMost:
		return "<= " + v
	}
	return ""
}

func (t target) isRatio() bool { return t.kind == ratioAtLeast || t.kind == ratioAtMost }

func (t target) met(ours, ratio float64) bool {
	switch t.kind {
	case ratioAtLeast:
		return ratio >= t.value
	case ratioAtMost:
		return ratio <= t.value
	case atLeast:
		return ours >= t.value
	case atMost:
		return ours <= t.value
	}
	return true
}

// row is one line of the report. Every round's figure is kept; the best
// round of each side is what the ratio and the target judge.
type row struct {
	Name        string    `json:"name"`
	Unit        string    `json:"unit"`
	Ours        []float64 `json:"websocketd"`
	Ceiling     []float64 `json:"ceiling"`
	BestOurs    float64   `json:"best_websocketd"`
	BestCeiling float64   `json:"best_ceiling"`
	Ratio       float64   `json:"ratio"` // best websocketd / best ceiling
	Target      string    `json:"target,omitempty"`
	Met         *bool     `json:"met,omitempty"`
	Errors      []string  `json:"errors,omitempty"`
}

func (f figure) row(name string, ours, ceiling []measurement, errs []error) row {
	r := row{Name: name, Unit: f.unit, Target: f.target.String()}
	for _, m := range ours {
		r.Ours = append(r.Ours, f.get(m))
	}
	for _, m := range ceiling {
		r.Ceiling = append(r.Ceiling, f.get(m))
	}
	for _, err := range errs {
		r.Errors = append(r.Errors, err.Error())
	}
	r.BestOurs, r.BestCeiling = f.best(r.Ours), f.best(r.Ceiling)
	if r.BestCeiling != 0 {
		r.Ratio = r.BestOurs / r.BestCeiling
	}
	if f.target.kind != noTarget && len(r.Ours) > 0 && (r.BestCeiling != 0 || !f.target.isRatio()) {
		met := f.target.met(r.BestOurs, r.Ratio)
		r.Met = &met
	}
	return r
}

// best is the highest figure, or the lowest where lower is better; 0 when
// no round succeeded.
func (f figure) best(figures []float64) float64 {
	switch {
	case len(figures) == 0:
		return 0
	case f.lowerIsBetter:
		return slices.Min(figures)
	}
	return slices.Max(figures)
}

// report is the whole run.
type report struct {
	Machine machine `json:"machine"`
	Rounds  int     `json:"rounds"`
	// NaiveRounds is in how many of the rounds the naive ceiling ran.
	NaiveRounds int   `json:"naive_rounds"`
	Rows        []row `json:"rows"`
	// Skipped notes the benchmarks that could not run here, and why.
	Skipped []string `json:"skipped,omitempty"`
}

// failed reports whether any run failed (a missed target is not a
// failure of the benchmark, it is its finding).
func (r *report) failed() bool {
	for _, row := range r.Rows {
		if len(row.Errors) > 0 {
			return true
		}
	}
	return false
}

func (r *report) writeTable(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "machine: %d CPUs, %s, %s, Linux %s\n", m.CPUs, m.CPUModel, m.GoVersion, m.Kernel)
	fmt.Fprintf(w, "pinned: %s; best of %d rounds, websocketd and ceiling interleaved", m.Pinned, r.Rounds)
	fmt.Fprintf(w, " (the naive ceiling in %d of them)\n\n", r.NaiveRounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tunit\twebsocketd\tceiling\tratio\ttarget\t\t")
	for _, row := range r.Rows {
		result := ""
		switch {
		case len(row.Errors) > 0:
			result = fmt.Sprintf("%d runs FAILED", len(row.Errors))
		case row.Met != nil && *row.Met:
			result = "met"
		case row.Met != nil:
			result = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t\n", row.Name, row.Unit,
			formatFigure(row.BestOurs), formatFigure(row.BestCeiling), row.Ratio, row.Target, result)
	}
	tw.Flush()
	for _, note := range r.Skipped {
		fmt.Fprintf(w, "\n%s", note)
	}
	for _, row := range r.Rows {
		for _, err := range row.Errors {
			fmt.Fprintf(w, "\n%s: %s", row.Name, err)
		}
	}
}

// formatFigure prints big figures whole, with thousands separated, and
// small ones with one decimal.
func formatFigure(v float64) string {
	if v < 1000 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	digits := strconv.FormatFloat(v, 'f', 0, 64)
	var out []byte
	for i, d := range []byte(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, d)
	}
	return string(out)
}
