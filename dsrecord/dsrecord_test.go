package dsrecord_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/keytag"
)

// readZone parses a testdata zone file.
func readZone(tb testing.TB, name string) []dns.RR {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(tb, err)
	defer f.Close()
	zp := dns.NewZoneParser(f, "", name)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	require.NoError(tb, zp.Err(), name)
	return rrs
}

// testdata holds every record of every testdata zone file.
type testdata struct {
	keys []*dns.DNSKEY
	ds   []*dns.DS
	file map[dns.RR]string // record -> file name
}

func loadTestdata(tb testing.TB) testdata {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.zone"))
	require.NoError(tb, err)
	require.NotEmpty(tb, files)
	td := testdata{file: map[dns.RR]string{}}
	for _, path := range files {
		name := filepath.Base(path)
		for _, rr := range readZone(tb, name) {
			td.file[rr] = name
			switch r := rr.(type) {
			case *dns.DNSKEY:
				td.keys = append(td.keys, r)
			case *dns.DS:
				td.ds = append(td.ds, r)
			}
		}
	}
	return td
}

// key returns the testdata DNSKEY with the given tag.
func (td testdata) key(tb testing.TB, tag uint16) *dns.DNSKEY {
	tb.Helper()
	for _, k := range td.keys {
		if t, err := keytag.Compute(k); err == nil && t == tag {
			return dns.Copy(k).(*dns.DNSKEY)
		}
	}
	tb.Fatalf("no testdata DNSKEY with tag %d", tag)
	return nil
}

// TestVectors checks every DS record of testdata against the DNSKEY it
// names: the DS of RFC 4034 §5.4, RFC 4509 §2.3, RFC 6605 §6.1 and §6.2,
// RFC 8080 §6.1 and §6.2, and the values of computed.zone.
func TestVectors(t *testing.T) {
	td := loadTestdata(t)
	var covered []string
	for _, want := range td.ds {
		name := fmt.Sprintf("%s/%d/%s", strings.TrimSuffix(td.file[want], ".zone"), want.KeyTag, dsrecord.DigestTypeString(want.DigestType))
		t.Run(name, func(t *testing.T) {
			keys := dsrecord.Find(want, td.keys)
			require.NotEmpty(t, keys, "no DNSKEY for %s", want)
			// RFC 4034 §5.4 and RFC 4509 §2.3 hold the same key.
			for _, k := range keys[1:] {
				require.Equal(t, keys[0].PublicKey, k.PublicKey)
			}
			k := keys[0]

			got, err := dsrecord.New(k, dsrecord.Options{DigestType: want.DigestType, AllowSHA1: true})
			require.NoError(t, err)
			require.Equal(t, want.Hdr, got.Hdr)
			require.Equal(t, want.KeyTag, got.KeyTag)
			require.Equal(t, want.Algorithm, got.Algorithm)
			require.Equal(t, want.DigestType, got.DigestType)
			require.Equal(t, strings.ToUpper(want.Digest), got.Digest)

			digest, err := dsrecord.Digest(k.Hdr.Name, k, want.DigestType)
			require.NoError(t, err)
			require.Equal(t, strings.ToLower(want.Digest), hex.EncodeToString(digest))

			for _, d := range []string{strings.ToLower(want.Digest), strings.ToUpper(want.Digest)} {
				ds := dns.Copy(want).(*dns.DS)
				ds.Digest = d
				require.NoError(t, dsrecord.Check(ds, k))
				ok, err := dsrecord.Match(ds, k)
				require.NoError(t, err)
				require.True(t, ok)
			}
			if want.DigestType != dsrecord.SHA1 {
				again, err := dsrecord.FromDNSKEY(k, want.DigestType)
				require.NoError(t, err)
				require.Equal(t, got, again)
			}
		})
		covered = append(covered, fmt.Sprintf("%d/%d", want.KeyTag, want.DigestType))
	}
	slices.Sort(covered)
	covered = slices.Compact(covered)
	wantCovered := []string{
		"55648/2", "55648/1", "55648/4", // RFC 6605 §6.1 (+ computed)
		"10771/4", "10771/2", // RFC 6605 §6.2 (+ computed)
		"3613/2", "3613/1", "3613/4", "35217/2", // RFC 8080 §6.1 (+ computed)
		"9713/2", "38353/2", // RFC 8080 §6.2
		"60485/1", "60485/2", // RFC 4034 §5.4, RFC 4509 §2.3
		"9033/2", "3740/2", // RFC 5702 (computed)
		"38519/2", "9465/2", // RFC 4035 A (computed)
		"37444/2", // RFC 8976 A.4 (computed)
	}
	slices.Sort(wantCovered)
	require.Equal(t, wantCovered, covered)
}

