package validate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func parseRecords(t testing.TB, text string) []dns.RR {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), ".", "")
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	require.NoError(t, zp.Err())
	return out
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse("20060102150405", s)
	require.NoError(t, err)
	return tm
}

// RFC 6605 §6.1, as dig +dnssec would show it (TTLs counted down).
const rfc6605 = `
example.net. 3600 IN DNSKEY 257 3 13 (
        GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
        krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )
example.net. 3600 IN DS 55648 13 2 (
        b4c8c1fe2e7477127b27115656ad6256f424625bf5c1
        e2770ce6d6e37df61d17 )
www.example.net. 1234 IN A 192.0.2.1
www.example.net. 1234 IN RRSIG A 13 3 3600 (
        20100909100439 20100812100439 55648 example.net.
        qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA
        yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )
`

func statuses(res []RecordResult) []string {
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = r.String()
	}
	return out
}

func TestRecordsRFC6605(t *testing.T) {
	rrs := parseRecords(t, rfc6605)
	now := mustTime(t, "20100826100439")

	t.Run("keys from the input", func(t *testing.T) {
		res := Records(rrs, nil, RecordsOptions{Now: now})
		require.Equal(t, []string{
			"example.net. DS 55648 13 2: valid: matches DNSKEY 55648",
			"www.example.net. A RRSIG 13 55648: valid",
		}, statuses(res))
		require.Equal(t, 1, res[0].Index)
		require.Equal(t, 3, res[1].Index)
		require.Same(t, rrs[0], res[0].Key)
		require.Same(t, rrs[0], res[1].Key)
		require.Equal(t, dns.TypeDS, res[0].Type)
		require.Equal(t, dns.TypeA, res[1].Type)
		require.Equal(t, uint16(55648), res[1].KeyTag)
		require.Equal(t, ReasonNone, res[1].Reason)
	})
	t.Run("DS anchor", func(t *testing.T) {
		res := Records(rrs, []dns.RR{rrs[1]}, RecordsOptions{Now: now})
		require.Equal(t, StatusValid, res[1].Status, res[1].String())
	})
	t.Run("DNSKEY anchor", func(t *testing.T) {
		res := Records(rrs[2:], []dns.RR{rrs[0]}, RecordsOptions{Now: now})
		require.Len(t, res, 1)
		require.Equal(t, StatusValid, res[0].Status, res[0].String())
	})
	t.Run("anchor of another key", func(t *testing.T) {
		other := newTestKey(t, "example.net.", signer.FlagsKSK)
		res := Records(rrs, []dns.RR{other.dnskey()}, RecordsOptions{Now: now})
		require.Equal(t, StatusIndeterminate, res[1].Status)
		require.Equal(t, ReasonKeyNotTrusted, res[1].Reason)
	})
	t.Run("anchors with nothing usable trust nothing", func(t *testing.T) {
		res := Records(rrs, parseRecords(t, "example.net. 60 IN SOA ns. h. 1 2 3 4 5"), RecordsOptions{Now: now})
		require.Equal(t, ReasonKeyNotTrusted, res[1].Reason)
	})
	t.Run("expired", func(t *testing.T) {
		res := Records(rrs, nil, RecordsOptions{Now: mustTime(t, "20100909100440")})
		require.Equal(t, "www.example.net. A RRSIG 13 55648: bogus: signature expired (expiration 20100909100439, now 20100909100440)", res[1].String())
		require.Equal(t, StatusValid, res[0].Status)
	})
	t.Run("no DNSKEY", func(t *testing.T) {
		res := Records(rrs[1:], nil, RecordsOptions{Now: now})
		require.Equal(t, []string{
			"example.net. DS 55648 13 2: indeterminate: no matching DNSKEY",
			"www.example.net. A RRSIG 13 55648: indeterminate: no matching DNSKEY",
		}, statuses(res))
	})
	t.Run("no RRset", func(t *testing.T) {
		res := Records([]dns.RR{rrs[0], rrs[3]}, nil, RecordsOptions{Now: now})
		require.Equal(t, StatusIndeterminate, res[0].Status)
		require.Equal(t, ReasonNoRRset, res[0].Reason)
	})
	t.Run("tampered RRset", func(t *testing.T) {
		c := copyRRs(rrs)
		c[2].(*dns.A).A = []byte{192, 0, 2, 2}
		res := Records(c, nil, RecordsOptions{Now: now})
		require.Equal(t, StatusBogus, res[1].Status)
		require.Equal(t, ReasonBadSignature, res[1].Reason)
	})
	t.Run("extra record joins the RRset", func(t *testing.T) {
		c := append(copyRRs(rrs), mustRR(t, "WWW.Example.Net. 10 IN A 192.0.2.99"))
		res := Records(c, nil, RecordsOptions{Now: now})
		require.Equal(t, ReasonBadSignature, res[1].Reason)
	})
	t.Run("duplicates and case do not matter", func(t *testing.T) {
		c := append(copyRRs(rrs), mustRR(t, "WWW.Example.Net. 10 IN A 192.0.2.1"), dns.Copy(rrs[0]))
		res := Records(c, nil, RecordsOptions{Now: now})
		require.Equal(t, StatusValid, res[1].Status, res[1].String())
	})
	t.Run("other digest types", func(t *testing.T) {
		ds := parseRecords(t, `
example.net. 3600 IN DS 55648 13 1 0a2548cae6e93218f225029af1aa3dcc09a4a889
example.net. 3600 IN DS 55648 13 4 3BE4B980B34443E569255F4A347D4C8E8E18DE755FB8072D7B355C44C56B50A61E8050AE636041B9664A04F05AEF2680
example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d18
example.net. 3600 IN DS 55648 13 3 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17
example.net. 3600 IN DS 55649 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17
example.net. 3600 IN DS 55648 14 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17
Example.NET. 3600 IN DS 55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17
`)
		res := Records(append(ds, rrs[0]), nil, RecordsOptions{Now: now})
		require.Equal(t, []string{
			"example.net. DS 55648 13 1: valid: matches DNSKEY 55648",
			"example.net. DS 55648 13 4: valid: matches DNSKEY 55648",
			"example.net. DS 55648 13 2: bogus: DS digest does not match the DNSKEY",
			"example.net. DS 55648 13 3: indeterminate: unsupported DS digest type (digest type 3)",
			"example.net. DS 55649 13 2: indeterminate: no matching DNSKEY",
			"example.net. DS 55648 14 2: indeterminate: no matching DNSKEY",
			"Example.NET. DS 55648 13 2: valid: matches DNSKEY 55648",
		}, statuses(res))
	})
}

