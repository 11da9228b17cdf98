package fuzz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// scanRRsetOf is the plain definition of rrIndex.rrsetOf: a scan of rrs for
// the records of sig's owner (compared as lower-cased wire names), class
// and type.
func scanRRsetOf(rrs []dns.RR, sig *dns.RRSIG) []dns.RR {
	same := func(a, b string) bool {
		var ab, bb [256]byte
		na, err1 := dns.PackDomainName(dns.Fqdn(a), ab[:], 0, nil, false)
		nb, err2 := dns.PackDomainName(dns.Fqdn(b), bb[:], 0, nil, false)
		if err1 != nil || err2 != nil {
			return false
		}
		lowerWireName(ab[:na])
		lowerWireName(bb[:nb])
		return bytes.Equal(ab[:na], bb[:nb])
	}
	var out []dns.RR
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype != sig.TypeCovered || h.Class != sig.Hdr.Class || h.Rrtype == dns.TypeRRSIG || !same(h.Name, sig.Hdr.Name) {
			continue
		}
		c := dns.Copy(rr)
		if len(out) > 0 {
			c.Header().Name = out[0].Header().Name
		}
		out = append(out, c)
	}
	return out
}

// TestRRIndex checks rrIndex against a scan of the records: the same
// RRsets, in the same order and spelling, for owners in other cases,
// escaped letters, other classes, names that do not pack and RRSIGs over
// RRSIGs; and the DNSKEYs of a signer name.
func TestRRIndex(t *testing.T) {
	text := `$ORIGIN example.
www 300 A 192.0.2.1
WWW 300 A 192.0.2.2
\087ww 300 A 192.0.2.3
www 300 CH A 192.0.2.4
www 300 AAAA 2001:db8::1
www 300 RRSIG A 13 2 300 20300101000000 20200101000000 1 example. AAAA
www 300 RRSIG RRSIG 13 2 300 20300101000000 20200101000000 1 example. AAAA
a\.b 300 TXT "dot"
@ 300 DNSKEY 256 3 13 AAAA
EXAMPLE. 300 CH DNSKEY 257 3 13 AAAA
other. 300 DNSKEY 256 3 13 AAAA
`
	var rrs []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(text), "", "index.zone")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	require.NoError(t, zp.Err())
	// a name too long to pack, which the zone parser does not make
	long := &dns.A{Hdr: dns.RR_Header{Name: strings.Repeat("a", 300) + ".", Rrtype: dns.TypeA, Class: dns.ClassINET}}
	rrs = append(rrs, long)
	idx := newRRIndex(rrs)

	sig := func(owner string, class, covered uint16) *dns.RRSIG {
		return &dns.RRSIG{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeRRSIG, Class: class}, TypeCovered: covered}
	}
	tests := []struct {
		name string
		sig  *dns.RRSIG
		want int
	}{
		{"three spellings", sig("www.example.", dns.ClassINET, dns.TypeA), 3},
		{"upper-case owner", sig("WwW.ExAmPlE.", dns.ClassINET, dns.TypeA), 3},
		{"not fully qualified", sig("www.example", dns.ClassINET, dns.TypeA), 3},
		{"other class", sig("www.example.", dns.ClassCHAOS, dns.TypeA), 1},
		{"other type", sig("www.example.", dns.ClassINET, dns.TypeAAAA), 1},
		{"over RRSIG", sig("www.example.", dns.ClassINET, dns.TypeRRSIG), 0},
		{"escaped dot", sig(`a\.b.example.`, dns.ClassINET, dns.TypeTXT), 1},
		{"not a dot", sig("a.b.example.", dns.ClassINET, dns.TypeTXT), 0},
		{"no such name", sig("nowhere.example.", dns.ClassINET, dns.TypeA), 0},
		{"name that does not pack", sig(long.Hdr.Name, dns.ClassINET, dns.TypeA), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := idx.rrsetOf(tt.sig), scanRRsetOf(rrs, tt.sig)
			require.Len(t, want, tt.want)
			require.Equal(t, fmt.Sprint(want), fmt.Sprint(got))
		})
	}
	require.Len(t, idx.dnskeys("Example."), 2)
	require.Len(t, idx.dnskeys("other"), 1)
	require.Empty(t, idx.dnskeys("www.example."))
	require.Empty(t, idx.dnskeys(long.Hdr.Name))
}

// BenchmarkSignZoneLargest runs FuzzZoneSign's body on the largest zones
// it takes: maxZoneRecords names, flat or with empty non-terminals up to
// maxZoneNames, with NSEC3. It is the cost of one execution at the bounds.
func BenchmarkSignZoneLargest(b *testing.B) {
	const soa = "$ORIGIN example.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n"
	for _, z := range []struct{ name, text string }{
		{"flat", soa + fmt.Sprintf("$GENERATE 1-%d h$ A 192.0.2.1\n", maxZoneRecords-3)},
		{"ents", soa + "$GENERATE 1-250 e.e.$ A 192.0.2.1\n"},
	} {
		b.Run(z.name, func(b *testing.B) {
			require.True(b, signZone(b, z.text, true, 0), "not signed")
			b.ReportAllocs()
			for b.Loop() {
				signZone(b, z.text, true, 0)
			}
		})
	}
}
