package testvectors

import (
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestKeyTagHelper(t *testing.T) {
	for _, v := range Keys() {
		t.Run(v.Name, func(t *testing.T) {
			require.Equal(t, v.KeyTag, keyTag(v.DNSKEY))
			if v.DNSKEY.Algorithm != dns.RSAMD5 {
				require.Equal(t, v.DNSKEY.KeyTag(), keyTag(v.DNSKEY))
			}
		})
	}
	require.Zero(t, keyTag(&dns.DNSKEY{PublicKey: "!!"}))
	require.Zero(t, keyTag(&dns.DNSKEY{Algorithm: dns.RSAMD5, PublicKey: "AQ=="}))
}

func TestRSAModulusBits(t *testing.T) {
	want := map[string]int{
		"rfc4034-2.3": 1024, "rfc5702-6.1": 512, "rfc5702-6.2": 1024, "rfc5155-A-40430": 512,
		"rfc8976-A.4-30577": 2048, "rfc6605-6.1": 0, "rfc8080-6.1-3613": 0,
	}
	for _, v := range Keys() {
		if w, ok := want[v.Name]; ok {
			require.Equal(t, w, rsaModulusBits(v.DNSKEY), v.Name)
		}
	}
	for _, bad := range []string{"", "!!", "AA==", "AAAB", "AwEAAQ=="} {
		require.Zero(t, rsaModulusBits(&dns.DNSKEY{Algorithm: dns.RSASHA256, PublicKey: bad}), bad)
	}
	// A 3-octet exponent length form (RFC 3110 §2: leading zero octet).
	require.Equal(t, 8, rsaModulusBits(&dns.DNSKEY{Algorithm: dns.RSASHA256, PublicKey: "AAABAYA="}))
}

func TestMidpoint(t *testing.T) {
	a := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t, time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC), midpoint(a, a.Add(3*time.Second)))
	require.Equal(t, "20100826100439", midpoint(sigTime(1281607479), sigTime(1284026679)).Format("20060102150405"))
}

func TestParseRecordsError(t *testing.T) {
	_, err := parseRecords("bad.zone", []byte("example. 3600 IN A 300.0.0.1\n"), "")
	require.ErrorContains(t, err, "testvectors: bad.zone")
	require.Panics(t, func() { mustRaw("missing.zone") })
}
