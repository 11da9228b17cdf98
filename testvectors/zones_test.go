package testvectors_test

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/testvectors"
)

func countType(rrs []dns.RR, typ uint16) int {
	n := 0
	for _, rr := range rrs {
		if rr.Header().Rrtype == typ {
			n++
		}
	}
	return n
}

type zoneCase struct {
	name     string
	zone     testvectors.Zone
	origin   string
	keys     []uint16 // key tags of the apex DNSKEYs, in order
	rrsigs   int
	window   [2]string // RRSIG inception and expiration, "" if unsigned
	weak     bool
	chainTyp uint16 // NSEC or NSEC3, 0 if none
}

func TestZones(t *testing.T) {
	tests := []zoneCase{
		{"RFC 4035 A", testvectors.RFC4035Zone(), "example.", []uint16{38519, 9465}, 27,
			[2]string{"20040409183619", "20040509183619"}, false, dns.TypeNSEC},
		{"RFC 5155 A", testvectors.RFC5155Zone(), "example.", []uint16{40430, 12708}, 30,
			[2]string{"20051021000000", "20150420235959"}, true, dns.TypeNSEC3},
	}
	for _, z := range testvectors.ZONEMDZones() {
		tc := zoneCase{name: z.RFC + " " + z.Section, zone: z, origin: "example."}
		switch z.Section {
		case "A.4":
			tc.origin, tc.keys, tc.rrsigs, tc.chainTyp = "uri.arpa.", []uint16{37444, 30577, 12670}, 15, dns.TypeNSEC
			tc.window = [2]string{"20210120232440", "20210217232440"}
		case "A.5":
			tc.origin = "root-servers.net."
		}
		tests = append(tests, tc)
	}
	require.Len(t, tests, 7)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := tc.zone
			require.Equal(t, tc.origin, z.Origin)
			require.NotEmpty(t, z.Records)
			require.NotNil(t, testvectors.Raw(z.File))
			require.Equal(t, dns.TypeSOA, z.Records[0].Header().Rrtype)
			require.Equal(t, tc.origin, dns.CanonicalName(z.Records[0].Header().Name))
			require.Equal(t, tc.rrsigs, countType(z.Records, dns.TypeRRSIG))
			require.Equal(t, tc.weak, z.WeakRSA)
			var tags []uint16
			for _, k := range z.Keys {
				tags = append(tags, k.KeyTag())
			}
			require.Equal(t, tc.keys, tags)
			if tc.window[0] == "" {
				require.True(t, z.ValidAt.IsZero())
				require.True(t, z.Inception.IsZero())
				require.Empty(t, z.Signatures())
				return
			}
			const layout = "20060102150405"
			require.Equal(t, tc.window[0], z.Inception.Format(layout))
			require.Equal(t, tc.window[1], z.Expiration.Format(layout))
			require.True(t, z.Inception.Before(z.ValidAt) && z.ValidAt.Before(z.Expiration))
			sigs := z.Signatures()
			require.Len(t, sigs, tc.rrsigs)
			for _, s := range sigs {
				require.True(t, s.Valid)
				require.NotNil(t, s.Key, s.Name)
				require.True(t, s.RRSIG.ValidityPeriod(z.ValidAt), s.Name)
				require.True(t, s.RRSIG.ValidityPeriod(z.Inception), s.Name)
				require.True(t, s.RRSIG.ValidityPeriod(z.Expiration), s.Name)
				require.NoError(t, s.RRSIG.Verify(s.Key, s.RRset), s.Name)
			}
			checkChain(t, z, tc.chainTyp)
		})
	}
}

// checkChain checks that the NSEC or NSEC3 records form a closed chain in
// canonical order, that their type bitmaps are sorted and pack, and that
// they are those the RFC describes.
func checkChain(t *testing.T, z testvectors.Zone, typ uint16) {
	t.Helper()
	type link struct{ owner, next string }
	var chain []link
	for _, rr := range z.Records {
		var bitmap []uint16
		switch rr := rr.(type) {
		case *dns.NSEC:
			chain = append(chain, link{dns.CanonicalName(rr.Hdr.Name), dns.CanonicalName(rr.NextDomain)})
			bitmap = rr.TypeBitMap
		case *dns.NSEC3:
			label := strings.SplitN(rr.Hdr.Name, ".", 2)[0]
			chain = append(chain, link{strings.ToLower(label), strings.ToLower(rr.NextDomain)})
			bitmap = rr.TypeBitMap
			require.Equal(t, uint8(dns.SHA1), rr.Hash)
			require.Equal(t, uint8(1), rr.Flags, "opt-out")
			require.Equal(t, uint16(12), rr.Iterations)
			require.Equal(t, "aabbccdd", rr.Salt)
		default:
			continue
		}
		require.Equal(t, typ, rr.Header().Rrtype)
		require.True(t, slices.IsSorted(bitmap), "%s bitmap sorted", rr.Header().Name)
		buf := make([]byte, 1024)
		_, err := dns.PackRR(rr, buf, 0, nil, false)
		require.NoError(t, err, "packs")
	}
	require.NotEmpty(t, chain)
	for i, l := range chain {
		require.Equal(t, chain[(i+1)%len(chain)].owner, l.next, "chain link %d", i)
	}
	if typ == dns.TypeNSEC3 {
		// Hash order is byte order of base32hex.
		owners := make([]string, len(chain))
		for i, l := range chain {
			owners[i] = l.owner
		}
		require.True(t, sort.StringsAreSorted(owners))
	}
}

