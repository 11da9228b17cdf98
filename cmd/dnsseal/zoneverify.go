package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dnsseal/dnsseal/validate"
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

// zoneValidator is the whole-zone check "dnsseal sign -verify" runs on the
// signed zone before it is written.
func zoneValidator(origin string, now time.Time) func(ctx context.Context, r io.Reader) error {
	return validate.ZoneHook(validate.ZoneOptions{Origin: origin, Now: now, ExpiryWarning: -1})
}
