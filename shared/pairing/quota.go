package pairing

import (
	"fmt"
	"sort"
)

// applyCountryCap splits the people (canonical indices) into accepted and
// deferred under Rules.Programme.CountryCapPercent (peer mode).
//
// The cap is computed against the accepted total, iteratively: with P the
// percentage and A the number accepted, each country may have at most
// cap(A) = max(1, ⌊P·A/100⌋) people. Starting from A = everyone, A is
// replaced by Σ_country min(count, cap(A)) until it no longer changes; this
// is the largest intake in which no country is above P% (a country always
// keeps at least one place, so a round with fewer than 100/P countries
// still runs). Within a country the earliest SignedUpAt are accepted (ties by
// ID); people pinned by the coordinator are always accepted and use their
// country's places first.
func (rd *round) applyCountryCap(isPinned []bool) (accepted []bool, deferred []Unmatched) {
	n := len(rd.people)
	accepted = make([]bool, n)
	for i := range accepted {
		accepted[i] = true
	}
	P := rd.rules.Programme.CountryCapPercent
	if P == 0 || P >= 100 || n == 0 {
		return accepted, nil
	}
	byCountry := make([][]int, len(rd.countries))
	for i := range rd.people {
		c := rd.people[i].countryID
		byCountry[c] = append(byCountry[c], i)
	}
	pinnedIn := make([]int, len(rd.countries))
	for c, list := range byCountry {
		for _, i := range list {
			if isPinned[i] {
				pinnedIn[c]++
			}
		}
	}
	capOf := func(A int) int {
		c := P * A / 100
		if c < 1 {
			c = 1
		}
		return c
	}
	allowed := func(c, A int) int {
		a := max(capOf(A), pinnedIn[c])
		return min(a, len(byCountry[c]))
	}
	A := n
	for {
		f := 0
		for c := range byCountry {
			f += allowed(c, A)
		}
		if f == A {
			break
		}
		A = f
	}
	for c, list := range byCountry {
		keep := allowed(c, A)
		if keep == len(list) {
			continue
		}
		// Pinned first, then earliest sign-up, then ID.
		sorted := append([]int(nil), list...)
		sort.SliceStable(sorted, func(x, y int) bool {
			a, b := sorted[x], sorted[y]
			if isPinned[a] != isPinned[b] {
				return isPinned[a]
			}
			ta, tb := rd.people[a].signedUp, rd.people[b].signedUp
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return a < b
		})
		for pos, i := range sorted {
			if pos < keep {
				continue
			}
			accepted[i] = false
			deferred = append(deferred, Unmatched{ID: rd.people[i].id, Position: pos - keep + 1,
				Reason: fmt.Sprintf("deferred to the next round: country cap of %d%% reached (%d of %d accepted participants from %s; %d signed up from %s, you were number %d by sign-up time)",
					P, keep, A, countryName(rd.countries[c]), len(list), rd.countries[c], pos+1)})
		}
	}
	sort.Slice(deferred, func(i, j int) bool { return deferred[i].ID < deferred[j].ID })
	return accepted, deferred
}
