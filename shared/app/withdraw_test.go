package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamodbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
)

// Withdrawal and the next round (issue 11, points 2 and 3), end to end through the local stack:
// the hosted pages (signup and survey functions), match-run, the table's stream and the mailer,
// on the test's clock.

// withdrawLinkIn returns the withdraw link in an email's text, or "".
func withdrawLinkIn(text string) string { return anyLink("/withdraw").FindString(text) }

// personItems counts the person items in the whole table holding email (a scan: the test may).
func (s *stack) personItems(email string) int {
	s.t.Helper()
	expr, err := expression.NewBuilder().WithFilter(expression.Name("itemType").Equal(expression.Value("person")).
		And(expression.Name("email").Equal(expression.Value(email)))).Build()
	if err != nil {
		s.t.Fatal(err)
	}
	n := 0
	p := dynamodb.NewScanPaginator(localenv.DynamoDBClient(ddb.Endpoint), &dynamodb.ScanInput{
		TableName: aws.String(s.cfg.Table), FilterExpression: expr.Filter(), ConsistentRead: aws.Bool(true),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		n += len(page.Items)
	}
	return n
}

// TestWithdrawAndNextRoundILN: on the committed 40-person iln round (10 from AU, over the 20%
// cap: 2 deferred), every participant's email carries a withdraw link; a participant withdraws
// in the middle of the round by it (opening it changes nothing): their partner gets a kind email
// whose one-click "new partner" link alerts the coordinators (once), the coordinators get the
// withdrawal alert, and a second withdrawal is refused. The next round opens with the deferred
// people invited first (their invitations queued at open); someone who withdraws before its
// matching is left out of it; the deferred rejoin by their link, keeping their signup time
// (ahead of a later signup from their country) and their participant id, with no second person
// record; and its matching never pairs returning participants with a previous partner.
func TestWithdrawAndNextRoundILN(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	people := committedILN(t, s)
	s.serveAll()
	p, err := s.store.GetProgramme(ctx, demo.ILN)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := p.Coordinators[0]
	regs := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		regs[r.ID] = r
	}
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	outcomes, err := s.store.ListOutcomes(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}

	// Every participant's email of the matching carries their withdraw link; the confirmation
	// does not.
	for _, pp := range people {
		with := 0
		for _, m := range mails(t, pp.email) {
			if withdrawLinkIn(m.Text) != "" {
				with++
				if !strings.Contains(m.HTML, "Withdraw from this round</a>") {
					t.Errorf("%s: the HTML of %q has no withdraw link", pp.name, m.Subject)
				}
			} else if !strings.Contains(m.Text, "/confirm?t=") {
				t.Errorf("%s: %q has no withdraw link", pp.name, m.Subject)
			}
		}
		if with != 1 {
			t.Errorf("%s has %d emails with a withdraw link, want 1 (the matching's)", pp.name, with)
		}
	}

	// Mid-round: A withdraws from a pair with B.
	var pair pairup.Pair
	for _, pr := range pairs {
		if len(pr.Members) == 2 && pair.ID == "" {
			pair = pr
		}
	}
	a, b := regs[pair.Members[0].RegistrationID], regs[pair.Members[1].RegistrationID]
	var aLink string
	for _, m := range mails(t, a.Email) {
		if l := withdrawLinkIn(m.Text); l != "" {
			aLink = l
		}
	}
	s.clock.Advance(20 * 24 * time.Hour)
	u, _ := url.Parse(aLink)
	st, page := s.get(u.RequestURI())
	if st != http.StatusOK || !strings.Contains(page, "Withdraw from the round?") || !strings.Contains(page, b.Name) {
		t.Fatalf("the withdraw page: %d\n%.1500s", st, page)
	}
	if got, _ := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, a.ID); got.Status != pairup.StatusConfirmed {
		t.Fatalf("opening the withdraw link changed the registration to %s", got.Status)
	}
	if got, _ := s.store.GetPair(ctx, demo.ILN, demo.ILNRound, pair.ID); !got.Active() {
		t.Fatal("opening the withdraw link ended the pair")
	}
	before := len(mails(t, coordinator))
	if _, st, page := s.press(aLink, nil); st != http.StatusOK || !strings.Contains(page, "You have withdrawn") || !strings.Contains(page, b.Name) {
		t.Fatalf("withdraw: %d\n%.1500s", st, page)
	}
	got, _ := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, a.ID)
	ended, _ := s.store.GetPair(ctx, demo.ILN, demo.ILNRound, pair.ID)
	if got.Status != pairup.StatusWithdrawn || ended.Active() || ended.EndReason != pairup.PairEndWithdrawn {
		t.Fatalf("after withdrawing: %s; pair ended %s (%s)", got.Status, ended.EndedAt, ended.EndReason)
	}
	kind := waitMails(t, b.Email, 3)[2] // confirm, intro, and this
	if !strings.Contains(kind.Subject, a.Name+" has had to withdraw") || !strings.Contains(kind.Text, "no reflection on you") {
		t.Fatalf("the partner's email:\n%s\n%s", kind.Subject, kind.Text)
	}
	newPartner := anyLink("/new-partner").FindString(kind.Text)
	if newPartner == "" || withdrawLinkIn(kind.Text) == "" {
		t.Fatalf("the partner's email lacks the new-partner or the withdraw link:\n%s", kind.Text)
	}
	alert := waitMails(t, coordinator, before+1)[before]
	if !strings.Contains(alert.Subject, a.Name+" has withdrawn") || !strings.Contains(alert.Text, b.Email) || !strings.Contains(alert.Text, `"replacing"`) {
		t.Fatalf("the coordinators' alert:\n%s\n%s", alert.Subject, alert.Text)
	}

	// A second withdrawal: a clear page, nothing changed.
	if getPage, st, page := s.press(aLink, nil); page != "" || st != http.StatusConflict || !strings.Contains(getPage, "You withdrew from") {
		t.Errorf("a second withdrawal's page: %d\n%.1500s", st, getPage)
	}
	if st, page := s.post("/withdraw", url.Values{"t": {u.Query().Get("t")}}, nil); st != http.StatusConflict || !strings.Contains(page, "You withdrew from") {
		t.Errorf("a second withdrawal's POST: %d\n%.1500s", st, page)
	}
	if again, _ := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, a.ID); !again.WithdrawnAt.Equal(got.WithdrawnAt) {
		t.Errorf("a second withdrawal moved withdrawnAt from %s to %s", got.WithdrawnAt, again.WithdrawnAt)
	}

	// B asks for a new partner: opening the link sends nothing; the button alerts the
	// coordinators once, with the re-pair event; the event re-pairs B, never with A.
	s.drain()
	before = len(mails(t, coordinator))
	u, _ = url.Parse(newPartner)
	if st, page := s.get(u.RequestURI()); st != http.StatusOK || !strings.Contains(page, "Please find me a new partner") {
		t.Fatalf("the new-partner page: %d\n%.1500s", st, page)
	}
	if _, st, page := s.press(newPartner, nil); st != http.StatusOK || !strings.Contains(page, "Your request is on its way") {
		t.Fatalf("asking for a new partner: %d\n%.1500s", st, page)
	}
	request := waitMails(t, coordinator, before+1)[before]
	if !strings.Contains(request.Subject, b.Name+" asks for a new partner") {
		t.Fatalf("the request:\n%s\n%s", request.Subject, request.Text)
	}
	if getPage, _, page := s.press(newPartner, nil); page != "" || !strings.Contains(getPage, "You asked for a new partner on") {
		t.Errorf("asking twice:\n%.1500s", getPage)
	}
	var ev matchrun.Event
	if err := json.Unmarshal([]byte(request.Text[strings.Index(request.Text, "{"):strings.LastIndex(request.Text, "}")+1]), &ev); err != nil {
		t.Fatalf("the request's event: %v\n%s", err, request.Text)
	}
	h := s.matchRun()
	if res := s.run(h, ev); len(res.Pairs) == 0 {
		t.Fatalf("the re-pair: %+v", res)
	}
	s.drain()
	after, _ := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	repaired := false
	for _, pr := range after {
		if pr.Active() && pr.Has(b.ID) {
			repaired = !pr.Has(a.ID)
		}
	}
	if !repaired || len(emailsWith(t, b.Email, "new partner")) != 1 {
		t.Errorf("B re-paired %v, with %d new-partner introductions", repaired, len(emailsWith(t, b.Email, "new partner")))
	}
	s.settle(t, []string{coordinator}, before+1) // nothing more reached the coordinators

	// The next round opens: the deferred are invited first, their invitations queued at open.
	var deferred []pairup.Registration
	for _, o := range outcomes {
		if o.Kind == pairup.OutcomeDeferred {
			deferred = append(deferred, regs[o.RegistrationID])
		}
	}
	slices.SortFunc(deferred, func(x, y pairup.Registration) int { return x.CreatedAt.Compare(y.CreatedAt) })
	n := len(deferred) // 3: the cap is 20% of those accepted, so 7 of the 37 may be from AU
	if n < 2 {
		t.Fatalf("%d deferred, want 2 or more", n)
	}
	const next = "2027-2"
	opened := s.clock.Now()
	res := s.run(h, matchrun.Event{Action: matchrun.ActionOpenRound, Programme: demo.ILN, NewRound: &matchrun.RoundSpec{
		ID: next, Name: "2027 Round 2", SignupOpens: opened.Add(-time.Hour), SignupCloses: opened.AddDate(0, 1, 0),
		Starts: opened.AddDate(0, 1, 10), Ends: opened.AddDate(0, 5, 0),
	}})
	if len(res.Invited) != n || res.Emails == nil || res.Emails.Participants != n {
		t.Fatalf("open-round: %+v", res)
	}
	for i, d := range deferred {
		if !strings.Contains(res.Invited[i].Person, d.ID) {
			t.Errorf("invitation %d: %s, want %s (signup order)", i+1, res.Invited[i].Person, d.Name)
		}
		q, err := s.store.GetMessage(ctx, "invite/"+demo.ILN+"/"+next+"/"+d.ID)
		if err != nil || !q.CreatedAt.Equal(opened) {
			t.Errorf("%s's invitation: %+v, %v (want queued at the opening)", d.Name, q, err)
		}
	}

	// Sign-ups to the new round: X and Y, partners in the first round (returning); a new
	// person from AU, signing up before the deferred take their places; and enough others, each
	// from a country of their own, that the cap (20% of those accepted) admits exactly the n
	// deferred from AU: 5n accepted, so 4n-2 others.
	var x, y pairup.Registration
	for _, pr := range after {
		if pr.Active() && len(pr.Members) == 2 && !pr.Has(b.ID) && pr.Replaces == "" {
			x, y = regs[pr.Members[0].RegistrationID], regs[pr.Members[1].RegistrationID]
			if x.Country != "AU" && y.Country != "AU" {
				break
			}
		}
	}
	again := func(r pairup.Registration) person {
		for _, pp := range people {
			if pp.email == r.Email {
				return pp
			}
		}
		t.Fatalf("no person %s", r.Email)
		return person{}
	}
	for _, r := range []pairup.Registration{x, y} {
		s.signUpAgain(again(r))
	}
	preview := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: next})
	if preview.Counts.Confirmed != 2 || preview.Counts.Pairs != 0 {
		t.Fatalf("a round of two previous partners paired them: %+v", preview.Counts)
	}
	newPerson := func(tag, country string) person {
		email := uniqueEmail(tag)
		f := s.ilnForm(email)
		f.Set("name", "Newcomer "+tag)
		f.Set("country", country)
		f.Set("timeZone", zones[country])
		return person{name: f.Get("name"), email: email, country: country, form: f}
	}
	var newcomers []person
	newcomers = append(newcomers, newPerson("au-late", "AU"))
	for _, c := range []string{"GB", "KE", "BR", "IN", "CA", "NZ", "ZA", "DE", "JP", "MX", "NG", "PH", "US", "FR", "SG"} {
		if c != x.Country && c != y.Country && len(newcomers) < 1+4*n-2 {
			newcomers = append(newcomers, newPerson("next-"+strings.ToLower(c), c))
		}
	}
	if len(newcomers) != 1+4*n-2 {
		t.Fatalf("%d newcomers, want %d", len(newcomers), 1+4*n-2)
	}
	s.signUpAndConfirm(demo.ILN, newcomers)

	// C signs up too, and withdraws before the matching by the link the confirmed page offers.
	c := newPerson("c", "AU") // would take an AU place if they stayed
	c.form.Set("ft", s.formToken(demo.ILN))
	if st, _ := s.post("/p/"+demo.ILN+"/signup", c.form, nil); st != http.StatusOK {
		t.Fatalf("C's signup: %d", st)
	}
	st, confirmed := s.confirm(link(t, waitMails(t, c.email, 1)[0]))
	cLink := withdrawLinkIn(confirmed)
	if st != http.StatusOK || cLink == "" {
		t.Fatalf("C's confirmed page: %d, withdraw link %q\n%.1500s", st, cLink, confirmed)
	}
	if getPage, st, page := s.press(cLink, nil); st != http.StatusOK || !strings.Contains(getPage, "The matching has not been made yet") || !strings.Contains(page, "You will not be matched") {
		t.Fatalf("C's withdrawal: %d\n%.1500s\n%.1500s", st, getPage, page)
	}

	// The deferred take their places: the page changes nothing; the button, once.
	for _, d := range deferred {
		waitMails(t, d.Email, 3) // the confirmation, "deferred", and the invitation
		inv := emailsWith(t, d.Email, "is waiting")
		if len(inv) != 1 {
			t.Fatalf("%s has %d invitations, want 1", d.Name, len(inv))
		}
		rejoin := anyLink("/rejoin").FindString(inv[0])
		u, _ := url.Parse(rejoin)
		if st, page := s.get(u.RequestURI()); st != http.StatusOK || !strings.Contains(page, "Take my place") {
			t.Fatalf("%s's rejoin page: %d\n%.1500s", d.Name, st, page)
		}
		if _, err := s.store.GetRegistration(ctx, demo.ILN, next, d.ID); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Fatalf("opening the rejoin link stored a registration (%v)", err)
		}
		if _, st, page := s.press(rejoin, nil); st != http.StatusOK || !strings.Contains(page, "You are in") {
			t.Fatalf("%s rejoins: %d\n%.1500s", d.Name, st, page)
		}
		if getPage, st, page := s.press(rejoin, nil); page != "" || st != http.StatusConflict || !strings.Contains(getPage, "already taken your place") {
			t.Errorf("%s rejoins twice: %d\n%.1500s", d.Name, st, getPage)
		}
		r, err := s.store.GetRegistration(ctx, demo.ILN, next, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != pairup.StatusConfirmed || !r.CreatedAt.Equal(d.CreatedAt) || r.ParticipantID != d.ParticipantID || !r.Returning {
			t.Errorf("%s's registration in the new round: %s, created %s (was %s), participant %s (was %s), returning %v",
				d.Name, r.Status, r.CreatedAt, d.CreatedAt, r.ParticipantID, d.ParticipantID, r.Returning)
		}
		if n := s.personItems(d.Email); n != 1 {
			t.Errorf("%s has %d person items, want 1", d.Name, n)
		}
		var pid struct {
			ParticipantID string `json:"participantId"`
		}
		if err := json.Unmarshal(mustItemJSON(t, s, "PERSON#"+d.Email, "PERSON"), &pid); err != nil || pid.ParticipantID != d.ParticipantID {
			t.Errorf("%s's person item names participant %q, want %q (%v)", d.Name, pid.ParticipantID, d.ParticipantID, err)
		}
	}

	// The new round's matching: C left out; the deferred keep their place ahead of the later
	// AU signup; X and Y, previous partners, not paired together.
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: next})
	committed := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: next, DryRun: dry(false)})
	if committed.State != string(pairup.RoundActive) {
		t.Fatalf("commit of the new round: %+v", committed)
	}
	nextOutcomes, _ := s.store.ListOutcomes(ctx, demo.ILN, next)
	kinds := map[string]pairup.OutcomeKind{}
	for _, o := range nextOutcomes {
		kinds[o.RegistrationID] = o.Kind
	}
	byEmail := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, next) {
		byEmail[r.Email] = r
	}
	if r := byEmail[c.email]; r.Status != pairup.StatusWithdrawn || kinds[r.ID] != "" {
		t.Errorf("C (%s) has outcome %q: a withdrawal before matching must leave them out", r.Status, kinds[r.ID])
	}
	for _, d := range deferred {
		if kinds[d.ID] != pairup.OutcomePaired {
			t.Errorf("%s, deferred before, is %q in the new round, want paired", d.Name, kinds[d.ID])
		}
	}
	if late := byEmail[newcomers[0].email]; kinds[late.ID] != pairup.OutcomeDeferred {
		t.Errorf("the later AU signup is %q, want deferred (the rejoined keep their earlier place)", kinds[late.ID])
	}
	nextPairs, _ := s.store.ListPairs(ctx, demo.ILN, next)
	xr, yr := byEmail[x.Email], byEmail[y.Email]
	if !xr.Returning || !yr.Returning {
		t.Errorf("X and Y are not recognised as returning: %v, %v", xr.Returning, yr.Returning)
	}
	for _, pr := range nextPairs {
		if pr.Has(xr.ID) && pr.Has(yr.ID) {
			t.Errorf("previous partners X and Y paired again: %s", pr.ID)
		}
	}
	if len(nextPairs) == 0 {
		t.Error("the new round has no pairs")
	}
}

