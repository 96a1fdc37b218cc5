package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/signupweb"
	"github.com/pairup/pairup/shared/surveyweb"
)

// Function declares one Lambda function and everything wired to it: its HTTP
// routes, its schedules, its subscriptions (SES events, the table stream),
// its log-based alarms and the exact permissions it gets. Adding a function to pairup is adding one Function to
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
	// TableStream, if set, feeds the function from the table's DynamoDB
	// Stream (new images) through an event source mapping; see
	// [StreamSource]. The function may read the stream and nothing else of it.
	TableStream *StreamSource

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

	// Env holds extra plain environment variables: non-secret settings
	// fixed in this file. Names are PAIRUP_… and must not be one the stack
	// sets itself.
	Env map[string]string
	// ConfigEnv lists configuration keys whose deployed value the function
	// receives as PAIRUP_<KEY> (mailRate → PAIRUP_MAIL_RATE). Only the keys
	// [Config.functionSetting] knows are allowed.
	ConfigEnv []string
	// LogAlarms turn structured log lines into metrics and alarms; see
	// [LogAlarm].
	LogAlarms []LogAlarm
}

// StreamSource feeds a [Function] from the table's DynamoDB Stream. Records
// are read from the oldest available (TRIM_HORIZON) without a batching
// window; the function reports partial batch failures
// (ReportBatchItemFailures), failing batches are split in two and retried,
// and a batch still failing after MaxRetries is described in a message to
// the stack's dead-letter queue.
type StreamSource struct {
	// FilterPattern is a Lambda event-filter pattern (JSON) that records must
	// match to reach the function; empty passes every record. Filtered-out
	// records cost nothing.
	FilterPattern string
	// BatchSize is the most records per invocation (1..10000).
	BatchSize int
	// MaxRetries is how often a failing batch is retried (0..10000) before it
	// goes to the dead-letter queue; the stream holds records for 24 hours.
	MaxRetries int
}

// LogAlarm is a CloudWatch Logs metric filter on a [Function]'s log group
// with an alarm to the alarm topic: every JSON log line whose "event" field
// equals Event counts 1 towards the metric Pairup/<Metric>, and the alarm
// fires when the count reaches 1 in five minutes.
type LogAlarm struct {
	// Event is the value of the log line's "event" field ("mail.failed").
	Event string
	// Metric is the metric name in the "Pairup" namespace ("MailFailed"),
	// PascalCase and unique across functions.
	Metric string
	// Description is the alarm's description: what happened and what it
	// means for the operator.
	Description string
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
	// storeBatchWrite adds BatchWriteItem, for functions that write many
	// deterministic items at once (a matching's pairs and outcomes).
	storeBatchWrite = append(append([]string(nil), storeReadWrite...), "dynamodb:BatchWriteItem")
)

