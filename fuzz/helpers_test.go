package fuzz

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// The fixed clock of every target: signatures are made valid from
// inception to expiration and checked at now.
var (
	now        = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	inception  = now.Add(-time.Hour)
	expiration = now.Add(30 * 24 * time.Hour)
	signOpts   = signer.SignOptions{Inception: inception, Expiration: expiration}
)

// Limits that keep one fuzz execution cheap.
const (
	maxRecords = 16      // records per fuzzed RRset
	maxText    = 8 << 10 // bytes of zone text for FuzzRecords and FuzzZoneSign
)

// privateKeys are deterministic P-256 private keys, made once from a fixed
// ChaCha8 stream with localbackend.Generate's Rand option. Every target
// signs with them, under whatever owner name the input asks for, so a fuzz
// execution never generates a key.
var privateKeys = sync.OnceValues(func() ([2]*ecdsa.PrivateKey, error) {
	var out [2]*ecdsa.PrivateKey
	r := rand.NewChaCha8(sha256.Sum256([]byte("dnsseal fuzz deterministic keys")))
	for i := range out {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK,
			localbackend.Options{Deterministic: true, Rand: r})
		if err != nil {
			return out, err
		}
		out[i] = s.CryptoSigner().(*ecdsa.PrivateKey)
	}
	return out, nil
})

// newKey returns a deterministic P-256 key (index 0 or 1 of privateKeys)
// whose DNSKEY is owned by zone, with the given flags, wrapped as a
// signer.Key, and the local signer itself (for its crypto.Signer).
func newKey(tb testing.TB, i int, zone string, flags uint16) (*signer.Key, *localbackend.Signer, error) {
	tb.Helper()
	keys, err := privateKeys()
	if err != nil {
		tb.Fatalf("generate fuzz keys: %v", err)
	}
	s, err := localbackend.New(keys[i], zone, flags, localbackend.Options{Deterministic: true, Now: now})
	if err != nil {
		return nil, nil, err
	}
	k, err := signer.NewKey(s, 0)
	if err != nil {
		return nil, nil, err
	}
	return k, s, nil
}

// rrsetInput is the part of a fuzz input that makes an RRset: an owner in
// presentation form, a type and TTL, and the RDATA of each record, each
// prefixed by its 16-bit big-endian length (a short last length takes what
// is left).
type rrsetInput struct {
	owner  string
	rrtype uint16
	ttl    uint32
	rdatas []byte
	// textOwner keeps owner, as given, as the records' owner string;
	// otherwise the owner is the one miekg/dns decodes from its wire form
	// (no escapes of printable characters, so "\065" becomes "A").
	textOwner bool
}

// builtRRset is an RRset made from an rrsetInput.
type builtRRset struct {
	rrs       []dns.RR
	ownerWire []byte   // the owner in (uncompressed, case-preserved) wire form
	rdata     [][]byte // the RDATA each record was decoded from
}

// build decodes the records. It returns false for inputs that do not make
// an RRset: an owner that does not pack, no records, or RDATA that
// dns.UnpackRR rejects.
func (in rrsetInput) build() (builtRRset, bool) {
	var b builtRRset
	owner := dns.Fqdn(in.owner)
	if len(owner) > 1024 {
		return b, false
	}
	var nameBuf [256]byte
	n, err := dns.PackDomainName(owner, nameBuf[:], 0, nil, false)
	if err != nil || n == 0 {
		return b, false
	}
	b.ownerWire = append([]byte(nil), nameBuf[:n]...)
	rest := in.rdatas
	for len(rest) >= 2 && len(b.rrs) < maxRecords {
		l := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		l = min(l, len(rest))
		rd := rest[:l]
		rest = rest[l:]
		rr, ok := decodeRR(b.ownerWire, in.rrtype, in.ttl, rd)
		if !ok {
			return b, false
		}
		if in.textOwner {
			rr.Header().Name = owner
		}
		b.rrs = append(b.rrs, rr)
		b.rdata = append(b.rdata, rd)
	}
	return b, len(b.rrs) > 0
}

