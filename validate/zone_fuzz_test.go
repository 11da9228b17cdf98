package validate

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// maxFuzzZone bounds the fuzzed zone text, to keep executions fast.
const maxFuzzZone = 64 << 10

// FuzzZone feeds arbitrary master files to Zone (origin example.): it must
// never panic nor fail to answer, its verdict must agree with its
// findings, one worker must give the same result as three, and ZoneReader
// (which checks names while it parses) the same as Zone.
func FuzzZone(f *testing.F) {
	for _, z := range []testvectors.Zone{testvectors.RFC4035Zone(), testvectors.RFC5155Zone()} {
		f.Add(testvectors.Raw(z.File), uint32(z.ValidAt.Unix()))
	}
	f.Add([]byte(zoneText), uint32(t0.Unix()))
	f.Fuzz(func(t *testing.T, text []byte, now uint32) {
		if len(text) > maxFuzzZone {
			return
		}
		rrs, err := ParseZone(bytes.NewReader(text), "example.")
		if err != nil || len(rrs) > 2000 {
			return
		}
		var results []*ZoneResult
		for _, conc := range []int{1, 3} {
			res, err := Zone(context.Background(), rrs, ZoneOptions{Origin: "example.", Now: time.Unix(int64(now), 0), Concurrency: conc})
			require.NoError(t, err)
			require.Equal(t, res.Errors > 0, res.Status == ZoneBogus, res.Summary())
			require.Equal(t, len(res.Findings), res.Errors+res.Warnings)
			for _, f := range res.Findings {
				require.NotEmpty(t, f.String())
				require.Contains(t, []Severity{SeverityError, SeverityWarning}, f.Severity)
			}
			results = append(results, res)
		}
		require.Equal(t, results[0], results[1])
		// ZoneReader checks names while it parses: same answer.
		res, err := ZoneReader(context.Background(), bytes.NewReader(text), ZoneOptions{Origin: "example.", Now: time.Unix(int64(now), 0), Concurrency: 2})
		require.NoError(t, err)
		v := results[0].Verified
		res.Verified, results[0].Verified = 0, 0
		require.Equal(t, results[0], res)
		// ZoneStream, given the records in wire form: same answer.
		results[0].Verified = v
		requireStreamSame(t, rrs, ZoneOptions{Origin: "example.", Now: time.Unix(int64(now), 0), Concurrency: 2})
	})
}

var updateZoneCorpus = flag.Bool("update-zone-corpus", false, "rewrite testdata/fuzz/FuzzZone seed files")

// TestFuzzZoneCorpus checks that the FuzzZone seed corpus exists and, with
// -update-zone-corpus, rewrites it: the RFC 4035 and RFC 5155 zones and
// zoneText signed with NSEC, NSEC3 and NSEC3 opt-out.
func TestFuzzZoneCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzZone")
	if !*updateZoneCorpus {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(entries), 5)
		return
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	write := func(name string, text []byte, now time.Time) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		fmt.Fprintf(&b, "[]byte(%s)\nuint32(%d)\n", strconv.Quote(string(text)), uint32(now.Unix()))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
	}
	write("rfc4035", testvectors.Raw(testvectors.RFC4035Zone().File), testvectors.RFC4035Zone().ValidAt)
	write("rfc5155", testvectors.Raw(testvectors.RFC5155Zone().File), testvectors.RFC5155Zone().ValidAt)
	keys := newZoneKeys(t, "example.")
	for name, p := range map[string]*zonesign.NSEC3Params{
		"signed-nsec":         nil,
		"signed-nsec3":        {Iterations: 1, Salt: []byte{1, 2}},
		"signed-nsec3-optout": {OptOut: true},
	} {
		write(name, signTestZone(t, zoneText, keys, p), t0)
	}
}

func TestZoneDeterministic(t *testing.T) {
	// Findings come out in the same order whatever the scheduling.
	keys := newZoneKeys(t, "example.")
	rrs := zoneOf(t, signTestZone(t, zoneText, keys, &zonesign.NSEC3Params{}))
	// Corrupt every other signature.
	for i, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok && i%2 == 0 {
			s.Expiration = 1
		}
	}
	var first *ZoneResult
	for range 5 {
		r := slices.Clone(rrs)
		res, err := Zone(context.Background(), r, ZoneOptions{Now: t0, Concurrency: 4})
		require.NoError(t, err)
		require.Equal(t, ZoneBogus, res.Status)
		if first == nil {
			first = res
			continue
		}
		require.Equal(t, first, res)
	}
}