// mailerConcurrency is the mailer's reserved concurrency, also passed to it
// (PAIRUP_MAIL_CONCURRENCY) so each invocation sends at mailRate divided by
// it and all of them together stay under the account's SES rate.
const mailerConcurrency = 2

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
		// 10 s: a request is a few DynamoDB calls (well under a second); the
		// margin covers SDK retries with backoff and stays far below the
		// HTTP API's 30 s limit.
		Timeout: 10 * time.Second,
		Routes:  signupweb.Routes,
		// Mail goes into the outbox (a table write); the mailer sends it.
		TableActions: storeReadWrite,
		LinkKey:      true,
	},
	{
		Name:        "mailer",
		Description: "Sends queued emails (outbox) through SES at a capped rate; sweeps expired leases",
		MemoryMB:    256,
		// 5 min: a batch of 50 at the per-invocation share of mailRate
		// (14/2 = 7 a second) takes about 7 s; the margin covers SES
		// throttling backoff and the sweep.
		Timeout: 5 * time.Minute,
		// The mailer's share of the SES sending rate is mailRate divided by
		// this; PAIRUP_MAIL_CONCURRENCY below passes the same number.
		ReservedConcurrency: mailerConcurrency,
		TableStream: &StreamSource{
			// Only INSERTs of pending outbox items; shared with the local
			// stream poller.
			FilterPattern: mailer.StreamFilter,
			BatchSize:     50,
			MaxRetries:    5,
		},
		// The sweep re-queues messages whose lease expired (a mailer that
		// timed out or crashed mid-send); it uses GSI1.
		Schedules: []Schedule{{
			ID: "MailerSweep", ContextKey: "mailerSweepSchedule",
			Expression: "rate(1 minute)", Input: `{"action":"sweep"}`,
		}},
		// BatchGetItem: the suppression check reads the address's own
		// suppression and the ones kept under keyed hashes of it (an erased
		// address) in one request; the link key keys those hashes.
		TableActions: []string{"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"},
		SendEmail:    true,
		LinkKey:      true,
		ConfigEnv:    []string{keyMailRate},
		Env:          map[string]string{"PAIRUP_MAIL_CONCURRENCY": strconv.Itoa(mailerConcurrency)},
		LogAlarms: []LogAlarm{
			{Event: "mail.failed", Metric: "MailFailed",
				Description: "The mailer gave up on a message (permanent SES rejection or retries exhausted); it is marked failed in the outbox"},
			{Event: "mail.paused", Metric: "MailSendingPaused",
				Description: "SES has paused sending for the account; the mailer has stopped and retries later. Check the SES console (reputation, account status)"},
		},
	},
	{
		Name:         "ses-events",
		Description:  "Records SES bounces and complaints as suppressions and marks the outbox message",
		MemoryMB:     128,
		Timeout:      30 * time.Second,
		SESEvents:    true,
		TableActions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
	},
	{
		Name:        "match-run",
		Description: "Coordinators' matching: open a round, close signup, pin or forbid, dry run or commit; matches rounds whose signup has closed on a schedule",
		// 1024 MB: the matcher is CPU-bound (a 2,000-person round in about a second), and
		// CPU share grows with memory.
		MemoryMB: 1024,
		Timeout:  5 * time.Minute,
		// One run at a time (the commit lease also guarantees it across retries).
		ReservedConcurrency: 1,
		Schedules: []Schedule{{
			ID: "MatchRun", ContextKey: "matchRunSchedule",
			Expression: "cron(0 * * * ? *)", Input: `{"action":"scheduled"}`,
		}},
		TableActions: storeBatchWrite,
		LinkKey:      true,
	},

	{
		Name:        "round-tick",
		Description: "Sends what a round in progress sends on its own (topics, check-ins, survey invitations and reminders) on each recipient's local morning; hourly on a schedule",
		// 512 MB: a tick renders and queues up to a few thousand emails at a
		// morning peak; more CPU share keeps that to seconds.
		MemoryMB: 512,
		// 5 min: a tick is queries and conditional puts (well under a
		// minute); the margin covers throttling backoff on a large round.
		Timeout: 5 * time.Minute,
		// One tick at a time: the outbox keys make an overlap harmless, but
		// it would only duplicate the reads.
		ReservedConcurrency: 1,
		Schedules: []Schedule{{
			ID: "RoundTick", ContextKey: "roundTickSchedule",
			Expression: "rate(1 hour)",
		}},
		// Reads programmes (GSI1), rounds, pairs, registrations and survey
		// responses; queues email with conditional puts. The mailer sends it.
		TableActions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
		LinkKey:      true,
	},
	{
		Name:        "survey",
		Description: "Check-in answers and surveys reached by signed links in the round's emails",
		// 256 MB and 10 s, as signup: a request is a few DynamoDB calls.
		MemoryMB: 256,
		Timeout:  10 * time.Second,
		Routes:   surveyweb.Routes,
		// Reads are single items (programme, round, pair, registration,
		// earlier answer): no Query. A check-in answer is one transaction
		// of conditional puts (the answer and the coordinators' alert in the
		// outbox), which IAM authorises as PutItem; a survey response is one
		// UpdateItem.
		TableActions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
		LinkKey:      true,
	},

	{
		Name:        "round-close",
		Description: "Closes rounds at their end: asks each pair to continue or conclude, sends the end-of-round survey; freezes the statistics once it has closed; emails the coordinators the round's report then and on demand; daily on a schedule",
		// 512 MB and 5 min, as round-tick: a close renders and queues one
		// email per participant; a finalise or a report reads the round's
		// partition and looks up each participant's survey invitations, and a
		// report draws its charts (PNG, in memory).
		MemoryMB: 512,
		Timeout:  5 * time.Minute,
		// One run at a time: the state moves are conditional and the outbox
		// keys deterministic, so an overlap would be harmless, but it would
		// only duplicate the reads.
		ReservedConcurrency: 1,
		Schedules: []Schedule{{
			ID: "RoundClose", ContextKey: "roundCloseSchedule",
			Expression: "cron(0 6 * * ? *)", Input: `{"action":"scheduled"}`,
		}},
		// Reads programmes (GSI1), rounds, the round's partition and outbox
		// messages (the invitations it counts); moves the round's state and
		// freezes its statistics (UpdateItem); queues email with conditional
		// puts. The mailer sends it.
		TableActions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"},
		LinkKey:      true,
	},

	{
		Name:        "erase",
		Description: "Erases a person's personal data on request (console event, by address or registration) and, daily, the personal data of rounds closed longer ago than their programme's retention",
		// 256 MB: an erasure is a few hundred small reads and conditional
		// writes; retention walks the due rounds' registrations.
		MemoryMB: 256,
		// 5 min: a person's erasure takes seconds; retention of a large
		// round a minute or two. An interrupted run is finished by the next.
		Timeout: 5 * time.Minute,
		// One run at a time: the steps are idempotent, so an overlap would be
		// harmless, but it would only duplicate the work.
		ReservedConcurrency: 1,
		Schedules: []Schedule{{
			ID: "Retention", ContextKey: "retentionSchedule",
			Expression: "cron(30 3 * * ? *)", Input: `{"action":"retention"}`,
		}},
		// Reads programmes (GSI1), rounds, claims, registrations (also by
		// participant, GSI1), survey responses and outbox messages (the
		// unsent index and a recipient's partition, GSI1); anonymises with
		// conditional updates; deletes claims, person records and plain
		// suppressions (DeleteItem); puts the hashed suppression.
		TableActions: storeReadWrite,
		LinkKey:      true,
	},

	// Future functions: one entry each. (stack_test.go also builds the stack
	// with a scheduled "tick" entry, so the scheduling paths are proven
	// before the functions land.)
}

