package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFunctionsExist: every function the stack deploys has its folder under functions/ (what
// the Makefile builds), and every folder there is deployed. (That `make invoke` knows the same
// functions is infra/local/invoke's TestRegistry.)
func TestFunctionsExist(t *testing.T) {
	declared := map[string]bool{}
	for _, f := range Functions {
		declared[f.Name] = true
		if _, err := os.Stat(filepath.Join("..", "functions", f.Name, "main.go")); err != nil {
			t.Errorf("function %s: no functions/%s/main.go", f.Name, f.Name)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join("..", "functions", "*", "main.go"))
	if len(dirs) == 0 {
		t.Fatal("no functions found")
	}
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		if !declared[name] {
			t.Errorf("functions/%s is not deployed by the stack", name)
		}
	}
}
