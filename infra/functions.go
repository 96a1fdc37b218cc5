package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/web"
)

// Function declares one Lambda function and everything wired to it: its HTTP
// routes, its schedules, its subscription to SES events and the exact
// permissions it gets. Adding a function to pairup is adding one Function to
// [Functions]; the stack derives the role, log group, alarms, routes,
// schedules, dead-letter handling and environment from it.
//
// The code comes from <assetDir>/<Name>/bootstrap, built from
// functions/<Name> by the Makefile.
type Function struct {
	// Name is the folder under functions/ and bin/: lower case, digits and
	// dashes ("signup", "match-run").
	Name string
	// Description is shown in the Lambda console.
	Description string
	// MemoryMB is the memory size; on arm64 CPU share grows with it.
	MemoryMB int
	// Timeout bounds one invocation. HTTP functions must stay under the
	// HTTP API's 30 s integration limit.
	Timeout time.Duration
	// ReservedConcurrency caps concurrent executions (and reserves them).
	// Zero leaves the function unreserved; match-run uses 1 so two runs can
	// never overlap.
	ReservedConcurrency int

	// Routes are HTTP API routes served by the function, e.g.
	// "GET /p/{programme}/signup". Payload format 2.0.
	Routes []string
	// Schedules are EventBridge Scheduler schedules that invoke the function
	// asynchronously. A function with schedules also gets an on-failure
	// destination (the stack's dead-letter queue) for its async invocations.
	Schedules []Schedule
	// SESEvents subscribes the function to the SNS topic that receives the
	// configuration set's bounce and complaint events.
	SESEvents bool

	// TableActions are the DynamoDB actions allowed on the table. If the list
	// contains dynamodb:Query, Query is also allowed on the GSI1 index.
	// Empty means no table access and no PAIRUP_TABLE variable.
	TableActions []string
	// SendEmail allows ses:SendEmail on the sender identity and the
	// configuration set, and sets PAIRUP_MAIL_FROM and
	// PAIRUP_SES_CONFIGURATION_SET.
	SendEmail bool
	// LinkKey allows reading the link-signing secret and sets
	// PAIRUP_LINK_KEY_SECRET to its ARN.
	LinkKey bool
}

// Schedule is one EventBridge Scheduler schedule for a [Function].
type Schedule struct {
	// ID names the schedule inside the stack ("Tick", "CloseRounds").
	ID string
	// ContextKey is the CDK context key (and PAIRUP_… environment variable)
	// that overrides the expression, e.g. "tickSchedule". The value "off"
	// deploys the schedule disabled.
	ContextKey string
	// Expression is the default: "rate(5 minutes)", "cron(0 6 * * ? *)".
	Expression string
	// Input is the JSON event the function receives; empty means "{}".
	Input string
}

// Table action sets. IAM has no TransactWriteItems action: a transaction is
// authorised item by item through PutItem, UpdateItem, DeleteItem and
// ConditionCheckItem, so those are what a transactional writer needs.
var (
	// storeReadWrite is what shared/store uses: GetItem, Query (table and
	// GSI1), PutItem, UpdateItem, DeleteItem, and TransactWriteItems with
	// condition checks.
	storeReadWrite = []string{
		"dynamodb:ConditionCheckItem",
		"dynamodb:DeleteItem",
		"dynamodb:GetItem",
		"dynamodb:PutItem",
		"dynamodb:Query",
		"dynamodb:UpdateItem",
	}
)

// Functions is pairup's function list. One entry per function; see
// [Function]. Entries for functions that have not landed yet are kept below
// as comments, ready to uncomment when functions/<name> exists.
var Functions = []Function{
	{
		Name:        "signup",
		Description: "Hosted signup forms, double opt-in confirmation, unsubscribe",
		// 256 MB: the Go binary and templates fit in 128 MB, but CPU share is
		// proportional to memory, and 256 MB roughly halves cold-start and
		// TLS-handshake time (DynamoDB, SES, Secrets Manager) for a
		// negligible cost at signup volumes.
		MemoryMB: 256,
		// 10 s: a request is a few DynamoDB calls and one SES send (well
		// under a second); the margin covers SDK retries with backoff and
		// stays far below the HTTP API's 30 s limit.
		Timeout:      10 * time.Second,
		Routes:       web.Routes,
		TableActions: storeReadWrite,
		SendEmail:    true,
		LinkKey:      true,
	},

	// Future functions: one entry each. (stack_test.go builds the stack with
	// a scheduled "tick" and an SES-events "bounces" entry, so these paths
	// are proven before the functions land.)
	//
	// {
	// 	Name:                "match-run",
	// 	Description:         "Matches a round when its signup closes; coordinators also invoke it (dry run, commit)",
	// 	MemoryMB:            1024,
	// 	Timeout:             5 * time.Minute,
	// 	ReservedConcurrency: 1,
	// 	Schedules: []Schedule{{
	// 		ID: "MatchRun", ContextKey: "matchRunSchedule",
	// 		Expression: "cron(0 * * * ? *)", Input: `{"action":"scheduled"}`,
	// 	}},
	// 	TableActions: storeReadWrite,
	// 	SendEmail:    true,
	// 	LinkKey:      true,
	// },
	// {
	// 	Name:        "round-close",
	// 	Description: "Closes rounds at their end date; sends end-of-round mail",
	// 	MemoryMB:    512,
	// 	Timeout:     5 * time.Minute,
	// 	ReservedConcurrency: 1,
	// 	Schedules: []Schedule{{
	// 		ID: "RoundClose", ContextKey: "roundCloseSchedule",
	// 		Expression: "cron(0 6 * * ? *)",
	// 	}},
	// 	TableActions: storeReadWrite,
	// 	SendEmail:    true,
	// 	LinkKey:      true,
	// },
	// {
	// 	Name:         "survey",
	// 	Description:  "Hosted survey forms reached by signed links",
	// 	MemoryMB:     256,
	// 	Timeout:      10 * time.Second,
	// 	Routes:       []string{"GET /s/{survey}", "POST /s/{survey}"},
	// 	TableActions: storeReadWrite,
	// 	LinkKey:      true,
	// },
	// {
	// 	Name:         "bounces",
	// 	Description:  "Suppresses addresses that bounce or complain",
	// 	MemoryMB:     128,
	// 	Timeout:      30 * time.Second,
	// 	SESEvents:    true,
	// 	TableActions: storeReadWrite,
	// },
}

