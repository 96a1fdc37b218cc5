package pairing

// tuning holds one Match call's internal settings and counters. Each call
// gets its own (defaultTuning), carried by its round, so concurrent calls
// share no mutable state; tests change the settings and read the counters
// through MatchWith (export_test.go).
type tuning struct {
	// classBoundCells caps the peer-mode class-pair bound matrix (4 bytes a
	// cell); 0 disables the matrix.
	classBoundCells int
	// maxFound stops the pricing scan of a person after this many violated
	// or near pairs: a person left exposed by a sparse solve (dual 0)
	// violates with almost everybody, and only a few of those pairs are
	// needed. A round without any violator is always a complete scan.
	maxFound uint8
	// denseLimit is the largest mentee × mentor matrix mentor mode solves
	// densely (int32 scores: 200 MB); 0 forces the sparse, priced path.
	denseLimit int
	// verifyPricing makes the peer matcher check every pair after a pricing
	// round that found nothing (tests only); verifyMissed counts the
	// violators that check found.
	verifyPricing bool
	verifyMissed  int
	// incrementalCertificates counts the solve–price loops ended by an
	// exact incremental scan rather than a complete one.
	incrementalCertificates int
	// debugf, if set, receives progress lines.
	debugf func(format string, args ...any)
}

func defaultTuning() *tuning {
	return &tuning{classBoundCells: 1 << 25, maxFound: 16, denseLimit: 50_000_000}
}

// logf sends a progress line to debugf, if set.
func (t *tuning) logf(format string, args ...any) {
	if t.debugf != nil {
		t.debugf(format, args...)
	}
}
