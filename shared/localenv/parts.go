package localenv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Part is an attachment or an inline part (an image the HTML shows by its cid: URL) of an
// email, as the SES emulator recorded it.
type Part struct {
	FileName    string
	ContentType string
	// Disposition is as SES was asked: "ATTACHMENT" or "INLINE" (SES v2's enum).
	Disposition string
	ContentID   string // without angle brackets; "" if none
	Data        []byte
}

// Parts returns the attachments and inline parts of the email the emulator holds with
// messageID (Email.MessageID), in the order they were sent.
func (in *Inbox) Parts(ctx context.Context, messageID string) ([]Part, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.Endpoint+"/store", nil)
	if err != nil {
		return nil, fmt.Errorf("localenv: inbox parts: %w", err)
	}
	resp, err := in.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("localenv: inbox parts: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return nil, fmt.Errorf("localenv: inbox parts: GET /store: %s: %s", resp.Status, b)
	}
	var store struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			Attachments []struct {
				FileName           string `json:"filename"`
				ContentType        string `json:"contentType"`
				ContentDisposition string `json:"contentDisposition"`
				ContentID          string `json:"contentId"`
				Content            string `json:"content"` // base64
			} `json:"attachments"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("localenv: inbox parts: decode /store: %w", err)
	}
	for _, e := range store.Emails {
		if e.MessageID != messageID {
			continue
		}
		parts := make([]Part, 0, len(e.Attachments))
		for i, a := range e.Attachments {
			data, err := base64.StdEncoding.DecodeString(a.Content)
			if err != nil {
				return nil, fmt.Errorf("localenv: inbox parts: part %d of %s: %w", i+1, messageID, err)
			}
			parts = append(parts, Part{FileName: a.FileName, ContentType: a.ContentType, Disposition: a.ContentDisposition, ContentID: a.ContentID, Data: data})
		}
		return parts, nil
	}
	return nil, fmt.Errorf("localenv: inbox parts: no email %s in the emulator", messageID)
}
