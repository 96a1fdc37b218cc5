package mail_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/pairup/pairup/shared/localenv"
)

// sesEndpoint is the SES emulator started for this package's tests; "" with
// -short.
var sesEndpoint string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	svc, err := localenv.StartSES(context.Background(), 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mail tests:", err)
		os.Exit(1)
	}
	sesEndpoint = svc.Endpoint
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

// needSES skips t under -short, where the emulator is not started.
func needSES(t *testing.T) {
	t.Helper()
	if sesEndpoint == "" {
		t.Skip("needs the SES emulator (not started with -short)")
	}
}
