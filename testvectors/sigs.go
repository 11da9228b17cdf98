package testvectors

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// SigVector is one RRSIG with the RRset it covers and the key that made it.
type SigVector struct {
	// Name identifies the vector, for subtest names, as in
	// "RFC 4035 A x.w.example. MX 38519".
	Name string
	// RFC and Section locate the example ("RFC 5155", "B.4").
	RFC, Section string
	// RRset is the covered RRset as it appears in the example (for a
	// wildcard answer, with the expanded owner name), with duplicate
	// records removed as RFC 4034 §6.3 requires.
	RRset []dns.RR
	// RRSIG is the signature record.
	RRSIG *dns.RRSIG
	// Key is the DNSKEY whose owner, algorithm and key tag the RRSIG names.
	Key *dns.DNSKEY
	// Valid is true when the signature must validate inside its window.
	// It is false for deliberately broken vectors (the RFC 8080 signatures
	// as printed), which a validator must reject at any time.
	Valid bool
	// Inception and Expiration are the RRSIG's validity window.
	Inception, Expiration time.Time
	// ValidAt is an instant inside the window (its midpoint).
	ValidAt time.Time
	// WeakRSA is set when Key is an RSA key under 1024 bits: verifying with
	// Go's crypto/rsa needs GODEBUG=rsa1024min=0.
	WeakRSA bool
	// Note says anything else a test should know.
	Note string
}

// sigSpec describes the signatures of one data file.
type sigSpec struct {
	rfc, section string
	file         string // records: RRsets and RRSIGs
	keysFile     string // where the keys are, if not in file
	rrsetFile    string // where the RRsets are, if not in file
	valid        bool
	note         string
}

var sigSpecs = []sigSpec{
	{rfc: "RFC 6605", section: "6.1", file: "rfc6605-6.1.zone", valid: true,
		note: "ECDSA signatures are randomized: a new signature differs from this one but must verify."},
	{rfc: "RFC 6605", section: "6.2", file: "rfc6605-6.2.zone", valid: true,
		note: "ECDSA signatures are randomized: a new signature differs from this one but must verify."},
	{rfc: "RFC 8080", section: "6.1", file: "rfc8080-6.1.zone", valid: true,
		note: "Corrected signature of erratum 4935 (Labels 2); Ed25519 signing with the RFC private key reproduces it exactly."},
	{rfc: "RFC 8080", section: "6.1", file: "rfc8080-6.1-printed.zone", rrsetFile: "rfc8080-6.1.zone", keysFile: "rfc8080-6.1.zone",
		note: "As printed in RFC 8080 (erratum 4935), repaired only to parse: Labels 3 exceeds the 2 labels of example.com., " +
			"so a validator must reject it (RFC 4035 §5.3.1), although the signature matches RRSIG RDATA with Labels 3."},
	{rfc: "RFC 8080", section: "6.2", file: "rfc8080-6.2.zone", valid: true,
		note: "Corrected signature of erratum 4935 (Labels 2); Ed448 (algorithm 16, not supported by miekg/dns)."},
	{rfc: "RFC 8080", section: "6.2", file: "rfc8080-6.2-printed.zone", rrsetFile: "rfc8080-6.2.zone", keysFile: "rfc8080-6.2.zone",
		note: "As printed in RFC 8080 (erratum 4935), repaired only to parse: Labels 3 exceeds the 2 labels of example.com., " +
			"so a validator must reject it (RFC 4035 §5.3.1). Ed448 (algorithm 16, not supported by miekg/dns)."},
	{rfc: "RFC 5702", section: "6.1", file: "rfc5702-6.1.zone", valid: true,
		note: "RSASSA-PKCS1-v1_5 is deterministic: signing with the RFC private key reproduces the signature exactly."},
	{rfc: "RFC 5702", section: "6.2", file: "rfc5702-6.2.zone", valid: true,
		note: "RSASSA-PKCS1-v1_5 is deterministic: signing with the RFC private key reproduces the signature exactly."},
}

