package testvectors_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/testvectors"
)

func parseText(text string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	return rrs, zp.Err()
}

// TestErrata undoes each documented repair on the stored text and checks
// that the RFC text as printed really fails, so the repairs are needed and
// minimal.
func TestErrata(t *testing.T) {
	t.Run("RFC 5155 B.6 missing parenthesis", func(t *testing.T) {
		raw := string(testvectors.Raw("rfc5155-B.6.zone"))
		require.Contains(t, raw, "TYPO REPAIRED")
		fixed := "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. RRSIG NSEC3 7 2 3600 (\n"
		require.Equal(t, 1, strings.Count(raw, fixed))
		_, err := parseText(raw)
		require.NoError(t, err)
		_, err = parseText(strings.Replace(raw, fixed, strings.TrimSuffix(fixed, " (\n")+"\n", 1))
		require.ErrorContains(t, err, "bad RRSIG Expiration")
	})

	t.Run("RFC 5155 unsorted type lists", func(t *testing.T) {
		var n3 *dns.NSEC3
		for _, rr := range testvectors.RFC5155Zone().Records {
			if x, ok := rr.(*dns.NSEC3); ok && strings.HasPrefix(x.Hdr.Name, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.") {
				n3 = x
			}
		}
		require.NotNil(t, n3)
		buf := make([]byte, 512)
		_, err := dns.PackRR(n3, buf, 0, nil, false)
		require.NoError(t, err)
		printed := dns.Copy(n3).(*dns.NSEC3)
		printed.TypeBitMap = []uint16{dns.TypeMX, dns.TypeDNSKEY, dns.TypeNS, dns.TypeSOA, dns.TypeNSEC3PARAM, dns.TypeRRSIG}
		_, err = dns.PackRR(printed, buf, 0, nil, false)
		require.ErrorContains(t, err, "out of order", "miekg/dns packs unsorted bitmaps now: the sort may go")
	})

	t.Run("RFC 8080 RRSIG lines as printed", func(t *testing.T) {
		for _, name := range []string{"rfc8080-6.1-printed.zone", "rfc8080-6.2-printed.zone"} {
			raw := string(testvectors.Raw(name))
			rrs, err := parseText(raw)
			require.NoError(t, err)
			require.Len(t, rrs, 2)
			// Undo the repair: no algorithm field, and the stray "(".
			asPrinted := strings.NewReplacer("RRSIG MX 15 3 3600", "RRSIG MX 3 3600", "RRSIG MX 16 3 3600", "RRSIG MX 3 3600",
				" example.com.\n", " example.com. (\n").Replace(raw)
			require.NotEqual(t, raw, asPrinted)
			_, err = parseText(asPrinted)
			require.Error(t, err, name)
		}
	})

	t.Run("RFC 8080 corrected signatures differ only in Labels and signature", func(t *testing.T) {
		corrected := map[uint16]*dns.RRSIG{}
		printed := map[uint16]*dns.RRSIG{}
		for _, s := range testvectors.Signatures() {
			if s.RFC != "RFC 8080" {
				continue
			}
			if s.Valid {
				corrected[s.RRSIG.KeyTag] = s.RRSIG
			} else {
				printed[s.RRSIG.KeyTag] = s.RRSIG
			}
		}
		require.Len(t, corrected, 4)
		require.Len(t, printed, 4)
		for tag, c := range corrected {
			p := printed[tag]
			require.NotNil(t, p)
			require.Equal(t, uint8(2), c.Labels)
			require.Equal(t, uint8(3), p.Labels)
			require.NotEqual(t, c.Signature, p.Signature)
			q := *p
			q.Labels, q.Signature = c.Labels, c.Signature
			require.Equal(t, c.String(), q.String())
			require.Equal(t, "20150819220000", dns.TimeToString(c.Expiration))
			require.Equal(t, "20150729220000", dns.TimeToString(c.Inception))
		}
	})

	t.Run("RFC 8976 A.3 truncated private-range digest", func(t *testing.T) {
		raw := testvectors.Raw("rfc8976-A.3.zone")
		require.True(t, bytes.Contains(raw, []byte("05fc283e )")), "kept as printed")
		require.True(t, bytes.Contains(raw, []byte("Erratum")))
	})
}

// TestUncheckableDS pins the DS records whose child keys the RFCs do not
// give: they can only be compared as text.
func TestUncheckableDS(t *testing.T) {
	tests := []struct {
		name string
		zone testvectors.Zone
		want string
	}{
		{"RFC 4035 A", testvectors.RFC4035Zone(), "a.example.\t3600\tIN\tDS\t57855 5 1 B6DCD485719ADCA18E5F3D48A2331627FDD3636B"},
		{"RFC 5155 A", testvectors.RFC5155Zone(), "a.example.\t3600\tIN\tDS\t58470 5 1 3079F1593EBAD6DC121E202A8B766A6A4837206C"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, rr := range tc.zone.Records {
				if rr.Header().Rrtype == dns.TypeDS {
					got = append(got, rr.String())
				}
			}
			require.Equal(t, []string{tc.want}, got)
		})
	}
}

// TestWildcardLabels checks the RRSIG Labels of the wildcard RRsets.
func TestWildcardLabels(t *testing.T) {
	for _, z := range []testvectors.Zone{testvectors.RFC4035Zone(), testvectors.RFC5155Zone()} {
		t.Run(z.RFC, func(t *testing.T) {
			found := false
			for _, s := range z.Signatures() {
				if s.RRSIG.Hdr.Name == "*.w.example." {
					// The "*" label is not counted (RFC 4034 §3.1.3).
					found = found || s.RRSIG.TypeCovered == dns.TypeMX
					require.Equal(t, uint8(2), s.RRSIG.Labels)
					require.Equal(t, 3, dns.CountLabel(s.RRSIG.Hdr.Name))
				} else {
					require.Equal(t, dns.CountLabel(s.RRSIG.Hdr.Name), int(s.RRSIG.Labels), s.Name)
				}
			}
			require.True(t, found)
		})
	}
}
