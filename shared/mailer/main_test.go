package mailer_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/pairup/pairup/shared/localenv"
)

// The local services every test in this package shares: the SES emulator (sesEndpoint) and
// DynamoDB Local (ddbEndpoint); each test gets its own table.
var sesEndpoint, ddbEndpoint string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("mailer: integration tests skipped under -short (they need DynamoDB Local and the SES emulator)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	ses, err := localenv.StartSES(ctx, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mailer tests:", err)
		return 1
	}
	defer ses.Stop()
	ddb, err := localenv.StartDynamoDB(ctx, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mailer tests:", err)
		return 1
	}
	defer ddb.Stop()
	sesEndpoint, ddbEndpoint = ses.Endpoint, ddb.Endpoint
	return m.Run()
}