// decodeRR makes a class IN record from its parts with dns.UnpackRR.
func decodeRR(owner []byte, rrtype uint16, ttl uint32, rdata []byte) (dns.RR, bool) {
	if len(rdata) > 0xffff {
		return nil, false
	}
	msg := make([]byte, 0, len(owner)+10+len(rdata))
	msg = append(msg, owner...)
	msg = binary.BigEndian.AppendUint16(msg, rrtype)
	msg = binary.BigEndian.AppendUint16(msg, dns.ClassINET)
	msg = binary.BigEndian.AppendUint32(msg, ttl)
	msg = binary.BigEndian.AppendUint16(msg, uint16(len(rdata)))
	msg = append(msg, rdata...)
	rr, off, err := dns.UnpackRR(msg, 0)
	if err != nil || rr == nil || off != len(msg) || rr.Header().Rrtype != rrtype {
		return nil, false
	}
	return rr, true
}

// encodeRDATAs is the inverse of rrsetInput's record splitting, for seeds:
// the RDATA of each record, length-prefixed.
func encodeRDATAs(tb testing.TB, rrs ...dns.RR) []byte {
	tb.Helper()
	var out []byte
	for _, rr := range rrs {
		wire, err := packRR(rr)
		if err != nil {
			tb.Fatalf("pack %v: %v", rr, err)
		}
		_, off, err := dns.UnpackDomainName(wire, 0)
		if err != nil {
			tb.Fatalf("unpack owner of %v: %v", rr, err)
		}
		rd := wire[off+10:]
		out = binary.BigEndian.AppendUint16(out, uint16(len(rd)))
		out = append(out, rd...)
	}
	return out
}

