package testvectors_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/testvectors"
)

// appendixBTag is the RFC 4034 Appendix B reference algorithm, written
// here independently of miekg/dns and of the package under test. For
// algorithm 1 it applies Appendix B.1: "the most significant 16 bits of
// the least significant 24 bits in the public key modulus" (the modulus
// ends the RFC 3110 public key field).
func appendixBTag(t *testing.T, k *dns.DNSKEY) uint16 {
	t.Helper()
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	require.NoError(t, err)
	rd := append([]byte{byte(k.Flags >> 8), byte(k.Flags), k.Protocol, k.Algorithm}, pub...)
	if k.Algorithm == dns.RSAMD5 {
		n := len(rd)
		return uint16(rd[n-3])<<8 | uint16(rd[n-2])
	}
	var ac uint64
	for i := range rd {
		if i&1 == 1 {
			ac += uint64(rd[i])
		} else {
			ac += uint64(rd[i]) << 8
		}
	}
	ac += (ac >> 16) & 0xFFFF
	return uint16(ac & 0xFFFF)
}

// wantTags are the key tags stated in the RFCs (and, for the two
// algorithm-1 keys, in dnspython's test data), by vector name.
var wantTags = map[string]uint16{
	"rfc4034-2.3":            2642,
	"rfc4034-5.4":            60485,
	"rfc4509-2.3":            60485,
	"rfc6605-6.1":            55648,
	"rfc6605-6.2":            10771,
	"rfc8080-6.1-3613":       3613,
	"rfc8080-6.1-35217":      35217,
	"rfc8080-6.2-9713":       9713,
	"rfc8080-6.2-38353":      38353,
	"rfc5702-6.1":            9033,
	"rfc5702-6.2":            3740,
	"rfc4035-A-38519":        38519,
	"rfc4035-A-9465":         9465,
	"rfc5155-A-40430":        40430,
	"rfc5155-A-12708":        12708,
	"rfc8976-A.4-37444":      37444,
	"rfc8976-A.4-30577":      30577,
	"rfc8976-A.4-12670":      12670,
	"dnspython-rsamd5-30239": 30239,
	"dnspython-rsamd5-62992": 62992,
}

func TestKeyTags(t *testing.T) {
	keys := testvectors.Keys()
	require.Len(t, keys, len(wantTags))
	for _, v := range keys {
		t.Run(v.Name, func(t *testing.T) {
			want, ok := wantTags[v.Name]
			require.True(t, ok, "unexpected vector")
			require.Equal(t, want, v.KeyTag)
			require.Equal(t, want, appendixBTag(t, v.DNSKEY))
			if v.DNSKEY.Algorithm == dns.RSAMD5 {
				// miekg/dns does not implement Appendix B.1.
				require.NotEqual(t, want, v.DNSKEY.KeyTag(), "miekg/dns now implements B.1: update the docs")
				require.Empty(t, v.RFC, "algorithm-1 vectors are not RFC data")
				require.Contains(t, v.Note, "NOT AN RFC VECTOR")
				return
			}
			require.Equal(t, want, v.DNSKEY.KeyTag())
			require.NotEmpty(t, v.RFC)
			require.NotEmpty(t, v.Section)
			require.Equal(t, uint8(3), v.DNSKEY.Protocol)
		})
	}
}

