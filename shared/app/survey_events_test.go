package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/surveyweb"
)

// TestSurveySampleEvents runs every events/survey-*.json through the survey function's real
// Lambda handler (HTTP API payload 2.0 adapter): each is an event of the shape the function
// receives, and a link whose signature is not ours gets the clear "not valid" page, 400,
// changing nothing. (A working link is signed by the deployment's own key: take one from an email
// in the SES emulator, as the README says.)
func TestSurveySampleEvents(t *testing.T) {
	s := newStack(t)
	h, err := surveyweb.NewLambda(context.Background(), s.cfg, surveyweb.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	handler := lambda.NewHandler(h)
	want := map[string]string{
		"survey-get-checkin.json": "This link is not valid",
		"survey-get-survey.json":  "This link is not valid",
	}
	files, _ := filepath.Glob("../../events/survey-*.json")
	if len(files) != len(want) {
		t.Errorf("%d survey events, want %d: %v", len(files), len(want), files)
	}
	before := len(s.scanTable())
	for _, f := range files {
		name := filepath.Base(f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil || ev.Version != "2.0" || !strings.HasPrefix(ev.RouteKey, "GET /") {
			t.Fatalf("%s: not an HTTP API payload 2.0 GET (%v)", name, err)
		}
		out, err := handler.Invoke(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 || !strings.Contains(resp.Body, want[name]) {
			t.Errorf("%s: status %d, body lacks %q?\n%.1500s", name, resp.StatusCode, want[name], resp.Body)
		}
	}
	if after := len(s.scanTable()); after != before {
		t.Errorf("the sample events changed the table: %d items, then %d", before, after)
	}
}
