package membership_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

const base = "https://forms.example.org"

func token(t *testing.T, link, path string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Path != path || !strings.HasPrefix(link, base+path+"?t=") {
		t.Fatalf("link %q: want %s%s?t=…", link, base, path)
	}
	return u.Query().Get("t")
}

// Each link reads back what it was signed with; a token of another purpose, a tampered or a
// stale one, or one signed by another key, is refused.
func TestLinks(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	signer, _ := links.NewSigner([]byte(strings.Repeat("k", 32)))
	other, _ := links.NewSigner([]byte(strings.Repeat("o", 32)))
	w := membership.Withdraw{ProgrammeID: "iln", RoundID: "2027-1", RegistrationID: "reg1"}
	n := membership.NewPartner{ProgrammeID: "iln", RoundID: "2027-1", PairID: "reg1+reg2", RegistrationID: "reg2"}
	j := membership.Rejoin{ProgrammeID: "iln", NewRoundID: "2027-2", OldRoundID: "2027-1", OldRegistrationID: "reg3"}
	wt := token(t, membership.WithdrawURL(signer, base, w, now), membership.WithdrawPath)
	nt := token(t, membership.NewPartnerURL(signer, base, n, now), membership.NewPartnerPath)
	jt := token(t, membership.RejoinURL(signer, base, j, now.Add(30*24*time.Hour)), membership.RejoinPath)

	if got, err := membership.ReadWithdraw(signer, wt, now.Add(300*24*time.Hour)); err != nil || got != w {
		t.Errorf("ReadWithdraw = %+v, %v; want %+v", got, err, w)
	}
	if got, err := membership.ReadNewPartner(signer, nt, now.Add(time.Hour)); err != nil || got != n {
		t.Errorf("ReadNewPartner = %+v, %v; want %+v", got, err, n)
	}
	if got, err := membership.ReadRejoin(signer, jt, now.Add(29*24*time.Hour)); err != nil || got != j {
		t.Errorf("ReadRejoin = %+v, %v; want %+v", got, err, j)
	}
	foreign := token(t, membership.WithdrawURL(other, base, w, now), membership.WithdrawPath)
	malformed := signer.Sign(links.PurposeWithdraw, "iln|2027-1", now.Add(time.Hour))
	empty := signer.Sign(links.PurposeWithdraw, "iln||reg1", now.Add(time.Hour))
	for _, tc := range []struct {
		name string
		read func() error
		code string
	}{
		{"ErrOtherPurpose", func() error { _, err := membership.ReadWithdraw(signer, nt, now); return err }, pairup.EINVALID},
		{"ErrRejoinAsWithdraw", func() error { _, err := membership.ReadRejoin(signer, wt, now); return err }, pairup.EINVALID},
		{"ErrTampered", func() error { _, err := membership.ReadWithdraw(signer, "x"+wt, now); return err }, pairup.EINVALID},
		{"ErrOtherKey", func() error { _, err := membership.ReadWithdraw(signer, foreign, now); return err }, pairup.EINVALID},
		{"ErrMalformed", func() error { _, err := membership.ReadWithdraw(signer, malformed, now); return err }, pairup.EINVALID},
		{"ErrEmptyPart", func() error { _, err := membership.ReadWithdraw(signer, empty, now); return err }, pairup.EINVALID},
		{"ErrWithdrawExpired", func() error {
			_, err := membership.ReadWithdraw(signer, wt, now.Add(membership.WithdrawTTL))
			return err
		}, pairup.EEXPIRED},
		{"ErrNewPartnerExpired", func() error {
			_, err := membership.ReadNewPartner(signer, nt, now.Add(membership.NewPartnerTTL))
			return err
		}, pairup.EEXPIRED},
		{"ErrRejoinAfterSignupCloses", func() error {
			_, err := membership.ReadRejoin(signer, jt, now.Add(30*24*time.Hour))
			return err
		}, pairup.EEXPIRED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := pairup.ErrorCode(tc.read()); code != tc.code {
				t.Errorf("code %q, want %q", code, tc.code)
			}
		})
	}
}

// TestRepairEvent: the event decodes into match-run's repair action, naming the person and
// the ended pair.
func TestRepairEvent(t *testing.T) {
	var ev struct {
		Action, Programme, Round string
		People, Replacing        []string
		DryRun                   *bool
	}
	if err := json.Unmarshal([]byte(membership.RepairEvent("iln", "2027-1", "reg2", "reg1+reg2")), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Action != "repair" || ev.Programme != "iln" || ev.Round != "2027-1" || len(ev.People) != 1 || ev.People[0] != "reg2" ||
		len(ev.Replacing) != 1 || ev.Replacing[0] != "reg1+reg2" || ev.DryRun == nil || *ev.DryRun {
		t.Errorf("event %+v", ev)
	}
}
