package signer_test

import (
	"crypto/elliptic"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestNewKey(t *testing.T) {
	good, err := signer.FromCryptoSigner(ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", signer.FlagsKSK)
	require.NoError(t, err)
	pub := good.DNSKEY().PublicKey
	dnskey := func(name string, flags uint16, proto, alg uint8, key string) *dns.DNSKEY {
		return &dns.DNSKEY{
			Hdr:   dns.RR_Header{Name: name, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
			Flags: flags, Protocol: proto, Algorithm: alg, PublicKey: key,
		}
	}
	tests := []struct {
		name string
		s    signer.Signer
		role signer.Role
		want error
	}{
		{"nil Signer", nil, 0, signer.ErrBadKey},
		{"nil DNSKEY", &fakeSigner{alg: 13}, 0, signer.ErrBadKey},
		{"not a zone key", &fakeSigner{alg: 13, key: dnskey("example.net.", signer.FlagSEP, 3, 13, pub)}, 0, signer.ErrNotZoneKey},
		{"flags 0", &fakeSigner{alg: 13, key: dnskey("example.net.", 0, 3, 13, pub)}, 0, signer.ErrNotZoneKey},
		{"protocol 2", &fakeSigner{alg: 13, key: dnskey("example.net.", 257, 2, 13, pub)}, 0, signer.ErrBadKey},
		{"algorithm mismatch", &fakeSigner{alg: 14, key: dnskey("example.net.", 257, 3, 13, pub)}, 0, signer.ErrBadKey},
		{"owner not fully qualified", &fakeSigner{alg: 13, key: dnskey("example.net", 257, 3, 13, pub)}, 0, signer.ErrBadKey},
		{"owner invalid", &fakeSigner{alg: 13, key: dnskey("a..b.", 257, 3, 13, pub)}, 0, signer.ErrBadKey},
		{"owner empty", &fakeSigner{alg: 13, key: dnskey("", 257, 3, 13, pub)}, 0, signer.ErrBadKey},
		{"public key not base64", &fakeSigner{alg: 13, key: dnskey("example.net.", 257, 3, 13, "!!!")}, 0, signer.ErrBadKey},
		{"public key empty", &fakeSigner{alg: 13, key: dnskey("example.net.", 257, 3, 13, "")}, 0, signer.ErrBadKey},
		{"unknown role", good, signer.Role(9), signer.ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signer.NewKey(tt.s, tt.role)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, k)
		})
	}
}

func TestNewKeyFacts(t *testing.T) {
	ksk, err := signer.FromCryptoSigner(ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", signer.FlagsKSK)
	require.NoError(t, err)
	zsk, err := signer.FromCryptoSigner(ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", signer.FlagsZSK)
	require.NoError(t, err)
	tests := []struct {
		name string
		s    signer.Signer
		role signer.Role
		want signer.Role
		tag  uint16
	}{
		{"SEP flag means KSK", ksk, 0, signer.RoleKSK, 55648}, // RFC 6605 §6.1
		{"no SEP flag means ZSK", zsk, 0, signer.RoleZSK, 0},  // tag checked against miekg only
		{"explicit CSK", ksk, signer.RoleCSK, signer.RoleCSK, 55648},
		{"explicit ZSK on SEP key", ksk, signer.RoleZSK, signer.RoleZSK, 55648},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signer.NewKey(tt.s, tt.role)
			require.NoError(t, err)
			require.Equal(t, tt.want, k.Role())
			if tt.tag != 0 {
				require.Equal(t, tt.tag, k.KeyTag())
			}
			require.Equal(t, k.DNSKEY().KeyTag(), k.KeyTag(), "miekg agrees for algorithm 13")
			require.Equal(t, "example.net.", k.SignerName())
			require.Same(t, tt.s.DNSKEY(), k.DNSKEY())
			require.Equal(t, uint8(13), k.Algorithm())
		})
	}
	t.Run("WithRole copies", func(t *testing.T) {
		k, err := signer.NewKey(ksk, 0)
		require.NoError(t, err)
		c := k.WithRole(signer.RoleCSK)
		require.Equal(t, signer.RoleCSK, c.Role())
		require.Equal(t, signer.RoleKSK, k.Role())
		require.Equal(t, k.KeyTag(), c.KeyTag())
	})
}

func TestSignerNameCanonical(t *testing.T) {
	tests := []struct {
		owner, want string
	}{
		{"Example.NET.", "example.net."},
		{`\069xample.net.`, "example.net."},
		{`\200.Example.`, `\200.example.`},
		{`a\.B.example.`, `a\.b.example.`},
		{".", "."},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			base, err := signer.FromCryptoSigner(ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", signer.FlagsZSK)
			require.NoError(t, err)
			k := *base.DNSKEY()
			k.Hdr.Name = tt.owner
			key, err := signer.NewKey(&fakeSigner{alg: 13, key: &k}, 0)
			require.NoError(t, err)
			require.Equal(t, tt.want, key.SignerName())
		})
	}
}

func TestRoleString(t *testing.T) {
	require.Equal(t, "ZSK", signer.RoleZSK.String())
	require.Equal(t, "KSK", signer.RoleKSK.String())
	require.Equal(t, "CSK", signer.RoleCSK.String())
	require.Equal(t, "Role(0)", signer.Role(0).String())
	require.Equal(t, uint16(257), signer.FlagsKSK)
	require.Equal(t, uint16(256), signer.FlagsZSK)
}
