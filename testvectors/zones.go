package testvectors

import (
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Zone is a complete example zone.
type Zone struct {
	// RFC and Section locate the example ("RFC 4035", "A"; "RFC 8976", "A.2").
	RFC, Section string
	// File is the data file, for [Raw].
	File string
	// Origin is the zone's apex, fully qualified ("example.").
	Origin string
	// Records are the zone's records in the order printed, out-of-zone and
	// duplicate records included (RFC 8976 A.2 and A.5 have both on
	// purpose).
	Records []dns.RR
	// Keys are the apex DNSKEYs that sign the zone, nil if it is unsigned.
	Keys []*dns.DNSKEY
	// Inception and Expiration bound the instants at which every RRSIG of
	// the zone is valid (the intersection of their windows); ValidAt is
	// the midpoint. All three are zero for unsigned zones.
	Inception, Expiration, ValidAt time.Time
	// WeakRSA is set when a key of the zone is an RSA key under 1024 bits
	// (RFC 5155): verifying with Go's crypto/rsa needs
	// GODEBUG=rsa1024min=0.
	WeakRSA bool
	// Note summarises what the zone is for.
	Note string
}

// Signatures returns a SigVector for every RRSIG of the zone, in order,
// each paired with its RRset and with its key among z.Keys. Every one is
// expected to be valid at z.ValidAt.
func (z Zone) Signatures() []SigVector {
	return signatures(z.RFC, z.Section, z.Records, z.Keys, z.Note)
}

// loadZone builds a Zone from a data file.
func loadZone(rfc, section, file, origin, note string) Zone {
	z := Zone{RFC: rfc, Section: section, File: file, Origin: origin, Note: note}
	z.Records = mustZone(file, origin)
	for _, rr := range z.Records {
		switch rr := rr.(type) {
		case *dns.DNSKEY:
			if strings.EqualFold(rr.Hdr.Name, origin) {
				z.Keys = append(z.Keys, dns.Copy(rr).(*dns.DNSKEY))
				z.WeakRSA = z.WeakRSA || weakRSA(rr)
			}
		case *dns.RRSIG:
			inc, exp := sigTime(rr.Inception), sigTime(rr.Expiration)
			if z.Inception.IsZero() || inc.After(z.Inception) {
				z.Inception = inc
			}
			if z.Expiration.IsZero() || exp.Before(z.Expiration) {
				z.Expiration = exp
			}
		}
	}
	if !z.Inception.IsZero() {
		z.ValidAt = midpoint(z.Inception, z.Expiration)
	}
	return z
}

// RFC4035Zone returns the signed zone "example." of RFC 4035 Appendix A:
// algorithm 5 (RSASHA1), ZSK 38519 and KSK 9465 (1024-bit), 27 RRSIGs
// valid from 2004-04-09 18:36:19 to 2004-05-09 18:36:19 UTC, an NSEC
// chain, the wildcard *.w.example (its RRSIG has Labels 2), a signed
// delegation a.example (DS 57855, not checkable: the child key is not
// given) and an unsigned one, b.example.
func RFC4035Zone() Zone {
	return loadZone("RFC 4035", "A", "rfc4035-A.zone", "example.",
		"NSEC-signed zone, algorithm 5 (RSASHA1).")
}

// RFC5155Zone returns the NSEC3 zone "example." of RFC 5155 Appendix A:
// algorithm 7 (RSASHA1-NSEC3-SHA1), ZSK 40430 and KSK 12708, both 512-bit
// RSA (GODEBUG=rsa1024min=0 is needed to verify them with crypto/rsa),
// NSEC3 with SHA-1, salt aabbccdd, 12 iterations and the opt-out flag,
// 30 RRSIGs valid from 2005-10-21 to 2015-04-20 23:59:59 UTC.
//
// The NSEC3 type lists are sorted by type number; the RFC prints some out
// of order, which miekg/dns cannot pack. The DS for a.example (58470) is
// not checkable: the child key is not given.
func RFC5155Zone() Zone {
	return loadZone("RFC 5155", "A", "rfc5155-A.zone", "example.",
		"NSEC3-signed zone (SHA-1, salt aabbccdd, 12 iterations, opt-out), algorithm 7, 512-bit RSA.")
}

// ZONEMDZones returns the five example zones of RFC 8976 Appendix A, each
// with its ZONEMD records as printed:
//
//   - A.1 "example.": SIMPLE/SHA-384 digest.
//   - A.2 "example.": duplicates (digested once), occluded data (included),
//     upper-case owners (lower-cased), a wildcard, a non-apex ZONEMD
//     (included as data) and the out-of-zone foo.test. (excluded).
//   - A.3 "example.": SHA-384 and SHA-512 digests, plus private-range
//     ZONEMDs that cannot be verified; the (241, 1) digest is printed with
//     20 octets instead of 48 (erratum, kept as printed).
//   - A.4 "uri.arpa.": signed with algorithm 8, ZSK 37444 and KSKs 30577
//     and 12670; 15 RRSIGs valid from 2021-01-20 23:24:40 to 2021-02-17
//     23:24:40 UTC; NAPTR RDATA with "\\" escapes.
//   - A.5 "root-servers.net.": the SOA is listed twice and digested once.
func ZONEMDZones() []Zone {
	return []Zone{
		loadZone("RFC 8976", "A.1", "rfc8976-A.1.zone", "example.", "Simple zone, ZONEMD SIMPLE/SHA-384."),
		loadZone("RFC 8976", "A.2", "rfc8976-A.2.zone", "example.",
			"Complex zone: duplicates, occluded data, upper case, wildcard, non-apex ZONEMD, out-of-zone data."),
		loadZone("RFC 8976", "A.3", "rfc8976-A.3.zone", "example.",
			"Multiple digests: SHA-384, SHA-512 and unverifiable private-range ZONEMDs."),
		loadZone("RFC 8976", "A.4", "rfc8976-A.4.zone", "uri.arpa.",
			"URI.ARPA, re-signed by the RFC authors (algorithm 8), with a signed ZONEMD."),
		loadZone("RFC 8976", "A.5", "rfc8976-A.5.zone", "root-servers.net.",
			"ROOT-SERVERS.NET, whose SOA is listed twice."),
	}
}
