package main

import (
	"os"
	"slices"
	"sort"
	"testing"
)

// TestRegistry checks that make invoke knows exactly the functions under functions/.
func TestRegistry(t *testing.T) {
	entries, err := os.ReadDir("../../../functions")
	if err != nil {
		t.Fatal(err)
	}
	var dirs, known []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	for n := range functions {
		known = append(known, n)
	}
	sort.Strings(dirs)
	sort.Strings(known)
	if !slices.Equal(dirs, known) {
		t.Errorf("functions/ holds %v; make invoke knows %v", dirs, known)
	}
}
