// Package pairup is the domain at the centre of the system: programmes and their rules, rounds
// and their state machine, registrations and the validation of a signup, the error codes every
// other package speaks, and the clock. It imports nothing of AWS; the store, the mailer and the
// HTTP layer depend on it, never the other way round.
package pairup