func TestDefaults(t *testing.T) {
	td := loadTestdata(t)
	k := td.key(t, 55648)

	ds, err := dsrecord.FromDNSKEY(k, 0)
	require.NoError(t, err)
	require.Equal(t, "example.net.\t3600\tIN\tDS\t55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17", ds.String())

	opt, err := dsrecord.New(k, dsrecord.Options{})
	require.NoError(t, err)
	require.Equal(t, ds, opt)

	t.Run("TTL and case of owner kept", func(t *testing.T) {
		k := dns.Copy(k).(*dns.DNSKEY)
		k.Hdr.Ttl = 172800
		k.Hdr.Name = "Example.NET."
		ds, err := dsrecord.FromDNSKEY(k, dsrecord.SHA256)
		require.NoError(t, err)
		require.Equal(t, uint32(172800), ds.Hdr.Ttl)
		require.Equal(t, "Example.NET.", ds.Hdr.Name)
		require.Equal(t, "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17", ds.Digest)
	})
	t.Run("zero class becomes IN", func(t *testing.T) {
		k := dns.Copy(k).(*dns.DNSKEY)
		k.Hdr.Class = 0
		ds, err := dsrecord.FromDNSKEY(k, 0)
		require.NoError(t, err)
		require.Equal(t, uint16(dns.ClassINET), ds.Hdr.Class)
		require.Equal(t, uint16(dns.ClassINET), dsrecord.CDNSKEY(k).Hdr.Class)
	})
	t.Run("key not modified", func(t *testing.T) {
		before := dns.Copy(k)
		_, err := dsrecord.FromDNSKEY(k, dsrecord.SHA384)
		require.NoError(t, err)
		require.Equal(t, before, dns.RR(k))
	})
}

