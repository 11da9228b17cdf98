package route53ksk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/route53ksk"
	"github.com/dnsseal/dnsseal/signer"
)

func TestExpectRFC6605(t *testing.T) {
	got, err := route53ksk.Expect(rfcDNSKEY(), testARN, "example_net_ksk")
	require.NoError(t, err)
	require.Equal(t, rfcTag, got.KeyTag)
	require.Equal(t, strings.ToUpper(rfcDigest), got.DigestValue)
	require.Equal(t, "55648 13 2 "+strings.ToUpper(rfcDigest), got.DSRecord)
	require.Equal(t, "257 3 13 "+rfcKey, got.DNSKEYRecord)
	require.Equal(t, rfcKey, got.PublicKey)
	require.Equal(t, "example_net_ksk", got.Name)
	require.Equal(t, testARN, got.KmsArn)
}

// TestExpectMatchesIndependentBuild compares Expect with the output built
// from packages keytag and dsrecord, for keys from every constructor, and
// checks that Check accepts it.
func TestExpectMatchesIndependentBuild(t *testing.T) {
	fromCrypto, _ := cryptoKey(t, "example.org.")
	tests := []struct {
		name string
		s    signer.Signer
	}{
		{"localbackend", localKey(t, "example.com.")},
		{"crypto.Signer", fromCrypto},
		{"upper-case zone", localKey(t, "EXAMPLE.com.")},
		{"root zone", localKey(t, ".")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := route53KSK(t, tc.s, "ksk_x", testARN, "")
			want.CreatedDate, want.LastModifiedDate = time.Time{}, time.Time{} // Expect leaves the dates to Route 53
			got, err := route53ksk.Expect(tc.s.DNSKEY(), testARN, "ksk_x")
			require.NoError(t, err)
			require.Equal(t, want, got)
			r, err := route53ksk.Check([]route53ksk.KeySigningKey{got}, tc.s.DNSKEY().Hdr.Name, route53ksk.Options{})
			require.NoError(t, err)
			require.Empty(t, r.Findings)
		})
	}
	// Route 53 publishes flags 257 whatever the DNSKEY says.
	zsk := dns.Copy(rfcDNSKEY()).(*dns.DNSKEY)
	zsk.Flags = 256
	got, err := route53ksk.Expect(zsk, "", "")
	require.NoError(t, err)
	require.Equal(t, 257, got.Flag)
	require.Equal(t, rfcTag, got.KeyTag)
}

func TestExpectErrors(t *testing.T) {
	mod := func(f func(k *dns.DNSKEY)) *dns.DNSKEY {
		k := dns.Copy(rfcDNSKEY()).(*dns.DNSKEY)
		f(k)
		return k
	}
	tests := []struct {
		name string
		k    *dns.DNSKEY
		says string
	}{
		{"nil", nil, "nil DNSKEY"},
		{"algorithm 14", mod(func(k *dns.DNSKEY) { k.Algorithm = 14 }), "algorithm 14"},
		{"not base64", mod(func(k *dns.DNSKEY) { k.PublicKey = "!!" }), "not base64"},
		{"short key", mod(func(k *dns.DNSKEY) { k.PublicKey = "AAAA" }), "3 octets"},
		{"off the curve", mod(func(k *dns.DNSKEY) { k.PublicKey = strings.Repeat("A", 84) + "AAAA" }), "not a P-256 point"},
		{"no owner", mod(func(k *dns.DNSKEY) { k.Hdr.Name = "" }), "empty zone name"},
		{"bad owner", mod(func(k *dns.DNSKEY) { k.Hdr.Name = "a..b." }), "not a domain name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := route53ksk.Expect(tc.k, "", "")
			require.ErrorContains(t, err, tc.says)
			require.True(t, strings.HasPrefix(err.Error(), "route53ksk: "), err.Error())
		})
	}
}
