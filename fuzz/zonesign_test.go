package fuzz

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// Bits of FuzzZoneSign's flags argument.
const (
	zsPublishCDS = 1 << iota // Options.PublishCDS
	zsOptOut                 // NSEC3 Opt-Out (with nsec3)
	zsCSK                    // sign with the KSK alone, as a CSK
	zsJitter                 // a day of jitter
	zsSerial                 // SerialIncrement
	zsSalt                   // NSEC3 salt "aabbccdd" and 1 iteration (with nsec3)
)

// FuzzZoneSign parses small zone text (origin "example.") with
// zonesign.Parse and signs it with zonesign.Sign and deterministic P-256
// keys (a KSK and a ZSK, or a lone CSK), with NSEC or NSEC3 and the options
// the flags bits select. Parse and Sign may refuse the input with an error;
// if Sign succeeds, its output must parse, Stats must count its records
// and signatures exactly, every RRSIG must be valid under validate.Records
// with the KSK's DS record as the trust anchor (the checks of FuzzRecords
// apply too), and validate.Zone must report no error: what zonesign signs,
// validate accepts. Nothing may panic; zonesign.Parse refuses $INCLUDE, so
// the fuzzer cannot make it read files.
func FuzzZoneSign(f *testing.F) {
	f.Fuzz(func(t *testing.T, zone string, nsec3 bool, flags byte) {
		signZone(t, zone, nsec3, flags)
	})
}

// signZone is the body of FuzzZoneSign. It reports whether the zone was
// signed (rather than refused).
func signZone(t *testing.T, zone string, nsec3 bool, flags byte) bool {
	if len(zone) > maxText {
		return false
	}
	z, err := zonesign.Parse(strings.NewReader(zone), "fuzz.zone", "example.")
	if err != nil {
		require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), "error without the package prefix: %v", err)
		return false
	}
	ksk, _, err := newKey(t, 0, "example.", signer.FlagsKSK)
	require.NoError(t, err)
	zsk, _, err := newKey(t, 1, "example.", signer.FlagsZSK)
	require.NoError(t, err)
	opts := zonesign.Options{
		Keys:        []*signer.Key{ksk, zsk},
		Now:         now,
		Inception:   inception,
		Expiration:  expiration,
		Concurrency: 1,
		PublishCDS:  flags&zsPublishCDS != 0,
	}
	if flags&zsCSK != 0 {
		opts.Keys = []*signer.Key{ksk.WithRole(signer.RoleCSK)}
	}
	if flags&zsJitter != 0 {
		opts.Jitter = 24 * time.Hour
	}
	if flags&zsSerial != 0 {
		opts.Serial = zonesign.SerialIncrement
	}
	if nsec3 {
		opts.NSEC3 = &zonesign.NSEC3Params{OptOut: flags&zsOptOut != 0}
		if flags&zsSalt != 0 {
			opts.NSEC3.Salt = []byte{0xaa, 0xbb, 0xcc, 0xdd}
			opts.NSEC3.Iterations = 1
		}
	}
	var out bytes.Buffer
	stats, err := zonesign.Sign(context.Background(), z, opts, &out)
	if err != nil {
		require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), "error without the package prefix: %v", err)
		return false
	}

	zp := dns.NewZoneParser(bytes.NewReader(out.Bytes()), "", "signed.zone")
	var rrs []dns.RR
	sigs := 0
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
		if rr.Header().Rrtype == dns.TypeRRSIG {
			sigs++
		}
	}
	require.NoError(t, zp.Err(), "signed output does not parse:\n%s", out.String())
	require.Equal(t, stats.Records, len(rrs), "Stats.Records")
	require.Equal(t, stats.Signatures, sigs, "Stats.Signatures")
	require.Positive(t, sigs)

	ds, err := dsrecord.FromDNSKEY(ksk.DNSKEY(), dsrecord.SHA256)
	require.NoError(t, err)
	anchors := []dns.RR{ds}
	res := validate.Records(rrs, anchors, validate.RecordsOptions{Now: now})
	checkResults(t, rrs, res, now)
	for _, r := range res {
		if _, isSig := r.Record.(*dns.RRSIG); isSig && r.Status != validate.StatusValid {
			t.Fatalf("signed zone has a %v RRSIG: %v\ninput:\n%s\noutput:\n%s", r.Status, r, zone, out.String())
		}
	}

	zr, err := validate.Zone(context.Background(), rrs, validate.ZoneOptions{
		Origin: stats.Origin, Now: now, Anchors: anchors, ExpiryWarning: -1, Concurrency: 1,
	})
	require.NoError(t, err)
	var b strings.Builder
	for _, f := range zr.Findings {
		if f.Severity == validate.SeverityError {
			b.WriteString(f.String() + "\n")
		}
	}
	if b.Len() > 0 || (zr.Status != validate.ZoneSecure && zr.Status != validate.ZoneBogus) {
		t.Fatalf("validate.Zone: %s\n%s\ninput:\n%s\noutput:\n%s", zr.Summary(), b.String(), zone, out.String())
	}
	return true
}