func TestSHA1Policy(t *testing.T) {
	td := loadTestdata(t)
	k := td.key(t, 60485) // RFC 4034 §5.4

	_, err := dsrecord.FromDNSKEY(k, dsrecord.SHA1)
	require.ErrorIs(t, err, dsrecord.ErrSHA1)
	_, err = dsrecord.New(k, dsrecord.Options{DigestType: dsrecord.SHA1})
	require.ErrorIs(t, err, dsrecord.ErrSHA1)
	_, err = dsrecord.CDS(k, dsrecord.SHA1)
	require.ErrorIs(t, err, dsrecord.ErrSHA1)

	ds, err := dsrecord.New(k, dsrecord.Options{DigestType: dsrecord.SHA1, AllowSHA1: true})
	require.NoError(t, err)
	require.Equal(t, "2BB183AF5F22588179A53B0A98631FAD1A292118", ds.Digest)

	// Checking an existing SHA-1 DS needs no option.
	old, err := dsrecord.ParseDS("dskey.example.com. 86400 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A 98631FAD1A292118 )")
	require.NoError(t, err)
	ok, err := dsrecord.Match(old, k)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestErrors(t *testing.T) {
	td := loadTestdata(t)
	good := td.key(t, 55648)
	with := func(f func(k *dns.DNSKEY)) *dns.DNSKEY {
		k := dns.Copy(good).(*dns.DNSKEY)
		f(k)
		return k
	}
	tests := []struct {
		name   string
		key    *dns.DNSKEY
		digest uint8
		want   error
	}{
		{"nil key", nil, dsrecord.SHA256, dsrecord.ErrKey},
		{"empty public key", with(func(k *dns.DNSKEY) { k.PublicKey = "" }), dsrecord.SHA256, keytag.ErrNoKey},
		{"public key not base64", with(func(k *dns.DNSKEY) { k.PublicKey = "not base64!" }), dsrecord.SHA256, keytag.ErrNoKey},
		{"not a zone key", with(func(k *dns.DNSKEY) { k.Flags = 1 }), dsrecord.SHA256, dsrecord.ErrKey},
		{"protocol 2", with(func(k *dns.DNSKEY) { k.Protocol = 2 }), dsrecord.SHA256, dsrecord.ErrKey},
		{"relative owner", with(func(k *dns.DNSKEY) { k.Hdr.Name = "example.net" }), dsrecord.SHA256, dsrecord.ErrKey},
		{"empty owner", with(func(k *dns.DNSKEY) { k.Hdr.Name = "" }), dsrecord.SHA256, dsrecord.ErrKey},
		{"label too long", with(func(k *dns.DNSKEY) { k.Hdr.Name = strings.Repeat("a", 64) + ".net." }), dsrecord.SHA256, dsrecord.ErrKey},
		{"GOST R 34.11-94", good, 3, dsrecord.ErrDigestType},
		{"GOST R 34.11-2012", good, 5, dsrecord.ErrDigestType},
		{"SM3", good, 6, dsrecord.ErrDigestType},
		{"255", good, 255, dsrecord.ErrDigestType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := dsrecord.FromDNSKEY(tc.key, tc.digest)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, ds)
			require.True(t, strings.HasPrefix(err.Error(), "dsrecord: "), err.Error())

			cds, err := dsrecord.CDS(tc.key, tc.digest)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, cds)
		})
	}

	t.Run("Digest", func(t *testing.T) {
		_, err := dsrecord.Digest("example.net.", good, 5)
		require.ErrorIs(t, err, dsrecord.ErrDigestType)
		_, err = dsrecord.Digest("example.net", good, dsrecord.SHA256)
		require.ErrorIs(t, err, dsrecord.ErrKey)
		_, err = dsrecord.Digest("example.net.", nil, dsrecord.SHA256)
		require.ErrorIs(t, err, dsrecord.ErrKey)
		dst := []byte("keep")
		out, err := dsrecord.AppendDigest(dst, "example.net.", with(func(k *dns.DNSKEY) { k.PublicKey = "@" }), dsrecord.SHA256)
		require.ErrorIs(t, err, keytag.ErrNoKey)
		require.Equal(t, []byte("keep"), out)
		// Digest does not care for flags or protocol.
		_, err = dsrecord.Digest("example.net.", with(func(k *dns.DNSKEY) { k.Flags, k.Protocol = 0, 0 }), dsrecord.SHA1)
		require.NoError(t, err)
	})
}

