package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pairup/pairup/shared/app"
)

// TestFunctionsExist: every function the stack deploys has its folder under functions/ (what
// the Makefile builds) and an entry in app.Functions (what make invoke runs), and vice versa.
func TestFunctionsExist(t *testing.T) {
	declared := map[string]bool{}
	for _, f := range Functions {
		declared[f.Name] = true
		if _, err := os.Stat(filepath.Join("..", "functions", f.Name, "main.go")); err != nil {
			t.Errorf("function %s: no functions/%s/main.go", f.Name, f.Name)
		}
		if _, ok := app.Functions[f.Name]; !ok {
			t.Errorf("function %s: not in app.Functions", f.Name)
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
