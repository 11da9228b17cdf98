package testvectors

import (
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// RecordVector is a single record printed in an RFC, for parse, print and
// wire-format round trips.
type RecordVector struct {
	// RFC and Section locate the example.
	RFC, Section string
	// RR is the record.
	RR dns.RR
	// RDATA is the record's RDATA in wire format as printed in the RFC, or
	// nil if the RFC does not give it.
	RDATA []byte
	// Note says what the record can and cannot be used for.
	Note string
}

// RFC4034RRSIG returns the RRSIG example of RFC 4034 §3.3: the A RRset of
// host.example.com signed with algorithm 5, Labels 3, key tag 2642 (the
// RFC 4034 §2.3 DNSKEY), valid from 2003-02-20 17:31:03 to 2003-03-22
// 17:31:03 UTC. The covered RRset is not given, so the signature cannot
// be verified: use it for parsing and printing only.
func RFC4034RRSIG() RecordVector {
	return RecordVector{
		RFC: "RFC 4034", Section: "3.3",
		RR:   mustZone("rfc4034-3.3.zone", "")[0],
		Note: "Not verifiable: the covered A RRset of host.example.com is not given.",
	}
}

// RFC4034NSEC returns the NSEC example of RFC 4034 §4.3,
// "alfa.example.com. 86400 IN NSEC host.example.com. A MX RRSIG NSEC
// TYPE1234", with the RDATA wire form printed in the RFC (the next domain
// name, then two type bitmap windows).
func RFC4034NSEC() RecordVector {
	return RecordVector{
		RFC: "RFC 4034", Section: "4.3",
		RR:    mustZone("rfc4034-4.3.zone", "")[0],
		RDATA: mustOctets("rfc4034-4.3.hex"),
		Note:  "A sender must not compress the next domain name (RFC 4034 §4.1.1).",
	}
}

// mustOctets parses a file of octets written as in RFC 4034 §4.3: 0xNN for
// a hex octet, 'c' for an ASCII character, and ';' comment lines.
func mustOctets(name string) []byte {
	var out []byte
	for _, line := range strings.Split(string(mustRaw(name)), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), ";") {
			continue
		}
		for _, tok := range strings.Fields(line) {
			switch {
			case len(tok) == 4 && strings.HasPrefix(tok, "0x"):
				b, err := strconv.ParseUint(tok[2:], 16, 8)
				if err != nil {
					panic("testvectors: " + name + ": bad octet " + tok)
				}
				out = append(out, byte(b))
			case len(tok) == 3 && tok[0] == '\'' && tok[2] == '\'':
				out = append(out, tok[1])
			default:
				panic("testvectors: " + name + ": bad token " + tok)
			}
		}
	}
	return out
}
