//go:build unix

package localenv

import (
	"os/exec"
	"syscall"
)

// signalGroup sends SIGTERM (or SIGKILL if kill) to the process group of cmd.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	// The child leads its own group (Setpgid), so -pid names the group.
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		cmd.Process.Signal(sig)
	}
}
