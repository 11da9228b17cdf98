package validate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mathrand "math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// zoneKeys are a KSK and a ZSK for a test zone.
type zoneKeys struct {
	ksk, zsk *testKey
}

func newZoneKeys(t testing.TB, origin string) zoneKeys {
	return zoneKeys{ksk: newTestKey(t, origin, signer.FlagsKSK), zsk: newTestKey(t, origin, signer.FlagsZSK)}
}

// zoneText is a small zone with every kind of name: apex, hosts, a
// wildcard, an empty non-terminal, a secure and an insecure delegation
// with glue, a CNAME.
const zoneText = `$ORIGIN example.
$TTL 3600
@        SOA   ns1 hostmaster 2026010101 7200 3600 1209600 300
@        NS    ns1
@        NS    ns2
@        MX    10 mail
ns1      A     192.0.2.1
ns2      A     192.0.2.2
mail     A     192.0.2.3
mail     AAAA  2001:db8::3
www      CNAME mail
*.wild   TXT   "wildcard"
a.b.deep A     192.0.2.4
sec      NS    ns.sec
sec      DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.sec   A     192.0.2.5
insec    NS    ns.insec
ns.insec A     192.0.2.6
x.y.ins2 NS    ns1.example.
`

// signTestZone signs text with zonesign at t0.
func signTestZone(t testing.TB, text string, keys zoneKeys, nsec3 *zonesign.NSEC3Params) []byte {
	t.Helper()
	z, err := zonesign.Parse(strings.NewReader(text), "test", "example.")
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = zonesign.Sign(context.Background(), z, zonesign.Options{
		Keys: []*signer.Key{keys.ksk.key, keys.zsk.key}, Now: t0, Inception: inception, Expiration: expires,
		NSEC3: nsec3, PublishCDS: true,
	}, &buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func zoneOf(t testing.TB, text []byte) []dns.RR {
	t.Helper()
	rrs, err := ParseZone(bytes.NewReader(text), "")
	require.NoError(t, err)
	return rrs
}

func requireSecure(t *testing.T, res *ZoneResult) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Severity == SeverityError {
			t.Errorf("finding: %s", f)
		}
	}
	require.Equal(t, ZoneSecure, res.Status, res.Summary())
}

func TestZoneRFCVectors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		zone   testvectors.Zone
		denial string
	}{
		{"RFC 4035 A", testvectors.RFC4035Zone(), "NSEC"},
		{"RFC 5155 A", testvectors.RFC5155Zone(), "NSEC3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Zone(context.Background(), tc.zone.Records, ZoneOptions{Now: tc.zone.ValidAt, ExpiryWarning: -1})
			require.NoError(t, err)
			requireSecure(t, res)
			require.Equal(t, tc.denial, res.Denial)
			require.Equal(t, "example.", res.Origin)
			require.False(t, res.Anchored)
			require.Positive(t, res.Verified)
			require.Equal(t, len(tc.zone.Signatures()), res.Signatures)

			// Anchored by the KSK's DS: still secure, and anchored.
			var ksk *dns.DNSKEY
			for _, k := range tc.zone.Keys {
				if k.Flags&dns.SEP != 0 {
					ksk = k
				}
			}
			require.NotNil(t, ksk)
			res, err = Zone(context.Background(), tc.zone.Records, ZoneOptions{Now: tc.zone.ValidAt, Anchors: []dns.RR{ksk.ToDS(dns.SHA256)}})
			require.NoError(t, err)
			requireSecure(t, res)
			require.True(t, res.Anchored)

			// After the window every signature is expired.
			res, err = Zone(context.Background(), tc.zone.Records, ZoneOptions{Now: tc.zone.Expiration.Add(time.Hour)})
			require.NoError(t, err)
			require.Equal(t, ZoneBogus, res.Status)
			require.True(t, res.Has(ReasonExpired))
		})
	}
}

