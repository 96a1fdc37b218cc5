//go:build linux

package localenv

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the child in its own process group, so Stop can signal it
// and anything it spawns, and asks the kernel to SIGKILL it if the thread that
// started it dies (Go does not end its threads while the program runs, so in
// practice: when this process dies, even by SIGKILL).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
