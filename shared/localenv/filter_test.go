package localenv

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// sampleRecord is an outbox INSERT as Lambda would see it.
func sampleRecord(t *testing.T, eventName, itemType, status string) []byte {
	t.Helper()
	img := map[string]events.DynamoDBAttributeValue{
		"PK":       events.NewStringAttribute("OUTBOX#k1"),
		"itemType": events.NewStringAttribute(itemType),
		"status":   events.NewStringAttribute(status),
		"attempts": events.NewNumberAttribute("2"),
		"urgent":   events.NewBooleanAttribute(true),
		"note":     events.NewNullAttribute(),
		"labels":   events.NewStringSetAttribute([]string{"a", "b"}),
		"tags":     events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"kind": events.NewStringAttribute("confirm")}),
	}
	rec := events.DynamoDBEventRecord{
		AWSRegion:      "eu-west-2",
		EventID:        "e1",
		EventName:      eventName,
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: "arn:aws:dynamodb:eu-west-2:1:table/t/stream/x",
		Change: events.DynamoDBStreamRecord{
			Keys:           map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("OUTBOX#k1")},
			NewImage:       img,
			SequenceNumber: "100",
			SizeBytes:      42,
			StreamViewType: "NEW_IMAGE",
		},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const mailerPattern = `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"itemType":{"S":["outbox"]},"status":{"S":["pending"]}}}}`

func TestFilterRecords(t *testing.T) {
	pending := sampleRecord(t, "INSERT", "outbox", "pending")
	modified := sampleRecord(t, "MODIFY", "outbox", "pending")
	sent := sampleRecord(t, "INSERT", "outbox", "sent")
	other := sampleRecord(t, "INSERT", "registration", "pending")

	tests := []struct {
		name, pattern string
		event         []byte
		want          bool
	}{
		{"empty pattern keeps all", "", other, true},
		{"blank pattern keeps all", "  \n", other, true},
		{"empty object keeps all", "{}", other, true},
		{"mailer pattern: pending outbox insert", mailerPattern, pending, true},
		{"mailer pattern: modify", mailerPattern, modified, false},
		{"mailer pattern: sent", mailerPattern, sent, false},
		{"mailer pattern: other item type", mailerPattern, other, false},
		{"alternatives", `{"eventName":["MODIFY","INSERT"]}`, pending, true},
		{"no alternative", `{"eventName":["MODIFY","REMOVE"]}`, pending, false},
		{"missing field", `{"dynamodb":{"OldImage":{"status":{"S":["pending"]}}}}`, pending, false},
		{"key match", `{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"OUTBOX#"}]}}}}`, pending, true},
		{"prefix no match", `{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"REG#"}]}}}}`, pending, false},
		{"number literal vs number", `{"dynamodb":{"SizeBytes":[42]}}`, pending, true},
		{"number literal compares by value", `{"dynamodb":{"SizeBytes":[42.0]}}`, pending, true},
		{"number literal vs other number", `{"dynamodb":{"SizeBytes":[41]}}`, pending, false},
		{"number literal never equals a string", `{"dynamodb":{"NewImage":{"attempts":{"N":[2]}}}}`, pending, false},
		{"N values are strings", `{"dynamodb":{"NewImage":{"attempts":{"N":["2"]}}}}`, pending, true},
		{"string never equals a number", `{"dynamodb":{"SizeBytes":["42"]}}`, pending, false},
		{"boolean", `{"dynamodb":{"NewImage":{"urgent":{"BOOL":[true]}}}}`, pending, true},
		{"boolean false", `{"dynamodb":{"NewImage":{"urgent":{"BOOL":[false]}}}}`, pending, false},
		{"boolean is not a string", `{"dynamodb":{"NewImage":{"urgent":{"BOOL":["true"]}}}}`, pending, false},
		{"null literal", `{"dynamodb":{"OldImage":[null]}}`, []byte(`{"dynamodb":{"OldImage":null}}`), true},
		{"null literal vs missing", `{"dynamodb":{"OldImage":[null]}}`, pending, false},
		{"null literal vs value", `{"eventName":[null]}`, pending, false},
		{"NULL attribute", `{"dynamodb":{"NewImage":{"note":{"NULL":[true]}}}}`, pending, true},
		{"exists true", `{"dynamodb":{"NewImage":{"status":{"S":[{"exists":true}]}}}}`, pending, true},
		{"exists true, missing", `{"dynamodb":{"NewImage":{"sentAt":{"S":[{"exists":true}]}}}}`, pending, false},
		{"exists false, missing", `{"dynamodb":{"NewImage":{"sentAt":{"S":[{"exists":false}]}}}}`, pending, true},
		{"exists false, present", `{"dynamodb":{"NewImage":{"status":{"S":[{"exists":false}]}}}}`, pending, false},
		{"exists false under a missing object", `{"dynamodb":{"OldImage":{"status":{"S":[{"exists":false}]}}}}`, pending, true},
		{"exists true on an object (not a leaf)", `{"dynamodb":{"NewImage":{"status":[{"exists":true}]}}}`, pending, false},
		{"exists false on an object (not a leaf)", `{"dynamodb":{"NewImage":{"status":[{"exists":false}]}}}`, pending, true},
		{"exists on null", `{"a":[{"exists":true}]}`, []byte(`{"a":null}`), true},
		{"literal or exists false", `{"dynamodb":{"NewImage":{"sentAt":{"S":["x",{"exists":false}]}}}}`, pending, true},
		{"anything-but list", `{"eventName":[{"anything-but":["REMOVE","MODIFY"]}]}`, pending, true},
		{"anything-but list excludes", `{"eventName":[{"anything-but":["INSERT"]}]}`, pending, false},
		{"anything-but single", `{"eventName":[{"anything-but":"INSERT"}]}`, modified, true},
		{"anything-but number", `{"dynamodb":{"SizeBytes":[{"anything-but":[42]}]}}`, pending, false},
		{"anything-but prefix", `{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"REG#"}}]}}}}`, pending, true},
		{"anything-but prefix excludes", `{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"OUTBOX"}}]}}}}`, pending, false},
		{"anything-but needs the field", `{"dynamodb":{"NewImage":{"sentAt":{"S":[{"anything-but":["x"]}]}}}}`, pending, false},
		{"nested map attribute", `{"dynamodb":{"NewImage":{"tags":{"M":{"kind":{"S":["confirm"]}}}}}}`, pending, true},
		{"string set element", `{"dynamodb":{"NewImage":{"labels":{"SS":["b"]}}}}`, pending, true},
		{"string set no element", `{"dynamodb":{"NewImage":{"labels":{"SS":["c"]}}}}`, pending, false},
		{"array of objects", `{"r":{"x":[2]}}`, []byte(`{"r":[{"x":1},{"x":2}]}`), true},
		{"array of objects, no match", `{"r":{"x":[3]}}`, []byte(`{"r":[{"x":1},{"x":2}]}`), false},
		{"empty event array is absent", `{"r":[{"exists":false}]}`, []byte(`{"r":[]}`), true},
		{"every key must match", `{"eventName":["INSERT"],"eventSource":["aws:sqs"]}`, pending, false},
		{"object pattern vs scalar", `{"eventName":{"S":["INSERT"]}}`, pending, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := compileFilter(tt.pattern)
			if err != nil {
				t.Fatalf("compileFilter(%s): %v", tt.pattern, err)
			}
			got, err := f.match(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("pattern %s on %s: match = %v, want %v", tt.pattern, tt.event, got, tt.want)
			}
		})
	}
}