// TestRFC5155Bitmaps checks the sorted type lists against the RFC's
// unsorted ones, read as sets.
func TestRFC5155Bitmaps(t *testing.T) {
	want := map[string][]uint16{
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.": {dns.TypeMX, dns.TypeDNSKEY, dns.TypeNS, dns.TypeSOA, dns.TypeNSEC3PARAM, dns.TypeRRSIG},
		"gjeqe526plbf1g8mklp59enfd789njgi.example.": {dns.TypeHINFO, dns.TypeA, dns.TypeAAAA, dns.TypeRRSIG},
		"t644ebqk9bibcna874givr6joj62mlhv.example.": {dns.TypeHINFO, dns.TypeA, dns.TypeAAAA, dns.TypeRRSIG},
	}
	seen := 0
	for _, rr := range testvectors.RFC5155Zone().Records {
		n, ok := rr.(*dns.NSEC3)
		if !ok {
			continue
		}
		if w, ok := want[n.Hdr.Name]; ok {
			seen++
			require.ElementsMatch(t, w, n.TypeBitMap)
		}
	}
	require.Equal(t, len(want), seen)
}

func TestNSEC3Hashes(t *testing.T) {
	hs := testvectors.NSEC3Hashes()
	sections := map[string]int{}
	for _, h := range hs {
		t.Run(h.Name, func(t *testing.T) {
			sections[h.Section]++
			require.Equal(t, "RFC 5155", h.RFC)
			require.Equal(t, uint8(dns.SHA1), h.Algorithm)
			require.Equal(t, "aabbccdd", h.Salt)
			require.Equal(t, uint16(12), h.Iterations)
			require.Equal(t, h.Hash, strings.ToLower(dns.HashName(h.Name, h.Algorithm, h.Iterations, h.Salt)))
		})
	}
	require.Equal(t, 12, sections["A"])
	require.Len(t, hs, 16)
	// The values the README singles out.
	want := map[string]string{
		"example.": "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
		"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.": "kohar7mbb8dc2ce8a9qvl8hon4k53uhi",
		"c.x.w.example.": "0va5bpr2ou0vk0lbqeeljri88laipsfh",
		"*.x.w.example.": "92pqneegtaue7pjatc3l3qnk738c6v5m",
		"c.example.":     "4g6p9u5gvfshp30pqecj98b3maqbn1ck",
		"z.w.example.":   "qlu7gtfaeh0ek0c05ksfhdpbcgglbe03",
		"y.w.example.":   "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
		"w.example.":     "k8udemvp1j2f7eg6jebps17vp3n8i58h",
	}
	for _, h := range hs {
		if w, ok := want[h.Name]; ok {
			require.Equal(t, w, h.Hash)
			delete(want, h.Name)
		}
	}
	require.Empty(t, want)
}

