package fuzz

import (
	"fmt"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestFlipOracle runs the FuzzSignValidate check on chosen one-byte changes
// whose outcome is known from RFC 4034 §6.2 and RFC 6840 §5.1: a change of
// case in a name of a listed type keeps the signature valid, a change of
// case anywhere else (HINFO, NSEC, TXT, SVCB) or any other change breaks
// it, and an A6 prefix length that no longer fits makes the record
// malformed.
func TestFlipOracle(t *testing.T) {
	tests := []struct {
		name  string
		rr    string // presentation form, owner x.example.
		pos   int    // RDATA offset of the changed byte
		mask  byte
		want  flipOutcome
		owner string
	}{
		{name: "MX exchange case", rr: "MX 10 Mail.Example.", pos: 3, mask: 0x20, want: flipSame},
		{name: "MX preference", rr: "MX 10 Mail.Example.", pos: 1, mask: 0x01, want: flipChanged},
		{name: "MX exchange letter", rr: "MX 10 Mail.Example.", pos: 4, mask: 0x01, want: flipChanged},
		{name: "SOA mname case", rr: "SOA NS1.Example. h.example. 1 2 3 4 5", pos: 1, mask: 0x20, want: flipSame},
		{name: "SOA rname case", rr: "SOA ns1.example. H.example. 1 2 3 4 5", pos: 14, mask: 0x20, want: flipSame},
		{name: "SOA serial", rr: "SOA ns1.example. h.example. 1 2 3 4 5", pos: 26, mask: 0x20, want: flipChanged},
		{name: "RP txt case", rr: "RP m.example. Txt.example.", pos: 12, mask: 0x20, want: flipSame},
		{name: "SRV target case", rr: "SRV 0 5 5060 SIP.example.", pos: 7, mask: 0x20, want: flipSame},
		{name: "NAPTR replacement case", rr: `NAPTR 100 10 "S" "X" "" Sip.example.`, pos: 10, mask: 0x20, want: flipSame},
		{name: "NAPTR flags case", rr: `NAPTR 100 10 "S" "X" "" Sip.example.`, pos: 5, mask: 0x20, want: flipChanged},
		{name: "PX mapx400 case", rr: "PX 10 a.example. B.example.", pos: 14, mask: 0x20, want: flipSame},
		{name: "KX exchanger case", rr: "KX 10 Kx.example.", pos: 3, mask: 0x20, want: flipSame},
		{name: "DNAME target case", rr: "DNAME Target.example.", pos: 1, mask: 0x20, want: flipSame},
		{name: "SIG signer case", rr: "SIG A 13 1 3600 20300101000000 20200101000000 1 Signer.example. AAAA", pos: 19, mask: 0x20, want: flipSame},
		{name: "NXT next name case", rr: "NXT Next.example. A NS", pos: 1, mask: 0x20, want: flipSame},
		{name: "A6 name case", rr: `TYPE38 \# 14 40 0102030405060708 03414243 00`, pos: 10, mask: 0x20, want: flipSame},
		{name: "A6 prefix length", rr: `TYPE38 \# 14 40 0102030405060708 03414243 00`, pos: 0, mask: 0x80, want: flipMalformed},
		{name: "HINFO keeps case", rr: `HINFO "INTEL" "Linux"`, pos: 1, mask: 0x20, want: flipChanged},
		{name: "NSEC next name keeps case", rr: "NSEC Next.example. A NS", pos: 1, mask: 0x20, want: flipChanged},
		{name: "TXT keeps case", rr: `TXT "Hello"`, pos: 1, mask: 0x20, want: flipChanged},
		{name: "SVCB target keeps case", rr: "SVCB 1 Dns.example. alpn=dot", pos: 3, mask: 0x20, want: flipChanged},
		{name: "unknown type keeps case", rr: `TYPE65280 \# 3 414243`, pos: 0, mask: 0x20, want: flipChanged},
		{name: "A address", rr: "A 192.0.2.1", pos: 3, mask: 0x01, want: flipChanged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rr, err := dns.NewRR("x.example. 300 IN " + tc.rr)
			require.NoError(t, err)
			// A second record, so that the changed one is the first of two.
			other, err := dns.NewRR("x.example. 300 IN " + tc.rr)
			require.NoError(t, err)
			if a, ok := other.(*dns.A); ok {
				a.A[3]++
			}
			in := rrsetInput{owner: "x.Example.", rrtype: rr.Header().Rrtype, ttl: 300, rdatas: encodeRDATAs(t, rr, other)}
			flip := uint32(tc.pos)<<8 | uint32(tc.mask)<<24
			got := signValidate(t, in, 1, 0x5555, flip)
			require.Equal(t, tc.want, got, fmt.Sprintf("RDATA % x", encodeRDATAs(t, rr)[2:]))
		})
	}
}
