package testvectors

import (
	"strings"

	"github.com/miekg/dns"
)

// KeyVector is a DNSKEY published as an example, with the values an
// implementation must derive from it.
type KeyVector struct {
	// Name identifies the vector, for subtest names: "rfc6605-6.1",
	// "rfc8080-6.1-3613", "dnspython-rsamd5-30239".
	Name string
	// RFC and Section locate the example, as in "RFC 6605" and "6.1" or
	// "RFC 4035" and "A" (an appendix). RFC is "" for the few vectors that
	// do not come from an RFC; Note then says where they come from.
	RFC, Section string
	// DNSKEY is the key as published.
	DNSKEY *dns.DNSKEY
	// PrivateKey is the private key in BIND private-key format
	// ("Private-key-format: v1.2" as printed in the RFCs; readers of v1.3
	// files accept it), without comments, or "" if none was published.
	// dns.DNSKEY.NewPrivateKey parses it for every algorithm but 16 (Ed448).
	PrivateKey string
	// KeyTag is the expected key tag: the one printed in the RFC (in a DS,
	// an RRSIG or a comment). For algorithm 1 it follows RFC 4034 Appendix
	// B.1, which miekg/dns does not implement.
	KeyTag uint16
	// DS holds the DS records printed in the RFC for this key (nil if none).
	DS []*dns.DS
	// ExtraDS holds DS records the RFCs do not give, computed with miekg/dns
	// v1.1.73 ToDS for extra digest types (data/computed-ds.zone). They are
	// regression values, not RFC facts.
	ExtraDS []*dns.DS
	// WeakRSA is set for RSA keys under 1024 bits (RFC 5702 §6.1, RFC 5155
	// Appendix A): Go's crypto/rsa uses them only with
	// GODEBUG=rsa1024min=0, for example from a //go:debug rsa1024min=0
	// line in a _test.go file.
	WeakRSA bool
	// Note says anything else a test should know.
	Note string
}

// keySpec describes one KeyVector.
type keySpec struct {
	name, rfc, section string
	file, origin       string // the zone file holding the DNSKEY, and its origin
	index              int    // which DNSKEY of the file, in file order
	private            string // the private-key file, or ""
	tag                uint16
	note               string
}

var keySpecs = []keySpec{
	{name: "rfc4034-2.3", rfc: "RFC 4034", section: "2.3", file: "rfc4034-2.3.zone", tag: 2642,
		note: "RSASHA1 zone key; the RFC 4034 §3.3 RRSIG example names this key tag."},
	{name: "rfc4034-5.4", rfc: "RFC 4034", section: "5.4", file: "rfc4034-5.4.zone", tag: 60485,
		note: "DS example with a SHA-1 digest."},
	{name: "rfc4509-2.3", rfc: "RFC 4509", section: "2.3", file: "rfc4509-2.3.zone", tag: 60485,
		note: "The RFC 4034 §5.4 key with a SHA-256 DS."},
	{name: "rfc6605-6.1", rfc: "RFC 6605", section: "6.1", file: "rfc6605-6.1.zone", private: "rfc6605-6.1.private", tag: 55648,
		note: "ECDSA P-256 KSK; the private key derives the DNSKEY."},
	{name: "rfc6605-6.2", rfc: "RFC 6605", section: "6.2", file: "rfc6605-6.2.zone", private: "rfc6605-6.2.private", tag: 10771,
		note: "ECDSA P-384 KSK; the RFC gives a SHA-384 DS."},
	{name: "rfc8080-6.1-3613", rfc: "RFC 8080", section: "6.1", file: "rfc8080-6.1.zone", index: 0, private: "rfc8080-6.1-3613.private", tag: 3613,
		note: "Ed25519; the private key is base64 of the ASCII string \"82260384628080122645190204142262\" used as the 32-octet seed."},
	{name: "rfc8080-6.1-35217", rfc: "RFC 8080", section: "6.1", file: "rfc8080-6.1.zone", index: 1, private: "rfc8080-6.1-35217.private", tag: 35217,
		note: "Ed25519."},
	{name: "rfc8080-6.2-9713", rfc: "RFC 8080", section: "6.2", file: "rfc8080-6.2.zone", index: 0, private: "rfc8080-6.2-9713.private", tag: 9713,
		note: "Ed448 (algorithm 16, not supported by miekg/dns); the private key is the 57-octet seed."},
	{name: "rfc8080-6.2-38353", rfc: "RFC 8080", section: "6.2", file: "rfc8080-6.2.zone", index: 1, private: "rfc8080-6.2-38353.private", tag: 38353,
		note: "Ed448 (algorithm 16, not supported by miekg/dns); the private key is the 57-octet seed."},
	{name: "rfc5702-6.1", rfc: "RFC 5702", section: "6.1", file: "rfc5702-6.1.zone", private: "rfc5702-6.1.private", tag: 9033,
		note: "RSA/SHA-256 512-bit ZSK."},
	{name: "rfc5702-6.2", rfc: "RFC 5702", section: "6.2", file: "rfc5702-6.2.zone", private: "rfc5702-6.2.private", tag: 3740,
		note: "RSA/SHA-512 1024-bit ZSK."},
	{name: "rfc4035-A-38519", rfc: "RFC 4035", section: "A", file: "rfc4035-A.zone", index: 0, tag: 38519,
		note: "RSASHA1 1024-bit ZSK of the signed zone example."},
	{name: "rfc4035-A-9465", rfc: "RFC 4035", section: "A", file: "rfc4035-A.zone", index: 1, tag: 9465,
		note: "RSASHA1 1024-bit KSK of the signed zone example."},
	{name: "rfc5155-A-40430", rfc: "RFC 5155", section: "A", file: "rfc5155-A.zone", index: 0, tag: 40430,
		note: "RSASHA1-NSEC3-SHA1 512-bit ZSK of the NSEC3 zone example."},
	{name: "rfc5155-A-12708", rfc: "RFC 5155", section: "A", file: "rfc5155-A.zone", index: 1, tag: 12708,
		note: "RSASHA1-NSEC3-SHA1 512-bit KSK of the NSEC3 zone example."},
	{name: "rfc8976-A.4-37444", rfc: "RFC 8976", section: "A.4", file: "rfc8976-A.4.zone", index: 0, tag: 37444,
		note: "RSASHA256 ZSK of uri.arpa (re-signed by the RFC authors)."},
	{name: "rfc8976-A.4-30577", rfc: "RFC 8976", section: "A.4", file: "rfc8976-A.4.zone", index: 1, tag: 30577,
		note: "RSASHA256 KSK of uri.arpa (re-signed by the RFC authors)."},
	{name: "rfc8976-A.4-12670", rfc: "RFC 8976", section: "A.4", file: "rfc8976-A.4.zone", index: 2, tag: 12670,
		note: "RSASHA256 KSK of uri.arpa (re-signed by the RFC authors)."},
	{name: "dnspython-rsamd5-30239", file: "dnspython-rsamd5.zone", index: 0, tag: 30239,
		note: "NOT AN RFC VECTOR: RSAMD5 (algorithm 1) KSK from dnspython tests/test_dnssec.py, generated by BIND. " +
			"The key tag follows RFC 4034 Appendix B.1; the generic Appendix B sum (miekg/dns KeyTag) gives 65160."},
	{name: "dnspython-rsamd5-62992", file: "dnspython-rsamd5.zone", index: 1, tag: 62992,
		note: "NOT AN RFC VECTOR: RSAMD5 (algorithm 1) ZSK from dnspython tests/test_dnssec.py, generated by BIND. " +
			"The key tag follows RFC 4034 Appendix B.1; the generic Appendix B sum (miekg/dns KeyTag) gives 38849."},
}

