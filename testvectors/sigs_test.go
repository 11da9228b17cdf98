package testvectors_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/testvectors"
)

// TestSignatures verifies every valid RRSIG with miekg/dns inside its
// window, checks that the window is enforced, and that every broken one
// fails.
func TestSignatures(t *testing.T) {
	sigs := testvectors.Signatures()
	names := map[string]bool{}
	for _, s := range sigs {
		t.Run(s.Name, func(t *testing.T) {
			require.False(t, names[s.Name], "duplicate vector name")
			names[s.Name] = true
			require.NotNil(t, s.Key, "a key for the RRSIG")
			require.NotEmpty(t, s.RRset)
			require.True(t, s.Inception.Before(s.ValidAt) && s.ValidAt.Before(s.Expiration))
			require.Equal(t, int64(s.RRSIG.Inception), s.Inception.Unix())
			require.Equal(t, int64(s.RRSIG.Expiration), s.Expiration.Unix())

			require.True(t, s.RRSIG.ValidityPeriod(s.ValidAt))
			require.True(t, s.RRSIG.ValidityPeriod(s.Inception))
			require.True(t, s.RRSIG.ValidityPeriod(s.Expiration))
			require.False(t, s.RRSIG.ValidityPeriod(s.Inception.Add(-time.Second)))
			require.False(t, s.RRSIG.ValidityPeriod(s.Expiration.Add(time.Second)))

			for _, rr := range s.RRset {
				require.Equal(t, s.RRSIG.TypeCovered, rr.Header().Rrtype)
				require.True(t, strings.EqualFold(s.RRSIG.Hdr.Name, rr.Header().Name))
			}
			err := s.RRSIG.Verify(s.Key, s.RRset)
			switch {
			case !s.Valid:
				require.Error(t, err)
				require.Contains(t, s.Note, "must reject")
			case s.Key.Algorithm == dns.ED448:
				// miekg/dns has no Ed448, as the package documents.
				require.ErrorIs(t, err, dns.ErrAlg, "miekg/dns learnt Ed448: expect NoError")
			default:
				require.NoError(t, err)
			}
		})
	}
}

// TestSignatureCounts checks the number of RRSIGs in each source.
func TestSignatureCounts(t *testing.T) {
	count := map[string]int{}
	valid := 0
	for _, s := range testvectors.Signatures() {
		count[s.RFC+" "+s.Section]++
		if s.Valid {
			valid++
		}
	}
	require.Equal(t, map[string]int{
		"RFC 6605 6.1": 1, "RFC 6605 6.2": 1,
		"RFC 8080 6.1": 4, "RFC 8080 6.2": 4, // corrected + as printed
		"RFC 5702 6.1": 1, "RFC 5702 6.2": 1,
		"RFC 4035 A":   27,
		"RFC 5155 A":   30,
		"RFC 5155 B.1": 4, "RFC 5155 B.2": 2, "RFC 5155 B.2.1": 2, "RFC 5155 B.3": 2,
		"RFC 5155 B.4": 5, "RFC 5155 B.5": 4, "RFC 5155 B.6": 2, // 21 in Appendix B
		"RFC 8976 A.4": 15,
	}, count)
	require.Equal(t, 105-4, valid)
}

// TestRFC8080AsPrinted checks the erratum 4935 analysis: the printed
// signatures are genuine Ed25519 signatures over RRSIG RDATA with
// Labels = 3, which a validator must reject since example.com. has two
// labels; with Labels = 2 they do not verify.
func TestRFC8080AsPrinted(t *testing.T) {
	n := 0
	for _, s := range testvectors.Signatures() {
		if s.Valid || s.RRSIG.Algorithm != dns.ED25519 {
			continue
		}
		n++
		t.Run(s.Name, func(t *testing.T) {
			require.Equal(t, uint8(3), s.RRSIG.Labels)
			require.Equal(t, 2, dns.CountLabel(s.RRSIG.Hdr.Name))
			require.Contains(t, s.Note, "erratum 4935")
			pub, err := base64.StdEncoding.DecodeString(s.Key.PublicKey)
			require.NoError(t, err)
			sig, err := base64.StdEncoding.DecodeString(s.RRSIG.Signature)
			require.NoError(t, err)
			require.True(t, ed25519.Verify(pub, signedData(t, s.RRSIG, s.RRset), sig), "Labels 3")
			fixed := *s.RRSIG
			fixed.Labels = 2
			require.False(t, ed25519.Verify(pub, signedData(t, &fixed, s.RRset), sig), "Labels 2")
		})
	}
	require.Equal(t, 2, n)
}

