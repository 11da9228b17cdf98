//go:debug rsa1024min=0

package dnscrypto

import (
	"testing"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestRFC5702RSA512 verifies the 512-bit RSA/SHA-256 example of RFC 5702
// §6.1. crypto/rsa refuses keys under 1024 bits unless
// GODEBUG=rsa1024min=0, which the go:debug line of this file sets for the
// package's test binary; without it Verify returns ErrVerify.
func TestRFC5702RSA512(t *testing.T) {
	k := mustRR(t, "example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=").(*dns.DNSKEY)
	sig := mustRR(t, "www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. "+
		"kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==").(*dns.RRSIG)
	data, err := canonical.AppendRRSIGRDATA(nil, sig)
	require.NoError(t, err)
	var e canonical.Encoder
	data, err = e.AppendRRset(data, []dns.RR{mustRR(t, "www.example.net. 3600 IN A 192.0.2.91")}, sig.OrigTtl, sig.Labels)
	require.NoError(t, err)
	pub, err := ParsePublicKey(k.Algorithm, decode(t, k.PublicKey))
	require.NoError(t, err)
	sb := decode(t, sig.Signature)
	require.NoError(t, pub.Verify(data, sb))
	data[len(data)-1]++
	require.ErrorIs(t, pub.Verify(data, sb), ErrVerify)
}

// TestAllRFCSignatures checks every RRSIG of package testvectors (RFC
// 4035 A, RFC 5155 A and B, RFC 5702, RFC 6605, RFC 8080, RFC 8976 A.4)
// through the canonical form and Verify; the deliberately broken ones
// (RFC 8080 as printed) must fail.
func TestAllRFCSignatures(t *testing.T) {
	vectors := testvectors.Signatures()
	require.NotEmpty(t, vectors)
	valid := 0
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			pub, err := ParsePublicKey(v.Key.Algorithm, decode(t, v.Key.PublicKey))
			if v.Key.Algorithm == ED448 {
				require.ErrorIs(t, err, ErrUnsupported)
				return
			}
			require.NoError(t, err)
			data, err := canonical.AppendRRSIGRDATA(nil, v.RRSIG)
			require.NoError(t, err)
			var e canonical.Encoder
			data, err = e.AppendRRset(data, v.RRset, v.RRSIG.OrigTtl, v.RRSIG.Labels)
			if !v.Valid {
				if err == nil {
					err = pub.Verify(data, decode(t, v.RRSIG.Signature))
				}
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.NoError(t, pub.Verify(data, decode(t, v.RRSIG.Signature)))
			valid++
		})
	}
	t.Logf("%d of %d vectors verified", valid, len(vectors))
}