func TestZoneSigned(t *testing.T) {
	keys := newZoneKeys(t, "example.")
	for _, tc := range []struct {
		name   string
		nsec3  *zonesign.NSEC3Params
		denial string
	}{
		{"NSEC", nil, "NSEC"},
		{"NSEC3", &zonesign.NSEC3Params{}, "NSEC3"},
		{"NSEC3 salt iterations", &zonesign.NSEC3Params{Iterations: 5, Salt: []byte{0xab, 0xcd}}, "NSEC3"},
		{"NSEC3 opt-out", &zonesign.NSEC3Params{OptOut: true}, "NSEC3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := signTestZone(t, zoneText, keys, tc.nsec3)
			for _, conc := range []int{0, 1, 3} {
				res, err := ZoneReader(context.Background(), bytes.NewReader(signed), ZoneOptions{Now: t0, Concurrency: conc})
				require.NoError(t, err)
				requireSecure(t, res)
				require.Equal(t, tc.denial, res.Denial)
				if tc.nsec3 != nil && tc.nsec3.Iterations > 0 {
					require.True(t, res.Has(ReasonNSEC3Iterations), "a warning for iterations > 0")
				}
			}
			// Anchored with the KSK.
			res, err := ZoneReader(context.Background(), bytes.NewReader(signed),
				ZoneOptions{Now: t0, Anchors: []dns.RR{keys.ksk.dnskey()}})
			require.NoError(t, err)
			requireSecure(t, res)
			require.True(t, res.Anchored)
			// Near the end of the window: warnings, still secure.
			res, err = ZoneReader(context.Background(), bytes.NewReader(signed), ZoneOptions{Now: expires.Add(-time.Hour)})
			require.NoError(t, err)
			requireSecure(t, res)
			require.True(t, res.Has(ReasonExpiringSoon))
			require.Positive(t, res.Warnings)
			// Through the hook.
			require.NoError(t, ZoneHook(ZoneOptions{Now: t0})(context.Background(), bytes.NewReader(signed)))
			err = ZoneHook(ZoneOptions{Now: expires.Add(time.Hour)})(context.Background(), bytes.NewReader(signed))
			var ze *ZoneError
			require.ErrorAs(t, err, &ze)
			require.Equal(t, ZoneBogus, ze.Result.Status)
			require.Contains(t, err.Error(), "signature expired")
		})
	}
}

func TestZoneSignHook(t *testing.T) {
	// zonesign calls the validator before it writes anything.
	keys := newZoneKeys(t, "example.")
	z, err := zonesign.Parse(strings.NewReader(zoneText), "test", "example.")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"valid", t0, true},
		{"expired at validation time", expires.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := zonesign.Sign(context.Background(), z, zonesign.Options{
				Keys: []*signer.Key{keys.ksk.key, keys.zsk.key}, Now: t0, Inception: inception, Expiration: expires,
				SkipVerify: true, Validate: ZoneHook(ZoneOptions{Now: tc.now}),
			}, &buf)
			if tc.ok {
				require.NoError(t, err)
				require.NotZero(t, buf.Len())
				return
			}
			require.Error(t, err)
			require.Zero(t, buf.Len())
		})
	}
}

func TestZoneUnsigned(t *testing.T) {
	res, err := ZoneReader(context.Background(), strings.NewReader(zoneText), ZoneOptions{})
	require.NoError(t, err)
	require.Equal(t, ZoneInsecure, res.Status)
	require.Empty(t, res.Findings)
	require.Contains(t, res.Summary(), "example.: insecure")

	// With an anchor, an unsigned zone is bogus.
	k := newTestKey(t, "example.", signer.FlagsKSK)
	res, err = ZoneReader(context.Background(), strings.NewReader(zoneText), ZoneOptions{Anchors: []dns.RR{k.dnskey()}})
	require.NoError(t, err)
	require.Equal(t, ZoneBogus, res.Status)
	require.True(t, res.Has(ReasonNoKey))
}

func TestZoneErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Zone(ctx, mustRRs(t, "www.example. 300 IN A 192.0.2.1"), ZoneOptions{})
	require.ErrorContains(t, err, "validate: no origin")
	_, err = ZoneReader(ctx, strings.NewReader("www IN A not-an-address\n"), ZoneOptions{Origin: "example."})
	require.ErrorContains(t, err, "validate: parse zone")
	_, err = Zone(ctx, nil, ZoneOptions{Origin: "bad..name"})
	require.ErrorContains(t, err, "validate: bad origin")

	keys := newZoneKeys(t, "example.")
	signed := signTestZone(t, zoneText, keys, nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ZoneReader(cctx, bytes.NewReader(signed), ZoneOptions{Now: t0})
	require.ErrorIs(t, err, context.Canceled)

	// Nil records, empty origin apex: findings, no panic.
	var nilA *dns.A
	res, err := Zone(ctx, []dns.RR{nil, &dns.A{}, nilA}, ZoneOptions{Origin: "example.", Anchors: []dns.RR{nil, nilA}})
	require.NoError(t, err)
	require.True(t, res.Has(ReasonNoSOA))
}