// Keys returns every DNSKEY vector: RFC 4034 §2.3 and §5.4, RFC 4509 §2.3,
// RFC 6605 §6.1 and §6.2, RFC 8080 §6.1 and §6.2, RFC 5702 §6.1 and §6.2,
// the keys of the RFC 4035, RFC 5155 and RFC 8976 A.4 zones, and two
// algorithm-1 keys that are not from an RFC (RFC == "").
//
// Vectors whose WeakRSA field is set need GODEBUG=rsa1024min=0 (put
// //go:debug rsa1024min=0 in a _test.go file) before crypto/rsa uses them.
func Keys() []KeyVector {
	extra := dsRecords(mustZone("computed-ds.zone", ""))
	files := map[string][]dns.RR{}
	out := make([]KeyVector, 0, len(keySpecs))
	for _, s := range keySpecs {
		rrs, ok := files[s.file]
		if !ok {
			rrs = mustZone(s.file, s.origin)
			files[s.file] = rrs
		}
		ks := dnskeys(rrs)
		if s.index >= len(ks) {
			panic("testvectors: " + s.file + " has too few DNSKEYs")
		}
		// Copy: two vectors may share a file.
		k := dns.Copy(ks[s.index]).(*dns.DNSKEY)
		v := KeyVector{
			Name: s.name, RFC: s.rfc, Section: s.section,
			DNSKEY: k, KeyTag: s.tag, WeakRSA: weakRSA(k), Note: s.note,
			DS:      matchDS(dsRecords(rrs), k, s.tag),
			ExtraDS: matchDS(extra, k, s.tag),
		}
		if s.private != "" {
			v.PrivateKey = privateKeyText(s.private)
		}
		out = append(out, v)
	}
	return out
}

// dsRecords returns the DS records of rrs.
func dsRecords(rrs []dns.RR) []*dns.DS {
	var ds []*dns.DS
	for _, rr := range rrs {
		if d, ok := rr.(*dns.DS); ok {
			ds = append(ds, d)
		}
	}
	return ds
}

// matchDS returns copies of the DS records in ds that name k by owner,
// algorithm and the expected key tag.
func matchDS(ds []*dns.DS, k *dns.DNSKEY, tag uint16) []*dns.DS {
	var out []*dns.DS
	for _, d := range ds {
		if d.KeyTag == tag && d.Algorithm == k.Algorithm && strings.EqualFold(d.Hdr.Name, k.Hdr.Name) {
			out = append(out, dns.Copy(d).(*dns.DS))
		}
	}
	return out
}

// LookupKey returns the vector of [Keys] with the given Name (such as
// "rfc6605-6.1" or "rfc5155-A-40430"), and false if there is none.
func LookupKey(name string) (KeyVector, bool) {
	for _, k := range Keys() {
		if k.Name == name {
			return k, true
		}
	}
	return KeyVector{}, false
}