// testZone is a signed parent zone "example." (KSK + ZSK) with a signed
// delegation to "child.example." (its own KSK + ZSK), as records.
type testZone struct {
	pKSK, pZSK, cKSK, cZSK *testKey
	rrs                    []dns.RR
	ds                     *dns.DS // DS of the parent KSK, for an anchor
}

func newTestZone(t testing.TB) *testZone {
	z := &testZone{
		pKSK: newTestKey(t, "example.", signer.FlagsKSK),
		pZSK: newTestKey(t, "example.", signer.FlagsZSK),
		cKSK: newTestKey(t, "child.example.", signer.FlagsKSK),
		cZSK: newTestKey(t, "child.example.", signer.FlagsZSK),
	}
	add := func(rrset []dns.RR, by *testKey) {
		z.rrs = append(z.rrs, rrset...)
		z.rrs = append(z.rrs, by.sign(t, rrset))
	}
	add([]dns.RR{z.pKSK.dnskey(), z.pZSK.dnskey()}, z.pKSK)
	add([]dns.RR{z.cKSK.cds(t)}, z.pZSK)
	add([]dns.RR{z.cKSK.dnskey(), z.cZSK.dnskey()}, z.cKSK)
	add(mustRRs(t, "www.child.example. 300 IN AAAA 2001:db8::1"), z.cZSK)
	add(mustRRs(t, "*.example. 300 IN TXT \"wild\""), z.pZSK)
	z.ds = z.pKSK.cds(t)
	return z
}

// cds returns the SHA-256 DS of the key.
func (k *testKey) cds(t testing.TB) *dns.DS {
	ds := k.dnskey().ToDS(dns.SHA256)
	require.NotNil(t, ds)
	return ds
}

