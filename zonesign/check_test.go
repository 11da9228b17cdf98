package zonesign

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// signedZone is a parsed signed zone, indexed for the checks.
type signedZone struct {
	origin string
	names  map[string]*ownerData // by lower-case wire name
	order  []string              // wire names, canonical order
}

type ownerData struct {
	name   string
	wire   string
	rrsets map[uint16][]dns.RR // RRSIGs not included
	sigs   map[uint16][]*dns.RRSIG
}

func wireName(t testing.TB, name string) string {
	t.Helper()
	w, err := canonical.AppendName(nil, name)
	require.NoError(t, err, name)
	return string(w)
}

func indexSigned(t testing.TB, origin string, rrs []dns.RR) *signedZone {
	sz := &signedZone{origin: origin, names: map[string]*ownerData{}}
	for _, rr := range rrs {
		h := rr.Header()
		w := wireName(t, h.Name)
		o := sz.names[w]
		if o == nil {
			o = &ownerData{name: h.Name, wire: w, rrsets: map[uint16][]dns.RR{}, sigs: map[uint16][]*dns.RRSIG{}}
			sz.names[w] = o
			sz.order = append(sz.order, w)
		}
		if s, ok := rr.(*dns.RRSIG); ok {
			o.sigs[s.TypeCovered] = append(o.sigs[s.TypeCovered], s)
			continue
		}
		o.rrsets[h.Rrtype] = append(o.rrsets[h.Rrtype], rr)
	}
	slices.SortFunc(sz.order, func(a, b string) int { return canonical.CompareWire([]byte(a), []byte(b)) })
	return sz
}

