//go:build !unix

package localenv

import "os/exec"

// setProcAttr does nothing outside Unix; the child is killed directly.
func setProcAttr(cmd *exec.Cmd) {}

// signalGroup kills the child process (there are no process groups here).
func signalGroup(cmd *exec.Cmd, kill bool) { cmd.Process.Kill() }
