package matchrun_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/pairup/pairup/shared/localenv"
)

// ddbEndpoint is DynamoDB Local, shared by every test and benchmark of the package (each gets
// its own table).
var ddbEndpoint string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("matchrun: integration tests skipped under -short (they need DynamoDB Local)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ddb, err := localenv.StartDynamoDB(context.Background(), 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "matchrun tests:", err)
		return 1
	}
	defer ddb.Stop()
	ddbEndpoint = ddb.Endpoint
	return m.Run()
}
