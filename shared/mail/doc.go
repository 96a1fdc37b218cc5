// Package mail is pairup's email: templated messages (plain text and HTML, in
// English and Traditional Chinese) and the Sender that delivers them — SES v2
// in AWS and against the local emulator, and a logging sender for
// development and unit tests.
//
// Nothing here logs or wraps into errors an email address, a name or a
// message body: only message ids and tags (kind, programme).
package mail
