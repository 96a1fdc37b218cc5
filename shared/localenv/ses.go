package localenv

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

// StartSES starts the aws-ses-v2-local SES v2 emulator from
// infra/node_modules on 127.0.0.1:port (0 picks a free port) and returns once
// its /health-check answers. ctx bounds the startup only; the service runs
// until Stop. Its web page (Endpoint + "/") shows the emails it received; use
// an [Inbox] to read them from code.
//
// The emulator can forward mail to a real SMTP server when SMTP_TRANSPORT is
// set; StartSES clears that variable for the child so that tests never
// deliver mail.
func StartSES(ctx context.Context, port int) (*Service, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("localenv: the SES emulator needs Node.js and no `node` is on the PATH: %w", err)
	}
	nm, err := NodeModules()
	if err != nil {
		return nil, err
	}
	cli := filepath.Join(nm, "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("localenv: %s is missing: run `make tools` (npm ci in infra/)", cli)
	}
	return start(ctx, spec{
		name:         "ses",
		loopbackOnly: true,
		bin:          node,
		args: func(port int) []string {
			return []string{cli, "--port", fmt.Sprint(port), "--host", "127.0.0.1"}
		},
		env:       []string{"SMTP_TRANSPORT="},
		ready:     sesReady,
		readyLine: "aws-ses-v2-local: server running at",
	}, port)
}

func sesReady(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/health-check", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s", resp.Status)
	}
	return nil
}
