package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// openInput opens the FILE|- argument of a command: no argument or "-"
// means standard input.
func openInput(e *env, args []string) (io.Reader, string, func(), error) {
	switch len(args) {
	case 0:
		return e.stdin, "<stdin>", func() {}, nil
	case 1:
		if args[0] == "-" {
			return e.stdin, "<stdin>", func() {}, nil
		}
		f, err := os.Open(args[0])
		if err != nil {
			return nil, "", nil, err
		}
		return f, args[0], func() { f.Close() }, nil
	}
	return nil, "", nil, usagef("at most one input file, got %d arguments", len(args))
}

// readInput parses the records of the FILE|- argument of a command and
// returns them with the input's name for messages.
func readInput(e *env, args []string) ([]dns.RR, string, error) {
	r, name, done, err := openInput(e, args)
	if err != nil {
		return nil, "", err
	}
	defer done()
	rrs, err := readRecords(r, name, "")
	return rrs, name, err
}

// readRecords parses master-file records (zone files, dig output, key
// files) from r. Relative names are made absolute with origin ("." when
// empty). Errors name the file and line.
func readRecords(r io.Reader, name, origin string) ([]dns.RR, error) {
	if origin == "" {
		origin = "."
	}
	zp := dns.NewZoneParser(r, dns.Fqdn(origin), name)
	zp.SetDefaultTTL(3600)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	return rrs, nil
}

// parseTime accepts YYYYMMDDHHMMSS (UTC), RFC 3339 and unix seconds.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) == 14 && isDigits(s) {
		return time.Parse("20060102150405", s)
	}
	if isDigits(s) || (strings.HasPrefix(s, "-") && isDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad unix time %q", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q: want YYYYMMDDHHMMSS, RFC 3339 or unix seconds", s)
	}
	return t.UTC(), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseDuration accepts Go durations (12h, 90m) and whole days and weeks
// (30d, 2w), and combinations such as 1d12h.
func parseDuration(s string) (time.Duration, error) {
	orig := s
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			break
		}
		unit := s[i]
		if unit != 'd' && unit != 'w' {
			break
		}
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", orig)
		}
		d := time.Duration(n) * 24 * time.Hour
		if unit == 'w' {
			d *= 7
		}
		total += d
		s = s[i+1:]
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: want e.g. 30d, 12h, 1d12h", orig)
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("negative duration %q", orig)
	}
	return total, nil
}

// timeFlag is a flag.Value holding a time.
type timeFlag struct {
	t   time.Time
	set bool
}

func (f *timeFlag) String() string {
	if !f.set {
		return ""
	}
	return f.t.Format("20060102150405")
}

func (f *timeFlag) Set(s string) error {
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	f.t, f.set = t, true
	return nil
}

// durationFlag is a flag.Value holding a duration with day units.
type durationFlag struct {
	d   time.Duration
	set bool
}

func (f *durationFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	f.d, f.set = d, true
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
