package report

import (
	"strings"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// The seeded round: a peer programme's round of 12 registrations with known answers, built by
// hand. Every number the tests expect follows from it (see the comments).
//
//	r01 Ada Lovelace (GB), r02 陳大文 (HK)              pair p1, both continue
//	r03 =HYPERLINK(…) (AU), r04 Björk (IS)              pair p2, r04 concludes
//	r05 Nguyễn (VN), r06 Ngozi (NG), r07 erased (ES)    trio p3, r05 continues, the rest silent
//	r08 Priya (IN), r10 Tom (AU)                        pair p4, ended on day 20: r10 withdrew
//	r08 Priya (IN), r12 Omar (EG)                       pair p5 (day 25) replaces p4; nobody chooses
//	r09 (US) pending; r11 (AU) deferred by the country cap; r12 unmatched at the commit
var (
	commit   = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC) // the round starts; pairs made
	roundEnd = time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	aDay     = 24 * time.Hour
)

const hyperlinkName = `=HYPERLINK("https://evil.example","click")`

func seededProgramme() *pairup.Programme {
	return &pairup.Programme{
		ID: "iln", Name: "International Librarians Network", Mode: pairup.ModePeer, Locale: "en",
		Sectors:   []pairup.Option{{Value: "academic", Label: "Academic library"}, {Value: "public", Label: "Public library"}},
		Stages:    []pairup.Option{{Value: "new", Label: "New professional (under 5 years)"}, {Value: "senior", Label: "Senior (over 15 years)"}},
		Interests: []pairup.Option{{Value: "outreach", Label: "Outreach and programming"}, {Value: "systems", Label: "Library systems and technology"}},
		Rules:     pairup.Rules{CountryCapPercent: 20},
	}
}

func seededRound() *pairup.Round {
	return &pairup.Round{
		ProgrammeID: "iln", ID: "r1", Name: "2027 Round 1", State: pairup.RoundClosing,
		SignupOpens: commit.AddDate(0, -1, 0), SignupCloses: commit.Add(-aDay), Starts: commit, Ends: roundEnd,
		Matching: &pairup.MatchStats{Registrations: 12, Confirmed: 11, Matched: 9, Pairs: 4, Trios: 1, Deferred: 1,
			Unmatched: map[string]int{"no shared language": 1}, Countries: 8, CommittedAt: commit},
	}
}

func reg(id, name, country string, status pairup.Status, at time.Duration) pairup.Registration {
	r := pairup.Registration{
		ID: id, ProgrammeID: "iln", RoundID: "r1", ParticipantID: "p-" + id, Name: name, Email: id + "@example.org",
		Country: country, Languages: []string{"en"}, TimeZone: "Europe/London", Sector: "academic", CareerStage: "new",
		Interests: []string{"outreach", "systems"}, Preference: pairup.PreferAny, Role: pairup.RolePeer, Locale: "en",
		Status: status, CreatedAt: commit.Add(-30*aDay + at),
	}
	if status != pairup.StatusPending {
		r.ConfirmedAt = r.CreatedAt.Add(time.Hour)
	} else {
		r.ParticipantID = ""
	}
	return r
}

func pair(id string, made time.Time, ids ...string) pairup.Pair {
	p := pairup.Pair{ProgrammeID: "iln", RoundID: "r1", ID: id, CreatedAt: made, Score: 80, Reasons: []string{"both in academic libraries"}}
	for _, m := range ids {
		p.Members = append(p.Members, pairup.PairMember{RegistrationID: m, ParticipantID: "p-" + m})
	}
	return p
}

func response(kind pairup.SurveyKind, regID string, at time.Duration, answers pairup.SurveyAnswers) pairup.SurveyResponse {
	t := commit.Add(at)
	return pairup.SurveyResponse{ProgrammeID: "iln", RoundID: "r1", Kind: kind, RegistrationID: regID, ParticipantID: "p-" + regID,
		Role: pairup.RolePeer, Answers: answers, FirstAt: t, SubmittedAt: t, Submissions: 1}
}

