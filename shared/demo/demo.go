// Package demo holds the demonstration data `make dev` seeds and the tests and sample events
// use: the ILN-like peer programme "iln" and the HKLA-like mentor programme "hkla", each with a
// round open for signup.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// IDs of the demo programmes and their open rounds; the sample events in events/ use them.
const (
	ILN       = "iln"
	HKLA      = "hkla"
	ILNRound  = "2027-1"
	HKLARound = "2027"
)

// Programmes returns the two demo programmes.
func Programmes() []pairup.Programme {
	sectors := []pairup.Option{
		{Value: "academic", Label: "Academic library"}, {Value: "public", Label: "Public library"},
		{Value: "school", Label: "School library"}, {Value: "special", Label: "Special library (law, health, corporate…)"},
		{Value: "government", Label: "Government library"}, {Value: "national", Label: "National library"},
		{Value: "student", Label: "LIS student"}, {Value: "other", Label: "Other"},
	}
	stages := []pairup.Option{
		{Value: "student", Label: "Student"}, {Value: "new-professional", Label: "New professional (under 5 years)"},
		{Value: "mid-career", Label: "Mid-career (5–15 years)"}, {Value: "senior", Label: "Senior (over 15 years)"},
	}
	interests := []pairup.Option{
		{Value: "digital-scholarship", Label: "Digital scholarship"}, {Value: "information-literacy", Label: "Information literacy"},
		{Value: "cataloguing", Label: "Cataloguing and metadata"}, {Value: "collections", Label: "Collection development"},
		{Value: "leadership", Label: "Leadership and management"}, {Value: "outreach", Label: "Outreach and programming"},
		{Value: "research-data", Label: "Research data management"}, {Value: "children", Label: "Children and young people"},
		{Value: "open-access", Label: "Open access and publishing"}, {Value: "preservation", Label: "Preservation and digitisation"},
		{Value: "systems", Label: "Library systems and technology"}, {Value: "career", Label: "Career development"},
	}
	return []pairup.Programme{
		{
			ID: ILN, Name: "International Librarians Network", Mode: pairup.ModePeer, Locale: "en",
			Description:     "Peer mentoring across countries: all are mentors and all are protégés. Four months, a partner from another country, a discussion topic every two weeks.",
			CommonLanguages: []string{"en", "es", "fr", "zh", "ar", "pt", "de", "ru", "hi", "ja"},
			Sectors:         sectors, Stages: stages, Interests: interests,
			Rules:        pairup.Rules{RequireSharedLanguage: true, CountryCapPercent: 20, MaxInterests: 5, ConfirmationEmailCap: 5},
			Coordinators: []string{"coordinators@iln.example.org"},
			Icebreakers: []string{
				"What does a typical working day look like for you?",
				"What is one thing your library does that you are proud of?",
				"What would you like to learn from someone in another country?",
			},
			Topics: []string{
				"Your library's users: who comes, who doesn't, and why?",
				"Professional development: how do librarians keep learning where you are?",
				"Advocacy: how does your library show its value?",
				"Technology: one tool you could not work without.",
			},
		},
		{
			ID: HKLA, Name: "HKLA Mentoring Programme", Mode: pairup.ModeMentor, Locale: "en", Country: "HK",
			Description: "Hong Kong Library Association: student members are paired with experienced librarians for a year.",
			Languages:   []string{"en", "zh"}, CommonLanguages: []string{"en", "zh"},
			Sectors: sectors, Stages: stages, Interests: interests,
			Eligibility: []pairup.Question{
				{ID: "member", Label: "I am a student member of the Hong Kong Library Association."},
				{ID: "programme", Label: "I am studying on a recognised library or information science programme at Bachelor level or above."},
			},
			Priority:     &pairup.Question{ID: "final-year", Label: "I am in the final year of my programme (final-year students have priority)."},
			Rules:        pairup.Rules{SameCountryAllowed: true, RequireSharedLanguage: true, MaxMentees: 3, MaxInterests: 5, ConfirmationEmailCap: 5},
			Coordinators: []string{"mentoring@hkla.example.org"},
			Icebreakers: []string{
				"What made you choose librarianship?",
				"Which part of library work would you like to see up close?",
			},
			Topics: []string{
				"Career paths in Hong Kong libraries",
				"Preparing for your first job interview",
			},
		},
	}
}

// Rounds returns each demo programme's round, taking signups from a day before now for a month.
func Rounds(now time.Time) []pairup.Round {
	day := 24 * time.Hour
	open := now.Add(-day).Truncate(day)
	closes := open.Add(31 * day)
	starts := closes.Add(7 * day)
	return []pairup.Round{
		{ProgrammeID: ILN, ID: ILNRound, Name: "2027 Round 1", State: pairup.RoundOpen,
			SignupOpens: open, SignupCloses: closes, Starts: starts, Ends: starts.AddDate(0, 4, 0),
			MidSurvey: starts.AddDate(0, 2, 0), EndSurvey: starts.AddDate(0, 4, 0), UpdatedAt: now},
		{ProgrammeID: HKLA, ID: HKLARound, Name: "2027 Programme", State: pairup.RoundOpen,
			SignupOpens: open, SignupCloses: closes, Starts: starts, Ends: starts.AddDate(1, 0, 0),
			MidSurvey: starts.AddDate(0, 6, 0), EndSurvey: starts.AddDate(1, 0, 0), UpdatedAt: now},
	}
}

// Seed stores the demo programmes and rounds. Existing rounds are left as they are, so seeding
// twice is harmless.
func Seed(ctx context.Context, st pairup.Store, now time.Time) error {
	for _, p := range Programmes() {
		if err := st.PutProgramme(ctx, &p); err != nil {
			return fmt.Errorf("demo: programme %s: %w", p.ID, err)
		}
	}
	for _, r := range Rounds(now) {
		if err := st.CreateRound(ctx, &r); err != nil && pairup.ErrorCode(err) != pairup.ECONFLICT {
			return fmt.Errorf("demo: round %s/%s: %w", r.ProgrammeID, r.ID, err)
		}
	}
	return nil
}
