package dsrecord_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
)

// lowerWire packs a name with miekg/dns and lower-cases its ASCII letters
// octet by octet: the canonical form of RFC 4034 §6.2, computed
// independently of internal/canonical.
func lowerWire(name string) ([]byte, bool) {
	w, ok := packWire(name)
	for i, c := range w { // length octets are below 64, so never letters
		if 'A' <= c && c <= 'Z' {
			w[i] = c + 'a' - 'A'
		}
	}
	return w, ok
}

// packWire packs a name with miekg/dns, uncompressed, as is.
func packWire(name string) ([]byte, bool) {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(name, buf, 0, nil, false)
	if err != nil || n == 0 {
		return nil, false
	}
	return buf[:n], true
}

// FuzzDS checks New and Match on arbitrary keys and owner names, against a
// digest computed here from RFC 4034 §5.1.4 and, where miekg/dns is right,
// against miekg's DNSKEY.ToDS. miekg lower-cases the presentation string, so
// it gets owner names with escaped upper-case letters (\069) wrong, and it
// treats digest type 5 as SHA-512 (IANA assigns 5 to GOST R 34.11-2012);
// those cases are checked against the computed digest only.
func FuzzDS(f *testing.F) {
	td := loadTestdata(f)
	for _, k := range td.keys {
		key, err := base64.StdEncoding.DecodeString(k.PublicKey)
		require.NoError(f, err)
		for _, dt := range []uint8{0, 1, 2, 4} {
			f.Add(k.Hdr.Name, k.Flags, k.Protocol, k.Algorithm, key, dt)
		}
	}
	f.Fuzz(func(t *testing.T, owner string, flags uint16, protocol, algorithm uint8, key []byte, digestType uint8) {
		if len(key) > 2048 {
			key = key[:2048] // miekg packs into 4096 octets
		}
		k := &dns.DNSKEY{
			Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 7200},
			Flags:     flags,
			Protocol:  protocol,
			Algorithm: algorithm,
			PublicKey: base64.StdEncoding.EncodeToString(key),
		}
		ds, err := dsrecord.New(k, dsrecord.Options{DigestType: digestType, AllowSHA1: true})

		dt := digestType
		if dt == 0 {
			dt = dsrecord.SHA256
		}
		wire, nameOK := lowerWire(owner)
		nameOK = nameOK && dns.IsFqdn(owner)
		usable := dsrecord.DigestSize(dt) != 0 && flags&0x0100 != 0 && protocol == 3 && len(key) > 0 && nameOK
		if !usable {
			require.Error(t, err)
			require.Nil(t, ds)
			return
		}
		require.NoError(t, err)

		msg := append(wire, byte(flags>>8), byte(flags), protocol, algorithm)
		msg = append(msg, key...)
		var want []byte
		switch dt {
		case dsrecord.SHA1:
			s := sha1.Sum(msg)
			want = s[:]
		case dsrecord.SHA256:
			s := sha256.Sum256(msg)
			want = s[:]
		case dsrecord.SHA384:
			s := sha512.Sum384(msg)
			want = s[:]
		}
		got, err := hex.DecodeString(ds.Digest)
		require.NoError(t, err)
		require.Equal(t, want, got)
		tag, err := keytag.Compute(k)
		require.NoError(t, err)
		require.Equal(t, tag, ds.KeyTag)
		require.Equal(t, algorithm, ds.Algorithm)
		require.Equal(t, dt, ds.DigestType)
		require.Equal(t, owner, ds.Hdr.Name)
		require.Equal(t, uint32(7200), ds.Hdr.Ttl)

		ok, err := dsrecord.Match(ds, k)
		require.NoError(t, err)
		require.True(t, ok)
		bad := dns.Copy(ds).(*dns.DS)
		bad.Digest = hex.EncodeToString(append([]byte{got[0] ^ 1}, got[1:]...))
		ok, err = dsrecord.Match(bad, k)
		require.NoError(t, err)
		require.False(t, ok)

		// miekg: same digest when it canonicalises the owner the same way.
		m := k.ToDS(dt)
		if m == nil {
			return
		}
		mwire, mok := packWire(dns.CanonicalName(owner))
		if !mok || !bytes.Equal(mwire, wire) {
			return
		}
		require.Equal(t, hex.EncodeToString(want), m.Digest)
		require.Equal(t, m.Algorithm, ds.Algorithm)
		require.Equal(t, m.DigestType, ds.DigestType)
		require.Equal(t, m.Hdr, ds.Hdr)
		if algorithm != dns.RSAMD5 {
			require.Equal(t, m.KeyTag, ds.KeyTag)
		}
	})
}

// FuzzParseDS checks that ParseDS and ParseDSRDATA never panic, and that
// what they accept prints and parses back to the same record.
func FuzzParseDS(f *testing.F) {
	td := loadTestdata(f)
	for _, ds := range td.ds {
		f.Add(ds.String())
	}
	f.Add("example.net. 3600 IN CDS 55648 13 2 ( b4c8c1fe2e7477127b27115656ad6256f424625bf5c1\n e2770ce6d6e37df61d17 ) ; comment")
	f.Add("example.net. DS 55648 13 6 abcdef")
	f.Add("$ORIGIN example.\nwww DS 1 2 3 00")
	f.Fuzz(func(t *testing.T, s string) {
		if ds, err := dsrecord.ParseDS(s); err == nil {
			again, err := dsrecord.ParseDS(ds.String())
			require.NoError(t, err, ds.String())
			requireSameDS(t, ds, again)
		}
		if ds, err := dsrecord.ParseDSRDATA("example.net.", 60, s); err == nil {
			again, err := dsrecord.ParseDS(ds.String())
			require.NoError(t, err, ds.String())
			requireSameDS(t, ds, again)
		}
	})
}

// requireSameDS compares two DS records, names by their wire form (miekg
// may print a name with escapes it did not parse with).
func requireSameDS(t *testing.T, a, b *dns.DS) {
	t.Helper()
	require.True(t, canonical.Equal(a.Hdr.Name, b.Hdr.Name), "%q != %q", a.Hdr.Name, b.Hdr.Name)
	ha, hb := a.Hdr, b.Hdr
	ha.Name, hb.Name = "", ""
	ha.Rdlength, hb.Rdlength = 0, 0
	require.Equal(t, ha, hb)
	require.Equal(t, a.KeyTag, b.KeyTag)
	require.Equal(t, a.Algorithm, b.Algorithm)
	require.Equal(t, a.DigestType, b.DigestType)
	require.Equal(t, a.Digest, b.Digest)
}