func TestZoneKeyTrap(t *testing.T) {
	// Many keys sharing the ZSK's tag (in the DNSKEY RRset, signed by
	// the KSK) and many signatures per RRset: the checks stay within the
	// limits and the answer comes quickly.
	keys := newZoneKeys(t, "example.")
	signed := zoneOf(t, signTestZone(t, zoneText, keys, nil))
	zsk := keys.zsk.dnskey()
	pub, err := base64.StdEncoding.DecodeString(zsk.PublicKey)
	require.NoError(t, err)
	var dnskeys []dns.RR
	var rest []dns.RR
	for _, rr := range signed {
		switch x := rr.(type) {
		case *dns.DNSKEY:
			dnskeys = append(dnskeys, x)
			continue
		case *dns.RRSIG:
			if x.TypeCovered == dns.TypeDNSKEY {
				continue
			}
		}
		rest = append(rest, rr)
	}
	for i := range 20 {
		// Adding 1 to octet i and subtracting 1 from octet i+2 keeps
		// the RFC 4034 Appendix B checksum: same tag, another key.
		p := bytes.Clone(pub)
		p[i]++
		p[i+2]--
		k := dns.Copy(zsk).(*dns.DNSKEY)
		k.PublicKey = base64.StdEncoding.EncodeToString(p)
		dnskeys = append(dnskeys, k)
	}
	rest = append(rest, dnskeys...)
	rest = append(rest, keys.ksk.sign(t, dnskeys))
	for _, rr := range signed {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == dns.TypeA && strings.HasPrefix(s.Hdr.Name, "mail.") {
			for i := range 50 {
				c := dns.Copy(s).(*dns.RRSIG)
				sig, err := base64.StdEncoding.DecodeString(c.Signature)
				require.NoError(t, err)
				sig[i%len(sig)] ^= 1
				c.Signature = base64.StdEncoding.EncodeToString(sig)
				rest = append(rest, c)
			}
		}
	}
	start := time.Now()
	res, err := Zone(context.Background(), rest, ZoneOptions{Now: t0})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
	require.True(t, res.Has(ReasonTooManySignatures))
	require.True(t, res.Has(ReasonBadSignature))
	// At most MaxSigsPerRRset × MaxKeysPerTag checks per RRset.
	require.LessOrEqual(t, res.Verified, (res.RRsets+1)*DefaultMaxSigsPerRRset*DefaultMaxKeysPerTag)
}

func TestZoneNSEC3IterationLimit(t *testing.T) {
	keys := newZoneKeys(t, "example.")
	signed := signTestZone(t, zoneText, keys, &zonesign.NSEC3Params{Iterations: 20})
	res, err := ZoneReader(context.Background(), bytes.NewReader(signed), ZoneOptions{Now: t0, MaxNSEC3Iterations: 10})
	require.NoError(t, err)
	require.Equal(t, ZoneBogus, res.Status)
	require.True(t, res.Has(ReasonNSEC3Iterations))
	require.False(t, res.Has(ReasonNSEC3Hash), "no hashes computed above the limit")
}

func TestZoneFindingFormat(t *testing.T) {
	f := ZoneFinding{Owner: "www.example.", Type: dns.TypeA, KeyTag: 12345, Algorithm: 13, Reason: ReasonExpired, Severity: SeverityError, Detail: "expiration 20260101000000"}
	require.Equal(t, "error: www.example. A key 12345 alg 13: signature expired (expiration 20260101000000)", f.String())
	f = ZoneFinding{Owner: "example.", Type: dns.TypeNSEC, Reason: ReasonNSECChain, Severity: SeverityWarning}
	require.Equal(t, "warning: example. NSEC: NSEC chain broken", f.String())

	res := &ZoneResult{Origin: "example.", Status: ZoneBogus, Findings: []ZoneFinding{f}, Warnings: 1, Names: 1}
	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.JSONEq(t, `{"origin":"example.","status":"bogus","anchored":false,"denial":"","findings":[
		{"owner":"example.","type":"NSEC","reason":"nsec-chain","message":"NSEC chain broken","severity":"warning"}],
		"errors":0,"warnings":1,"names":1,"rrsets":0,"signatures":0,"verified":0}`, string(b))

	for r := ReasonNone; r <= ReasonNoSOA; r++ {
		require.NotContains(t, r.String(), "Reason(", r)
		var back Reason
		text, err := r.MarshalText()
		require.NoError(t, err)
		require.NoError(t, back.UnmarshalText(text))
		require.Equal(t, r, back)
	}
	require.Error(t, new(Reason).UnmarshalText([]byte("nonsense")))
}

