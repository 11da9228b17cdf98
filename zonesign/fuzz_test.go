package zonesign

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzSign parses arbitrary zone text and signs it: no input may panic, and
// whatever is signed must parse back with every RRSIG verifying.
func FuzzSign(f *testing.F) {
	corner, err := os.ReadFile("testdata/corner.zone")
	require.NoError(f, err)
	f.Add(string(corner), false)
	f.Add(goodZone, true)
	f.Add(goodZone+"sub NS ns.sub\nns.sub A 192.0.2.9\n*.sub TXT x\n", true)
	f.Add(goodZone+"a.b.c TXT deep\n*.a TXT wild\n", false)
	f.Add("$ORIGIN example.\n@ 60 SOA . . 0 0 0 0 0\n@ 60 DNSKEY 256 3 13 AA==\n@ 60 CDS 0 0 0 00\n", true)
	f.Add(goodZone+"n TYPE10 \\# 2 0000\nc CAA 0 issue \"ca\"\n@ CDNSKEY 0 3 0 AA==\n", false)
	keys := testKeys(f, "example.")
	verifiers := map[uint16]*signer.Verifier{}
	for _, k := range keys {
		v, err := signer.NewVerifier(k.DNSKEY())
		require.NoError(f, err)
		verifiers[k.KeyTag()] = v
	}
	f.Fuzz(func(t *testing.T, zone string, nsec3 bool) {
		// bounded input: a few lines of $GENERATE make a million names
		z, err := ParseWithOptions(context.Background(), strings.NewReader(zone), "fuzz.zone", "example.",
			ParseOptions{MaxRecords: 512, MaxGeneratedSize: 64 << 10})
		if err != nil || len(z.nodes) > 1024 {
			return
		}
		labels := 0 // bounds the empty non-terminals NSEC3 gives hashes to
		for i := range z.nodes {
			labels += dns.CountLabel(z.nodes[i].name)
		}
		if labels > 8192 {
			return
		}
		opts := baseOptions(t, "example.")
		opts.Keys = keys
		opts.Concurrency = 2
		opts.PublishCDS = nsec3
		if nsec3 {
			opts.NSEC3 = &NSEC3Params{OptOut: true}
		}
		var buf bytes.Buffer
		st, err := Sign(context.Background(), z, opts, &buf)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), err.Error())
			return
		}
		rrs := parseRecords(t, buf.String())
		require.Len(t, rrs, st.Records, "every record written parses back")
		sets := map[string][]dns.RR{}
		key := func(name string, typ uint16) string { return wireName(t, name) + "/" + dns.Type(typ).String() }
		for _, rr := range rrs {
			if rr.Header().Rrtype != dns.TypeRRSIG {
				sets[key(rr.Header().Name, rr.Header().Rrtype)] = append(sets[key(rr.Header().Name, rr.Header().Rrtype)], rr)
			}
		}
		for _, rr := range rrs {
			s, ok := rr.(*dns.RRSIG)
			if !ok {
				continue
			}
			data, err := signer.SignedData(nil, s, sets[key(s.Hdr.Name, s.TypeCovered)])
			require.NoError(t, err)
			raw, err := base64.StdEncoding.DecodeString(s.Signature)
			require.NoError(t, err)
			require.NoError(t, verifiers[s.KeyTag].Verify(data, raw), "%s", s)
		}
	})
}
