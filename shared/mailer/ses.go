package mailer

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/pairup/pairup/shared/mail"
)

// SESAPI is the part of the SES v2 client that SES uses; *sesv2.Client
// implements it.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ SESAPI = (*sesv2.Client)(nil)

// SES sends mail with Amazon SES v2 (or the local SES v2 emulator).
//
// Each message goes out as Simple content: subject, text and HTML bodies in
// UTF-8, which SES MIME-encodes itself, and the List-Unsubscribe headers as
// Simple content Headers. Attachments go as Simple content Attachments
// (disposition attachment, base64 transfer encoding); an inline part (an image
// the HTML shows by its cid: URL) with disposition inline and its ContentId.
// Tags become SES EmailTags.
type SES struct {
	client    SESAPI
	from      string
	configSet string
}

var _ mail.Sender = (*SES)(nil)

// NewSES returns a Sender that sends through client from the address from
// (e.g. "HKLA Mentoring <mentoring@example.org>"; a non-ASCII display name
// is RFC 2047-encoded), using the SES configuration set configurationSet
// (which routes bounce and complaint events; "" for none).
func NewSES(client SESAPI, from, configurationSet string) (*SES, error) {
	if client == nil {
		return nil, errors.New("mailer: NewSES: nil client")
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mailer: NewSES: from address %q: %w", from, err)
	}
	if !isASCII(from) {
		from = a.String() // encodes the display name
	}
	return &SES{client: client, from: from, configSet: configurationSet}, nil
}

// From returns the sender address as it is given to SES.
func (s *SES) From() string { return s.from }

// Send sends m and returns the SES message id.
func (s *SES) Send(ctx context.Context, m mail.Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("mailer: send %s: %w", m.Describe(), err)
	}
	msg := &types.Message{
		Subject: utf8Content(m.Subject),
		Body:    &types.Body{},
	}
	if m.Text != "" {
		msg.Body.Text = utf8Content(m.Text)
	}
	if m.HTML != "" {
		msg.Body.Html = utf8Content(m.HTML)
	}
	for _, h := range m.Headers() {
		msg.Headers = append(msg.Headers, types.MessageHeader{Name: aws.String(h[0]), Value: aws.String(h[1])})
	}
	for _, a := range m.Attachments {
		att := types.Attachment{
			FileName:                aws.String(a.FileName),
			ContentType:             aws.String(a.ContentType),
			RawContent:              a.Data, // the SDK base64-encodes it for the request
			ContentDisposition:      types.AttachmentContentDispositionAttachment,
			ContentTransferEncoding: types.AttachmentContentTransferEncodingBase64,
		}
		if a.Inline {
			att.ContentDisposition = types.AttachmentContentDispositionInline
		}
		if a.ContentID != "" {
			att.ContentId = aws.String(a.ContentID)
		}
		msg.Attachments = append(msg.Attachments, att)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Simple: msg},
		EmailTags:        emailTags(m.Tags),
	}
	if s.configSet != "" {
		in.ConfigurationSetName = aws.String(s.configSet)
	}
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		// The SDK's errors name the operation and status, not the recipient.
		return "", fmt.Errorf("mailer: send %s via SES: %w", m.Describe(), err)
	}
	return aws.ToString(out.MessageId), nil
}

func utf8Content(s string) *types.Content {
	return &types.Content{Data: aws.String(s), Charset: aws.String("UTF-8")}
}

// emailTags turns tags into SES EmailTags, sorted by name. SES allows only
// ASCII letters, digits, '_' and '-' (at most 256 of them) in tag names and
// values; other characters become '_' rather than fail the send.
func emailTags(tags map[string]string) []types.MessageTag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]types.MessageTag, 0, len(tags))
	for k, v := range tags {
		k, v = tagSafe(k), tagSafe(v)
		if k == "" || v == "" {
			continue
		}
		out = append(out, types.MessageTag{Name: aws.String(k), Value: aws.String(v)})
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Name < *out[j].Name })
	return out
}

func tagSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
	if len(s) > 256 {
		s = s[:256]
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
