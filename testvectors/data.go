package testvectors

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

//go:embed data
var dataFS embed.FS

// Files returns the names of the embedded data files, sorted, for use with
// [Raw]. Zone files end in ".zone", BIND private keys in ".private"; the
// NSEC3 hash list is "rfc5155-hashes.txt" and the RFC 4034 §4.3 wire form
// "rfc4034-4.3.hex".
func Files() []string {
	entries, err := fs.ReadDir(dataFS, "data")
	if err != nil {
		panic("testvectors: " + err.Error())
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Raw returns a copy of the embedded data file name (one of [Files]), or
// nil if there is no such file. Zone files are in presentation format and
// parse with dns.NewZoneParser; their first line is a comment naming the
// RFC and section.
func Raw(name string) []byte {
	if strings.ContainsAny(name, `/\`) {
		return nil
	}
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil
	}
	return b
}

// mustRaw returns the data file name or panics: the names used inside the
// package are checked by its tests.
func mustRaw(name string) []byte {
	b := Raw(name)
	if b == nil {
		panic("testvectors: no data file " + name)
	}
	return b
}

// parseRecords parses zone-file text. origin may be "" for ".".
func parseRecords(name string, text []byte, origin string) ([]dns.RR, error) {
	if origin == "" {
		origin = "."
	}
	zp := dns.NewZoneParser(bytes.NewReader(text), origin, name)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("testvectors: %s: %w", name, err)
	}
	return rrs, nil
}

// mustZone parses the data file name.
func mustZone(name, origin string) []dns.RR {
	rrs, err := parseRecords(name, mustRaw(name), origin)
	if err != nil {
		panic(err.Error())
	}
	return rrs
}

// privateKeyText returns the BIND private-key text of the data file name
// without its comment lines.
func privateKeyText(name string) string {
	var sb strings.Builder
	for _, line := range strings.SplitAfter(string(mustRaw(name)), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), ";") || strings.TrimSpace(line) == "" {
			continue
		}
		sb.WriteString(line)
	}
	return sb.String()
}

// dnskeys returns the DNSKEY records of rrs, in order.
func dnskeys(rrs []dns.RR) []*dns.DNSKEY {
	var ks []*dns.DNSKEY
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok {
			ks = append(ks, k)
		}
	}
	return ks
}

// keyRDATA returns the wire-format RDATA of k, or nil if its public key is
// not valid base64.
func keyRDATA(k *dns.DNSKEY) []byte {
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return nil
	}
	rd := []byte{byte(k.Flags >> 8), byte(k.Flags), k.Protocol, k.Algorithm}
	return append(rd, pub...)
}

// keyTag is RFC 4034 Appendix B, with the Appendix B.1 rule for algorithm 1
// (the most significant 16 bits of the least significant 24 bits of the
// modulus, which ends the public key). It is used only to pair RRSIGs with
// their keys; the tests check it against the values printed in the RFCs.
func keyTag(k *dns.DNSKEY) uint16 {
	rd := keyRDATA(k)
	if rd == nil {
		return 0
	}
	if k.Algorithm == dns.RSAMD5 {
		n := len(rd)
		if n < 7 {
			return 0
		}
		return uint16(rd[n-3])<<8 | uint16(rd[n-2])
	}
	var ac uint32
	for i, b := range rd {
		if i&1 == 1 {
			ac += uint32(b)
		} else {
			ac += uint32(b) << 8
		}
	}
	ac += ac >> 16 & 0xffff
	return uint16(ac)
}

// rsaModulusBits returns the modulus size of an RSA DNSKEY (RFC 3110 §2),
// or 0 if k is not an RSA key or is malformed.
func rsaModulusBits(k *dns.DNSKEY) int {
	switch k.Algorithm {
	case dns.RSAMD5, dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512:
	default:
		return 0
	}
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(pub) < 1 {
		return 0
	}
	explen, off := int(pub[0]), 1
	if explen == 0 {
		if len(pub) < 3 {
			return 0
		}
		explen, off = int(pub[1])<<8|int(pub[2]), 3
	}
	mod := pub[min(off+explen, len(pub)):]
	for len(mod) > 0 && mod[0] == 0 {
		mod = mod[1:]
	}
	if len(mod) == 0 {
		return 0
	}
	bits := 8 * len(mod)
	for b := mod[0]; b&0x80 == 0; b <<= 1 {
		bits--
	}
	return bits
}

// weakRSA reports whether k is an RSA key that Go's crypto/rsa refuses
// without GODEBUG=rsa1024min=0.
func weakRSA(k *dns.DNSKEY) bool {
	bits := rsaModulusBits(k)
	return bits > 0 && bits < 1024
}

// sigTime converts an RRSIG time field. Every vector lies between 1970 and
// 2106, so no serial-number arithmetic is needed.
func sigTime(t uint32) time.Time { return time.Unix(int64(t), 0).UTC() }

// midpoint returns the instant halfway through [a, b], to the second.
func midpoint(a, b time.Time) time.Time {
	return a.Add(b.Sub(a) / 2).Truncate(time.Second)
}