func TestRecordsChain(t *testing.T) {
	z := newTestZone(t)
	opts := RecordsOptions{Now: t0}
	want := []string{
		fmt.Sprintf("example. DNSKEY RRSIG 13 %d: valid", z.pKSK.key.KeyTag()),
		fmt.Sprintf("child.example. DS %d 13 2: valid: matches DNSKEY %d", z.cKSK.key.KeyTag(), z.cKSK.key.KeyTag()),
		fmt.Sprintf("child.example. DS RRSIG 13 %d: valid", z.pZSK.key.KeyTag()),
		fmt.Sprintf("child.example. DNSKEY RRSIG 13 %d: valid", z.cKSK.key.KeyTag()),
		fmt.Sprintf("www.child.example. AAAA RRSIG 13 %d: valid", z.cZSK.key.KeyTag()),
		fmt.Sprintf("*.example. TXT RRSIG 13 %d: valid", z.pZSK.key.KeyTag()),
	}

	t.Run("no anchors", func(t *testing.T) {
		require.Equal(t, want, statuses(Records(z.rrs, nil, opts)))
	})
	t.Run("DS anchor follows the chain", func(t *testing.T) {
		require.Equal(t, want, statuses(Records(z.rrs, []dns.RR{z.ds}, opts)))
	})
	t.Run("DNSKEY anchor follows the chain", func(t *testing.T) {
		require.Equal(t, want, statuses(Records(z.rrs, []dns.RR{z.pKSK.dnskey()}, opts)))
	})
	t.Run("child anchor only", func(t *testing.T) {
		res := Records(z.rrs, []dns.RR{z.cKSK.cds(t)}, opts)
		got := make([]Reason, len(res))
		for i, r := range res {
			got[i] = r.Reason
		}
		require.Equal(t, []Reason{ReasonKeyNotTrusted, ReasonNone, ReasonKeyNotTrusted, ReasonNone, ReasonNone, ReasonKeyNotTrusted}, got)
	})
	t.Run("ZSK anchor does not trust the KSK", func(t *testing.T) {
		res := Records(z.rrs, []dns.RR{z.pZSK.dnskey()}, opts)
		require.Equal(t, ReasonKeyNotTrusted, res[0].Reason)
		// The DS RRset is signed by the trusted ZSK, so the chain
		// continues into the child.
		for _, r := range res[1:] {
			require.Equal(t, StatusValid, r.Status, r.String())
		}
	})
	t.Run("key injected into the DNSKEY RRset", func(t *testing.T) {
		evil := newTestKey(t, "example.", signer.FlagsZSK)
		rrs := append(copyRRs(z.rrs), evil.dnskey())
		forged := mustRRs(t, "www.example. 300 IN A 192.0.2.66")
		rrs = append(rrs, forged[0], evil.sign(t, forged))
		res := Records(rrs, []dns.RR{z.ds}, opts)
		require.Equal(t, StatusBogus, res[0].Status, "the DNSKEY RRset now has an unsigned member")
		require.Equal(t, ReasonBadSignature, res[0].Reason)
		last := res[len(res)-1]
		require.Equal(t, StatusIndeterminate, last.Status, last.String())
		require.Equal(t, ReasonKeyNotTrusted, last.Reason)
		// Without anchors the forged record merely verifies with a key
		// from the input, which is all records mode can say.
		res = Records(rrs, nil, opts)
		require.Equal(t, StatusValid, res[len(res)-1].Status)
	})
	t.Run("wildcard expansion", func(t *testing.T) {
		rrs := copyRRs(z.rrs)
		n := len(rrs)
		rrs[n-2].Header().Name = "a.b.example."
		rrs[n-1].Header().Name = "a.b.example."
		res := Records(rrs, []dns.RR{z.ds}, opts)
		last := res[len(res)-1]
		require.True(t, last.Wildcard)
		require.Equal(t, StatusValid, last.Status, last.String())
		require.Equal(t, fmt.Sprintf("a.b.example. TXT RRSIG 13 %d: valid (wildcard expansion)", z.pZSK.key.KeyTag()), last.String())
	})
	t.Run("input order", func(t *testing.T) {
		rev := make([]dns.RR, len(z.rrs))
		for i, rr := range z.rrs {
			rev[len(rev)-1-i] = rr
		}
		res := Records(rev, []dns.RR{z.ds}, opts)
		for i := 1; i < len(res); i++ {
			require.Less(t, res[i-1].Index, res[i].Index)
		}
		for _, r := range res {
			require.Equal(t, StatusValid, r.Status, r.String())
			require.Same(t, rev[r.Index], r.Record)
		}
	})
	t.Run("nil and odd records are skipped", func(t *testing.T) {
		rrs := append([]dns.RR{nil}, z.rrs...)
		rrs = append(rrs, &dns.RRSIG{Hdr: dns.RR_Header{Name: "bad..name", Rrtype: dns.TypeRRSIG, Class: dns.ClassINET}})
		res := Records(rrs, []dns.RR{nil, z.ds}, opts)
		require.Len(t, res, 7)
		require.Equal(t, StatusBogus, res[6].Status)
		require.Equal(t, ReasonMalformed, res[6].Reason)
	})
}

