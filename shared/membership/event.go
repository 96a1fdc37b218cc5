package membership

import "encoding/json"

// RepairEvent is the console event (match-run's "repair" action) that re-pairs registration id
// after pairID ended because a partner withdrew: the coordinators' alerts carry it to copy. It
// names the ended pair in "replacing", so the re-pair is made once: run again, it is refused.
func RepairEvent(programmeID, roundID, registrationID, pairID string) string {
	b, _ := json.MarshalIndent(struct {
		Action    string   `json:"action"`
		Programme string   `json:"programme"`
		Round     string   `json:"round"`
		People    []string `json:"people"`
		Replacing []string `json:"replacing"`
		DryRun    bool     `json:"dryRun"`
	}{"repair", programmeID, roundID, []string{registrationID}, []string{pairID}, false}, "", "  ")
	return string(b)
}
