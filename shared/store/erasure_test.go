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
	"github.com/pairup/pairup/shared/store"
)

// eraseMsg is a message to to with key, speaking of about.
func eraseMsg(key, to string, about ...string) mail.Message {
	return mail.Message{
		Key: key, To: to, Subject: "About Ada Lovelace", Text: "Ada Lovelace (ada@example.org) says hello.",
		HTML: "<p>Ada Lovelace says hello.</p>", ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x",
		Tags: map[string]string{"kind": "test"}, About: about,
	}
}

// str returns a string attribute of a raw item ("" if absent).
func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// wantAbsent checks that a raw item has none of the attributes.
func wantAbsent(t *testing.T, what string, item map[string]types.AttributeValue, attrs ...string) {
	t.Helper()
	for _, a := range attrs {
		if _, ok := item[a]; ok {
			t.Errorf("%s still holds %s: %v", what, a, item[a])
		}
	}
}

// eventually retries f until it returns want (index queries are eventually consistent).
func eventually(t *testing.T, want int, f func() (int, error)) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	total := 0
	for {
		n, err := f()
		mustOK(t, err)
		total += n
		if total >= want || time.Now().After(deadline) {
			mustEqual(t, total, want)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEraseRegistrationSteps: each store step of an erasure changes what holds the person's
// data, leaves what the statistics and matching history need, and a second call changes
// nothing.
func TestEraseRegistrationSteps(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	_, r := setup(t, s)
	setNow(s, t0)
	ada := newRegistration("iln", "r1", "ada1", "ada@example.org", t0)
	_, _, err := register(s, ctx, ada, t0.Add(72*time.Hour))
	mustOK(t, err)
	_, err = s.ConfirmRegistration(ctx, "iln", "r1", "ada1", t0.Add(time.Minute))
	mustOK(t, err)
	pending := newRegistration("iln", "r1", "bob1", "bob@example.org", t0)
	_, _, err = register(s, ctx, pending, t0.Add(72*time.Hour))
	mustOK(t, err)
	at := t0.Add(time.Hour)

	t.Run("Find", func(t *testing.T) {
		pid, err := s.GetPerson(ctx, "ada@example.org")
		mustOK(t, err)
		if pid == "" {
			t.Fatal("no participant id")
		}
		_, err = s.GetPerson(ctx, "nobody@example.org")
		wantCode(t, err, pairup.ENOTFOUND)
		regs, err := s.ClaimedRegistrations(ctx, "ada@example.org", []pairup.Round{*r, {ProgrammeID: "iln", ID: "nope"}})
		mustOK(t, err)
		mustEqual(t, ids(regs), []string{"ada1"})
		regs, err = s.RegistrationsByEmail(ctx, "iln", "r1", "bob@example.org")
		mustOK(t, err)
		mustEqual(t, ids(regs), []string{"bob1"})
	})
	t.Run("Withdraw", func(t *testing.T) {
		changed, err := s.WithdrawForErasure(ctx, "iln", "r1", "ada1", at)
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.WithdrawForErasure(ctx, "iln", "r1", "ada1", at)
		mustOK(t, err)
		mustEqual(t, changed, false)
		got, err := s.GetRegistrationAny(ctx, "iln", "r1", "ada1")
		mustOK(t, err)
		mustEqual(t, got.Status, pairup.StatusWithdrawn)
	})
	t.Run("Anonymise", func(t *testing.T) {
		changed, err := s.AnonymiseRegistration(ctx, "iln", "r1", "ada1", at)
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.AnonymiseRegistration(ctx, "iln", "r1", "ada1", at.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, changed, false)
		item := rawItem(t, s, "ROUND#iln#r1", "REG#ada1")
		wantAbsent(t, "the erased registration", item, "name", "email", "languages", "timeZone", "interests", "preference", "eligibility", "locale")
		for a, want := range map[string]string{"country": "HK", "sector": "academic", "careerStage": "student", "role": "peer", "status": "withdrawn", "id": "ada1"} {
			if got := str(item, a); got != want {
				t.Errorf("erased registration %s = %q, want %q (kept)", a, got, want)
			}
		}
		got, err := s.GetRegistrationAny(ctx, "iln", "r1", "ada1")
		mustOK(t, err)
		if got.Email != "" || got.Name != "" || !got.ErasedAt.Equal(at) || got.ParticipantID == "" {
			t.Errorf("erased registration reads %+v", got)
		}
		// The other registration is untouched.
		other, err := s.GetRegistrationAny(ctx, "iln", "r1", "bob1")
		mustOK(t, err)
		mustEqual(t, other.Email, "bob@example.org")
	})
	t.Run("SurveyAnswers", func(t *testing.T) {
		_, err := s.SaveSurveyResponse(ctx, pairup.SurveyResponse{ProgrammeID: "iln", RoundID: "r1", Kind: pairup.SurveyMid, RegistrationID: "ada1",
			Answers: pairup.SurveyAnswers{"satisfaction": {"4"}, "comments": {"Ada Lovelace liked it"}}, SubmittedAt: t0})
		mustOK(t, err)
		changed, err := s.EraseSurveyAnswers(ctx, "iln", "r1", pairup.SurveyMid, "ada1", []string{"comments"}, at)
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.EraseSurveyAnswers(ctx, "iln", "r1", pairup.SurveyMid, "ada1", []string{"comments"}, at)
		mustOK(t, err)
		mustEqual(t, changed, false)
		resp, err := s.GetSurveyResponse(ctx, "iln", "r1", pairup.SurveyMid, "ada1")
		mustOK(t, err)
		mustEqual(t, resp.Answers, pairup.SurveyAnswers{"satisfaction": {"4"}})
		changed, err = s.EraseSurveyAnswers(ctx, "iln", "r1", pairup.SurveyEnd, "ada1", []string{"comments"}, at)
		mustOK(t, err)
		mustEqual(t, changed, false) // no such response: nothing created
		if item := rawItem(t, s, "ROUND#iln#r1", "SURVEY#end#ada1"); item != nil {
			t.Errorf("erasing answers created %v", item)
		}
		_, err = s.EraseSurveyAnswers(ctx, "iln", "r1", pairup.SurveyMid, "ada1", []string{"a.b"}, at)
		wantCode(t, err, pairup.EINVALID)
	})
	t.Run("Deferred", func(t *testing.T) {
		r2 := newRound("iln", "r2", t0)
		r2.State = pairup.RoundMatching
		mustOK(t, s.CreateRound(ctx, r2))
		mustOK(t, s.WritePlan(ctx, "iln", "r2", nil, []pairup.Outcome{
			{RegistrationID: "ada1", Kind: pairup.OutcomeDeferred, SignedUpAt: t0, Position: 1},
			{RegistrationID: "bob1", Kind: pairup.OutcomeDeferred, SignedUpAt: t0.Add(time.Second), Position: 2},
		}))
		changed, err := s.LeaveDeferred(ctx, "iln", "r2", "ada1")
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.LeaveDeferred(ctx, "iln", "r2", "ada1")
		mustOK(t, err)
		mustEqual(t, changed, false)
		deferred, err := s.ListDeferred(ctx, "iln")
		mustOK(t, err)
		mustEqual(t, len(deferred), 1)
		mustEqual(t, deferred[0].RegistrationID, "bob1")
		outcomes, err := s.ListOutcomes(ctx, "iln", "r2")
		mustOK(t, err)
		mustEqual(t, len(outcomes), 2) // the round's history stays
	})
	t.Run("Claims", func(t *testing.T) {
		changed, err := s.DeleteEmailClaim(ctx, "iln", "r1", "ada@example.org")
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.DeleteEmailClaim(ctx, "iln", "r1", "ada@example.org")
		mustOK(t, err)
		mustEqual(t, changed, false)
		n, err := s.DeleteRoundEmailClaims(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, n, 1) // bob's
		if item := rawItem(t, s, "ROUND#iln#r1", "EMAIL#bob@example.org"); item != nil {
			t.Errorf("claim left: %v", item)
		}
	})
	t.Run("Person", func(t *testing.T) {
		changed, err := s.DeletePerson(ctx, "ada@example.org")
		mustOK(t, err)
		mustEqual(t, changed, true)
		changed, err = s.DeletePerson(ctx, "ada@example.org")
		mustOK(t, err)
		mustEqual(t, changed, false)
	})
	t.Run("RoundMark", func(t *testing.T) {
		got, err := s.RoundErasedAt(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, got.IsZero(), true)
		mustOK(t, s.MarkRoundErased(ctx, "iln", "r1", at))
		mustOK(t, s.MarkRoundErased(ctx, "iln", "r1", at.Add(time.Hour)))
		got, err = s.RoundErasedAt(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, got, at)
		wantCode(t, s.MarkRoundErased(ctx, "iln", "nope", at), pairup.ENOTFOUND)
		round, err := s.GetRound(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, round.State, pairup.RoundOpen)
	})
}

// TestEraseMessages: once sent, a message keeps no subject or body and is found under its
// recipient; an erasure cancels the unsent messages that speak of the person (by address, by key,
// by About) and takes the address from the sent ones; a message an erasure cancelled while it was
// being sent stays erased when the mailer marks it sent.
func TestEraseMessages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	lease := 2 * time.Minute
	const ada, partner, other = "ada@example.org", "partner@example.org", "other@example.org"
	sent := eraseMsg("confirm/ada1/1", ada)
	sent.Attachments = []mail.Attachment{{FileName: "a.csv", ContentType: "text/csv", Data: []byte("Ada Lovelace,ada@example.org\n")}}
	inFlight := eraseMsg("prompt/iln/r1/ada1+pat1/1/ada1", ada)
	msgs := []mail.Message{
		sent, inFlight,
		eraseMsg("match/iln/r1/ada1", ada),                          // to her
		eraseMsg("match/iln/r1/pat1", partner, "ada1"),              // her partner's introduction names her (About)
		eraseMsg("checkin/iln/r1/ada1+pat1/pat1", partner),          // the pair's id names her
		eraseMsg("proposal/iln/r1/commit/0", other, "round:iln/r1"), // the whole round
		eraseMsg("match/iln/r1/zed1", other),                        // not about her
		eraseMsg("match/iln/r2/ada1x", other, "ada1x"),              // an id that merely starts like hers
	}
	_, err := s.Enqueue(ctx, msgs)
	mustOK(t, err)

	// Sending drops what the message said and files it under its recipient.
	_, ok, err := s.ClaimMessage(ctx, sent.Key, lease)
	mustOK(t, err)
	mustEqual(t, ok, true)
	mustOK(t, s.MarkSent(ctx, sent.Key, "ses-1"))
	item := rawItem(t, s, "OUTBOX#"+sent.Key, "OUTBOX")
	wantAbsent(t, "a sent message", item, "subject", "text", "html", "attachments", "leaseId", "leaseUntil")
	mustEqual(t, str(item, "GSI1PK"), ada)
	mustEqual(t, strings.HasSuffix(str(item, "GSI1SK"), "#"+sent.Key), true)
	mustEqual(t, str(item, "status"), "sent")
	to, err := s.MessageRecipient(ctx, sent.Key)
	mustOK(t, err)
	mustEqual(t, to, ada) // the unsubscribe link still finds its address

	// A message being sent when the erasure runs.
	flying, ok, err := s.ClaimMessage(ctx, inFlight.Key, lease)
	mustOK(t, err)
	mustEqual(t, ok, true)

	e := store.Erasing{Email: ada, Everything: true, Registrations: []string{"ada1"}, Rounds: []string{mail.AboutRound("iln", "r1")}}
	eventually(t, 5, func() (int, error) { return s.CancelMessages(ctx, e, t0) })
	n, err := s.CancelMessages(ctx, e, t0)
	mustOK(t, err)
	mustEqual(t, n, 0)
	for _, m := range msgs[1:6] {
		item := rawItem(t, s, "OUTBOX#"+m.Key, "OUTBOX")
		wantAbsent(t, m.Key, item, "subject", "text", "html", "leaseId")
		if str(item, "status") != "skipped" || str(item, "error") != "erased" || str(item, "erasedAt") == "" {
			t.Errorf("%s: status %q, error %q, erasedAt %q; want skipped, erased", m.Key, str(item, "status"), str(item, "error"), str(item, "erasedAt"))
		}
		if m.To == ada {
			wantAbsent(t, m.Key, item, "to", "GSI1PK", "GSI1SK")
		} else {
			mustEqual(t, str(item, "GSI1PK"), m.To) // filed under its own recipient, who keeps it
		}
	}
	for _, m := range msgs[6:] {
		q, err := s.GetMessage(ctx, m.Key)
		mustOK(t, err)
		if q.Status != mail.StatusPending || q.Subject == "" {
			t.Errorf("%s, not about her: %s, subject %q", m.Key, q.Status, q.Subject)
		}
	}
	// The mailer's mark of the message it was sending leaves it erased.
	mustOK(t, s.MarkSent(ctx, inFlight.Key, "ses-2"))
	wantCode(t, s.MarkFailed(ctx, inFlight.Key, flying.LeaseID, "MessageRejected"), pairup.ECONFLICT)
	item = rawItem(t, s, "OUTBOX#"+inFlight.Key, "OUTBOX")
	wantAbsent(t, "the message sent while erased", item, "to", "GSI1PK", "providerId")
	mustEqual(t, str(item, "status"), "skipped")

	// The sent one loses its address.
	eventually(t, 1, func() (int, error) { return s.EraseSentMessages(ctx, e, t0) })
	n, err = s.EraseSentMessages(ctx, e, t0)
	mustOK(t, err)
	mustEqual(t, n, 0)
	item = rawItem(t, s, "OUTBOX#"+sent.Key, "OUTBOX")
	wantAbsent(t, "the sent message", item, "to", "GSI1PK", "GSI1SK")
	mustEqual(t, str(item, "providerId"), "ses-1")
	_, err = s.MessageRecipient(ctx, sent.Key)
	wantCode(t, err, pairup.ENOTFOUND)

	// Retention's narrower erasure: only the messages that name the registration.
	keep, gone := eraseMsg("match/iln/r9/new1", ada), eraseMsg("survey/mid/iln/r1/old1/0", ada)
	_, err = s.Enqueue(ctx, []mail.Message{keep, gone})
	mustOK(t, err)
	for _, m := range []mail.Message{keep, gone} {
		_, _, err := s.ClaimMessage(ctx, m.Key, lease)
		mustOK(t, err)
		mustOK(t, s.MarkSent(ctx, m.Key, "ses"))
	}
	narrow := store.Erasing{Email: ada, Registrations: []string{"old1"}}
	eventually(t, 1, func() (int, error) { return s.EraseSentMessages(ctx, narrow, t0) })
	if to, err := s.MessageRecipient(ctx, keep.Key); err != nil || to != ada {
		t.Errorf("a later round's email lost its address: %q, %v", to, err)
	}
}

// TestHashedSuppression: an erased address's suppression is kept under a keyed hash, found with
// the plain one (the strongest reason wins), never weakened by a later unsubscribe, and lifted
// by reason as the plain one is.
func TestHashedSuppression(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const addr = "gone@example.org"
	hashes := []string{"newkeyhash", "oldkeyhash"}

	moved, err := s.HashSuppression(ctx, addr, hashes[0])
	mustOK(t, err)
	mustEqual(t, moved, false) // nothing to move
	_, err = s.HashSuppression(ctx, addr, "")
	wantCode(t, err, pairup.EINVALID)

	mustOK(t, s.Suppress(ctx, addr, pairup.SuppressBounce, t0))
	moved, err = s.HashSuppression(ctx, addr, hashes[0])
	mustOK(t, err)
	mustEqual(t, moved, true)
	if item := rawItem(t, s, "SUPPRESS#"+addr, "SUPPRESS"); item != nil {
		t.Errorf("the address's own suppression is left: %v", item)
	}
	item := rawItem(t, s, "SUPPRESS#h:"+hashes[0], "SUPPRESS")
	mustEqual(t, str(item, "reason"), "bounce")
	wantAbsent(t, "the hashed suppression", item, "email")
	_, err = s.Suppressed(ctx, addr, nil)
	wantCode(t, err, pairup.ENOTFOUND)
	for _, hs := range [][]string{hashes, hashes[:1], {"oldkeyhash", "newkeyhash"}} {
		reason, err := s.Suppressed(ctx, addr, hs)
		mustOK(t, err)
		mustEqual(t, reason, pairup.SuppressBounce)
	}

	// The address signs up again and unsubscribes, then is erased again: the bounce stays.
	mustOK(t, s.Suppress(ctx, addr, pairup.SuppressUnsubscribe, t0))
	reason, err := s.Suppressed(ctx, addr, hashes)
	mustOK(t, err)
	mustEqual(t, reason, pairup.SuppressBounce)
	moved, err = s.HashSuppression(ctx, addr, hashes[0])
	mustOK(t, err)
	mustEqual(t, moved, true)
	mustEqual(t, str(rawItem(t, s, "SUPPRESS#h:"+hashes[0], "SUPPRESS"), "reason"), "bounce")
	wantCode(t, s.UnsuppressHashed(ctx, hashes, pairup.SuppressUnsubscribe), pairup.ECONFLICT)
	reason, err = s.Suppressed(ctx, addr, hashes)
	mustOK(t, err)
	mustEqual(t, reason, pairup.SuppressBounce)

	// An unsubscribe kept under an older key's hash is found and lifted by a new signup.
	const other = "unsub@example.org"
	mustOK(t, s.Suppress(ctx, other, pairup.SuppressUnsubscribe, t0))
	_, err = s.HashSuppression(ctx, other, "oldkeyhash2")
	mustOK(t, err)
	reason, err = s.Suppressed(ctx, other, []string{"newkeyhash2", "oldkeyhash2"})
	mustOK(t, err)
	mustEqual(t, reason, pairup.SuppressUnsubscribe)
	mustOK(t, s.UnsuppressHashed(ctx, []string{"newkeyhash2", "oldkeyhash2"}, pairup.SuppressUnsubscribe))
	_, err = s.Suppressed(ctx, other, []string{"newkeyhash2", "oldkeyhash2"})
	wantCode(t, err, pairup.ENOTFOUND)
}

// TestDocNamesErasure checks that the package doc describes erasure: its section, the hashed
// suppression's key, the recipient's index, and every store step erasure uses.
func TestDocNamesErasure(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	mustOK(t, err)
	for _, want := range []string{
		"# Personal data and erasure", "SUPPRESS#h:<hash>", "OUTBOX² | <to>⁶",
		"GetPerson", "ClaimedRegistrations", "RegistrationsByEmail", "AllRegistrations", "GetRegistrationAny",
		"WithdrawForErasure", "AnonymiseRegistration", "CancelMessages", "EraseSentMessages", "EraseSurveyAnswers",
		"LeaveDeferred", "DeleteEmailClaim", "DeleteRoundEmailClaims", "HashSuppression", "Suppressed",
		"UnsuppressHashed", "DeletePerson", "RoundErasedAt", "MarkRoundErased",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("doc.go does not name %s", want)
		}
	}
}