func TestStatusString(t *testing.T) {
	require.Equal(t, "valid", StatusValid.String())
	require.Equal(t, "bogus", StatusBogus.String())
	require.Equal(t, "indeterminate", StatusIndeterminate.String())
	require.Equal(t, "Status(0)", Status(0).String())
}

func TestRecordsDSKeyProblems(t *testing.T) {
	k := newTestKey(t, "example.", signer.FlagsKSK)
	variant := func(f func(*dns.DNSKEY)) (*dns.DNSKEY, *dns.DS) {
		key := k.dnskey()
		f(key)
		ds := key.ToDS(dns.SHA256)
		require.NotNil(t, ds)
		return key, ds
	}
	noZone, noZoneDS := variant(func(k *dns.DNSKEY) { k.Flags = 1 })
	proto, protoDS := variant(func(k *dns.DNSKEY) { k.Protocol = 2 })
	good, goodDS := variant(func(*dns.DNSKEY) {})
	notHex := dns.Copy(goodDS).(*dns.DS)
	notHex.Digest = "not hex"
	tests := []struct {
		name   string
		rrs    []dns.RR
		status Status
		reason Reason
	}{
		{"valid", []dns.RR{good, goodDS}, StatusValid, ReasonNone},
		{"not a zone key", []dns.RR{noZone, noZoneDS}, StatusBogus, ReasonNotZoneKey},
		{"protocol", []dns.RR{proto, protoDS}, StatusBogus, ReasonBadProtocol},
		{"digest not hex", []dns.RR{good, notHex}, StatusBogus, ReasonMalformed},
		{"key of another owner", []dns.RR{k.dnskey(), func() dns.RR {
			ds := dns.Copy(goodDS).(*dns.DS)
			ds.Hdr.Name = "other."
			return ds
		}()}, StatusIndeterminate, ReasonNoKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Records(tt.rrs, nil, RecordsOptions{Now: t0})
			require.Len(t, res, 1)
			require.Equal(t, tt.status, res[0].Status, res[0].String())
			require.Equal(t, tt.reason, res[0].Reason, res[0].String())
		})
	}
	// A DS anchor does not authenticate a key that is not a zone key,
	// and such a key does not validate signatures.
	rrset := mustRRs(t, "example. 300 IN TXT \"x\"")
	sig, key := k.withKey(t, rrset, func(k *dns.DNSKEY) { k.Flags = 1 })
	require.Equal(t, noZone.PublicKey, key.PublicKey)
	rrs := append([]dns.RR{key, sig}, rrset...)
	res := Records(rrs, []dns.RR{noZoneDS}, RecordsOptions{Now: t0})
	require.Len(t, res, 1)
	require.Equal(t, ReasonKeyNotTrusted, res[0].Reason, res[0].String())
	res = Records(rrs, nil, RecordsOptions{Now: t0})
	require.Equal(t, ReasonNotZoneKey, res[0].Reason, res[0].String())
	require.Equal(t, StatusBogus, res[0].Status)
}
