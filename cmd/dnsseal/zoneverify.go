package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dnsseal/dnsseal/validate"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
)

// verifyZone validates a whole signed zone: a line per finding, then a
// summary; exit 3 when the zone is not secure.
func verifyZone(e *env, file, origin string, anchors []dns.RR, now time.Time, asJSON bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if origin != "" {
		if _, ok := dns.IsDomainName(origin); !ok {
			return usagef("bad -origin %q", origin)
		}
		origin = dns.Fqdn(origin)
	}
	res, err := validate.ZoneReader(e.ctx, f, validate.ZoneOptions{Origin: origin, Now: now, Anchors: anchors})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		for _, f := range res.Findings {
			fmt.Fprintln(e.stdout, f.String())
		}
		fmt.Fprintln(e.stdout, res.Summary())
	}
	if res.Status != validate.ZoneSecure {
		return &invalidError{}
	}
	return nil
}

// maxSignFindings is how many findings "dnsseal sign" prints when the zone
// it signed does not validate (each is also counted in the summary).
const maxSignFindings = 50

// printFindings writes the summary of res and up to max of its findings,
// one per line.
func printFindings(w io.Writer, res *validate.ZoneResult, max int) {
	fmt.Fprintf(w, "dnsseal: the signed zone does not validate, nothing written: %s\n", res.Summary())
	for i, f := range res.Findings {
		if i == max {
			fmt.Fprintf(w, "dnsseal: ... and %d more findings\n", len(res.Findings)-max)
			break
		}
		fmt.Fprintf(w, "dnsseal: %s\n", f.String())
	}
}

// zoneValidator is the whole-zone check "dnsseal sign -verify" runs on the
// signed zone before it is written: validate.ZoneStream, given the
// records as zonesign makes them.
func zoneValidator(now time.Time) func(ctx context.Context, origin string) (zonesign.RecordValidator, error) {
	return func(ctx context.Context, origin string) (zonesign.RecordValidator, error) {
		s, err := validate.NewZoneStream(ctx, validate.ZoneOptions{Origin: origin, Now: now, ExpiryWarning: -1})
		if err != nil {
			return nil, err
		}
		return streamValidator{s}, nil
	}
}

// streamValidator fails the signing run when the zone is not secure.
type streamValidator struct{ *validate.ZoneStream }

func (v streamValidator) Finish() error {
	res, err := v.ZoneStream.Finish()
	if err != nil {
		return err
	}
	if res.Status != validate.ZoneSecure {
		return &validate.ZoneError{Result: res}
	}
	return nil
}