// TestOwnerName checks that the owner is canonicalised at the wire level:
// upper case and \DDD escapes of letters give the digest of the lower-case
// name (RFC 4034 §6.2).
func TestOwnerName(t *testing.T) {
	td := loadTestdata(t)
	const want = "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17"
	for _, owner := range []string{
		"example.net.",
		"EXAMPLE.NET.",
		"eXaMpLe.NeT.",
		`\101xample.net.`, // \101 = 'e'
		`\069XAMPLE.net.`, // \069 = 'E'
		`\069\088\065\077\080\076\069.\078\069\084.`, // "EXAMPLE.NET." escaped
	} {
		t.Run(owner, func(t *testing.T) {
			k := td.key(t, 55648)
			k.Hdr.Name = owner
			ds, err := dsrecord.FromDNSKEY(k, 0)
			require.NoError(t, err)
			require.Equal(t, want, ds.Digest)
			require.Equal(t, owner, ds.Hdr.Name)

			// A DS for the lower-case name matches the key.
			ref, err := dsrecord.ParseDS("example.net. 3600 IN DS 55648 13 2 " + want)
			require.NoError(t, err)
			require.NoError(t, dsrecord.Check(ref, k))
			ds.Hdr.Name = "EXAMPLE.net."
			require.NoError(t, dsrecord.Check(ds, k))
		})
	}
	t.Run("escaped dot is not a label separator", func(t *testing.T) {
		k := td.key(t, 55648)
		k.Hdr.Name = `example\.net.`
		ds, err := dsrecord.FromDNSKEY(k, 0)
		require.NoError(t, err)
		require.NotEqual(t, want, ds.Digest)
		ref, err := dsrecord.ParseDS("example.net. 3600 IN DS 55648 13 2 " + want)
		require.NoError(t, err)
		var mm *dsrecord.MismatchError
		require.ErrorAs(t, dsrecord.Check(ref, k), &mm)
		require.Equal(t, dsrecord.FieldOwner, mm.Field)
	})
}

func TestMismatch(t *testing.T) {
	td := loadTestdata(t)
	key := td.key(t, 55648)
	ds, err := dsrecord.FromDNSKEY(key, 0)
	require.NoError(t, err)

	// A key without the Zone Key flag, or with protocol 2, and a DS
	// whose tag and digest are right for it: only the flag (protocol)
	// check can reject it.
	odd := func(flags uint16, protocol uint8) (*dns.DS, *dns.DNSKEY) {
		k := dns.Copy(key).(*dns.DNSKEY)
		k.Flags, k.Protocol = flags, protocol
		d := dns.Copy(ds).(*dns.DS)
		tag, err := keytag.Compute(k)
		require.NoError(t, err)
		digest, err := dsrecord.Digest(k.Hdr.Name, k, dsrecord.SHA256)
		require.NoError(t, err)
		d.KeyTag, d.Digest = tag, hex.EncodeToString(digest)
		return d, k
	}
	noZoneDS, noZoneKey := odd(1, 3)
	proto2DS, proto2Key := odd(257, 2)

	tests := []struct {
		name  string
		ds    func(d *dns.DS)
		key   func(k *dns.DNSKEY)
		pair  func() (*dns.DS, *dns.DNSKEY)
		field string
	}{
		{name: "owner", ds: func(d *dns.DS) { d.Hdr.Name = "example.com." }, field: dsrecord.FieldOwner},
		{name: "owner subdomain", key: func(k *dns.DNSKEY) { k.Hdr.Name = "www.example.net." }, field: dsrecord.FieldOwner},
		{name: "key tag", ds: func(d *dns.DS) { d.KeyTag++ }, field: dsrecord.FieldKeyTag},
		{name: "algorithm", ds: func(d *dns.DS) { d.Algorithm = dns.ECDSAP384SHA384 }, field: dsrecord.FieldAlgorithm},
		{name: "revoked key", key: func(k *dns.DNSKEY) { k.Flags |= dns.REVOKE }, field: dsrecord.FieldKeyTag},
		{name: "other key", key: func(k *dns.DNSKEY) { k.PublicKey = td.key(t, 35217).PublicKey }, field: dsrecord.FieldKeyTag},
		{name: "digest", ds: func(d *dns.DS) { d.Digest = "0" + d.Digest[1:] }, field: dsrecord.FieldDigest},
		{name: "digest last octet", ds: func(d *dns.DS) { d.Digest = d.Digest[:62] + "00" }, field: dsrecord.FieldDigest},
		{name: "digest truncated", ds: func(d *dns.DS) { d.Digest = d.Digest[:40] }, field: dsrecord.FieldDigestLength},
		{name: "digest type", ds: func(d *dns.DS) { d.DigestType = dsrecord.SHA384 }, field: dsrecord.FieldDigestLength},
		{name: "digest of SHA-384 labelled SHA-256", ds: func(d *dns.DS) {
			d.Digest = "3be4b980b34443e569255f4a347d4c8e8e18de755fb8072d7b355c44c56b50a61e8050ae636041b9664a04f05aef2680"
		}, field: dsrecord.FieldDigestLength},
		{name: "not a zone key", pair: func() (*dns.DS, *dns.DNSKEY) { return noZoneDS, noZoneKey }, field: dsrecord.FieldFlags},
		{name: "protocol", pair: func() (*dns.DS, *dns.DNSKEY) { return proto2DS, proto2Key }, field: dsrecord.FieldProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dns.Copy(ds).(*dns.DS)
			k := dns.Copy(key).(*dns.DNSKEY)
			if tc.ds != nil {
				tc.ds(d)
			}
			if tc.key != nil {
				tc.key(k)
			}
			if tc.pair != nil {
				d, k = tc.pair()
			}
			err := dsrecord.Check(d, k)
			var mm *dsrecord.MismatchError
			require.ErrorAs(t, err, &mm)
			require.Equal(t, tc.field, mm.Field)
			require.ErrorIs(t, err, dsrecord.ErrMismatch)
			require.True(t, strings.HasPrefix(err.Error(), "dsrecord: "+tc.field+" mismatch"), err.Error())

			ok, err := dsrecord.Match(d, k)
			require.NoError(t, err)
			require.False(t, ok)
			require.Empty(t, dsrecord.Find(d, []*dns.DNSKEY{k}))
		})
	}
}