func TestFilterMalformed(t *testing.T) {
	tests := []struct{ pattern, wantErr string }{
		{`{`, "filter pattern"},
		{`{"a":["x"]} {}`, "trailing"},
		{`["INSERT"]`, "JSON object"},
		{`"INSERT"`, "JSON object"},
		{`{"eventName":"INSERT"}`, "must be in an array"},
		{`{"dynamodb":{"SizeBytes":42}}`, "must be in an array"},
		{`{"eventName":[]}`, "empty array"},
		{`{"dynamodb":{}}`, "empty object"},
		{`{"eventName":[["INSERT"]]}`, "unsupported value"},
		{`{"a":[{"exists":"yes"}]}`, "exists takes"},
		{`{"a":[{"prefix":1}]}`, "prefix takes"},
		{`{"a":[{"prefix":"x","exists":true}]}`, "exactly one key"},
		{`{"a":[{}]}`, "exactly one key"},
		{`{"a":[{"numeric":[">",0]}]}`, `"numeric" is not supported`},
		{`{"a":[{"suffix":"x"}]}`, `"suffix" is not supported`},
		{`{"a":[{"equals-ignore-case":"x"}]}`, `not supported`},
		{`{"a":[{"anything-but":[]}]}`, "non-empty"},
		{`{"a":[{"anything-but":[null]}]}`, "anything-but lists"},
		{`{"a":[{"anything-but":{"suffix":"x"}}]}`, "only"},
		{`{"$or":[{"a":["x"]},{"b":["y"]}]}`, `"$or" is not supported`},
	}
	for _, tt := range tests {
		_, err := compileFilter(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("compileFilter(%s): err = %v, want one containing %q", tt.pattern, err, tt.wantErr)
		}
	}
}
