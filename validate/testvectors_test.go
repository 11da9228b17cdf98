package validate

import (
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestSignatureVectors checks every RRSIG vector of package testvectors:
// valid ones verify at ValidAt and at both ends of their window and fail
// with ReasonNotYetValid or ReasonExpired one second outside it; the
// RFC 8080 signatures as printed are rejected. Ed448 (algorithm 16) is not
// supported and must say so. (rsa1024min=0 is set in rfc_test.go.)
func TestSignatureVectors(t *testing.T) {
	vecs := testvectors.Signatures()
	require.GreaterOrEqual(t, len(vecs), 100)
	var v Verifier
	for _, vec := range vecs {
		t.Run(vec.Name, func(t *testing.T) {
			require.NotNil(t, vec.Key, "vector without key")
			at := func(now time.Time) *Finding {
				return v.Verify(vec.RRSIG, vec.RRset, vec.Key, VerifyOptions{Now: now})
			}
			if !vec.Valid {
				f := at(vec.ValidAt)
				require.NotNil(t, f)
				require.Equal(t, ReasonLabels, f.Reason, "%v", f)
				return
			}
			if vec.Key.Algorithm == 16 {
				f := at(vec.ValidAt)
				require.NotNil(t, f)
				require.Equal(t, ReasonUnsupportedAlgorithm, f.Reason)
				return
			}
			for _, now := range []time.Time{vec.ValidAt, vec.Inception, vec.Expiration} {
				f := at(now)
				require.Nil(t, f, "at %s: %v", now, f)
			}
			f := at(vec.Inception.Add(-time.Second))
			require.NotNil(t, f)
			require.Equal(t, ReasonNotYetValid, f.Reason)
			f = at(vec.Expiration.Add(time.Second))
			require.NotNil(t, f)
			require.Equal(t, ReasonExpired, f.Reason)
		})
	}
}

// sepKeys returns the keys with the SEP flag, as trust anchors.
func sepKeys(keys []*dns.DNSKEY) []dns.RR {
	var out []dns.RR
	for _, k := range keys {
		if k.Flags&1 != 0 {
			out = append(out, k)
		}
	}
	return out
}

// TestZoneVectorsRecords runs records mode over the signed example zones,
// with no anchors and with their KSKs as anchors: every RRSIG is valid,
// and a DS whose child key is not given is indeterminate.
func TestZoneVectorsRecords(t *testing.T) {
	zones := []testvectors.Zone{testvectors.RFC4035Zone(), testvectors.RFC5155Zone()}
	for _, z := range testvectors.ZONEMDZones() {
		if len(z.Keys) > 0 {
			zones = append(zones, z)
		}
	}
	for _, z := range zones {
		for _, anchored := range []bool{false, true} {
			name := z.RFC + " " + z.Section
			var anchors []dns.RR
			if anchored {
				name += " anchored"
				anchors = sepKeys(z.Keys)
				require.NotEmpty(t, anchors)
			}
			t.Run(name, func(t *testing.T) {
				res := Records(z.Records, anchors, RecordsOptions{Now: z.ValidAt})
				sigs := 0
				for _, r := range res {
					switch r.Record.(type) {
					case *dns.RRSIG:
						sigs++
						require.Equal(t, StatusValid, r.Status, r.String())
					case *dns.DS:
						require.Equal(t, StatusIndeterminate, r.Status, r.String())
						require.Equal(t, ReasonNoKey, r.Reason)
					}
				}
				require.Positive(t, sigs)
			})
		}
	}
}

// TestResponseVectorsRecords checks every RRSIG of the RFC 5155 Appendix B
// responses in records mode, including the wildcard answer.
func TestResponseVectorsRecords(t *testing.T) {
	wildcards := 0
	for _, resp := range testvectors.RFC5155Responses() {
		t.Run(resp.Section, func(t *testing.T) {
			var rrs []dns.RR
			rrs = append(rrs, resp.Answer...)
			rrs = append(rrs, resp.Authority...)
			rrs = append(rrs, resp.Additional...)
			// The responses carry no DNSKEY RRset: both keys are
			// anchors.
			var anchors []dns.RR
			for _, k := range resp.Keys {
				anchors = append(anchors, k)
			}
			z := testvectors.RFC5155Zone()
			for _, r := range Records(rrs, anchors, RecordsOptions{Now: z.ValidAt}) {
				if _, ok := r.Record.(*dns.RRSIG); !ok {
					continue
				}
				require.Equal(t, StatusValid, r.Status, r.String())
				if r.Wildcard {
					wildcards++
				}
			}
		})
	}
	require.Positive(t, wildcards, "the B.4 wildcard answer")
}

// TestEd448Records: algorithm 16 is not supported, so records mode calls
// its signatures indeterminate, not bogus.
func TestEd448Records(t *testing.T) {
	n := 0
	for _, vec := range testvectors.Signatures() {
		if vec.Key == nil || vec.Key.Algorithm != 16 || !vec.Valid {
			continue
		}
		n++
		rrs := append([]dns.RR{vec.Key, vec.RRSIG}, vec.RRset...)
		res := Records(rrs, nil, RecordsOptions{Now: vec.ValidAt})
		require.Len(t, res, 1)
		require.Equal(t, StatusIndeterminate, res[0].Status, res[0].String())
		require.Equal(t, ReasonUnsupportedAlgorithm, res[0].Reason)
	}
	require.Positive(t, n)
}