// TestUnanswerable covers the errors of Match: the question cannot be
// answered, as opposed to a mismatch.
func TestUnanswerable(t *testing.T) {
	td := loadTestdata(t)
	key := td.key(t, 55648)
	ds, err := dsrecord.FromDNSKEY(key, 0)
	require.NoError(t, err)

	tests := []struct {
		name string
		ds   func(d *dns.DS) *dns.DS
		key  func(k *dns.DNSKEY) *dns.DNSKEY
		want error
	}{
		{name: "unknown digest type", ds: func(d *dns.DS) *dns.DS { d.DigestType = 6; return d }, want: dsrecord.ErrDigestType},
		{name: "digest not hex", ds: func(d *dns.DS) *dns.DS { d.Digest = "zz" + d.Digest[2:]; return d }, want: dsrecord.ErrDigest},
		{name: "digest odd length", ds: func(d *dns.DS) *dns.DS { d.Digest += "0"; return d }, want: dsrecord.ErrDigest},
		{name: "digest with space", ds: func(d *dns.DS) *dns.DS { d.Digest = d.Digest[:10] + " " + d.Digest[10:]; return d }, want: dsrecord.ErrDigest},
		{name: "key not base64", key: func(k *dns.DNSKEY) *dns.DNSKEY { k.PublicKey = "%%%"; return k }, want: keytag.ErrNoKey},
		{name: "nil key", key: func(*dns.DNSKEY) *dns.DNSKEY { return nil }, want: dsrecord.ErrKey},
		{name: "nil DS", ds: func(*dns.DS) *dns.DS { return nil }, want: dsrecord.ErrDigest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dns.Copy(ds).(*dns.DS)
			k := dns.Copy(key).(*dns.DNSKEY)
			if tc.ds != nil {
				d = tc.ds(d)
			}
			if tc.key != nil {
				k = tc.key(k)
			}
			ok, err := dsrecord.Match(d, k)
			require.Error(t, err)
			require.False(t, ok)
			require.NotErrorIs(t, err, dsrecord.ErrMismatch)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
			require.True(t, strings.HasPrefix(err.Error(), "dsrecord: "), err.Error())
			require.Empty(t, dsrecord.Find(d, []*dns.DNSKEY{k}))
		})
	}

	t.Run("unknown digest type for another key is a mismatch", func(t *testing.T) {
		d := dns.Copy(ds).(*dns.DS)
		d.DigestType = 6
		d.KeyTag++
		ok, err := dsrecord.Match(d, key)
		require.NoError(t, err)
		require.False(t, ok)
	})
}

