package keytag_test

import (
	"encoding/base64"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/keytag"
)

// FuzzKeyTag checks Compute against the RFC 4034 Appendix B reference code
// and, for algorithms other than 1, against miekg/dns DNSKEY.KeyTag. For
// algorithm 1 it checks the Appendix B.1 rule directly, since miekg/dns
// does not implement it. Seeds: every testdata key, plus the corpus in
// testdata/fuzz/FuzzKeyTag.
func FuzzKeyTag(f *testing.F) {
	for _, v := range vectors {
		for _, k := range dnskeys(f, v.file) {
			f.Add(k.Flags, k.Protocol, k.Algorithm, k.PublicKey)
		}
	}
	f.Fuzz(func(t *testing.T, flags uint16, protocol, algorithm uint8, publicKey string) {
		k := &dns.DNSKEY{
			Hdr:       dns.RR_Header{Name: "example.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
			Flags:     flags,
			Protocol:  protocol,
			Algorithm: algorithm,
			PublicKey: publicKey,
		}
		tag, err := keytag.Compute(k)
		key, decErr := base64.StdEncoding.DecodeString(publicKey)
		if decErr != nil || len(key) == 0 {
			require.ErrorIs(t, err, keytag.ErrNoKey)
			return
		}
		require.NoError(t, err)

		rd := append([]byte{byte(flags >> 8), byte(flags), protocol, algorithm}, key...)
		b, err := keytag.AppendRDATA(nil, k)
		require.NoError(t, err)
		require.Equal(t, rd, b)
		require.Equal(t, tag, keytag.FromRDATA(rd))

		if algorithm == dns.RSAMD5 {
			var want uint16
			if len(key) >= 3 {
				want = uint16(key[len(key)-3])<<8 | uint16(key[len(key)-2])
			}
			require.Equal(t, want, tag)
			return
		}
		require.Equal(t, refKeyTag(rd), tag)
		// miekg packs into a 4096-octet buffer and returns 0 when the key
		// does not fit.
		if len(rd) <= dns.DefaultMsgSize {
			require.Equal(t, k.KeyTag(), tag)
		}
	})
}