// Signatures returns every RRSIG vector: RFC 6605 §6.1 and §6.2, RFC 8080
// §6.1 and §6.2 (the corrected signatures, Valid, and the ones as printed,
// not Valid), RFC 5702 §6.1 and §6.2, then every signature of the
// RFC 4035 Appendix A zone (27), the RFC 5155 Appendix A zone (30), the
// RFC 5155 Appendix B responses (21) and the RFC 8976 A.4 zone (15).
//
// Vectors whose WeakRSA field is set need GODEBUG=rsa1024min=0 (put
// //go:debug rsa1024min=0 in a _test.go file) before crypto/rsa verifies
// them; Ed448 vectors (algorithm 16) cannot be verified with miekg/dns.
func Signatures() []SigVector {
	var out []SigVector
	for _, s := range sigSpecs {
		rrs := mustZone(s.file, "")
		rrsets, keys := rrs, dnskeys(rrs)
		if s.rrsetFile != "" {
			rrsets = mustZone(s.rrsetFile, "")
		}
		if s.keysFile != "" {
			keys = dnskeys(mustZone(s.keysFile, ""))
		}
		for _, rr := range rrs {
			if sig, ok := rr.(*dns.RRSIG); ok {
				v := newSigVector(s.rfc, s.section, sig, rrsets, keys, s.valid, s.note)
				if !s.valid {
					v.Name += " (as printed)"
				}
				out = append(out, v)
			}
		}
	}
	out = append(out, RFC4035Zone().Signatures()...)
	out = append(out, RFC5155Zone().Signatures()...)
	for _, r := range RFC5155Responses() {
		out = append(out, r.Signatures()...)
	}
	for _, z := range ZONEMDZones() {
		out = append(out, z.Signatures()...)
	}
	return out
}

// signatures returns a SigVector for every RRSIG in rrs, in order, with
// RRsets taken from rrs and keys chosen among keys.
func signatures(rfc, section string, rrs []dns.RR, keys []*dns.DNSKEY, note string) []SigVector {
	var out []SigVector
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			out = append(out, newSigVector(rfc, section, sig, rrs, keys, true, note))
		}
	}
	return out
}

// newSigVector pairs sig with its RRset in rrs and its key in keys. It
// copies what it returns. Key is nil if no key matches.
func newSigVector(rfc, section string, sig *dns.RRSIG, rrs []dns.RR, keys []*dns.DNSKEY, valid bool, note string) SigVector {
	v := SigVector{
		Name:       fmt.Sprintf("%s %s %s %s %d", rfc, section, sig.Hdr.Name, dns.TypeToString[sig.TypeCovered], sig.KeyTag),
		RFC:        rfc,
		Section:    section,
		RRSIG:      dns.Copy(sig).(*dns.RRSIG),
		RRset:      rrset(rrs, sig.Hdr.Name, sig.Hdr.Class, sig.TypeCovered),
		Valid:      valid,
		Inception:  sigTime(sig.Inception),
		Expiration: sigTime(sig.Expiration),
		Note:       note,
	}
	v.ValidAt = midpoint(v.Inception, v.Expiration)
	for _, k := range keys {
		if k.Algorithm == sig.Algorithm && keyTag(k) == sig.KeyTag && strings.EqualFold(k.Hdr.Name, sig.SignerName) {
			v.Key = dns.Copy(k).(*dns.DNSKEY)
			v.WeakRSA = weakRSA(k)
			break
		}
	}
	return v
}

// rrset returns copies of the records of rrs with the given owner, class
// and type (never RRSIGs unless typ is RRSIG), without duplicates.
func rrset(rrs []dns.RR, owner string, class, typ uint16) []dns.RR {
	var out []dns.RR
next:
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype != typ || h.Class != class || !strings.EqualFold(h.Name, owner) {
			continue
		}
		for _, seen := range out {
			if dns.IsDuplicate(seen, rr) {
				continue next
			}
		}
		out = append(out, dns.Copy(rr))
	}
	return out
}