// packRR packs rr uncompressed.
func packRR(rr dns.RR) ([]byte, error) {
	buf := make([]byte, dns.Len(rr)+256)
	for {
		n, err := dns.PackRR(rr, buf, 0, nil, false)
		if errors.Is(err, dns.ErrBuf) && len(buf) < 1<<17 {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// zoneName returns the presentation form of the rightmost labels labels
// of the wire-format name owner (all of them if labels is larger).
func zoneName(owner []byte, labels int) (string, error) {
	var offs []int
	for i := 0; i < len(owner) && owner[i] != 0; i += int(owner[i]) + 1 {
		offs = append(offs, i)
	}
	start := len(owner) - 1 // the root label
	if labels > 0 && len(offs) > 0 {
		start = offs[max(len(offs)-labels, 0)]
	}
	name, _, err := dns.UnpackDomainName(owner[start:], 0)
	return name, err
}

// wireLabels counts the labels of the wire-format name b, not counting
// the root nor a leading "*" label (RFC 4034 §3.1.3). It is written here
// independently of internal/canonical.
func wireLabels(b []byte) uint8 {
	n := 0
	for i := 0; i < len(b) && b[i] != 0; i += int(b[i]) + 1 {
		n++
	}
	if len(b) >= 2 && b[0] == 1 && b[1] == '*' {
		n--
	}
	return uint8(n)
}

// mixCase changes the case of the ASCII letters of s whose bit in mask is
// set (the i-th letter uses bit i mod 64). Letters stay letters, so the
// name is the same name (RFC 4343). Escapes (\DDD, \X) are left alone.
func mixCase(s string, mask uint64) string {
	b := []byte(s)
	letter := 0
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' {
			i++ // skip the escaped character; \DDD digits are not letters
			continue
		}
		c := b[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			if mask>>(letter%64)&1 != 0 {
				b[i] = c ^ 0x20
			}
			letter++
		}
	}
	return string(b)
}

// lowerASCII lower-cases the ASCII letters of s and nothing else.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// lowerWireName lower-cases, in place, the ASCII letters of the
// uncompressed wire-format name at the start of b.
func lowerWireName(b []byte) {
	for i := 0; i < len(b) && b[i] != 0; i += int(b[i]) + 1 {
		for j := i + 1; j <= i+int(b[i]) && j < len(b); j++ {
			if 'A' <= b[j] && b[j] <= 'Z' {
				b[j] += 'a' - 'A'
			}
		}
	}
}

// refCanonicalRR is a reference implementation of the canonical form of
// one record (RFC 4034 §6.2 as corrected by RFC 6840 §5.1), written
// independently of internal/canonical: the owner is packed and decoded
// again by miekg/dns (which writes it without escapes of letters, so
// "\065" becomes "A"), then it and the names in the RDATA of the listed
// types are lower-cased as strings, the TTL is replaced, and the record
// is packed. RDATA names are taken as they are: the records of the
// targets come from dns.UnpackRR, which never escapes letters.
func refCanonicalRR(rr dns.RR, ttl uint32) ([]byte, error) {
	c := dns.Copy(rr)
	h := c.Header()
	var buf [256]byte
	n, err := dns.PackDomainName(h.Name, buf[:], 0, nil, false)
	if err != nil {
		return nil, err
	}
	owner, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return nil, err
	}
	h.Name = lowerASCII(owner)
	h.Ttl = ttl
	switch x := c.(type) {
	case *dns.NS:
		x.Ns = lowerASCII(x.Ns)
	case *dns.MD:
		x.Md = lowerASCII(x.Md)
	case *dns.MF:
		x.Mf = lowerASCII(x.Mf)
	case *dns.CNAME:
		x.Target = lowerASCII(x.Target)
	case *dns.SOA:
		x.Ns, x.Mbox = lowerASCII(x.Ns), lowerASCII(x.Mbox)
	case *dns.MB:
		x.Mb = lowerASCII(x.Mb)
	case *dns.MG:
		x.Mg = lowerASCII(x.Mg)
	case *dns.MR:
		x.Mr = lowerASCII(x.Mr)
	case *dns.PTR:
		x.Ptr = lowerASCII(x.Ptr)
	case *dns.MINFO:
		x.Rmail, x.Email = lowerASCII(x.Rmail), lowerASCII(x.Email)
	case *dns.MX:
		x.Mx = lowerASCII(x.Mx)
	case *dns.RP:
		x.Mbox, x.Txt = lowerASCII(x.Mbox), lowerASCII(x.Txt)
	case *dns.AFSDB:
		x.Hostname = lowerASCII(x.Hostname)
	case *dns.RT:
		x.Host = lowerASCII(x.Host)
	case *dns.SIG:
		x.SignerName = lowerASCII(x.SignerName)
	case *dns.RRSIG:
		x.SignerName = lowerASCII(x.SignerName)
	case *dns.PX:
		x.Map822, x.Mapx400 = lowerASCII(x.Map822), lowerASCII(x.Mapx400)
	case *dns.NXT:
		x.NextDomain = lowerASCII(x.NextDomain)
	case *dns.NAPTR:
		x.Replacement = lowerASCII(x.Replacement)
	case *dns.KX:
		x.Exchanger = lowerASCII(x.Exchanger)
	case *dns.SRV:
		x.Target = lowerASCII(x.Target)
	case *dns.DNAME:
		x.Target = lowerASCII(x.Target)
	case *dns.RFC3597:
		if h.Rrtype == typeA6 { // miekg/dns has no A6 type
			rd, err := hex.DecodeString(x.Rdata)
			if err == nil && len(rd) > 0 && rd[0] > 0 && rd[0] <= 128 {
				if off := 1 + (128-int(rd[0])+7)/8; off < len(rd) {
					lowerWireName(rd[off:])
					x.Rdata = hex.EncodeToString(rd)
				}
			}
		}
	}
	return packRR(c)
}

// typeA6 is the obsolete A6 type (RFC 2874), which RFC 4034 §6.2 lists
// among the types whose RDATA names are lower-cased.
const typeA6 = 38