func TestZoneReaderOrder(t *testing.T) {
	// ZoneReader checks names as it parses them; records in any order
	// (split RRsets, the apex coming back later) must give the answer
	// that Zone gives on the same records.
	keys := newZoneKeys(t, "example.")
	for _, nsec3 := range []*zonesign.NSEC3Params{nil, {}} {
		rrs := zoneOf(t, signTestZone(t, zoneText, keys, nsec3))
		// Every third RRSIG expired, for findings to compare.
		bad := slices.Clone(rrs)
		for i, rr := range bad {
			if s, ok := rr.(*dns.RRSIG); ok && i%3 == 0 {
				c := dns.Copy(s).(*dns.RRSIG)
				c.Expiration = uint32(t0.Add(-time.Hour).Unix())
				bad[i] = c
			}
		}
		rng := mathrand.New(mathrand.NewPCG(1, 2))
		for _, tc := range []struct {
			name string
			rrs  []dns.RR
		}{
			{"as signed", rrs},
			{"reversed", reversed(rrs)},
			{"shuffled", shuffled(rng, rrs)},
			{"apex last", apexLast(rrs)},
			{"corrupted", bad},
			{"corrupted shuffled", shuffled(rng, bad)},
			{"corrupted apex last", apexLast(bad)},
		} {
			t.Run(fmt.Sprintf("%s/nsec3=%t", tc.name, nsec3 != nil), func(t *testing.T) {
				want, err := Zone(context.Background(), tc.rrs, ZoneOptions{Now: t0})
				require.NoError(t, err)
				var text bytes.Buffer
				for _, rr := range tc.rrs {
					text.WriteString(rr.String() + "\n")
				}
				got, err := ZoneReader(context.Background(), &text, ZoneOptions{Now: t0})
				require.NoError(t, err)
				want.Verified, got.Verified = 0, 0 // early checks may be redone
				require.Equal(t, want, got)
				if strings.HasPrefix(tc.name, "corrupted") {
					require.Equal(t, ZoneBogus, got.Status)
				} else {
					requireSecure(t, got)
				}
			})
		}
	}
}

func reversed(rrs []dns.RR) []dns.RR {
	out := slices.Clone(rrs)
	slices.Reverse(out)
	return out
}

func shuffled(rng *mathrand.Rand, rrs []dns.RR) []dns.RR {
	out := slices.Clone(rrs)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// apexLast moves the first apex record to the end: the apex is left and
// then comes back.
func apexLast(rrs []dns.RR) []dns.RR {
	out := slices.Clone(rrs[1:])
	for i, rr := range out {
		if rr.Header().Rrtype == dns.TypeDNSKEY {
			// keep the SOA first (the origin) but move a DNSKEY
			k := out[i]
			out = append(out[:i:i], out[i+1:]...)
			return append(append([]dns.RR{rrs[0]}, out...), k)
		}
	}
	return append(out, rrs[0])
}

// TestZoneApexDNAME: a DNAME at the apex occludes the names below it, but
// not the NSEC3 records, whose hashed owners sit one label below the apex.
// (Found by fuzz.FuzzZoneSign.)
func TestZoneApexDNAME(t *testing.T) {
	keys := newZoneKeys(t, "example.")
	const text = `$ORIGIN example.
$TTL 3600
@        SOA   ns1.other. hostmaster 1 7200 3600 1209600 300
@        NS    ns1.other.
@        DNAME example.net.
`
	for _, nsec3 := range []*zonesign.NSEC3Params{nil, {}} {
		signed := signTestZone(t, text, keys, nsec3)
		res, err := ZoneReader(context.Background(), bytes.NewReader(signed), ZoneOptions{Now: t0})
		require.NoError(t, err)
		requireSecure(t, res)
	}
}