// wantDS are the DS digests stated in the RFCs and README (lower-case hex),
// by vector name; those marked extra are the README's "values computed
// here", which the RFCs do not give.
var wantDS = map[string][]struct {
	digestType uint8
	digest     string
	extra      bool
}{
	"rfc4034-5.4": {{1, "2bb183af5f22588179a53b0a98631fad1a292118", false}},
	"rfc4509-2.3": {{2, "d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a", false}},
	"rfc6605-6.1": {
		{2, "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17", false},
		{1, "0a2548cae6e93218f225029af1aa3dcc09a4a889", true},
		{4, "3be4b980b34443e569255f4a347d4c8e8e18de755fb8072d7b355c44c56b50a61e8050ae636041b9664a04f05aef2680", true},
	},
	"rfc6605-6.2": {
		{4, "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6", false},
		{2, "fde87f87d3a32ad8781eb0d79ac02f80d1381cecda3567c2352b4986645c2dd0", true},
	},
	"rfc8080-6.1-3613": {
		{2, "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b", false},
		{1, "b2c63605467c4a40942b47a953e9c0d38f81083a", true},
		{4, "89389da437fca8372e67359dfc0dd4428fa2615df6e31bc5501677dd068514fea5c4efaf82188530a8a1645d9d3ef884", true},
	},
	"rfc8080-6.1-35217": {{2, "401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c", false}},
	"rfc8080-6.2-9713":  {{2, "6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2b19c7", false}},
	"rfc8080-6.2-38353": {{2, "645ff078b3568f5852b70cb60e8e696cc77b75bfaaffc118cf79cbda1ba28af4", false}},
	"rfc5702-6.1":       {{2, "4fb561367705cc70dac0e34755aa13ab400b4a435ab5bdc3834bd04e13d4a086", true}},
	"rfc5702-6.2":       {{2, "9b9a8a015015b22346297314a130f476521e209cee127fddf610498cd0d85d8d", true}},
	"rfc4035-A-38519":   {{2, "0905db4f040186c9f96d8645e27215e6c2e7a853df9831bf0f58d2fffae9828d", true}},
	"rfc4035-A-9465":    {{2, "40d68db5c39f036f09d72d945e9541f3396cc822baf6b1a058865feb5864ce6b", true}},
	"rfc8976-A.4-37444": {{2, "f378d9eb10e4d0dfdb26e2e89ada8f33ac9ff7053b657d56bacd1f977ec07dfd", true}},
}

func TestDS(t *testing.T) {
	for _, v := range testvectors.Keys() {
		t.Run(v.Name, func(t *testing.T) {
			want := wantDS[v.Name]
			var got []*dns.DS
			for _, w := range want {
				list := v.DS
				if w.extra {
					list = v.ExtraDS
				}
				var found *dns.DS
				for _, ds := range list {
					if ds.DigestType == w.digestType {
						found = ds
					}
				}
				require.NotNil(t, found, "digest type %d (extra %v)", w.digestType, w.extra)
				require.Equal(t, w.digest, strings.ToLower(found.Digest))
				got = append(got, found)
			}
			require.Len(t, got, len(v.DS)+len(v.ExtraDS), "every DS of the vector is asserted")
			for _, ds := range got {
				require.Equal(t, v.KeyTag, ds.KeyTag)
				require.Equal(t, v.DNSKEY.Algorithm, ds.Algorithm)
				require.True(t, strings.EqualFold(v.DNSKEY.Hdr.Name, ds.Hdr.Name))
				re := v.DNSKEY.ToDS(ds.DigestType)
				require.NotNil(t, re)
				require.Equal(t, strings.ToLower(ds.Digest), strings.ToLower(re.Digest), "miekg ToDS")
				if ds.DigestType == dns.SHA256 {
					require.Equal(t, strings.ToLower(ds.Digest), plainDS256(t, v.DNSKEY), "RFC 4509 §2.1 by hand")
				}
			}
		})
	}
}

// plainDS256 is RFC 4509 §2.1 by hand: SHA-256(owner name | DNSKEY RDATA),
// so that algorithms miekg/dns does not know (Ed448) are checked too.
func plainDS256(t *testing.T, k *dns.DNSKEY) string {
	t.Helper()
	owner := make([]byte, 256)
	n, err := dns.PackDomainName(dns.CanonicalName(k.Hdr.Name), owner, 0, nil, false)
	require.NoError(t, err)
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	require.NoError(t, err)
	h := sha256.New()
	h.Write(owner[:n])
	h.Write([]byte{byte(k.Flags >> 8), byte(k.Flags), k.Protocol, k.Algorithm})
	h.Write(pub)
	return hex.EncodeToString(h.Sum(nil))
}

func TestWeakRSA(t *testing.T) {
	weak := map[string]bool{"rfc5702-6.1": true, "rfc5155-A-40430": true, "rfc5155-A-12708": true}
	for _, v := range testvectors.Keys() {
		require.Equal(t, weak[v.Name], v.WeakRSA, v.Name)
	}
}

// rsaPublic decodes an RSA DNSKEY public key (RFC 3110 §2).
func rsaPublic(t *testing.T, k *dns.DNSKEY) (e int, n *big.Int) {
	t.Helper()
	pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
	require.NoError(t, err)
	explen, off := int(pub[0]), 1
	if explen == 0 {
		explen, off = int(pub[1])<<8|int(pub[2]), 3
	}
	e = int(new(big.Int).SetBytes(pub[off : off+explen]).Int64())
	return e, new(big.Int).SetBytes(pub[off+explen:])
}

