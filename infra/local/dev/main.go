// Command dev runs the whole system on this machine, with no AWS account: the official
// DynamoDB Local and the aws-ses-v2-local SES v2 emulator, the table, the demo programmes, the
// hosted forms and the check-in and survey pages on http://127.0.0.1:8080 (ports: see package
// devenv), and the mailer fed by the
// table's stream and a sweep, as in AWS (package localmail). Ctrl-C stops it all.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pairup/pairup/infra/local/devenv"
	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/localmail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
	"github.com/pairup/pairup/shared/surveyweb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ports, err := devenv.ReadPorts()
	if err != nil {
		return err
	}
	root, err := devenv.Root()
	if err != nil {
		return err
	}
	fmt.Printf("starting DynamoDB Local on 127.0.0.1:%d and the SES emulator on 127.0.0.1:%d …\n", ports.DynamoDB, ports.SES)
	ddb, err := localenv.StartDynamoDB(ctx, ports.DynamoDB)
	if err != nil {
		return err
	}
	defer ddb.Stop()
	ses, err := localenv.StartSES(ctx, ports.SES)
	if err != nil {
		return err
	}
	defer ses.Stop()

	key, err := devenv.NewKey(root)
	if err != nil {
		return err
	}
	cfg, err := devenv.Config(ports, key)
	if err != nil {
		return err
	}
	client := localenv.DynamoDBClient(ddb.Endpoint)
	if err := store.CreateTable(ctx, client, cfg.Table); err != nil {
		return err
	}
	if err := demo.Seed(ctx, store.New(client, cfg.Table, pairup.SystemClock{}), pairup.SystemClock{}.Now()); err != nil {
		return err
	}
	m, err := mailer.New(ctx, cfg, mailer.Deps{})
	if err != nil {
		return err
	}
	mails, err := localmail.Start(ctx, ddb.Endpoint, cfg.Table, m, localmail.Options{})
	if err != nil {
		return err
	}
	defer mails.Stop()
	signupH, err := app.Signup(ctx, cfg, app.Deps{})
	if err != nil {
		return err
	}
	surveyH, err := surveyweb.Handler(ctx, cfg, surveyweb.Deps{})
	if err != nil {
		return err
	}
	// One server, split by route as API Gateway splits the HTTP API between the functions.
	h := http.NewServeMux()
	for _, route := range surveyweb.Routes {
		h.Handle(route, surveyH)
	}
	h.Handle("/", signupH)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", ports.HTTP))
	if err != nil {
		return fmt.Errorf("listen on 127.0.0.1:%d (set %s to use another port): %w", ports.HTTP, devenv.EnvHTTPPort, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	fmt.Printf(`
pairup is running locally:
  forms        %s/            (iln: %s/p/%s/signup, hkla: %s/p/%s/signup)
  sent email   %s/            (the SES emulator's inbox; the mailer sends from the outbox at %g/s)
  DynamoDB     %s   table %s
Invoke a function: make invoke FN=signup EVENT=events/signup-get-index.json
Rehearse a round: make invoke FN=match-run EVENT=events/match-run-commit-iln.json, then
  make invoke FN=round-tick EVENT=events/round-tick-rehearse-day-14-iln.json (the ticks of day 14)
Press Ctrl-C to stop.
`, cfg.BaseURL, cfg.BaseURL, demo.ILN, cfg.BaseURL, demo.HKLA, ses.Endpoint, cfg.MailRate, ddb.Endpoint, cfg.Table)
	slog.Info("serving", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("\nstopped")
	return nil
}