var (
	functionName = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	routeMethod  = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}
	routePath    = regexp.MustCompile(`^/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})?(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))*$`)
	constructID  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
)

// validateFunctions reports the first problem in a function list: bad or
// duplicate names, routes claimed twice, malformed routes or schedules,
// limits out of range.
func validateFunctions(fns []Function) error {
	names := map[string]bool{}
	routes := map[string]string{}
	schedules := map[string]bool{}
	for _, f := range fns {
		if !functionName.MatchString(f.Name) {
			return fmt.Errorf("function %q: name must be lower case letters, digits and dashes", f.Name)
		}
		if names[f.Name] {
			return fmt.Errorf("function %q: declared twice", f.Name)
		}
		names[f.Name] = true
		if f.MemoryMB < 128 || f.MemoryMB > 10240 {
			return fmt.Errorf("function %q: MemoryMB %d not in 128..10240", f.Name, f.MemoryMB)
		}
		if f.Timeout < time.Second || f.Timeout > 15*time.Minute || f.Timeout%time.Second != 0 {
			return fmt.Errorf("function %q: Timeout %v must be whole seconds in 1s..15m", f.Name, f.Timeout)
		}
		if len(f.Routes) > 0 && f.Timeout > 30*time.Second {
			return fmt.Errorf("function %q: HTTP functions must time out within the HTTP API's 30s", f.Name)
		}
		if f.ReservedConcurrency < 0 {
			return fmt.Errorf("function %q: ReservedConcurrency %d is negative", f.Name, f.ReservedConcurrency)
		}
		for _, r := range f.Routes {
			method, path, err := parseRoute(r)
			if err != nil {
				return fmt.Errorf("function %q: %w", f.Name, err)
			}
			key := method + " " + path
			if other, ok := routes[key]; ok {
				return fmt.Errorf("function %q: route %q already served by %q", f.Name, key, other)
			}
			routes[key] = f.Name
		}
		for _, s := range f.Schedules {
			if !constructID.MatchString(s.ID) {
				return fmt.Errorf("function %q: schedule ID %q must be PascalCase", f.Name, s.ID)
			}
			if schedules[s.ID] {
				return fmt.Errorf("function %q: schedule ID %q declared twice", f.Name, s.ID)
			}
			schedules[s.ID] = true
			if s.ContextKey == "" {
				return fmt.Errorf("function %q: schedule %q needs a ContextKey", f.Name, s.ID)
			}
			if s.Expression == scheduleOff {
				return fmt.Errorf("function %q: schedule %q: the default Expression must be a real expression (use the context key to turn it off)", f.Name, s.ID)
			}
			if err := validateScheduleExpression(s.Expression); err != nil {
				return fmt.Errorf("function %q: schedule %q: %w", f.Name, s.ID, err)
			}
		}
		for _, a := range f.TableActions {
			if !strings.HasPrefix(a, "dynamodb:") || strings.Contains(a, "*") {
				return fmt.Errorf("function %q: table action %q must be an explicit dynamodb: action", f.Name, a)
			}
		}
	}
	return nil
}

// parseRoute splits "GET /p/{programme}/signup" into method and path.
func parseRoute(r string) (method, path string, err error) {
	method, path, ok := strings.Cut(r, " ")
	if !ok || !routeMethod[method] || !routePath.MatchString(path) {
		return "", "", fmt.Errorf("route %q: want \"METHOD /path\" with METHOD one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY", r)
	}
	return method, path, nil
}

// validateScheduleExpression accepts the three EventBridge Scheduler forms:
// rate(...), cron(...) and at(...), or "off".
func validateScheduleExpression(e string) error {
	if e == scheduleOff {
		return nil
	}
	for _, p := range []string{"rate(", "cron(", "at("} {
		if strings.HasPrefix(e, p) && strings.HasSuffix(e, ")") && len(e) > len(p)+1 {
			return nil
		}
	}
	return fmt.Errorf("expression %q: want rate(...), cron(...), at(...) or %q", e, scheduleOff)
}

// scheduleOff as a schedule expression deploys the schedule disabled.
const scheduleOff = "off"

// pascal turns "match-run" into "MatchRun" for construct IDs.
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
