// Package erasure erases a person's personal data from pairup's table on request and when it
// has been kept long enough: the participant's own request (a signed /erase link, then one
// button), a coordinator's request (the erase function's console event, by address or by
// registration), and the retention schedule (the personal data of rounds closed longer ago than
// the programme's RetentionDays, two years by default, erased by the same steps).
//
// Erasing a person visits, in this order, every item that holds their name, address, profile or
// free text (the store's package doc lists them under "Personal data and erasure"):
//
//  1. finds their registrations in every round of every programme: by the address's claim in
//     each round (consistent reads; pending and expired registrations included) and by the
//     person's participant id (GSI1);
//  2. takes each registration in a round that has not closed out of it (status withdrawn: no
//     more emails, no matching), and anonymises every registration in place — name, address and
//     profile answers removed, erasedAt set; ids, status, role, country, sector and career stage
//     stay, so the round's statistics and its matching history (pairs, outcomes, previous
//     partners) still add up and name nobody;
//  3. cancels every unsent email that speaks of them (to their address, naming one of their
//     registrations in its key, or listing them in its About), bodies dropped;
//  4. removes the free-text answers of their survey responses (scales and choices stay: the
//     surveys' statistics) and takes a deferred outcome out of the next round's invitation list;
//  5. deletes their email claims (the address is in the key);
//  6. keeps a suppression of their address (an unsubscribe, bounce or complaint) as a keyed
//     hash only, so the address stays suppressed if it ever reaches the outbox again;
//  7. takes the address from every email that went to it (sent emails keep no subject or body,
//     only the recipient, which goes now);
//  8. deletes the person record last: until then an interrupted erasure finds everything again
//     through it and the claims, and every step only changes what still holds the data, so a
//     re-run converges.
//
// Frozen statistics (the round's matching counts and its closing statistics) are never
// touched. Each run returns a plain-language report of what it changed, in counts: never a name
// or an address, in the report or the logs.
package erasure
