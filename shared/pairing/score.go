package pairing

import (
	"fmt"
	"strings"

	"github.com/pairup/pairup/shared/pairup"
)

// tzHours returns the whole hours between two UTC offsets (minutes),
// measured around the clock, so 0..12.
func tzHours(a, b int32) int {
	d := a - b
	if d < 0 {
		d = -d
	}
	d %= 24 * 60
	if d > 12*60 {
		d = 24*60 - d
	}
	return int(d / 60)
}

// careerFitStages returns 2 for a full fit of two career stages, 1 for a half
// fit, 0 otherwise. Peer mode: same stage full, adjacent stages half. Mentor
// mode (a the mentor's, b the mentee's): the mentor's stage above the
// mentee's is a full fit.
func careerFitStages(mode pairup.Mode, a, b int8) int {
	if a < 0 || b < 0 {
		return 0
	}
	if mode == pairup.ModeMentor {
		if a > b {
			return 2
		}
		return 0
	}
	switch d := a - b; {
	case d == 0:
		return 2
	case d == 1 || d == -1:
		return 1
	}
	return 0
}

func careerPoints(w int, fit int) int64 {
	switch fit {
	case 2:
		return int64(w)
	case 1:
		return int64(w / 2)
	}
	return 0
}

// prefSatisfied reports whether the person with preference pref got it,
// given the pair's career fit, whether sectors match and the number of
// shared interests.
func prefSatisfied(pref int8, fit int, sameSector bool, shared int) bool {
	switch pref {
	case prefStage:
		return fit == 2
	case prefInterest:
		return shared > 0
	case prefSector:
		return sameSector
	}
	return false
}

// score is the preference score of the pair (see Weights). Mentor mode: u is
// the mentor.
func (rd *round) score(u, v int) int64 {
	a, b := &rd.people[u], &rd.people[v]
	return rd.scoreOf(a.stage, a.sector, a.pref, a.tzMin, b.stage, b.sector, b.pref, b.tzMin,
		sharedCount(a.interests, b.interests))
}

// scoreOf is score from the two people's career stage, sector, preference
// and UTC offset (their class) and the number of interests they share.
func (rd *round) scoreOf(aStage, aSector, aPref int8, aTz int32, bStage, bSector, bPref int8, bTz int32, shared int) int64 {
	w := &rd.w
	fit := careerFitStages(rd.rules.Mode, aStage, bStage)
	s := careerPoints(w.CareerStage, fit)
	same := aSector >= 0 && aSector == bSector
	if same {
		s += int64(w.Sector)
	}
	s += int64(w.Interest) * int64(shared)
	s += int64(w.TimeZone) * int64(maxTZHoursDiff-tzHours(aTz, bTz))
	if prefSatisfied(aPref, fit, same, shared) {
		s += int64(w.Preference)
	}
	if prefSatisfied(bPref, fit, same, shared) {
		s += int64(w.Preference)
	}
	return s
}

// prefWord names a preference in reasons.
func prefWord(pref int8) string {
	switch pref {
	case prefStage:
		return "career stage"
	case prefInterest:
		return "interest"
	case prefSector:
		return "sector"
	}
	return "anyone"
}

// reasons explains why u and v make a good pair (mentor mode: u mentor).
func (rd *round) reasons(u, v int) []string {
	a, b := &rd.people[u], &rd.people[v]
	var out []string
	if a.country != b.country {
		out = append(out, fmt.Sprintf("across countries: %s and %s", countryName(a.country), countryName(b.country)))
	} else {
		out = append(out, "both in "+countryName(a.country))
	}
	if a.sector >= 0 && a.sector == b.sector {
		out = append(out, "same sector: "+rd.sectorLabels[a.sector])
	}
	fit := careerFitStages(rd.rules.Mode, a.stage, b.stage)
	switch {
	case rd.rules.Mode == pairup.ModeMentor && fit == 2:
		out = append(out, fmt.Sprintf("experienced mentor: %s, mentee: %s", rd.stageLabels[a.stage], rd.stageLabels[b.stage]))
	case fit == 2:
		out = append(out, "same career stage: "+rd.stageLabels[a.stage])
	case fit == 1:
		out = append(out, fmt.Sprintf("close career stages: %s and %s", rd.stageLabels[a.stage], rd.stageLabels[b.stage]))
	}
	var shared []string
	for i := range a.interests {
		x := a.interests[i] & b.interests[i]
		for bit := 0; x != 0; bit++ {
			if x&1 != 0 {
				shared = append(shared, rd.interestNames[i*64+bit])
			}
			x >>= 1
		}
	}
	if len(shared) == 1 {
		out = append(out, "shared interest: "+shared[0])
	} else if len(shared) > 1 {
		out = append(out, "shared interests: "+strings.Join(shared, ", "))
	}
	if l := a.langs.and(b.langs).names(); len(l) > 0 {
		out = append(out, "common language: "+strings.Join(l, ", "))
	}
	switch h := tzHours(a.tzMin, b.tzMin); h {
	case 0:
		if a.tzMin == b.tzMin {
			out = append(out, "same time zone")
		} else {
			out = append(out, "less than 1 h apart")
		}
	case 1:
		out = append(out, "1 h apart")
	default:
		out = append(out, fmt.Sprintf("%d h apart", h))
	}
	same := a.sector >= 0 && a.sector == b.sector
	sh := sharedCount(a.interests, b.interests)
	for _, p := range []*person{a, b} {
		if p.pref != prefAny && prefSatisfied(p.pref, fit, same, sh) {
			out = append(out, fmt.Sprintf("%s asked for a partner by %s: satisfied", p.id, prefWord(p.pref)))
		}
	}
	return out
}