// refCanonicalSet is the set of reference canonical forms of rrs with the
// given TTL, sorted and without duplicates, concatenated: two RRsets with
// the same owner, class and type have the same signed data exactly when
// their refCanonicalSet is equal (RFC 4034 §6.3).
func refCanonicalSet(rrs []dns.RR, ttl uint32) ([]byte, error) {
	var forms [][]byte
	for _, rr := range rrs {
		c, err := refCanonicalRR(rr, ttl)
		if err != nil {
			return nil, err
		}
		forms = append(forms, c)
	}
	slices.SortFunc(forms, bytes.Compare)
	forms = slices.CompactFunc(forms, bytes.Equal)
	return bytes.Join(forms, nil), nil
}

// knownMiekgDivergence returns why miekg/dns v1.1.73 canonicalises rrset
// differently from RFC 4034 §6 and RFC 6840 §5.1 (and so from package
// canonical), or "" if it is not known to. ourSig says in which direction
// the RRset is checked: true for an RRSIG made by package signer and
// verified by miekg's RRSIG.Verify, false for one made by miekg's
// RRSIG.Sign and verified by package validate. The divergences, from
// reading miekg's dnssec.go (rawSignatureData, RRSIG.Sign, IsRRset) and
// confirmed by this target:
//
//  1. Escapes: miekg lower-cases presentation strings (CanonicalName), so
//     a letter written as \DDD ("\065" for "A") stays upper case; package
//     canonical lower-cases wire bytes.
//     More generally, miekg compares presentation strings where it should
//     compare names: RRSIG.Verify checks that the owner ends with the
//     signer name with strings.HasSuffix, so an owner spelled otherwise
//     than miekg prints it (" 000." for "\ 000.", "\097" for "a") fails.
//  2. Bytes written raw in a presentation string that are not valid UTF-8
//     ("\xff", from dns.NewRR or a struct literal; dns.UnpackRR escapes
//     them): CanonicalName uses strings.Map, which replaces each invalid
//     byte with U+FFFD (three bytes), so miekg signs another name.
//  3. Types whose RDATA names RFC 4034 §6.2 lower-cases but miekg does
//     not: NXT (30), A6 (38, unknown to miekg) and RRSIG (46; package
//     signer refuses to sign RRSIG RRsets anyway).
//  4. Wildcards (miekg signing only): RRSIG.Sign decrements Labels for any
//     owner whose presentation starts with '*', so "*foo.example." (an
//     ordinary label, RFC 4592 §2.1.1) gets Labels 1 and is signed as
//     "*.example."; and a wildcard label written "\042" or "\*" is not
//     seen as one.
//  5. Records with an empty name field (incompleteRR: RDATA decoded by
//     dns.UnpackRR that stops before a name): dns.PackRR writes no octets
//     for "", but CanonicalName turns "" into "." (one zero octet), so
//     miekg signs other RDATA than the record's wire form.
//  6. Labels 0 below the root: rawSignatureData rebuilds a wildcard owner
//     as "*." + the rightmost Labels labels + ".", which is "*.." (not a
//     name, "dns: bad rdata") for the wildcard "*." itself and for any
//     expansion of it, so such RRsets can neither be signed nor verified.
//  7. Owner case (miekg verifying only): IsRRset compares owner strings
//     case-sensitively, so an RRset whose records spell the owner in
//     different cases is refused (RFC 4343 says they are one name).
func knownMiekgDivergence(rrset []dns.RR, ourSig bool) string {
	if len(rrset) == 0 {
		return ""
	}
	h := rrset[0].Header()
	switch h.Rrtype {
	case dns.TypeNXT, typeA6, dns.TypeRRSIG:
		return fmt.Sprintf("miekg does not lower-case the RDATA names of %s", dns.Type(h.Rrtype))
	}
	for _, rr := range rrset {
		if incompleteRR(rr) {
			return "an empty name field (CanonicalName makes \".\" of it)"
		}
		s := rr.String() + " " + rr.Header().Name // String escapes raw bytes
		if hasLetterEscape(s) {
			return "an upper-case letter written as \\DDD"
		}
		if !utf8.ValidString(s) {
			return "a presentation string that is not valid UTF-8"
		}
		if name := rr.Header().Name; !strings.EqualFold(name, plainName(name)) {
			return "an owner not spelled as miekg prints it"
		}
		if rr.Header().Name != h.Name {
			if ourSig {
				return "owner spelled in different cases"
			}
		}
	}
	if plainName(h.Name) == "*." {
		return "the wildcard directly below the root (Labels 0)"
	}
	if !ourSig {
		star := strings.HasPrefix(h.Name, "*")
		wild := strings.HasPrefix(h.Name, "*.") || h.Name == "*"
		var buf [256]byte
		if n, err := dns.PackDomainName(h.Name, buf[:], 0, nil, false); err == nil && n >= 2 {
			wild = buf[0] == 1 && buf[1] == '*'
		}
		if star != wild {
			return "a label starting with '*' that is not the wildcard label, or an escaped wildcard label"
		}
	}
	return ""
}