// TestPrivateKeys checks that every published private key parses and
// derives its DNSKEY.
func TestPrivateKeys(t *testing.T) {
	n := 0
	for _, v := range testvectors.Keys() {
		if v.PrivateKey == "" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			require.True(t, strings.HasPrefix(v.PrivateKey, "Private-key-format: v1.2\n"))
			require.NotContains(t, v.PrivateKey, ";", "comments are stripped")
			pub, err := base64.StdEncoding.DecodeString(v.DNSKEY.PublicKey)
			require.NoError(t, err)
			if v.DNSKEY.Algorithm == dns.ED448 {
				// miekg/dns has no Ed448: check the shapes only (RFC 8080 §3).
				require.Len(t, pub, 57)
				seed := privateKeyField(t, v.PrivateKey, "PrivateKey")
				require.Len(t, seed, 57)
				_, err := v.DNSKEY.NewPrivateKey(v.PrivateKey)
				require.Error(t, err, "miekg/dns learnt Ed448: verify these vectors with it")
				return
			}
			priv, err := v.DNSKEY.NewPrivateKey(v.PrivateKey)
			require.NoError(t, err)
			switch p := priv.(type) {
			case *ecdsa.PrivateKey:
				size := p.Curve.Params().BitSize / 8
				xy := make([]byte, 2*size)
				p.X.FillBytes(xy[:size])
				p.Y.FillBytes(xy[size:])
				require.Equal(t, pub, xy)
			case ed25519.PrivateKey:
				require.Equal(t, pub, []byte(p.Public().(ed25519.PublicKey)))
			case *rsa.PrivateKey:
				require.NoError(t, p.Validate())
				e, mod := rsaPublic(t, v.DNSKEY)
				require.Equal(t, e, p.E)
				require.Zero(t, mod.Cmp(p.N))
			default:
				t.Fatalf("unexpected private key type %T", priv)
			}
		})
	}
	require.Equal(t, 8, n, "6605 ×2, 8080 ×4, 5702 ×2")
}

// privateKeyField returns the base64-decoded value of a private-key field.
func privateKeyField(t *testing.T, text, field string) []byte {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		k, val, ok := strings.Cut(line, ":")
		if ok && k == field {
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
			require.NoError(t, err)
			return b
		}
	}
	t.Fatalf("no field %s", field)
	return nil
}

// TestResign signs each RFC RRset again with the published private key:
// RSA and Ed25519 are deterministic and must reproduce the published
// signature; ECDSA must produce a signature that verifies.
func TestResign(t *testing.T) {
	keys := map[string]testvectors.KeyVector{}
	for _, v := range testvectors.Keys() {
		if v.PrivateKey != "" && v.DNSKEY.Algorithm != dns.ED448 {
			keys[v.DNSKEY.Hdr.Name+"/"+v.DNSKEY.PublicKey] = v
		}
	}
	n := 0
	for _, s := range testvectors.Signatures() {
		if !s.Valid || s.Key == nil {
			continue
		}
		kv, ok := keys[s.Key.Hdr.Name+"/"+s.Key.PublicKey]
		if !ok {
			continue
		}
		n++
		t.Run(s.Name, func(t *testing.T) {
			priv, err := kv.DNSKEY.NewPrivateKey(kv.PrivateKey)
			require.NoError(t, err)
			sig := &dns.RRSIG{
				Hdr:       dns.RR_Header{Ttl: s.RRSIG.Hdr.Ttl},
				Algorithm: s.RRSIG.Algorithm, KeyTag: s.RRSIG.KeyTag, SignerName: s.RRSIG.SignerName,
				Inception: s.RRSIG.Inception, Expiration: s.RRSIG.Expiration,
			}
			require.NoError(t, sig.Sign(priv.(crypto.Signer), s.RRset))
			require.Equal(t, s.RRSIG.Labels, sig.Labels)
			require.Equal(t, s.RRSIG.OrigTtl, sig.OrigTtl)
			require.NoError(t, sig.Verify(s.Key, s.RRset))
			switch s.RRSIG.Algorithm {
			case dns.ECDSAP256SHA256, dns.ECDSAP384SHA384:
				// Randomized: a fresh signature differs but verifies.
			default:
				require.Equal(t, s.RRSIG.Signature, sig.Signature, "deterministic signature reproduced")
			}
		})
	}
	require.Equal(t, 6, n, "6605 ×2, 8080 §6.1 ×2, 5702 ×2")
}