func TestFind(t *testing.T) {
	td := loadTestdata(t)
	ksk, zsk := td.key(t, 9465), td.key(t, 38519) // RFC 4035 Appendix A
	ds, err := dsrecord.FromDNSKEY(ksk, 0)
	require.NoError(t, err)

	bad := dns.Copy(ksk).(*dns.DNSKEY)
	bad.PublicKey = "?"
	keys := []*dns.DNSKEY{nil, bad, zsk, ksk}
	require.Equal(t, []*dns.DNSKEY{ksk}, dsrecord.Find(ds, keys))
	require.Nil(t, dsrecord.Find(ds, []*dns.DNSKEY{zsk}))
	require.Nil(t, dsrecord.Find(ds, nil))
	require.Nil(t, dsrecord.Find(nil, keys))

	// A key listed twice is found twice.
	require.Len(t, dsrecord.Find(ds, []*dns.DNSKEY{ksk, zsk, ksk}), 2)

	// Every testdata DS finds its key among all testdata keys (whose
	// tags collide in places: 60485 appears in two files).
	for _, d := range td.ds {
		found := dsrecord.Find(d, td.keys)
		require.NotEmpty(t, found, d.String())
		for _, k := range found {
			tag, err := keytag.Compute(k)
			require.NoError(t, err)
			require.Equal(t, d.KeyTag, tag)
		}
	}
}

func TestCDSAndCDNSKEY(t *testing.T) {
	td := loadTestdata(t)
	k := td.key(t, 10771)

	cds, err := dsrecord.CDS(k, dsrecord.SHA384)
	require.NoError(t, err)
	require.Equal(t, dns.TypeCDS, cds.Hdr.Rrtype)
	require.Equal(t, "example.net.\t3600\tIN\tCDS\t10771 14 4 72D7B62976CE06438E9C0BF319013CF801F09ECC84B8D7E9495F27E305C6A9B0563A9B5F4D288405C3008A946DF983D6", cds.String())
	ok, err := dsrecord.Match(&cds.DS, k)
	require.NoError(t, err)
	require.True(t, ok)

	def, err := dsrecord.CDS(k, 0)
	require.NoError(t, err)
	require.Equal(t, dsrecord.SHA256, def.DigestType)
	require.Equal(t, "FDE87F87D3A32AD8781EB0D79AC02F80D1381CECDA3567C2352B4986645C2DD0", def.Digest)

	c := dsrecord.CDNSKEY(k)
	require.Equal(t, dns.TypeCDNSKEY, c.Hdr.Rrtype)
	require.Equal(t, strings.Replace(k.String(), "\tDNSKEY\t", "\tCDNSKEY\t", 1), c.String())
	c.PublicKey = "AA=="
	require.NotEqual(t, "AA==", k.PublicKey, "CDNSKEY must be a copy")
	require.Nil(t, dsrecord.CDNSKEY(nil))

	// Both pack, i.e. are valid records.
	buf := make([]byte, 1024)
	for _, rr := range []dns.RR{cds, c, dsrecord.DeleteCDS("example.net.", 3600), dsrecord.DeleteCDNSKEY("example.net.", 3600)} {
		_, err := dns.PackRR(rr, buf, 0, nil, false)
		require.NoError(t, err, rr.String())
	}
}

func TestDelete(t *testing.T) {
	// RFC 8078 §4.
	require.Equal(t, "example.net.\t3600\tIN\tCDS\t0 0 0 00", dsrecord.DeleteCDS("example.net.", 3600).String())
	require.Equal(t, "example.net.\t3600\tIN\tCDNSKEY\t0 3 0 AA==", dsrecord.DeleteCDNSKEY("example.net.", 3600).String())
}