var (
	functionName = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	routeMethod  = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}
	routePath    = regexp.MustCompile(`^/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})?(/([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\}))*$`)
	constructID  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	envVarName   = regexp.MustCompile(`^PAIRUP_[A-Z0-9_]+$`)
	logEvent     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// maxStreamReaders is how many functions may read the table stream:
// DynamoDB Streams serves at most two readers per shard before throttling.
const maxStreamReaders = 2

// stackEnv are the environment variables the stack sets itself; a
// function's Env and ConfigEnv may not override them.
func stackEnv() map[string]bool {
	return map[string]bool{envTable: true, envMailFrom: true, envConfigSet: true, envBaseURL: true, envLinkKey: true, envLogLevel: true}
}

// validateFunctions reports the first problem in a function list: bad or
// duplicate names, routes claimed twice, malformed routes or schedules,
// limits out of range.
func validateFunctions(fns []Function) error {
	names := map[string]bool{}
	routes := map[string]string{}
	schedules := map[string]bool{}
	metrics := map[string]string{}
	streamReaders := 0
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
		if st := f.TableStream; st != nil {
			if streamReaders++; streamReaders > maxStreamReaders {
				return fmt.Errorf("function %q: at most %d functions may read the table stream (DynamoDB Streams throttles more readers per shard)", f.Name, maxStreamReaders)
			}
			if st.BatchSize < 1 || st.BatchSize > 10000 {
				return fmt.Errorf("function %q: TableStream.BatchSize %d not in 1..10000", f.Name, st.BatchSize)
			}
			if st.MaxRetries < 0 || st.MaxRetries > 10000 {
				return fmt.Errorf("function %q: TableStream.MaxRetries %d not in 0..10000", f.Name, st.MaxRetries)
			}
			if st.FilterPattern != "" {
				var pattern map[string]any
				if err := json.Unmarshal([]byte(st.FilterPattern), &pattern); err != nil || len(pattern) == 0 {
					return fmt.Errorf("function %q: TableStream.FilterPattern must be a non-empty JSON object", f.Name)
				}
				if len(st.FilterPattern) > 4096 {
					return fmt.Errorf("function %q: TableStream.FilterPattern longer than Lambda's 4096 characters", f.Name)
				}
			}
		}
		set := map[string]string{}
		for _, k := range f.ConfigEnv {
			if functionSettings[k] == nil {
				return fmt.Errorf("function %q: ConfigEnv %q is not a configuration key functions may receive", f.Name, k)
			}
			set[envName(k)] = "ConfigEnv " + k
		}
		for k := range f.Env {
			switch {
			case !envVarName.MatchString(k):
				return fmt.Errorf("function %q: Env %q: want PAIRUP_ and upper-case letters, digits, underscores", f.Name, k)
			case stackEnv()[k]:
				return fmt.Errorf("function %q: Env %q is set by the stack", f.Name, k)
			case k == config.EnvAllowNow:
				return fmt.Errorf("function %q: Env %q: events may move \"now\" only in local and test setups, never in the deployed stack", f.Name, k)
			case set[k] != "":
				return fmt.Errorf("function %q: Env %q is also set by %s", f.Name, k, set[k])
			}
		}
		for _, la := range f.LogAlarms {
			if !logEvent.MatchString(la.Event) {
				return fmt.Errorf("function %q: log alarm event %q: letters, digits, dots, dashes, underscores", f.Name, la.Event)
			}
			if !constructID.MatchString(la.Metric) {
				return fmt.Errorf("function %q: log alarm metric %q must be PascalCase", f.Name, la.Metric)
			}
			if other, ok := metrics[la.Metric]; ok {
				return fmt.Errorf("function %q: log alarm metric %q already used by %q", f.Name, la.Metric, other)
			}
			metrics[la.Metric] = f.Name
			if strings.TrimSpace(la.Description) == "" {
				return fmt.Errorf("function %q: log alarm %q needs a Description", f.Name, la.Metric)
			}
		}
	}
	return nil
}

// logAlarmPattern is the CloudWatch Logs filter pattern matching JSON log
// lines whose "event" field is event.
func logAlarmPattern(event string) string {
	return fmt.Sprintf(`{ $.event = %q }`, event)
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
