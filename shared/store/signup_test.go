package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

func TestUseFormNonce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	expires := t0.Add(12 * time.Hour)
	mustOK(t, s.UseFormNonce(ctx, "nonce-a", expires))
	for _, tc := range []struct {
		name    string
		nonce   string
		expires time.Time
		code    string
	}{
		{"ErrUsedBefore", "nonce-a", expires, pairup.ECONFLICT},
		{"OtherNonce", "nonce-b", expires, ""},
		{"ErrEmpty", "", expires, pairup.EINVALID},
		{"ErrExpired", "nonce-c", t0, pairup.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.UseFormNonce(ctx, tc.nonce, tc.expires)
			if tc.code == "" {
				mustOK(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	if item := rawItem(t, s, "FORM#nonce-a", "FORM"); item == nil || item["ExpiresAt"] == nil {
		t.Fatalf("form nonce item %v: want it with its expiry", item)
	}
}

func TestCountSourceSignup(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0.Add(10*time.Minute))
	for i := 1; i <= 3; i++ {
		mustOK(t, s.CountSourceSignup(ctx, "src-a", 3))
	}
	for _, tc := range []struct {
		name   string
		at     time.Time
		source string
		limit  int
		code   string
	}{
		{"ErrOverLimit", t0.Add(59 * time.Minute), "src-a", 3, pairup.ELIMIT},
		{"OtherSource", t0.Add(59 * time.Minute), "src-b", 3, ""},
		{"NextHour", t0.Add(time.Hour), "src-a", 3, ""},
		{"NoLimit", t0.Add(10 * time.Minute), "src-a", 0, ""},
		{"ErrNoSource", t0, "", 3, pairup.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setNow(s, tc.at)
			err := s.CountSourceSignup(ctx, tc.source, tc.limit)
			if tc.code == "" {
				mustOK(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	item := rawItem(t, s, "LIMIT#source#src-a", "HOUR#2026-03-01T09")
	if n, ok := item["count"].(*types.AttributeValueMemberN); !ok || n.Value != "3" || item["ExpiresAt"] == nil {
		t.Fatalf("counter item %v: want count 3 and an expiry", item)
	}
}

func TestRegisterCapped(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	expires := t0.Add(72 * time.Hour)
	reg := func(id string) (*pairup.Registration, bool, error) {
		r := newRegistration("iln", "r1", id, id+"@example.org", s.Now())
		return s.RegisterCapped(ctx, r, expires, confirmation(r, 1), 2)
	}
	for _, id := range []string{"a", "b"} {
		_, created, err := reg(id)
		mustOK(t, err)
		mustEqual(t, created, true)
	}
	t.Run("SameAddressNotCounted", func(t *testing.T) {
		r := newRegistration("iln", "r1", "a-again", "a@example.org", t0)
		got, created, err := s.RegisterCapped(ctx, r, expires, confirmation(r, 1), 2)
		mustOK(t, err)
		mustEqual(t, created, false)
		mustEqual(t, got.ID, "a")
	})
	t.Run("ErrCapReached", func(t *testing.T) {
		_, _, err := reg("c")
		wantCode(t, err, pairup.ELIMIT)
		// Nothing of it is stored: no registration, no claim, no email.
		for _, k := range [][2]string{{"ROUND#iln#r1", "REG#c"}, {"ROUND#iln#r1", "EMAIL#c@example.org"}, {"OUTBOX#confirm/c/1", "OUTBOX"}} {
			if item := rawItem(t, s, k[0], k[1]); item != nil {
				t.Errorf("%s %s stored over the cap: %v", k[0], k[1], item)
			}
		}
	})
	t.Run("NextDay", func(t *testing.T) {
		setNow(s, t0.Add(15*time.Hour)) // 2026-03-02 00:00 UTC
		defer setNow(s, t0)
		_, created, err := reg("d")
		mustOK(t, err)
		mustEqual(t, created, true)
	})
	t.Run("NoCap", func(t *testing.T) {
		r := newRegistration("iln", "r1", "e", "e@example.org", t0)
		_, created, err := s.RegisterCapped(ctx, r, expires, confirmation(r, 1), 0)
		mustOK(t, err)
		mustEqual(t, created, true)
	})
}

func TestResubmit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	expires := t0.Add(72 * time.Hour)
	cooldown := 2 * time.Minute
	// pending registers id as a mentor with capacity 2 (so a later mentee's signup must remove
	// the capacity), its first confirmation queued.
	pending := func(t *testing.T, id string) *pairup.Registration {
		t.Helper()
		r := newRegistration("iln", "r1", id, id+"@example.org", s.Now())
		r.Role, r.Capacity, r.ConfirmSends, r.LastSentAt = pairup.RoleMentor, 2, 1, s.Now()
		_, created, err := s.Register(ctx, r, expires, confirmation(r, 1))
		mustOK(t, err)
		mustEqual(t, created, true)
		return r
	}
	// later is the later signup's answers for the registration r.
	later := func(r *pairup.Registration) *pairup.Registration {
		l := *r
		l.Name, l.Country, l.Interests, l.Role, l.Capacity = "The Owner", "NZ", []string{"outreach"}, pairup.RoleMentee, 0
		l.ConsentAt = s.Now()
		return &l
	}
	resubmit := func(r *pairup.Registration, perDay int) (bool, error) {
		return s.Resubmit(ctx, r, 3, s.Now().Add(-cooldown), confirmation(r, r.ConfirmSends+1), perDay)
	}
	get := func(t *testing.T, id string) *pairup.Registration {
		t.Helper()
		r, err := s.GetRegistration(ctx, "iln", "r1", id)
		mustOK(t, err)
		return r
	}
	wantAnswers := func(t *testing.T, got, want *pairup.Registration) {
		t.Helper()
		if got.Name != want.Name || got.Country != want.Country || strings.Join(got.Interests, ",") != strings.Join(want.Interests, ",") ||
			got.Role != want.Role || got.Capacity != want.Capacity || !got.ConsentAt.Equal(want.ConsentAt) {
			t.Errorf("answers %+v, want those of %+v", got, want)
		}
		if got.Email != want.Email || !got.CreatedAt.Equal(want.CreatedAt) || got.Status != want.Status {
			t.Errorf("identity changed: %+v, want %+v", got, want)
		}
	}
	defer setNow(s, t0)

	t.Run("OK", func(t *testing.T) {
		setNow(s, t0)
		r := pending(t, "ok")
		setNow(s, t0.Add(cooldown))
		l := later(r)
		queued, err := resubmit(l, 10)
		mustOK(t, err)
		mustEqual(t, queued, true)
		got := get(t, "ok")
		wantAnswers(t, got, l)
		mustEqual(t, got.ConfirmSends, 2)
		if item := rawItem(t, s, "ROUND#iln#r1", "REG#ok"); item["capacity"] != nil {
			t.Errorf("capacity kept: %v", item["capacity"])
		}
		q, err := s.GetMessage(ctx, "confirm/ok/2")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusPending)
	})
	t.Run("WithinCooldownAnswersOnly", func(t *testing.T) {
		setNow(s, t0)
		r := pending(t, "cool")
		setNow(s, t0.Add(time.Minute))
		l := later(r)
		queued, err := resubmit(l, 10)
		mustOK(t, err)
		mustEqual(t, queued, false)
		got := get(t, "cool")
		wantAnswers(t, got, l)
		mustEqual(t, got.ConfirmSends, 1)
		if item := rawItem(t, s, "OUTBOX#confirm/cool/2", "OUTBOX"); item != nil {
			t.Errorf("queued inside the cool-down: %v", item)
		}
	})
	t.Run("CapReachedAnswersOnly", func(t *testing.T) {
		setNow(s, t0)
		r := pending(t, "cap")
		r.ConfirmSends = 3
		setNow(s, t0.Add(time.Hour))
		l := later(r)
		queued, err := resubmit(l, 10)
		mustOK(t, err)
		mustEqual(t, queued, false)
		wantAnswers(t, get(t, "cap"), l)
	})
	t.Run("ErrConfirmedUnchanged", func(t *testing.T) {
		setNow(s, t0)
		r := pending(t, "conf")
		_, err := s.ConfirmRegistration(ctx, "iln", "r1", "conf", t0)
		mustOK(t, err)
		before := get(t, "conf")
		setNow(s, t0.Add(time.Hour))
		for _, sends := range []int{1, 3} { // due for an email, and not
			l := later(r)
			l.ConfirmSends = sends
			_, err = resubmit(l, 10)
			wantCode(t, err, pairup.ECONFLICT)
		}
		mustEqual(t, get(t, "conf"), before)
		if item := rawItem(t, s, "OUTBOX#confirm/conf/2", "OUTBOX"); item != nil {
			t.Errorf("queued for a confirmed registration: %v", item)
		}
	})
	t.Run("ErrProgrammeCapUnchanged", func(t *testing.T) {
		setNow(s, t0.Add(48*time.Hour)) // a day of its own for the counter
		r := pending(t, "pcap")
		other := newRegistration("iln", "r1", "pcap-other", "pcap-other@example.org", s.Now())
		_, _, err := s.RegisterCapped(ctx, other, s.Now().Add(time.Hour), confirmation(other, 1), 1)
		mustOK(t, err)
		before := get(t, "pcap")
		setNow(s, s.Now().Add(time.Hour))
		_, err = resubmit(later(r), 1)
		wantCode(t, err, pairup.ELIMIT)
		mustEqual(t, get(t, "pcap"), before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		setNow(s, t0)
		r := newRegistration("iln", "r1", "nope", "nope@example.org", t0)
		r.ConfirmSends = 1
		_, err := resubmit(later(r), 10)
		wantCode(t, err, pairup.ENOTFOUND)
		if item := rawItem(t, s, "ROUND#iln#r1", "REG#nope"); item != nil {
			t.Errorf("created %v", item)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		setNow(s, t0)
		r := pending(t, "old")
		setNow(s, expires)
		_, err := resubmit(later(r), 10)
		wantCode(t, err, pairup.ENOTFOUND)
	})
}

func TestMessageRecipient(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	r := newRegistration("iln", "r1", "m", "m@example.org", t0)
	_, err := s.Enqueue(ctx, []mail.Message{confirmation(r, 1)})
	mustOK(t, err)
	to, err := s.MessageRecipient(ctx, "confirm/m/1")
	mustOK(t, err)
	mustEqual(t, to, "m@example.org")
	_, err = s.MessageRecipient(ctx, "confirm/m/2")
	wantCode(t, err, pairup.ENOTFOUND)
	// The message outlives the unsubscribe link that names it (a year).
	setNow(s, t0.Add(366*24*time.Hour))
	to, err = s.MessageRecipient(ctx, "confirm/m/1")
	mustOK(t, err)
	mustEqual(t, to, "m@example.org")
}

// TestDocNamesItems checks that the package doc's item table names every item's key prefix.
func TestDocNamesItems(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	mustOK(t, err)
	for _, prefix := range []string{
		"PROG#", "ROUND#", "REG#", "EMAIL#", "PAIR#", "OUTCOME#", "PERSON#", "SUPPRESS#", "OUTBOX#",
		"FORM#", "LIMIT#source#", "LIMIT#confirm#", "HOUR#", "DAY#",
	} {
		if !strings.Contains(string(doc), prefix) {
			t.Errorf("doc.go does not name %s", prefix)
		}
	}
}