func TestParseDS(t *testing.T) {
	const sha256 = "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17"
	tests := []struct {
		name   string
		in     string
		owner  string
		digest string // upper-case
		dt     uint8
	}{
		{"dig output", "example.net.\t\t3600\tIN\tDS\t55648 13 2 " + sha256, "example.net.", sha256, 2},
		{"RFC 6605 text", `example.net. 3600 IN DS 55648 13 2 (
           b4c8c1fe2e7477127b27115656ad6256f424625bf5c1
           e2770ce6d6e37df61d17 )`, "example.net.", sha256, 2},
		{"no TTL or class", "example.net. DS 55648 13 2 " + sha256, "example.net.", sha256, 2},
		{"relative owner", "example.net DS 55648 13 2 " + sha256, "example.net.", sha256, 2},
		{"comment", "example.net. 3600 IN DS 55648 13 2 " + sha256 + " ; KSK", "example.net.", sha256, 2},
		{"comment lines", "; from dig\n\nexample.net. 3600 IN DS 55648 13 2 " + sha256 + "\n; end\n", "example.net.", sha256, 2},
		{"CDS", "example.net. 3600 IN CDS 55648 13 2 " + sha256, "example.net.", sha256, 2},
		{"algorithm mnemonic", "example.net. DS 55648 ECDSAP256SHA256 2 " + sha256, "example.net.", sha256, 2},
		{"SHA-1", "dskey.example.com. 86400 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A 98631FAD1A292118 )", "dskey.example.com.", "2BB183AF5F22588179A53B0A98631FAD1A292118", 1},
		{"unknown digest type", "example.net. DS 55648 13 6 abcdef", "example.net.", "ABCDEF", 6},
		{"CDS delete (RFC 8078 §4)", "example.net. 3600 IN CDS 0 0 0 00", "example.net.", "00", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := dsrecord.ParseDS(tc.in)
			require.NoError(t, err)
			require.Equal(t, dns.TypeDS, ds.Hdr.Rrtype)
			require.Equal(t, tc.owner, ds.Hdr.Name)
			require.Equal(t, tc.dt, ds.DigestType)
			require.Equal(t, tc.digest, ds.Digest)
		})
	}
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"comment only", "; nothing"},
		{"A record", "example.net. 3600 IN A 192.0.2.1"},
		{"DNSKEY", "example.net. 3600 IN DNSKEY 257 3 13 AAAA"},
		{"digest not hex", "example.net. DS 55648 13 2 xyz"},
		{"SHA-256 too short", "example.net. DS 55648 13 2 b4c8c1fe"},
		{"SHA-384 with SHA-256 length", "example.net. DS 55648 13 4 " + sha256},
		{"key tag too large", "example.net. DS 65536 13 2 " + sha256},
		{"missing digest", "example.net. DS 55648 13 2"},
		{"two records", "example.net. DS 55648 13 2 " + sha256 + "\nexample.net. DS 55648 13 2 " + sha256},
		{"DS then garbage", "example.net. DS 55648 13 2 " + sha256 + "\nexample.net. NOPE"},
		{"include", "$INCLUDE /etc/passwd"},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			ds, err := dsrecord.ParseDS(tc.in)
			require.Error(t, err)
			require.Nil(t, ds)
			require.True(t, errors.Is(err, dsrecord.ErrParse) || errors.Is(err, dsrecord.ErrDigest), err.Error())
		})
	}
}

