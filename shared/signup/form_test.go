package signup

import "testing"

// TestNameProblem: a name may not carry a web address; names with dots, initials and titles
// are names.
func TestNameProblem(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refused bool
	}{
		{"Ada Lovelace", false},
		{"J. R. R. Tolkien", false},
		{"J.R.R. Tolkien", false},
		{"J.R.R.Tolkien", false},
		{"Dr. Ada Lovelace", false},
		{"Mary-Jane O'Neil, Ph.D.", false},
		{"Ph.D", false},
		{"A.B. de la Cruz", false},
		{"陳大文", false},
		{"Zoë <b>O'Brien</b>", false},
		{"Version 2.0", false},
		{"Claim your prize at evil.example", true},
		{"EVIL.EXAMPLE", true},
		{"Evil.Example", true},
		{"www.evil.example", true},
		{"Ada WWW.x", true},
		{"https://evil.example", true},
		{"ftp://x", true},
		{"mail x@spam.co", true},
		{"bit.ly/prize", true},
		{"t.co", true},
		{"(evil.example)", true},
		{"例子.测试", true},
		{"St.John", true}, // a dot between two words: the message asks for a space
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nameProblem(tc.name); (got != "") != tc.refused {
				t.Fatalf("nameProblem(%q) = %q, refused want %v", tc.name, got, tc.refused)
			}
		})
	}
}

// TestSourceKey: an IPv4 address counts alone, an IPv6 address with its /64.
func TestSourceKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"198.51.100.7", "198.51.100.7"},
		{"::ffff:198.51.100.7", "198.51.100.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"not an address", "not an address"},
	} {
		if got := SourceKey(tc.in); got != tc.want {
			t.Errorf("SourceKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
