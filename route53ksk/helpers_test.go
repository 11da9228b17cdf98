package route53ksk_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/route53ksk"
	"github.com/dnsseal/dnsseal/signer"
)

// RFC 6605 §6.1: the P-256 example key of example.net, with the key tag
// and SHA-256 DS digest as printed in the RFC.
const (
	rfcZone   = "example.net."
	rfcKey    = "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="
	rfcTag    = 55648
	rfcDigest = "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"
	testARN   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	otherARN  = "arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab"
)

func rfcDNSKEY() *dns.DNSKEY {
	return &dns.DNSKEY{
		Hdr:   dns.RR_Header{Name: rfcZone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 257, Protocol: 3, Algorithm: 13, PublicKey: rfcKey,
	}
}

// localKey makes an algorithm 13 KSK for zone with localbackend.
func localKey(t testing.TB, zone string) signer.Signer {
	t.Helper()
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, zone, signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	return s
}

// cryptoKey makes an algorithm 13 KSK for zone from a crypto/ecdsa key.
func cryptoKey(t testing.TB, zone string) (signer.Signer, *ecdsa.PrivateKey) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := signer.FromCryptoSigner(priv, zone, signer.FlagsKSK)
	require.NoError(t, err)
	return s, priv
}

var (
	created  = time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)
	modified = time.Date(2024, 5, 7, 7, 8, 9, 456000000, time.UTC)
)

// route53KSK builds, independently of route53ksk.Expect, the
// KeySigningKey Route 53 reports for the key of s: tag and digest from
// packages keytag and dsrecord, strings in Route 53's formats.
func route53KSK(t testing.TB, s signer.Signer, name, arn, status string) route53ksk.KeySigningKey {
	t.Helper()
	k := s.DNSKEY()
	tag, err := keytag.Compute(k)
	require.NoError(t, err)
	ds, err := dsrecord.New(k, dsrecord.Options{})
	require.NoError(t, err)
	return route53ksk.KeySigningKey{
		Name:                     name,
		KmsArn:                   arn,
		Flag:                     int(k.Flags),
		SigningAlgorithmMnemonic: "ECDSAP256SHA256",
		SigningAlgorithmType:     int(k.Algorithm),
		DigestAlgorithmMnemonic:  "SHA-256",
		DigestAlgorithmType:      2,
		KeyTag:                   int(tag),
		DigestValue:              ds.Digest,
		PublicKey:                k.PublicKey,
		DSRecord:                 fmt.Sprintf("%d %d %d %s", ds.KeyTag, ds.Algorithm, ds.DigestType, ds.Digest),
		DNSKEYRecord:             fmt.Sprintf("%d %d %d %s", k.Flags, k.Protocol, k.Algorithm, k.PublicKey),
		Status:                   status,
		CreatedDate:              created,
		LastModifiedDate:         modified,
	}
}

// cliDate formats a date as the AWS CLI prints it (Python's isoformat).
func cliDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

// cliKSK renders a KeySigningKey as the AWS CLI prints one, indented by
// indent spaces.
func cliKSK(k route53ksk.KeySigningKey, indent int) string {
	p := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("{\n")
	lines := []string{
		fmt.Sprintf("%q: %q", "Name", k.Name),
		fmt.Sprintf("%q: %q", "KmsArn", k.KmsArn),
		fmt.Sprintf("%q: %d", "Flag", k.Flag),
		fmt.Sprintf("%q: %q", "SigningAlgorithmMnemonic", k.SigningAlgorithmMnemonic),
		fmt.Sprintf("%q: %d", "SigningAlgorithmType", k.SigningAlgorithmType),
		fmt.Sprintf("%q: %q", "DigestAlgorithmMnemonic", k.DigestAlgorithmMnemonic),
		fmt.Sprintf("%q: %d", "DigestAlgorithmType", k.DigestAlgorithmType),
		fmt.Sprintf("%q: %d", "KeyTag", k.KeyTag),
		fmt.Sprintf("%q: %q", "DigestValue", k.DigestValue),
		fmt.Sprintf("%q: %q", "PublicKey", k.PublicKey),
		fmt.Sprintf("%q: %q", "DSRecord", k.DSRecord),
		fmt.Sprintf("%q: %q", "DNSKEYRecord", k.DNSKEYRecord),
		fmt.Sprintf("%q: %q", "Status", k.Status),
	}
	if k.StatusMessage != "" {
		lines = append(lines, fmt.Sprintf("%q: %q", "StatusMessage", k.StatusMessage))
	}
	lines = append(lines,
		fmt.Sprintf("%q: %q", "CreatedDate", cliDate(k.CreatedDate)),
		fmt.Sprintf("%q: %q", "LastModifiedDate", cliDate(k.LastModifiedDate)))
	for i, l := range lines {
		b.WriteString(p + "    " + l)
		if i < len(lines)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(p + "}")
	return b.String()
}

// getDNSSEC renders the output of aws route53 get-dnssec.
func getDNSSEC(serve string, ksks ...route53ksk.KeySigningKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n    \"Status\": {\n        \"ServeSignature\": %q\n    },\n    \"KeySigningKeys\": [", serve)
	for i, k := range ksks {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n        " + cliKSK(k, 8))
	}
	if len(ksks) > 0 {
		b.WriteString("\n    ")
	}
	b.WriteString("]\n}\n")
	return b.String()
}

// createKSK renders the output of aws route53 create-key-signing-key.
func createKSK(k route53ksk.KeySigningKey) string {
	return fmt.Sprintf(`{
    "ChangeInfo": {
        "Id": "/change/C2682N5HXP0BZ4",
        "Status": "PENDING",
        "SubmittedAt": %q
    },
    "KeySigningKey": %s,
    "Location": "https://route53.amazonaws.com/2013-04-01/keysigningkey/Z0123456789ABC/%s"
}
`, cliDate(k.CreatedDate), cliKSK(k, 4), k.Name)
}

// fields returns the Field of each finding.
func fields(r *route53ksk.Report) []string {
	out := make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		out = append(out, f.Field)
	}
	return out
}

// requireWellFormed checks that every finding's message names its field,
// expected value and found value.
func requireWellFormed(t *testing.T, r *route53ksk.Report) {
	t.Helper()
	for _, f := range r.Findings {
		require.NotEmpty(t, f.Field)
		require.Contains(t, f.Message, f.Field+":", "finding %+v", f)
		require.Contains(t, f.Message, "expected "+quoteIfNeeded(f.Message, f.Expected), "finding %+v", f)
		require.Contains(t, f.Message, "found "+quoteIfNeeded(f.Message, f.Found), "finding %+v", f)
		require.Contains(t, f.String(), f.Message)
	}
}

// quoteIfNeeded returns s quoted if msg holds it quoted, else s.
func quoteIfNeeded(msg, s string) string {
	if q := fmt.Sprintf("%q", s); strings.Contains(msg, q) {
		return q
	}
	return s
}
