//go:debug rsa1024min=0

// The RFC 5702 §6.1 example key is 512-bit RSA, which crypto/rsa refuses
// since Go 1.24 unless rsa1024min=0.

package validate

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// rfcVectors are RRSIG examples from the RFCs, transcribed with their
// DNSKEYs and RRsets.
var rfcVectors = []struct {
	name   string
	zone   string
	window [2]string // inception, expiration
	want   Reason    // at a time inside the window
}{
	{
		name:   "RFC 6605 6.1 P-256",
		zone:   rfc6605,
		window: [2]string{"20100812100439", "20100909100439"},
	},
	{
		name: `RFC 6605 6.2 P-384`,
		zone: `
example.net. 3600 IN DNSKEY 257 3 14 (
        xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1
        w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8
        /uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40 )
www.example.net. 3600 IN A 192.0.2.1
www.example.net. 3600 IN RRSIG A 14 3 3600 (
        20100909102025 20100812102025 10771 example.net.
        /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP
        95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz
        WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )
`,
		window: [2]string{"20100812102025", "20100909102025"},
	},
	{
		name: "RFC 5702 6.1 RSA/SHA-256 512-bit",
		zone: `
example.net.     3600  IN  DNSKEY  (256 3 8 AwEAAcFcGsaxxdgiuuGmCkVI
                 my4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P
                 kxUdp6p/DlUmObdk= )
www.example.net. 3600  IN  A  192.0.2.91
www.example.net. 3600  IN  RRSIG  (A 8 3 3600 20300101000000
                 20000101000000 9033 example.net. kRCOH6u7l0QGy9qpC9
                 l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEa
                 cFYK/lPtPiVYP4bwg==)
`,
		window: [2]string{"20000101000000", "20300101000000"},
	},
	{
		name: "RFC 5702 6.2 RSA/SHA-512",
		zone: `
example.net.    3600  IN  DNSKEY  (256 3 10 AwEAAdHoNTOW+et86KuJOWRD
                p1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD
                xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8g
                pMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL )
www.example.net. 3600  IN  A  192.0.2.91
www.example.net. 3600  IN  RRSIG  (A 10 3 3600 20300101000000
                20000101000000 3740 example.net. tsb4wnjRUDnB1BUi+t
                6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRa
                eUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOL
                DiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw
                =)
`,
		window: [2]string{"20000101000000", "20300101000000"},
	},
	{
		name: "RFC 8080 6.1 Ed25519 3613 (erratum 4935)",
		zone: `
example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
example.com. 3600 IN MX 10 mail.example.com.
example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==
`,
		window: [2]string{"20150729220000", "20150819220000"},
	},
	{
		name: "RFC 8080 6.1 Ed25519 35217 (erratum 4935)",
		zone: `
example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=
example.com. 3600 IN MX 10 mail.example.com.
example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==
`,
		window: [2]string{"20150729220000", "20150819220000"},
	},
	{
		// As printed, the signature was made over Labels = 3, which
		// RFC 4035 §5.3.1 forbids for a two-label owner.
		name: "RFC 8080 6.1 as printed, Labels 3",
		zone: `
example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
example.com. 3600 IN MX 10 mail.example.com.
example.com. 3600 IN RRSIG MX 15 3 3600 1440021600 1438207200 3613 example.com. Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==
`,
		window: [2]string{"20150729220000", "20150819220000"},
		want:   ReasonLabels,
	},
	{
		name: "RFC 8080 6.1 as printed, repaired to Labels 2",
		zone: `
example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=
example.com. 3600 IN MX 10 mail.example.com.
example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. 5LL2obmzdqjWI+Xto5eP5adXt/T5tMhasWvwcyW4L3SzfcRawOle9bodhC+oip9ayUGjY9T/rL4rN3bOuESGDA==
`,
		window: [2]string{"20150729220000", "20150819220000"},
		want:   ReasonBadSignature,
	},
}

// splitVector returns the DNSKEY, RRset and RRSIG of a vector.
func splitVector(t *testing.T, zone string) (*dns.DNSKEY, []dns.RR, *dns.RRSIG) {
	var key *dns.DNSKEY
	var sig *dns.RRSIG
	var rrset []dns.RR
	for _, rr := range parseRecords(t, zone) {
		switch x := rr.(type) {
		case *dns.DNSKEY:
			key = x
		case *dns.RRSIG:
			sig = x
		case *dns.DS:
		default:
			rrset = append(rrset, rr)
		}
	}
	require.NotNil(t, key)
	require.NotNil(t, sig)
	require.NotEmpty(t, rrset)
	return key, rrset, sig
}

func TestRFCVectors(t *testing.T) {
	for _, tt := range rfcVectors {
		t.Run(tt.name, func(t *testing.T) {
			key, rrset, sig := splitVector(t, tt.zone)
			inc, exp := mustTime(t, tt.window[0]), mustTime(t, tt.window[1])
			mid := inc.Add(exp.Sub(inc) / 2)
			check := func(now time.Time, want Reason) {
				t.Helper()
				f := VerifyRRSIG(sig, rrset, key, VerifyOptions{Now: now})
				if want == ReasonNone {
					require.Nil(t, f, "%v", f)
					return
				}
				require.NotNil(t, f, "at %s", now)
				require.Equal(t, want, f.Reason, "%v", f)
			}
			check(mid, tt.want)
			if tt.want != ReasonNone {
				return
			}
			check(inc, ReasonNone)
			check(exp, ReasonNone)
			check(inc.Add(-time.Second), ReasonNotYetValid)
			check(exp.Add(time.Second), ReasonExpired)

			// A signature one octet short or long has the wrong
			// length for every algorithm (RSA: the modulus size).
			raw, err := base64.StdEncoding.DecodeString(sig.Signature)
			require.NoError(t, err)
			for _, bad := range [][]byte{raw[:len(raw)-1], append(append([]byte(nil), raw...), 0)} {
				s := dns.Copy(sig).(*dns.RRSIG)
				s.Signature = base64.StdEncoding.EncodeToString(bad)
				f := VerifyRRSIG(s, rrset, key, VerifyOptions{Now: mid})
				require.NotNil(t, f)
				require.Equal(t, ReasonSigLength, f.Reason, "%v", f)
			}

			// miekg/dns agrees on the valid vectors.
			require.NoError(t, sig.Verify(key, rrset))

			// Records mode gives the same answer.
			res := Records(parseRecords(t, tt.zone), nil, RecordsOptions{Now: mid})
			for _, r := range res {
				require.Equal(t, StatusValid, r.Status, r.String())
			}
		})
	}
}
