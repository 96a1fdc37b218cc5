// Package devenv is the configuration of the local stack `make dev` runs and `make invoke` talks
// to: its ports (changeable through environment variables), table name, sender and the
// link-signing key generated for it (kept in the git-ignored infra/.dev folder, never in the
// repository).
package devenv

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pairup/pairup/shared/config"
)

// Environment variables that move the local stack's ports.
const (
	EnvDynamoDBPort = "PAIRUP_DEV_DYNAMODB_PORT" // default 8000
	EnvSESPort      = "PAIRUP_DEV_SES_PORT"      // default 8005
	EnvHTTPPort     = "PAIRUP_DEV_HTTP_PORT"     // default 8080
)

// Table is the local table's name.
const Table = "pairup-dev"

// Ports are the local stack's ports.
type Ports struct{ DynamoDB, SES, HTTP int }

// ReadPorts reads the ports from the environment, with the defaults.
func ReadPorts() (Ports, error) {
	var errs []error
	get := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("%s=%q is not a port number", name, v))
		}
		return n
	}
	p := Ports{DynamoDB: get(EnvDynamoDBPort, 8000), SES: get(EnvSESPort, 8005), HTTP: get(EnvHTTPPort, 8080)}
	return p, errors.Join(errs...)
}

// Config is the functions' configuration against the local stack.
func Config(p Ports, linkKey []byte) (config.Config, error) {
	env := map[string]string{
		config.EnvTable:            Table,
		config.EnvMailFrom:         "pairup demo <noreply@pairup.test>",
		config.EnvBaseURL:          fmt.Sprintf("http://127.0.0.1:%d", p.HTTP),
		config.EnvLinkKey:          hex.EncodeToString(linkKey),
		config.EnvDynamoDBEndpoint: fmt.Sprintf("http://127.0.0.1:%d", p.DynamoDB),
		config.EnvSESEndpoint:      fmt.Sprintf("http://127.0.0.1:%d", p.SES),
		config.EnvLogLevel:         os.Getenv(config.EnvLogLevel),
		config.EnvMinFillSeconds:   os.Getenv(config.EnvMinFillSeconds),
		config.EnvMailRate:         os.Getenv(config.EnvMailRate),
		// The signup limits, to lift for a rehearsal from one machine (0: no limit).
		config.EnvSignupsPerSourceHour:         os.Getenv(config.EnvSignupsPerSourceHour),
		config.EnvConfirmationsPerProgrammeDay: os.Getenv(config.EnvConfirmationsPerProgrammeDay),
		config.EnvAllowNow:                     "true", // a coordinator may rehearse a round with "now" in make dev
	}
	return config.FromEnv(func(k string) string { return env[k] }, config.NeedTable, config.NeedMail, config.NeedLinks)
}

// KeyFile is where the local link-signing key lives, under the repository's infra folder.
func KeyFile(root string) string { return filepath.Join(root, "infra", ".dev", "link-key") }

// NewKey makes a fresh local link-signing key and writes it to KeyFile.
func NewKey(root string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	path := KeyFile(root)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("devenv: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)), 0o600); err != nil {
		return nil, fmt.Errorf("devenv: write key: %w", err)
	}
	return key, nil
}

// ReadKey reads the key `make dev` wrote.
func ReadKey(root string) ([]byte, error) {
	b, err := os.ReadFile(KeyFile(root))
	if err != nil {
		return nil, fmt.Errorf("devenv: no local link key (is `make dev` running?): %w", err)
	}
	return hex.DecodeString(string(b))
}

// Root returns the repository root: the nearest directory up from the working directory with
// a go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("devenv: not inside the pairup repository (no go.mod found)")
		}
		dir = parent
	}
}