func TestRFC5155Responses(t *testing.T) {
	rs := testvectors.RFC5155Responses()
	var sections []string
	for _, r := range rs {
		sections = append(sections, r.Section)
	}
	require.Equal(t, []string{"B.1", "B.2", "B.2.1", "B.3", "B.4", "B.5", "B.6"}, sections)
	total := 0
	for _, r := range rs {
		t.Run(r.Section, func(t *testing.T) {
			require.Equal(t, "RFC 5155", r.RFC)
			require.NotEmpty(t, r.Title)
			require.True(t, r.DO)
			require.Equal(t, r.Section != "B.3", r.Authoritative, "B.3 is a referral")
			wantRcode := dns.RcodeSuccess
			if r.Section == "B.1" {
				wantRcode = dns.RcodeNameError
			}
			require.Equal(t, wantRcode, r.Rcode)
			require.Len(t, r.Keys, 2)

			sigs := r.Signatures()
			total += len(sigs)
			for _, s := range sigs {
				require.NotNil(t, s.Key)
				require.Equal(t, uint16(40430), s.RRSIG.KeyTag)
				require.NoError(t, s.RRSIG.Verify(s.Key, s.RRset), s.Name)
				require.True(t, s.RRSIG.ValidityPeriod(s.ValidAt))
			}

			require.NotEmpty(t, r.Proofs)
			for _, p := range r.Proofs {
				require.Equal(t, p.Hash, strings.ToLower(dns.HashName(p.Name, dns.SHA1, 12, "aabbccdd")), p.Name)
				var n3 *dns.NSEC3
				for _, rr := range r.Authority {
					if x, ok := rr.(*dns.NSEC3); ok && strings.EqualFold(x.Hdr.Name, p.NSEC3) {
						n3 = x
					}
				}
				require.NotNil(t, n3, "NSEC3 %s in Authority", p.NSEC3)
				if p.Match {
					require.True(t, n3.Match(p.Name), "%s matches %s", p.NSEC3, p.Name)
				} else {
					require.True(t, n3.Cover(p.Name), "%s covers %s", p.NSEC3, p.Name)
				}
				if p.Role == testvectors.ProofQName {
					require.Equal(t, dns.CanonicalName(r.Question.Name), p.Name)
					require.NotContains(t, n3.TypeBitMap, r.Question.Qtype)
					require.NotContains(t, n3.TypeBitMap, dns.TypeCNAME)
				}
			}

			m := r.Msg()
			wire, err := m.Pack()
			require.NoError(t, err)
			back := new(dns.Msg)
			require.NoError(t, back.Unpack(wire))
			require.NotNil(t, back.IsEdns0())
			require.True(t, back.IsEdns0().Do())
			require.Equal(t, r.Question, back.Question[0])
			require.Len(t, back.Answer, len(r.Answer))
			require.Len(t, back.Ns, len(r.Authority))
			require.Len(t, back.Extra, len(r.Additional)+1)
		})
	}
	require.Equal(t, 21, total)
}

func TestRFC5155Specifics(t *testing.T) {
	rs := testvectors.RFC5155Responses()
	bySection := map[string]testvectors.Response{}
	for _, r := range rs {
		bySection[r.Section] = r
	}
	t.Run("B.3 opt-out", func(t *testing.T) {
		r := bySection["B.3"]
		for _, p := range r.Proofs {
			if p.Role != testvectors.ProofNextCloser {
				continue
			}
			for _, rr := range r.Authority {
				if n3, ok := rr.(*dns.NSEC3); ok && strings.EqualFold(n3.Hdr.Name, p.NSEC3) {
					require.Equal(t, uint8(1), n3.Flags&1)
				}
			}
		}
		require.Equal(t, 2, countType(r.Authority, dns.TypeNS))
		require.Zero(t, countType(r.Authority, dns.TypeDS))
	})
	t.Run("B.4 wildcard", func(t *testing.T) {
		r := bySection["B.4"]
		var sig *dns.RRSIG
		for _, rr := range r.Answer {
			if s, ok := rr.(*dns.RRSIG); ok {
				sig = s
			}
		}
		require.NotNil(t, sig)
		require.Equal(t, "a.z.w.example.", sig.Hdr.Name)
		require.Equal(t, uint8(2), sig.Labels)
		require.Equal(t, 4, dns.CountLabel(sig.Hdr.Name))
	})
	t.Run("B.6 apex", func(t *testing.T) {
		r := bySection["B.6"]
		for _, rr := range r.Authority {
			if n3, ok := rr.(*dns.NSEC3); ok {
				require.Contains(t, n3.TypeBitMap, dns.TypeSOA)
				require.NotContains(t, n3.TypeBitMap, dns.TypeDS)
			}
		}
	})
}

