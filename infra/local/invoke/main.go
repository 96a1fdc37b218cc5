// Command invoke runs one function's handler once, in-process, against the running local stack
// (`make dev`), with a sample event, and prints the function's JSON result — as `sam local
// invoke` would, as a person reads it: the result's own field order, indented, HTML as is.
// Usage: invoke -fn signup -event events/signup-get-index.json
//
// A browser gets a fresh form token each time it opens the form; a saved POST event cannot, so
// for a form-encoded POST event invoke replaces the form token field (ft) with a fresh one
// signed by the local key, and says so.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/infra/local/devenv"
	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/roundclose"
	"github.com/pairup/pairup/shared/roundtick"
	"github.com/pairup/pairup/shared/sesevents"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/surveyweb"
)

func main() {
	fn := flag.String("fn", "", "function name (a folder under functions/)")
	eventFile := flag.String("event", "", "JSON event file")
	flag.Parse()
	if err := run(*fn, *eventFile); err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(1)
	}
}

// builder builds one function's Lambda handler against the local stack.
type builder func(ctx context.Context, cfg config.Config) (any, error)

// functions is invoke's own registry: each function's name (its folder under functions/) and
// how its main builds it. (The functions themselves share no registry, so no binary links
// another function's code; TestRegistry checks this list against functions/.)
var functions = map[string]builder{
	"signup": func(ctx context.Context, cfg config.Config) (any, error) {
		return app.SignupLambda(ctx, cfg, app.Deps{})
	},
	"mailer": func(ctx context.Context, cfg config.Config) (any, error) {
		return mailer.NewLambda(ctx, cfg, mailer.Deps{})
	},
	"match-run": func(ctx context.Context, cfg config.Config) (any, error) {
		return matchrun.NewLambda(ctx, cfg, matchrun.Deps{})
	},
	"ses-events": func(ctx context.Context, cfg config.Config) (any, error) {
		return sesevents.NewLambda(ctx, cfg, sesevents.Deps{})
	},
	"round-tick": func(ctx context.Context, cfg config.Config) (any, error) {
		return roundtick.NewLambda(ctx, cfg, roundtick.Deps{})
	},
	"erase": func(ctx context.Context, cfg config.Config) (any, error) {
		return erasure.NewLambda(ctx, cfg, erasure.Deps{})
	},
	"round-close": func(ctx context.Context, cfg config.Config) (any, error) {
		return roundclose.NewLambda(ctx, cfg, roundclose.Deps{})
	},
	"survey": func(ctx context.Context, cfg config.Config) (any, error) {
		return surveyweb.NewLambda(ctx, cfg, surveyweb.Deps{})
	},
}

func run(fn, eventFile string) error {
	b, ok := functions[fn]
	if !ok {
		names := make([]string, 0, len(functions))
		for n := range functions {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("unknown function %q; functions: %s", fn, strings.Join(names, ", "))
	}
	payload, err := os.ReadFile(eventFile)
	if err != nil {
		return fmt.Errorf("read event: %w", err)
	}
	root, err := devenv.Root()
	if err != nil {
		return err
	}
	ports, err := devenv.ReadPorts()
	if err != nil {
		return err
	}
	key, err := devenv.ReadKey(root)
	if err != nil {
		return err
	}
	cfg, err := devenv.Config(ports, key)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if payload, err = freshFormToken(payload, key); err != nil {
		return err
	}
	h, err := b(ctx, cfg)
	if err != nil {
		return err
	}
	out, err := lambda.NewHandler(h).Invoke(ctx, payload)
	if err != nil {
		return fmt.Errorf("function %s returned an error: %w", fn, err)
	}
	out, _ = prettyJSON(out) // not JSON: printed as it came
	fmt.Println(string(out))
	return nil
}

// freshFormToken replaces the ft field of a form-encoded HTTP API POST event's body.
func freshFormToken(payload, key []byte) ([]byte, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil || ev.RequestContext.HTTP.Method != "POST" {
		return payload, nil
	}
	body := ev.Body
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, fmt.Errorf("event body is not valid base64: %w", err)
		}
		body = string(b)
	}
	form, err := url.ParseQuery(body)
	if err != nil || !form.Has("ft") {
		return payload, nil
	}
	programme := strings.TrimPrefix(strings.TrimSuffix(ev.RawPath, "/signup"), "/p/")
	signer, err := links.NewSigner(key)
	if err != nil {
		return nil, err
	}
	issued := time.Now().Add(-time.Minute)
	form.Set("ft", signup.NewFormToken(signer, programme, issued.Add(signup.DefaultFormTTL)))
	body = form.Encode()
	if ev.IsBase64Encoded {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	ev.Body = body
	fmt.Fprintln(os.Stderr, "invoke: replaced the event's form token (ft) with a fresh one")
	return json.Marshal(ev)
}