// seeded is the round's input, taken at its end (the round is closing: its statistics are not
// frozen yet).
func seeded() Input {
	regs := []pairup.Registration{
		reg("r01", "Ada Lovelace", "GB", pairup.StatusConfirmed, 1*time.Hour),
		reg("r02", "陳大文", "HK", pairup.StatusConfirmed, 2*time.Hour),
		reg("r03", hyperlinkName, "AU", pairup.StatusConfirmed, 3*time.Hour),
		reg("r04", "Björk Guðmundsdóttir", "IS", pairup.StatusConfirmed, 4*time.Hour),
		reg("r05", "Nguyễn Thị Minh", "VN", pairup.StatusConfirmed, 5*time.Hour),
		reg("r06", "Ngozi Okafor", "NG", pairup.StatusConfirmed, 6*time.Hour),
		reg("r07", "", "ES", pairup.StatusConfirmed, 7*time.Hour),
		reg("r08", "Priya Raman", "IN", pairup.StatusConfirmed, 8*time.Hour),
		reg("r09", "Pending Person", "US", pairup.StatusPending, 9*time.Hour),
		reg("r10", "Tom Jones", "AU", pairup.StatusWithdrawn, 10*time.Hour),
		reg("r11", "Deferred Person", "AU", pairup.StatusConfirmed, 11*time.Hour),
		reg("r12", "Omar Farouk", "EG", pairup.StatusConfirmed, 12*time.Hour),
	}
	// r07 was erased: what erasure leaves (ids, status, role, country, sector, stage).
	e := &regs[6]
	e.Email, e.Languages, e.TimeZone, e.Interests, e.Preference, e.Locale = "", nil, "", nil, "", ""
	e.ErasedAt = roundEnd.Add(-2 * aDay)
	regs[9].WithdrawnAt = commit.Add(20 * aDay)
	regs[1].Languages = []string{"zh", "en"}

	p4 := pair("r08+r10", commit, "r08", "r10")
	p4.EndedAt, p4.EndReason = commit.Add(20*aDay), pairup.PairEndWithdrawn
	p5 := pair("r08+r12", commit.Add(25*aDay), "r08", "r12")
	p5.Replaces = p4.ID

	outcome := func(id string, kind pairup.OutcomeKind, pairs ...string) pairup.Outcome {
		return pairup.Outcome{ProgrammeID: "iln", RoundID: "r1", RegistrationID: id, ParticipantID: "p-" + id, Kind: kind, PairIDs: pairs}
	}
	deferred := outcome("r11", pairup.OutcomeDeferred)
	deferred.Reason, deferred.Position = "over the country cap", 1

	checkIn := func(pairID, regID string, a pairup.CheckInAnswer) pairup.CheckIn {
		return pairup.CheckIn{ProgrammeID: "iln", RoundID: "r1", PairID: pairID, RegistrationID: regID, Answer: a}
	}
	choose := func(pairID, regID string, c pairup.ContinueChoice) pairup.ContinueAnswer {
		return pairup.ContinueAnswer{ProgrammeID: "iln", RoundID: "r1", PairID: pairID, RegistrationID: regID, Choice: c}
	}
	a := func(kv ...string) pairup.SurveyAnswers { // "question", "value[|value]"
		out := pairup.SurveyAnswers{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = append(out[kv[i]], strings.Split(kv[i+1], "|")...)
		}
		return out
	}
	return Input{
		Programme:     seededProgramme(),
		Round:         seededRound(),
		Registrations: regs,
		Pairs: []pairup.Pair{pair("r01+r02", commit, "r01", "r02"), pair("r03+r04", commit, "r03", "r04"),
			pair("r05+r06+r07", commit, "r05", "r06", "r07"), p4, p5},
		Outcomes: []pairup.Outcome{
			outcome("r01", pairup.OutcomePaired, "r01+r02"), outcome("r02", pairup.OutcomePaired, "r01+r02"),
			outcome("r03", pairup.OutcomePaired, "r03+r04"), outcome("r04", pairup.OutcomePaired, "r03+r04"),
			outcome("r05", pairup.OutcomePaired, "r05+r06+r07"), outcome("r06", pairup.OutcomePaired, "r05+r06+r07"),
			outcome("r07", pairup.OutcomePaired, "r05+r06+r07"), outcome("r08", pairup.OutcomePaired, "r08+r12"),
			outcome("r10", pairup.OutcomePaired, "r08+r10"), deferred, outcome("r12", pairup.OutcomePaired, "r08+r12"),
		},
		// Day 14: yes r01 r02 r05 r10, and r08 in p5 later; no r03, r08 (in p4). No answer: r04, r06,
		// r07, and r12 (p5's day 14 came before the end).
		CheckIns: []pairup.CheckIn{
			checkIn("r01+r02", "r01", pairup.CheckInYes), checkIn("r01+r02", "r02", pairup.CheckInYes),
			checkIn("r03+r04", "r03", pairup.CheckInNo), checkIn("r05+r06+r07", "r05", pairup.CheckInYes),
			checkIn("r08+r10", "r08", pairup.CheckInNo), checkIn("r08+r10", "r10", pairup.CheckInYes),
			checkIn("r08+r12", "r08", pairup.CheckInYes),
		},
		Continues: []pairup.ContinueAnswer{
			choose("r01+r02", "r01", pairup.ChoiceContinue), choose("r01+r02", "r02", pairup.ChoiceContinue),
			choose("r03+r04", "r03", pairup.ChoiceContinue), choose("r03+r04", "r04", pairup.ChoiceConclude),
			choose("r05+r06+r07", "r05", pairup.ChoiceContinue),
		},
		Responses: []pairup.SurveyResponse{
			response(pairup.SurveyMid, "r01", 60*aDay, a("satisfaction", "4", "heard", "friend", "impact", "awareness|contacts", "comments", "Lovely so far")),
			response(pairup.SurveyMid, "r02", 61*aDay, a("satisfaction", "5", "heard", "social-media", "impact", "awareness")),
			response(pairup.SurveyMid, "r03", 62*aDay, a("satisfaction", "2", "heard", "friend", "impact", "none")),
			response(pairup.SurveyMid, "r05", 63*aDay, a("satisfaction", "4", "heard", "conference", "impact", "ideas|development")),
			response(pairup.SurveyEnd, "r01", 118*aDay, a("satisfaction", "5", "heard", "friend", "impact", "awareness|development|contacts", "again", "yes", "comments", "=1+1 is how I felt")),
			response(pairup.SurveyEnd, "r02", 118*aDay+time.Hour, a("satisfaction", "5", "heard", "email-list", "impact", "awareness", "again", "yes", "comments", "謝謝！很有幫助。")),
			response(pairup.SurveyEnd, "r04", 119*aDay, a("satisfaction", "3", "heard", "friend", "impact", "contacts", "again", "maybe")),
			response(pairup.SurveyEnd, "r05", 119*aDay+time.Hour, a("satisfaction", "4", "impact", "ideas", "again", "yes")),
			response(pairup.SurveyEnd, "r12", 119*aDay+2*time.Hour, a("satisfaction", "1", "impact", "none", "again", "no", "comments", "Line one\nLine two, with a comma")),
		},
		Invited: map[pairup.SurveyKind]int{pairup.SurveyMid: 9, pairup.SurveyEnd: 9},
		At:      roundEnd,
	}
}
