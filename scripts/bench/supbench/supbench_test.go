package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPercentileNearestRank(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ p, want float64 }{{50, 5}, {95, 10}, {99, 10}, {10, 1}, {0, 1}, {100, 10}} {
		if got := percentile(v, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median = %v, want 2", got)
	}
}

func TestReadStampsLeavesTornLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.log")
	os.WriteFile(p, []byte("10 100\n11 250\n12 3"), 0o644)
	st, err := readStamps(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[1] != (stamp{11, 250}) {
		t.Errorf("stamps %v, want two, the last {11 250}", st)
	}
}

func TestFormatGaps(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{0.4, 0.8}, "0.40 0.80"},
		{[]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, "1.00 1.00 1.00 1.00 1.00 1.00 1.00 1.00 (+2)"},
	} {
		if got := formatGaps(tc.in); got != tc.want {
			t.Errorf("formatGaps(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNextDueSkipsFinished(t *testing.T) {
	a := &victim{name: "a", due: 5, lat: []float64{1, 2}}
	b := &victim{name: "b", due: 9}
	c := &victim{name: "c", due: 7}
	if got := nextDue([]*victim{a, b, c}, 2); got != c {
		t.Errorf("next = %s, want c (a has all its kills)", got.name)
	}
	if got := nextDue([]*victim{a, b, c}, 3); got != a {
		t.Errorf("next = %s, want a", got.name)
	}
}