// signedData builds RFC 4034 §3.1.8.1 signed data by hand for an RRset of
// one record without wildcard expansion.
func signedData(t *testing.T, sig *dns.RRSIG, rrset []dns.RR) []byte {
	t.Helper()
	require.Len(t, rrset, 1)
	b := binary.BigEndian.AppendUint16(nil, sig.TypeCovered)
	b = append(b, sig.Algorithm, sig.Labels)
	b = binary.BigEndian.AppendUint32(b, sig.OrigTtl)
	b = binary.BigEndian.AppendUint32(b, sig.Expiration)
	b = binary.BigEndian.AppendUint32(b, sig.Inception)
	b = binary.BigEndian.AppendUint16(b, sig.KeyTag)
	buf := make([]byte, 512)
	off, err := dns.PackDomainName(dns.CanonicalName(sig.SignerName), buf, 0, nil, false)
	require.NoError(t, err)
	b = append(b, buf[:off]...)
	rr := dns.Copy(rrset[0])
	rr.Header().Name = dns.CanonicalName(rr.Header().Name)
	rr.Header().Ttl = sig.OrigTtl
	if mx, ok := rr.(*dns.MX); ok {
		mx.Mx = dns.CanonicalName(mx.Mx)
	}
	off, err = dns.PackRR(rr, buf, 0, nil, false)
	require.NoError(t, err)
	return append(b, buf[:off]...)
}

func TestRFC4034RRSIG(t *testing.T) {
	v := testvectors.RFC4034RRSIG()
	require.Equal(t, "RFC 4034", v.RFC)
	require.Equal(t, "3.3", v.Section)
	sig, ok := v.RR.(*dns.RRSIG)
	require.True(t, ok)
	require.Equal(t, "host.example.com.", sig.Hdr.Name)
	require.Equal(t, dns.TypeA, sig.TypeCovered)
	require.Equal(t, dns.RSASHA1, sig.Algorithm)
	require.Equal(t, uint8(3), sig.Labels)
	require.Equal(t, uint32(86400), sig.OrigTtl)
	require.Equal(t, "20030322173103", dns.TimeToString(sig.Expiration))
	require.Equal(t, "20030220173103", dns.TimeToString(sig.Inception))
	require.Equal(t, uint16(2642), sig.KeyTag)
	require.Equal(t, "example.com.", sig.SignerName)
	// The key it names is the RFC 4034 §2.3 DNSKEY.
	for _, k := range testvectors.Keys() {
		if k.Name == "rfc4034-2.3" {
			require.Equal(t, sig.KeyTag, k.KeyTag)
			require.Equal(t, sig.SignerName, k.DNSKEY.Hdr.Name)
			require.Equal(t, sig.Algorithm, k.DNSKEY.Algorithm)
		}
	}
	// Print and parse round trip.
	again, err := dns.NewRR(sig.String())
	require.NoError(t, err)
	require.True(t, dns.IsDuplicate(sig, again))
	require.Equal(t, sig.String(), again.String())
}

func TestRFC4034NSEC(t *testing.T) {
	v := testvectors.RFC4034NSEC()
	nsec, ok := v.RR.(*dns.NSEC)
	require.True(t, ok)
	require.Equal(t, "alfa.example.com.", nsec.Hdr.Name)
	require.Equal(t, "host.example.com.", nsec.NextDomain)
	require.Equal(t, []uint16{dns.TypeA, dns.TypeMX, dns.TypeRRSIG, dns.TypeNSEC, 1234}, nsec.TypeBitMap)

	buf := make([]byte, 512)
	off, err := dns.PackRR(nsec, buf, 0, nil, false)
	require.NoError(t, err)
	rdlen := int(binary.BigEndian.Uint16(buf[off-len(v.RDATA)-2:]))
	require.Equal(t, len(v.RDATA), rdlen)
	require.Equal(t, v.RDATA, buf[off-rdlen:off], "RFC 4034 §4.3 wire form")
	require.Len(t, v.RDATA, 18+2+6+2+27)

	// Unpacking the printed wire form gives the record back.
	rr, _, err := dns.UnpackRR(buf[:off], 0)
	require.NoError(t, err)
	require.True(t, dns.IsDuplicate(nsec, rr))
	again, err := dns.NewRR(nsec.String())
	require.NoError(t, err)
	require.Equal(t, nsec.String(), again.String())
}