func TestParseDSRDATA(t *testing.T) {
	const sha256 = "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17"
	td := loadTestdata(t)
	k := td.key(t, 55648)
	for _, in := range []string{
		"55648 13 2 " + sha256,
		"  55648 13 2 " + strings.ToLower(sha256) + "\t",
		"55648 13 2 B4C8C1FE2E7477127B27115656AD6256 F424625BF5C1E2770CE6D6E37DF61D17",
		"55648 ECDSAP256SHA256 2 " + sha256,
	} {
		ds, err := dsrecord.ParseDSRDATA("example.net.", 3600, in)
		require.NoError(t, err, in)
		require.Equal(t, "example.net.\t3600\tIN\tDS\t55648 13 2 "+sha256, ds.String())
		require.NoError(t, dsrecord.Check(ds, k))
	}
	for _, tc := range []struct{ name, owner, rdata string }{
		{"relative owner", "example.net", "55648 13 2 " + sha256},
		{"bad owner", "a..b.", "55648 13 2 " + sha256},
		{"three fields", "example.net.", "55648 13 2"},
		{"empty", "example.net.", " "},
		{"second record", "example.net.", "55648 13 2 " + sha256 + "\nevil. A 192.0.2.1"},
		{"parenthesis", "example.net.", "55648 13 2 ( " + sha256 + " )"},
		{"bad tag", "example.net.", "x 13 2 " + sha256},
		{"tag too large", "example.net.", "65536 13 2 " + sha256},
		{"bad algorithm", "example.net.", "55648 NOPE 2 " + sha256},
		{"bad digest type", "example.net.", "55648 13 256 " + sha256},
		{"digest not hex", "example.net.", "55648 13 2 " + sha256[:62] + "zz"},
		{"wrong length", "example.net.", "55648 13 4 " + sha256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := dsrecord.ParseDSRDATA(tc.owner, 3600, tc.rdata)
			require.Error(t, err)
			require.Nil(t, ds)
			require.True(t, errors.Is(err, dsrecord.ErrParse) || errors.Is(err, dsrecord.ErrDigest), err.Error())
		})
	}
}

func TestDigestTypeNames(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint8
	}{
		{"SHA-256", 2}, {"sha256", 2}, {"2", 2}, {" SHA-256 ", 2},
		{"SHA-384", 4}, {"Sha384", 4}, {"4", 4},
		{"SHA-1", 1}, {"sha1", 1}, {"1", 1},
	} {
		got, err := dsrecord.ParseDigestType(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, in := range []string{"", "3", "5", "SHA-512", "GOST", "0"} {
		_, err := dsrecord.ParseDigestType(in)
		require.ErrorIs(t, err, dsrecord.ErrDigestType, in)
	}
	require.Equal(t, "SHA-1", dsrecord.DigestTypeString(1))
	require.Equal(t, "SHA-256", dsrecord.DigestTypeString(2))
	require.Equal(t, "SHA-384", dsrecord.DigestTypeString(4))
	require.Equal(t, "5", dsrecord.DigestTypeString(5))
	for _, dt := range []uint8{1, 2, 4} {
		got, err := dsrecord.ParseDigestType(dsrecord.DigestTypeString(dt))
		require.NoError(t, err)
		require.Equal(t, dt, got)
	}
	require.Equal(t, 20, dsrecord.DigestSize(1))
	require.Equal(t, 32, dsrecord.DigestSize(2))
	require.Equal(t, 48, dsrecord.DigestSize(4))
	require.Zero(t, dsrecord.DigestSize(3))
	require.Equal(t, dsrecord.MaxDigestSize, dsrecord.DigestSize(4))
}

func TestAllocs(t *testing.T) {
	td := loadTestdata(t)
	for _, k := range td.keys {
		ds, err := dsrecord.FromDNSKEY(k, 0)
		require.NoError(t, err)
		dst := make([]byte, 0, dsrecord.MaxDigestSize)
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := dsrecord.AppendDigest(dst, k.Hdr.Name, k, dsrecord.SHA384); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, "AppendDigest, key %d", ds.KeyTag)
		allocs = testing.AllocsPerRun(50, func() {
			if ok, err := dsrecord.Match(ds, k); !ok || err != nil {
				t.Fatal(ok, err)
			}
		})
		require.Zero(t, allocs, "Match, key %d", ds.KeyTag)
	}
}