// mustItemJSON returns an item of the stack's table as JSON (attribute values as plain JSON:
// strings only, enough for the fields a test reads).
// signUpAgain signs a person of an earlier round up again through the form and confirms by the
// new confirmation email's link (not the old one's, long expired), as they would.
func (s *stack) signUpAgain(pp person) {
	s.t.Helper()
	had := mails(s.t, pp.email)
	old := map[string]bool{}
	for _, m := range had {
		old[confirmLink.FindString(m.Text)] = true
	}
	pp.form.Set("ft", s.formToken(demo.ILN))
	if st, body := s.post("/p/"+demo.ILN+"/signup", pp.form, nil); st != http.StatusOK {
		s.t.Fatalf("signup of %s: %d\n%.1000s", pp.name, st, body)
	}
	for _, m := range waitMails(s.t, pp.email, len(had)+1) {
		if l := confirmLink.FindString(m.Text); l != "" && !old[l] {
			if st, body := s.confirm(l); st != http.StatusOK || !strings.Contains(body, "Welcome back") {
				s.t.Fatalf("confirm %s again: %d\n%.1000s", pp.name, st, body)
			}
			s.clock.Advance(time.Minute)
			return
		}
	}
	s.t.Fatalf("%s got no new confirmation email", pp.name)
}

func mustItemJSON(t *testing.T, s *stack, pk, sk string) []byte {
	t.Helper()
	out, err := localenv.DynamoDBClient(ddb.Endpoint).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]dynamodbtypes.AttributeValue{
			"PK": &dynamodbtypes.AttributeValueMemberS{Value: pk}, "SK": &dynamodbtypes.AttributeValueMemberS{Value: sk},
		},
	})
	if err != nil || len(out.Item) == 0 {
		t.Fatalf("item %s/%s: %v", pk, sk, err)
	}
	m := map[string]string{}
	for k, v := range out.Item {
		if sv, ok := v.(*dynamodbtypes.AttributeValueMemberS); ok {
			m[k] = sv.Value
		}
	}
	b, _ := json.Marshal(m)
	return b
}
