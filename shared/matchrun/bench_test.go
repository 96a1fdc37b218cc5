package matchrun_test

// Commit speed: the match-run function commits an ILN-like peer round of 862 people (the
// ILN's largest round) and of 2,000 against DynamoDB Local, email excluded (the commit queues
// the emails; the mailer sends them later). Goal: under 10 s and under 20 s.
//
//	go test -run '^$' -bench Commit -benchtime 1x -timeout 30m ./shared/matchrun/
//
// Each iteration makes a fresh table with n confirmed registrations (roundgen's ILN rounds on
// the demo programme's vocabulary, written beforehand through the store, outside the timer),
// closes signup, then times only the commit ({"action":"match","dryRun":false}). It reports
//
//	s/commit             the commit's wall time
//	ddb-req/participant  DynamoDB HTTP requests of the commit (retries included), per person
//	wcu+rcu/participant  the capacity units the store's own requests report (it asks for TOTAL
//	                     on its batch writes, queries and round updates), per person
//	all-wcu+rcu/participant  the same with every request's cost: the test's HTTP wrapper asks
//	                     for TOTAL on the requests that do not (the outbox's PutItem, GetItem)
//
// and logs the requests and capacity by operation. It fails unless the commit wrote every pair
// and outcome and queued every participant's email.
//
// The figures are in the README's Performance section.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

func BenchmarkCommitILN862(b *testing.B)  { benchmarkCommit(b, 862) }
func BenchmarkCommitILN2000(b *testing.B) { benchmarkCommit(b, 2000) }

func benchmarkCommit(b *testing.B, n int) {
	var (
		elapsed         time.Duration
		requests        int
		capacity, total float64
	)
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		// A DynamoDB Local of its own: one that has held (and dropped) a large table before
		// runs the next several times slower.
		ddb, err := localenv.StartDynamoDB(context.Background(), 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(ddb.Stop) // after the table's deletion (cleanups run last first)
		e := newEnvAt(b, ddb.Endpoint)
		e.meter.askAll = true
		round := e.round()
		setup := time.Now()
		e.register(benchPeople(n, e.clock.Now(), round.Starts, uint64(n*1000+i)), 16)
		b.Logf("%d registrations written and confirmed in %s", n, time.Since(setup).Round(time.Millisecond))
		e.clock.Advance(time.Minute)
		e.must("close", closeEvent())
		e.clock.Advance(time.Minute)

		e.meter.arm(true)
		start := time.Now()
		b.StartTimer()
		res, err := e.invoke(fmt.Sprintf("bench-%d", i), matchEvent(false))
		b.StopTimer()
		took := time.Since(start)
		st := e.meter.stats()
		e.meter.arm(false)
		// Phases, from the requests' times: load and match (up to the first BatchWriteItem),
		// write the plan, queue the emails, finish.
		phase := func(from, to time.Time) time.Duration { return to.Sub(from).Round(time.Millisecond) }
		b.Logf("%d requests %v; capacity %.1f units by operation %v (asked for by the test: %v; none reported: %v)",
			st.Requests, st.Ops, st.Capacity, roundAll(st.CapacityBy), st.Asked, st.Unreported)
		b.Logf("phases: load and match %s, write the plan %s, queue the emails %s, then %s",
			phase(start, st.First["BatchWriteItem"]), phase(st.First["BatchWriteItem"], st.Last["BatchWriteItem"]),
			phase(st.First["PutItem"], st.Last["PutItem"]), phase(st.Last["PutItem"], start.Add(took)))
		if err != nil {
			b.Fatalf("commit of %d failed after %s: %v", n, took.Round(time.Millisecond), err)
		}

		// The commit did its work: every pair and outcome written, every email queued.
		if res.State != string(pairup.RoundActive) || res.Counts == nil || res.Counts.Confirmed != n || res.Emails == nil || res.Emails.Participants != n {
			b.Fatalf("commit: state %s, counts %+v, emails %+v", res.State, res.Counts, res.Emails)
		}
		pairs, err := e.st.ListPairs(e.ctx, demo.ILN, demo.ILNRound)
		if err != nil || len(pairs) != res.Counts.Pairs || len(pairs) < n/3 {
			b.Fatalf("%d pairs stored (%v); the commit made %d", len(pairs), err, res.Counts.Pairs)
		}
		outcomes, err := e.st.ListOutcomes(e.ctx, demo.ILN, demo.ILNRound)
		if err != nil || len(outcomes) != n {
			b.Fatalf("%d outcomes stored (%v) for %d people", len(outcomes), err, n)
		}
		if q := e.outbox(participantPrefix); len(q) != n {
			b.Fatalf("%d participant emails queued for %d people", len(q), n)
		}

		b.Logf("commit of %d in %s: %d pairs (%d trios), %d deferred, %d unmatched",
			n, took.Round(time.Millisecond), res.Counts.Pairs, res.Counts.Trios, res.Counts.DeferredByCountryCap, res.Counts.Unmatched)
		elapsed += took
		requests += st.Requests
		capacity += st.Capacity - st.AskedCapacity
		total += st.Capacity
	}
	per := float64(b.N) * float64(n)
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/commit")
	b.ReportMetric(float64(requests)/per, "ddb-req/participant")
	b.ReportMetric(capacity/per, "wcu+rcu/participant")
	b.ReportMetric(total/per, "all-wcu+rcu/participant")
}

func roundAll(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(int(v*10+0.5)) / 10
	}
	return out
}

// benchPeople maps a roundgen ILN round of n people onto registrations in the demo ILN
// programme's vocabulary (roundgen's free-text interests onto the programme's twelve), signed
// up in the minutes before now.
func benchPeople(n int, now, starts time.Time, seed uint64) []pairup.Registration {
	p := demo.Programmes()[0]
	in := roundgen.ILN(roundgen.ILNConfig{Seed: seed, People: n, Returning: -1, RoundStart: starts})
	regs := make([]pairup.Registration, n)
	for i, x := range in.People {
		var interests []string
		for _, t := range x.Interests {
			v := p.Interests[slices.Index(roundgen.Topics, t)%len(p.Interests)].Value
			if !slices.Contains(interests, v) {
				interests = append(interests, v)
			}
		}
		created := now.Add(-time.Duration(n-i) * time.Second)
		regs[i] = pairup.Registration{
			ID: fmt.Sprintf("reg-%05d", i), ProgrammeID: demo.ILN, RoundID: demo.ILNRound,
			Name: fmt.Sprintf("Librarian %05d", i), Email: fmt.Sprintf("librarian%05d@example.org", i),
			Country: x.Country, Languages: x.Languages, TimeZone: x.TimeZone, Sector: x.Sector, CareerStage: x.CareerStage,
			Interests: interests, Preference: x.Preference, Role: pairup.RolePeer, Locale: "en",
			Status: pairup.StatusPending, ConsentAt: created, CreatedAt: created,
		}
	}
	return regs
}