// checkSigned checks a signed zone independently of the signer: every
// RRSIG verifies under the right keys, exactly the authoritative RRsets
// (and DS at delegations, and the denial records) are signed, and the NSEC
// or NSEC3 chain is complete, ordered, closed and has the right bitmaps.
func checkSigned(t *testing.T, out, origin string, keys []*signer.Key, nsec3 *NSEC3Params) {
	t.Helper()
	sz := indexSigned(t, origin, parseRecords(t, out))
	apexW := wireName(t, origin)
	apex := sz.names[apexW]
	require.NotNil(t, apex, "no apex")
	require.Len(t, apex.rrsets[dns.TypeSOA], 1)

	var ksks, zsks []*signer.Key
	for _, k := range keys {
		if k.Role() != signer.RoleZSK {
			ksks = append(ksks, k)
		}
		if k.Role() != signer.RoleKSK {
			zsks = append(zsks, k)
		}
	}
	if len(zsks) == 0 {
		zsks = ksks
	}
	if len(ksks) == 0 {
		ksks = zsks
	}
	verifiers := map[uint16]*signer.Verifier{}
	for _, k := range keys {
		v, err := signer.NewVerifier(k.DNSKEY())
		require.NoError(t, err)
		verifiers[k.KeyTag()] = v
		// the key is published at the apex
		found := false
		for _, rr := range apex.rrsets[dns.TypeDNSKEY] {
			d := rr.(*dns.DNSKEY)
			found = found || (d.PublicKey == k.DNSKEY().PublicKey && d.Flags == k.DNSKEY().Flags)
		}
		require.True(t, found, "DNSKEY %d not published", k.KeyTag())
	}

	// classify: cuts, occluded names
	var cuts []string
	for _, w := range sz.order {
		o := sz.names[w]
		if w != apexW && o.rrsets[dns.TypeNS] != nil {
			below := false
			for _, c := range cuts {
				below = below || canonical.IsSubdomainWire([]byte(c), []byte(w))
			}
			if !below {
				cuts = append(cuts, w)
			}
		}
	}
	isCut := func(w string) bool { return slices.Contains(cuts, w) }
	occluded := func(w string) bool {
		for _, c := range cuts {
			if c != w && canonical.IsSubdomainWire([]byte(c), []byte(w)) {
				return true
			}
		}
		return false
	}

	var nsec3Owners []string
	var data []byte
	for _, w := range sz.order {
		o := sz.names[w]
		isNSEC3Owner := o.rrsets[dns.TypeNSEC3] != nil
		if isNSEC3Owner {
			nsec3Owners = append(nsec3Owners, w)
		}
		for typ, rrset := range o.rrsets {
			var want []*signer.Key
			switch {
			case occluded(w):
			case isCut(w):
				if typ == dns.TypeDS || typ == dns.TypeNSEC {
					want = zsks
				}
			case w == apexW && (typ == dns.TypeDNSKEY || typ == dns.TypeCDS || typ == dns.TypeCDNSKEY):
				want = ksks
			default:
				want = zsks
			}
			sigs := o.sigs[typ]
			require.Len(t, sigs, len(want), "%s %s: RRSIGs", o.name, dns.Type(typ))
			for _, k := range want {
				i := slices.IndexFunc(sigs, func(s *dns.RRSIG) bool { return s.KeyTag == k.KeyTag() })
				require.GreaterOrEqual(t, i, 0, "%s %s: no RRSIG by key %d", o.name, dns.Type(typ), k.KeyTag())
				s := sigs[i]
				require.Equal(t, rrset[0].Header().Ttl, s.OrigTtl)
				require.Equal(t, s.OrigTtl, s.Hdr.Ttl)
				require.Equal(t, dns.CanonicalName(origin), s.SignerName)
				var err error
				data, err = signer.SignedData(data[:0], s, rrset)
				require.NoError(t, err)
				raw, err := base64.StdEncoding.DecodeString(s.Signature)
				require.NoError(t, err)
				require.NoError(t, verifiers[s.KeyTag].Verify(data, raw), "%s %s key %d", o.name, dns.Type(typ), s.KeyTag)
			}
		}
		for typ := range o.sigs {
			require.Contains(t, o.rrsets, typ, "%s: RRSIG over absent %s", o.name, dns.Type(typ))
		}
	}

	// types a denial record must list for an owner
	bitmap := func(w string, denial uint16) []uint16 {
		o := sz.names[w]
		var ts []uint16
		signed := false
		for typ := range o.rrsets {
			switch {
			case typ == dns.TypeNSEC || typ == dns.TypeNSEC3:
			case isCut(w):
				if typ == dns.TypeNS || typ == dns.TypeDS {
					ts = append(ts, typ)
				}
				signed = signed || typ == dns.TypeDS
			default:
				ts = append(ts, typ)
				signed = true
			}
		}
		if denial == dns.TypeNSEC {
			ts = append(ts, dns.TypeNSEC, dns.TypeRRSIG)
		} else if signed {
			ts = append(ts, dns.TypeRRSIG)
		}
		slices.Sort(ts)
		if len(ts) == 0 {
			return nil
		}
		return ts
	}
	sorted := func(ts []uint16) []uint16 {
		if len(ts) == 0 {
			return nil
		}
		c := slices.Clone(ts)
		slices.Sort(c)
		return c
	}

	if nsec3 == nil {
		var chain []string
		for _, w := range sz.order {
			if !occluded(w) {
				chain = append(chain, w)
			}
		}
		for i, w := range chain {
			o := sz.names[w]
			require.Len(t, o.rrsets[dns.TypeNSEC], 1, "%s: NSEC", o.name)
			n := o.rrsets[dns.TypeNSEC][0].(*dns.NSEC)
			next := chain[(i+1)%len(chain)]
			require.Equal(t, next, wireName(t, n.NextDomain), "%s: NSEC next", o.name)
			require.Equal(t, bitmap(w, dns.TypeNSEC), sorted(n.TypeBitMap), "%s: NSEC bitmap", o.name)
			require.Equal(t, minTTL(apex), n.Hdr.Ttl)
		}
		for _, w := range sz.order {
			if occluded(w) {
				require.Nil(t, sz.names[w].rrsets[dns.TypeNSEC], "NSEC at occluded %s", sz.names[w].name)
			}
		}
		return
	}

	// NSEC3: recompute the owner hashes of the names of the chain and of
	// the empty non-terminals.
	salt := strings.ToUpper(hex.EncodeToString(nsec3.Salt))
	param := apex.rrsets[dns.TypeNSEC3PARAM]
	require.Len(t, param, 1)
	p := param[0].(*dns.NSEC3PARAM)
	require.Equal(t, uint8(0), p.Flags)
	require.Equal(t, nsec3.Iterations, p.Iterations)
	require.Equal(t, strings.ToUpper(salt), strings.ToUpper(strings.TrimPrefix(p.Salt, "-")))
	want := map[string][]uint16{} // hash -> bitmap
	ents := map[string]bool{}
	for _, w := range sz.order {
		o := sz.names[w]
		if o.rrsets[dns.TypeNSEC3] != nil || occluded(w) {
			continue
		}
		// ancestors below the apex without data are empty non-terminals
		// the lower-cased name without escapes: dns.HashName lower-cases
		// the presentation form, which misses \065
		name, _, err := dns.UnpackDomainName([]byte(w), 0)
		require.NoError(t, err)
		labels := dns.SplitDomainName(name)
		for k := 1; k < len(labels); k++ {
			anc := dns.Fqdn(strings.Join(labels[k:], "."))
			aw := wireName(t, anc)
			if len(aw) <= len(apexW) || sz.names[aw] != nil {
				continue
			}
			ents[aw] = true
			want[strings.ToLower(dns.HashName(anc, dns.SHA1, nsec3.Iterations, salt))] = nil
		}
		if nsec3.OptOut && isCut(w) && o.rrsets[dns.TypeDS] == nil {
			continue
		}
		want[strings.ToLower(dns.HashName(name, dns.SHA1, nsec3.Iterations, salt))] = bitmap(w, dns.TypeNSEC3)
	}
	require.Len(t, nsec3Owners, len(want), "NSEC3 records")
	var hashes []string
	for _, w := range nsec3Owners {
		o := sz.names[w]
		require.Len(t, o.rrsets[dns.TypeNSEC3], 1)
		n := o.rrsets[dns.TypeNSEC3][0].(*dns.NSEC3)
		h := strings.ToLower(dns.SplitDomainName(o.name)[0])
		bm, ok := want[h]
		require.True(t, ok, "unexpected NSEC3 %s", o.name)
		require.Equal(t, bm, sorted(n.TypeBitMap), "NSEC3 %s bitmap", o.name)
		flags := uint8(0)
		if nsec3.OptOut {
			flags = 1
		}
		require.Equal(t, flags, n.Flags)
		require.Equal(t, nsec3.Iterations, n.Iterations)
		require.Equal(t, minTTL(apex), n.Hdr.Ttl)
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	for i, h := range hashes {
		o := sz.names[wireName(t, h+"."+origin)]
		n := o.rrsets[dns.TypeNSEC3][0].(*dns.NSEC3)
		require.Equal(t, hashes[(i+1)%len(hashes)], strings.ToLower(n.NextDomain), "NSEC3 %s next", o.name)
	}
}

// minTTL is min(SOA MINIMUM, SOA TTL).
func minTTL(apex *ownerData) uint32 {
	soa := apex.rrsets[dns.TypeSOA][0].(*dns.SOA)
	return min(soa.Minttl, soa.Hdr.Ttl)
}
