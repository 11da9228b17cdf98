package fuzz

import (
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestZoneSignSeeds checks that the FuzzZoneSign seeds reach what they are
// for: the "refuse-" zones are refused, all the others are signed (and
// pass every check of the target).
func TestZoneSignSeeds(t *testing.T) {
	for _, s := range zoneSignSeeds(t) {
		t.Run(s.name, func(t *testing.T) {
			signed := signZone(t, s.values[0].(string), s.values[1].(bool), s.values[2].(byte))
			require.Equal(t, !strings.HasPrefix(s.name, "refuse-"), signed)
		})
	}
}

// TestRecordsSeeds checks that the FuzzRecords seeds made here have the
// outcomes they are named for, and that the test vector zones validate at
// the instant chosen for them.
func TestRecordsSeeds(t *testing.T) {
	for _, s := range recordsSeeds(t) {
		t.Run(s.name, func(t *testing.T) {
			text, at := s.values[0].(string), time.Unix(s.values[1].(int64), 0)
			zp := dns.NewZoneParser(strings.NewReader(text), "example.", "seed.zone")
			var rrs []dns.RR
			for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
				rrs = append(rrs, rr)
			}
			require.NoError(t, zp.Err())
			res := validate.Records(rrs, nil, validate.RecordsOptions{Now: at})
			checkResults(t, rrs, res, at)
			count := map[validate.Status]int{}
			reasons := map[validate.Reason]int{}
			for _, r := range res {
				count[r.Status]++
				reasons[r.Reason]++
			}
			switch s.name {
			case "p256-zone", "p256-wildcard-expansion":
				require.Equal(t, len(res), count[validate.StatusValid], "%v", res)
			case "p256-zone-expired":
				require.Equal(t, len(res)-1, reasons[validate.ReasonExpired], "all but the DS: %v", res)
			case "p256-bogus":
				require.Equal(t, 1, reasons[validate.ReasonBadSignature], "%v", res)
			case "misc":
				require.Zero(t, count[validate.StatusValid], "%v", res)
			default:
				// Test vectors: every signature whose RRset is there
				// is valid, but for the broken RFC 8080 signatures as
				// printed.
				if strings.Contains(s.name, "printed") {
					require.Zero(t, count[validate.StatusValid], "%v", res)
					break
				}
				for _, r := range res {
					if r.Type != dns.TypeDS && r.Reason != validate.ReasonNoRRset && r.Reason != validate.ReasonUnsupportedAlgorithm {
						require.Equal(t, validate.StatusValid, r.Status, "%v", r)
					}
				}
			}
		})
	}
}
