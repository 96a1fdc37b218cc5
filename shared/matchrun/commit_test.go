package matchrun_test

// What a commit must end in when two runs race and when the round is already active (the
// world is env_test.go's).

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
)

// 4: two commits at once.

func TestConcurrentCommits(t *testing.T) {
	t.Parallel()
	for _, closed := range []bool{true, false} {
		name := "AfterCloseSignup"
		if !closed {
			name = "SignupWindowPassed" // both move the round open → matching themselves
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.register(ilnPeople(60, e.clock.Now()), 8)
			e.clock.Advance(time.Minute)
			want := e.dryRun()
			if closed {
				e.must("close", closeEvent())
			} else {
				e.clock.Set(e.round().SignupCloses)
			}
			const runs = 2
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				res   [runs]matchrun.Result
				errs  [runs]error
			)
			for i := range runs {
				wg.Go(func() {
					<-start
					res[i], errs[i] = e.invoke(fmt.Sprintf("run-%d", i), matchEvent(false))
				})
			}
			close(start)
			wg.Wait()
			committed := 0
			for i := range runs {
				switch {
				case errs[i] == nil && res[i].Emails != nil && res[i].Emails.Participants == len(e.regs):
					committed++
				case errs[i] == nil && strings.Contains(res[i].Summary, "nothing was sent"):
				case errs[i] != nil && strings.HasPrefix(errs[i].Error(), "conflict: ") &&
					(strings.Contains(errs[i].Error(), fmt.Sprintf("run-%d", 1-i)) || strings.Contains(errs[i].Error(), "already active")):
				default:
					t.Errorf("run-%d: %+v, %v", i, res[i], errs[i])
				}
				t.Logf("run-%d: %v %.120s", i, errs[i], res[i].Summary)
			}
			if committed != 1 {
				t.Errorf("%d runs committed, want exactly 1", committed)
			}
			e.wantCommitted(want)
		})
	}
}

// ---------------------------------------------------------------------------------------------
// 5: a run after success.

func TestCommitAfterSuccess(t *testing.T) {
	t.Parallel()
	e, want := committedEnv(t)
	e.must("run-1", matchEvent(false))
	e.wantCommitted(want)
	snap := e.snapshot()
	for _, id := range []string{"run-1", "run-2"} {
		e.clock.Advance(time.Hour)
		res := e.must(id, matchEvent(false))
		if !strings.Contains(res.Summary, "nothing was changed and nothing was sent") || (res.Emails != nil && res.Emails.Participants+res.Emails.Coordinators != 0) ||
			res.State != string(pairup.RoundActive) {
			t.Errorf("%s after success: %+v", id, res)
		}
		if e.snapshot() != snap {
			t.Errorf("%s after success changed the table", id)
		}
	}
}