// TestZONEMD recomputes the SIMPLE (scheme 1) ZONEMD digests of RFC 8976
// Appendix A (RFC 8976 §3): every in-zone record, owner and RDATA names in
// canonical form, sorted in canonical order, duplicates once, apex ZONEMD
// RRset and its RRSIGs excluded.
func TestZONEMD(t *testing.T) {
	want := map[string]int{"A.1": 1, "A.2": 1, "A.3": 2, "A.4": 1, "A.5": 1}
	for _, z := range testvectors.ZONEMDZones() {
		t.Run(z.Section, func(t *testing.T) {
			var soa *dns.SOA
			var mds []*dns.ZONEMD
			for _, rr := range z.Records {
				switch rr := rr.(type) {
				case *dns.SOA:
					soa = rr
				case *dns.ZONEMD:
					if dns.CanonicalName(rr.Hdr.Name) == z.Origin {
						mds = append(mds, rr)
					}
				}
			}
			require.NotNil(t, soa)
			require.NotEmpty(t, mds)
			checked := 0
			for _, md := range mds {
				require.Equal(t, soa.Serial, md.Serial)
				if md.Scheme != 1 || (md.Hash != 1 && md.Hash != 2) {
					continue // private range: not verifiable
				}
				require.Equal(t, strings.ToLower(md.Digest), zonemdSimple(t, z, md.Hash), "hash %d", md.Hash)
				checked++
			}
			require.Equal(t, want[z.Section], checked)
			if z.Section == "A.3" {
				// The erratum: a 20-octet digest for hash algorithm 1.
				var lens []int
				for _, md := range mds {
					lens = append(lens, len(md.Digest)/2)
				}
				require.Equal(t, []int{48, 64, 16, 20}, lens)
			}
		})
	}
}

// canonicalLess is RFC 4034 §6.1 canonical name order for lower-case,
// fully qualified names without escapes.
func canonicalLess(a, b string) int {
	la, lb := dns.SplitDomainName(a), dns.SplitDomainName(b)
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if c := strings.Compare(la[i], lb[j]); c != 0 {
			return c
		}
	}
	return len(la) - len(lb)
}

// zonemdSimple computes a SIMPLE ZONEMD digest of z (hash 1 SHA-384, 2 SHA-512).
func zonemdSimple(t *testing.T, z testvectors.Zone, hash uint8) string {
	t.Helper()
	type wireRR struct {
		owner string
		typ   uint16
		rdata []byte
		wire  []byte
	}
	var rrs []wireRR
	buf := make([]byte, 65535)
	for _, rr := range z.Records {
		h := rr.Header()
		owner := dns.CanonicalName(h.Name)
		if !dns.IsSubDomain(z.Origin, owner) {
			continue // out of zone (A.2 foo.test.)
		}
		if owner == z.Origin && h.Rrtype == dns.TypeZONEMD {
			continue
		}
		if sig, ok := rr.(*dns.RRSIG); ok && owner == z.Origin && sig.TypeCovered == dns.TypeZONEMD {
			continue
		}
		c := dns.Copy(rr)
		c.Header().Name = owner
		switch c := c.(type) { // RFC 4034 §6.2 item 3, for the types present
		case *dns.NS:
			c.Ns = dns.CanonicalName(c.Ns)
		case *dns.MX:
			c.Mx = dns.CanonicalName(c.Mx)
		case *dns.PTR:
			c.Ptr = dns.CanonicalName(c.Ptr)
		case *dns.SOA:
			c.Ns, c.Mbox = dns.CanonicalName(c.Ns), dns.CanonicalName(c.Mbox)
		case *dns.NAPTR:
			c.Replacement = dns.CanonicalName(c.Replacement)
		case *dns.RRSIG:
			c.SignerName = dns.CanonicalName(c.SignerName)
		case *dns.NSEC:
			c.NextDomain = dns.CanonicalName(c.NextDomain)
		}
		off, err := dns.PackRR(c, buf, 0, nil, false)
		require.NoError(t, err)
		wire := bytes.Clone(buf[:off])
		rdlen := int(c.Header().Rdlength)
		rrs = append(rrs, wireRR{owner: owner, typ: h.Rrtype, rdata: wire[len(wire)-rdlen:], wire: wire})
	}
	sort.SliceStable(rrs, func(i, j int) bool {
		if c := canonicalLess(rrs[i].owner, rrs[j].owner); c != 0 {
			return c < 0
		}
		if rrs[i].typ != rrs[j].typ {
			return rrs[i].typ < rrs[j].typ
		}
		return bytes.Compare(rrs[i].rdata, rrs[j].rdata) < 0
	})
	var d interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	switch hash {
	case 1:
		d = sha512.New384()
	case 2:
		d = sha512.New()
	default:
		t.Fatalf("hash %d", hash)
	}
	for i, r := range rrs {
		if i > 0 && r.owner == rrs[i-1].owner && r.typ == rrs[i-1].typ && bytes.Equal(r.rdata, rrs[i-1].rdata) {
			continue // duplicate (A.2, and the twice-listed SOA of A.5)
		}
		d.Write(r.wire)
	}
	return hex.EncodeToString(d.Sum(nil))
}