// plainName returns the name s as miekg/dns prints it after decoding its
// wire form (escapes only where needed), or s if it does not pack.
func plainName(s string) string {
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(s), buf[:], 0, nil, false)
	if err != nil {
		return s
	}
	p, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return s
	}
	return p
}

// hasLetterEscape reports whether s holds a \DDD escape of an upper-case
// ASCII letter.
func hasLetterEscape(s string) bool {
	for i := 0; i+3 < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		d := s[i+1 : i+4]
		if d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' && d[2] <= '9' {
			v := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
			if 'A' <= v && v <= 'Z' {
				return true
			}
		}
		i++ // skip the escaped character
	}
	return false
}

// copyRRs returns deep copies of rrs.
func copyRRs(rrs []dns.RR) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		out[i] = dns.Copy(rr)
	}
	return out
}

// incompleteRR reports whether rr has an empty domain-name field: miekg/dns
// decodes RDATA that stops before a name (an AFSDB record with only its
// subtype) into an empty string, and packs it back as no name at all, so
// the RDATA lacks a name its type requires. Package canonical refuses to
// canonicalise such records of the types whose names it lower-cases.
func incompleteRR(rr dns.RR) bool {
	v := reflect.ValueOf(rr)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return false
	}
	return emptyNameField(v.Elem())
}

// emptyNameField reports whether the struct v, or a struct embedded in it
// (NXT embeds NSEC), has an empty string field tagged as a domain name.
func emptyNameField(v reflect.Value) bool {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && emptyNameField(v.Field(i)) {
			return true
		}
		tag := f.Tag.Get("dns")
		if (tag == "domain-name" || tag == "cdomain-name") && f.Type.Kind() == reflect.String && v.Field(i).String() == "" {
			return true
		}
	}
	return false
}

// signErrorAllowed reports whether signer.Sign may refuse rrs: an owner
// that is empty or does not pack (the zone parser leaves the owner empty
// when the first line starts with a blank), an A6 record whose RDATA does
// not parse (miekg/dns keeps A6 as opaque data), a record with an empty
// name field (incompleteRR), or a record that dns.PackRR cannot pack.
func signErrorAllowed(rrs []dns.RR) bool {
	for _, rr := range rrs {
		var buf [256]byte
		if _, err := dns.PackDomainName(rr.Header().Name, buf[:], 0, nil, false); err != nil || rr.Header().Name == "" {
			return true
		}
		if _, err := packRR(rr); err != nil {
			return true // the zone parser accepts RDATA that does not pack (KEY "0")
		}
		if rr.Header().Rrtype == typeA6 || incompleteRR(rr) {
			return true
		}
	}
	return false
}
