package zonesign

import (
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestRRTextMatchesMiekg checks the fast presentation writer against
// miekg/dns's String methods, which it must match byte for byte.
func TestRRTextMatchesMiekg(t *testing.T) {
	for _, s := range []string{
		"a.example. 300 IN A 192.0.2.1",
		"a.example. 300 IN A 0.0.0.0",
		"a.example. 300 IN AAAA 2001:db8::1",
		"a.example. 300 IN AAAA ::",
		"a.example. 300 IN AAAA ::ffff:192.0.2.1",
		"a.example. 300 IN AAAA 2001:db8:0:0:1:0:0:1",
		"a.example. 300 IN AAAA fe80::1:2:3:4",
		"a.example. 300 IN NS NS1.Example.",
		`a.example. 300 IN NS a\.b\ c\@\;\(\)\"\\\'.example.`,
		`a.example. 300 IN CNAME \000\001\127\255\065.example.`,
		"a.example. 300 IN DNAME .",
		"a.example. 300 IN PTR x.",
		"a.example. 300 IN MX 0 .",
		"a.example. 300 IN MX 65535 Mail.Example.",
		"a.example. 300 IN DS 60485 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A",
		"a.example. 300 IN DS 1 5 1 00",
		"a.example. 300 IN NSEC B.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA TYPE1234 TYPE65534",
		"a.example. 300 IN NSEC \\046.example. A",
		"a.example. 300 CH NSEC b.example. NSEC",
		"a.example. 300 IN NSEC3 1 1 0 - 377IDETJALB6BI29V6DBN7UNJPD527E9 NS DS RRSIG",
		"a.example. 300 IN NSEC3 1 0 12 CAFEBABE 377IDETJALB6BI29V6DBN7UNJPD527E9",
		"a.example. 300 IN TYPE999 \\# 2 abcd",
	} {
		t.Run(s, func(t *testing.T) {
			rr, err := dns.NewRR(s)
			require.NoError(t, err)
			h := rr.Header()
			var w [maxWire]byte
			n, err := dns.PackDomainName(h.Name, w[:], 0, nil, false)
			require.NoError(t, err)
			rd, err := packRDATA(rr, make([]byte, 1024), n)
			require.NoError(t, err)
			r := rec{typ: h.Rrtype, class: h.Class, ttl: h.Ttl, rdlen: uint16(len(rd))}
			got, ok := appendRRText(nil, h.Name, r, rd)
			if !ok {
				require.Empty(t, got)
				require.Contains(t, []uint16{999, dns.TypeAAAA}, h.Rrtype, "fast path refused")
				// the slow path of writeRR
				wk := &worker{j: &job{}}
				c := &chunk{}
				require.NoError(t, wk.writeRR(c, h.Name, r, rd))
				require.Equal(t, rr.String()+"\n", string(c.buf))
				return
			}
			require.Equal(t, rr.String()+"\n", string(got))
		})
	}
}

func TestRRTextRejectsMalformed(t *testing.T) {
	for _, tc := range []struct {
		typ uint16
		rd  []byte
	}{
		{dns.TypeA, []byte{1, 2, 3}},
		{dns.TypeNS, []byte{3, 'a'}},
		{dns.TypeNS, []byte{1, 'a', 0, 0}},
		{dns.TypeMX, []byte{0}},
		{dns.TypeNSEC, []byte{0, 0}},
		{dns.TypeNSEC, []byte{0, 0, 0}},
		{dns.TypeNSEC, []byte{0, 1, 0, 0, 1, 0x40}},
		{dns.TypeNSEC3, []byte{1, 0, 0, 0, 4, 1}},
	} {
		b, ok := appendRRText([]byte("x"), "a.", rec{typ: tc.typ, class: 1}, tc.rd)
		require.False(t, ok, "%v %x", dns.Type(tc.typ), tc.rd)
		require.Equal(t, "x", string(b))
	}
}
