//go:build unix && !linux

package localenv

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group, so Stop can signal it
// and anything it spawns. There is no parent-death signal outside Linux: a
// crashed test run may leave the child running.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
