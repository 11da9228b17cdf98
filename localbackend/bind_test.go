package localbackend_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

// privateKey is what *ecdsa.PrivateKey and ed25519.PrivateKey have in
// common besides crypto.Signer.
type privateKey interface {
	Equal(crypto.PrivateKey) bool
}

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// rfcKeys are the RFC example keys in testdata/rfc with the DNSKEY public
// keys printed in the RFCs (RFC 6605 §6.1, §6.2; RFC 8080 §6.1).
var rfcKeys = []struct {
	name, path string
	alg        uint8
	tag        uint16
	owner      string
	pub        string
}{
	{"RFC 6605 6.1", "testdata/rfc/Kexample.net.+013+55648", 13, 55648, "example.net.",
		"GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="},
	{"RFC 6605 6.2", "testdata/rfc/Kexample.net.+014+10771", 14, 10771, "example.net.",
		"xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40"},
	{"RFC 8080 6.1 first", "testdata/rfc/Kexample.com.+015+03613", 15, 3613, "example.com.",
		"l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="},
	{"RFC 8080 6.1 second", "testdata/rfc/Kexample.com.+015+35217", 15, 35217, "example.com.",
		"zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs="},
}

func TestLoadRFCKeys(t *testing.T) {
	for _, k := range rfcKeys {
		t.Run(k.name, func(t *testing.T) {
			s, err := localbackend.LoadBIND(k.path+".private", localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, k.alg, s.Algorithm())
			require.Equal(t, k.tag, s.KeyTag())
			require.Equal(t, k.owner, s.DNSKEY().Hdr.Name)
			require.Equal(t, k.pub, s.DNSKEY().PublicKey)
			require.Equal(t, signer.FlagsKSK, s.DNSKEY().Flags)
			require.Equal(t, uint32(3600), s.DNSKEY().Hdr.Ttl)
			require.Equal(t, localbackend.Timing{}, s.Timing(), "v1.2 files have no timing")
			require.Equal(t, k.path[len("testdata/rfc/"):], localbackend.FileBase(k.owner, k.alg, k.tag))
			checkSigner(t, s)
		})
	}
}

// The RRSIGs published in RFC 6605 §6.1 and §6.2 verify under the DNSKEY
// derived from the private key.
func TestRFC6605PublishedRRSIG(t *testing.T) {
	cases := []struct{ path, rrsig string }{
		{"testdata/rfc/Kexample.net.+013+55648", `www.example.net. 3600 IN RRSIG A 13 3 3600 (
			20100909100439 20100812100439 55648 example.net.
			qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA
			yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )`},
		{"testdata/rfc/Kexample.net.+014+10771", `www.example.net. 3600 IN RRSIG A 14 3 3600 (
			20100909102025 20100812102025 10771 example.net.
			/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP
			95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz
			WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )`},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			s, err := localbackend.LoadBIND(c.path, localbackend.Options{})
			require.NoError(t, err)
			a, err := dns.NewRR("www.example.net. 3600 IN A 192.0.2.1")
			require.NoError(t, err)
			rr, err := dns.NewRR(c.rrsig)
			require.NoError(t, err)
			sig := rr.(*dns.RRSIG)
			require.NoError(t, sig.Verify(s.DNSKEY(), []dns.RR{a}))

			// A new signature over the same data verifies too.
			data, err := signer.SignedData(nil, sig, []dns.RR{a})
			require.NoError(t, err)
			raw, err := s.Sign(context.Background(), data)
			require.NoError(t, err)
			sig.Signature = base64.StdEncoding.EncodeToString(raw)
			require.NoError(t, sig.Verify(s.DNSKEY(), []dns.RR{a}))
		})
	}
}

// Ed25519 is deterministic, so signing the RFC 8080 §6.1 data with the RFC
// keys must reproduce the published signatures. As erratum 4935 explains,
// the signatures printed in the RFC were computed with Labels = 3 for
// example.com (which has 2 labels); the erratum gives the signatures with
// the correct Labels = 2. Both are reproduced here.
func TestRFC8080Signatures(t *testing.T) {
	cases := []struct {
		name   string
		path   string
		tag    uint16
		labels uint8
		sig    string
	}{
		{"3613 erratum 4935", "testdata/rfc/Kexample.com.+015+03613", 3613, 2, "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="},
		{"35217 erratum 4935", "testdata/rfc/Kexample.com.+015+35217", 35217, 2, "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg=="},
		{"3613 as printed", "testdata/rfc/Kexample.com.+015+03613", 3613, 3, "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg=="},
		{"35217 as printed", "testdata/rfc/Kexample.com.+015+35217", 35217, 3, "5LL2obmzdqjWI+Xto5eP5adXt/T5tMhasWvwcyW4L3SzfcRawOle9bodhC+oip9ayUGjY9T/rL4rN3bOuESGDA=="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.LoadBIND(c.path+".key", localbackend.Options{})
			require.NoError(t, err)
			// RRSIG RDATA without the signature (RFC 4034 §3.1.8.1):
			// MX, alg 15, labels, TTL 3600, expiration 1440021600,
			// inception 1438207200, key tag, example.com.; then the
			// MX record in canonical form.
			data := binary.BigEndian.AppendUint16(nil, dns.TypeMX)
			data = append(data, 15, c.labels)
			data = binary.BigEndian.AppendUint32(data, 3600)
			data = binary.BigEndian.AppendUint32(data, 1440021600)
			data = binary.BigEndian.AppendUint32(data, 1438207200)
			data = binary.BigEndian.AppendUint16(data, c.tag)
			name := make([]byte, 255)
			n, err := dns.PackDomainName("example.com.", name, 0, nil, false)
			require.NoError(t, err)
			data = append(data, name[:n]...)
			mx, err := dns.NewRR("example.com. 3600 IN MX 10 mail.example.com.")
			require.NoError(t, err)
			wire := make([]byte, 512)
			n, err = dns.PackRR(mx, wire, 0, nil, false)
			require.NoError(t, err)
			data = append(data, wire[:n]...)

			sig, err := s.Sign(context.Background(), data)
			require.NoError(t, err)
			require.Equal(t, c.sig, base64.StdEncoding.EncodeToString(sig))
		})
	}
}

// Files written by dnssec-keygen (BIND 9.18) and ldns-keygen (ldns 1.8.3),
// kept in testdata so this runs without the tools.
func TestLoadToolFiles(t *testing.T) {
	cases := []struct {
		path   string
		alg    uint8
		tag    uint16
		flags  uint16
		timing bool
	}{
		{"testdata/bind918/Kexample.com.+013+38475", 13, 38475, 257, true},
		{"testdata/bind918/Kexample.com.+015+22336", 15, 22336, 256, true},
		{"testdata/ldns/Kexample.org.+013+33073", 13, 33073, 257, false},
		{"testdata/ldns/Kexample.org.+014+61854", 14, 61854, 256, false},
		{"testdata/ldns/Kexample.org.+015+31748", 15, 31748, 256, false},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			s, err := localbackend.LoadBIND(c.path, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, c.alg, s.Algorithm())
			require.Equal(t, c.tag, s.KeyTag())
			require.Equal(t, c.flags, s.Flags())
			if c.timing {
				want := time.Date(2026, 11, 23, 12, 4, 50, 0, time.UTC)
				require.Equal(t, localbackend.Timing{Created: want, Publish: want, Activate: want}, s.Timing())
			} else {
				require.Equal(t, localbackend.Timing{}, s.Timing())
			}
			checkSigner(t, s)

			// Saved again, it loads to the same key, and what dnsseal
			// writes for it is stable.
			dir := t.TempDir()
			kp, pp, err := s.SaveBIND(dir, localbackend.SaveOptions{})
			require.NoError(t, err)
			require.Equal(t, filepath.Base(c.path)+".key", filepath.Base(kp))
			require.Equal(t, filepath.Base(c.path)+".private", filepath.Base(pp))
			s2, err := localbackend.LoadBIND(kp, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, s.DNSKEY().String(), s2.DNSKEY().String())
			require.Equal(t, s.Timing(), s2.Timing())
			k1, p1, err := s.MarshalBIND()
			require.NoError(t, err)
			k2, p2, err := s2.MarshalBIND()
			require.NoError(t, err)
			require.Equal(t, k1, k2)
			require.Equal(t, p1, p2)
		})
	}
}

func TestSaveLoadBIND(t *testing.T) {
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			created := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
			s, err := localbackend.Generate(a.alg, "Example.ORG", signer.FlagsZSK, localbackend.Options{Now: created, TTL: 7200})
			require.NoError(t, err)
			timing := s.Timing()
			timing.Inactive = created.Add(90 * 24 * time.Hour)
			timing.Delete = created.Add(120 * 24 * time.Hour)
			timing.Revoke = created.Add(100*24*time.Hour + 500*time.Millisecond)
			s = s.WithTiming(timing)
			require.Equal(t, created.Add(100*24*time.Hour), s.Timing().Revoke, "truncated to seconds")

			dir := t.TempDir()
			kp, pp, err := s.SaveBIND(dir, localbackend.SaveOptions{})
			require.NoError(t, err)
			base := filepath.Join(dir, localbackend.FileBase("example.org.", a.alg, s.KeyTag()))
			require.Equal(t, base+".key", kp)
			require.Equal(t, base+".private", pp)

			fi, err := os.Stat(pp)
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
			fi, err = os.Stat(kp)
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o644), fi.Mode().Perm())
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, entries, 2, "no temporary files left behind")

			for _, p := range []string{kp, pp, base} {
				l, err := localbackend.LoadBIND(p, localbackend.Options{})
				require.NoError(t, err, p)
				require.Equal(t, s.DNSKEY().String(), l.DNSKEY().String())
				require.Equal(t, uint32(7200), l.DNSKEY().Hdr.Ttl)
				require.Equal(t, s.KeyTag(), l.KeyTag())
				require.Equal(t, s.Timing(), l.Timing())
				require.True(t, s.CryptoSigner().(privateKey).Equal(l.CryptoSigner()))
			}
			l, err := localbackend.LoadBIND(base, localbackend.Options{TTL: 60, Deterministic: true})
			require.NoError(t, err)
			require.Equal(t, uint32(60), l.DNSKEY().Hdr.Ttl)
			require.True(t, l.Deterministic())

			kb, err := os.ReadFile(kp)
			require.NoError(t, err)
			require.Contains(t, string(kb), "; This is a zone-signing key, keyid ")
			require.Contains(t, string(kb), "; Inactive: 20250830120000 (Sat Aug 30 12:00:00 2025)")
			pb, err := os.ReadFile(pp)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(pb), "Private-key-format: v1.3\n"))
			require.Contains(t, string(pb), "\nRevoke: 20250909120000\n")
		})
	}
}

func TestSaveBINDNoClobber(t *testing.T) {
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	other, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)

	t.Run("both exist", func(t *testing.T) {
		dir := t.TempDir()
		kp, pp, err := s.SaveBIND(dir, localbackend.SaveOptions{})
		require.NoError(t, err)
		before, err := os.ReadFile(pp)
		require.NoError(t, err)
		_, _, err = s.SaveBIND(dir, localbackend.SaveOptions{})
		require.ErrorIs(t, err, fs.ErrExist)
		require.ErrorContains(t, err, pp)
		after, err := os.ReadFile(pp)
		require.NoError(t, err)
		require.Equal(t, before, after)

		// With Overwrite the files are replaced (same name, other timing).
		s2 := s.WithTiming(localbackend.Timing{Created: time.Unix(1e9, 0)})
		kp2, pp2, err := s2.SaveBIND(dir, localbackend.SaveOptions{Overwrite: true})
		require.NoError(t, err)
		require.Equal(t, kp, kp2)
		require.Equal(t, pp, pp2)
		l, err := localbackend.LoadBIND(kp, localbackend.Options{})
		require.NoError(t, err)
		require.Equal(t, time.Unix(1e9, 0).UTC(), l.Timing().Created)
		fi, err := os.Stat(pp)
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	})
	t.Run("only the key file exists", func(t *testing.T) {
		dir := t.TempDir()
		kp := filepath.Join(dir, localbackend.FileBase(s.Owner(), s.Algorithm(), s.KeyTag())+".key")
		require.NoError(t, os.WriteFile(kp, []byte("mine"), 0o644))
		_, _, err := s.SaveBIND(dir, localbackend.SaveOptions{})
		require.ErrorIs(t, err, fs.ErrExist)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "no .private written")
		b, err := os.ReadFile(kp)
		require.NoError(t, err)
		require.Equal(t, "mine", string(b))
	})
	t.Run("missing directory", func(t *testing.T) {
		_, _, err := other.SaveBIND(filepath.Join(t.TempDir(), "nope"), localbackend.SaveOptions{})
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
	})
}

func TestLoadBINDMismatch(t *testing.T) {
	dir := t.TempDir()
	a, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	b, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	c, err := localbackend.Generate(localbackend.ED25519, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	akey, apriv, err := a.SaveBIND(dir, localbackend.SaveOptions{})
	require.NoError(t, err)
	_, bpriv, err := b.SaveBIND(dir, localbackend.SaveOptions{})
	require.NoError(t, err)
	_, cpriv, err := c.SaveBIND(dir, localbackend.SaveOptions{})
	require.NoError(t, err)

	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(to, data, 0o600))
	}
	copyFile(bpriv, apriv)
	_, err = localbackend.LoadBIND(akey, localbackend.Options{})
	require.ErrorIs(t, err, localbackend.ErrKeyMismatch)
	require.ErrorContains(t, err, apriv)
	require.ErrorContains(t, err, akey)
	require.ErrorContains(t, err, "does not derive the public key")

	copyFile(cpriv, apriv)
	_, err = localbackend.LoadBIND(akey, localbackend.Options{})
	require.ErrorIs(t, err, localbackend.ErrKeyMismatch)
	require.ErrorContains(t, err, "algorithm 15 in "+apriv+" but 13 in "+akey)

	_, err = localbackend.LoadBIND(filepath.Join(dir, "Knothere.+013+00001"), localbackend.Options{})
	require.ErrorIs(t, err, fs.ErrNotExist)
}

const (
	validKey13  = "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n"
	validPriv13 = "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n"
)

func TestParseBINDPrivateErrors(t *testing.T) {
	long := "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n" + strings.Repeat("; padding\n", 7000)
	cases := []struct {
		name, priv string
		is         error
		msg        string
	}{
		{"empty", "", localbackend.ErrMalformed, "no \"Private-key-format\" line"},
		{"only comments", "; nothing\n\n", localbackend.ErrMalformed, "no \"Private-key-format\" line"},
		{"no format line", "Algorithm: 13\nPrivateKey: AAAA\n", localbackend.ErrMalformed, "line 1: want \"Private-key-format: v1.x\" first"},
		{"format v2", "Private-key-format: v2.0\nAlgorithm: 13\n", localbackend.ErrMalformed, "only v1.x is understood"},
		{"format without v", "Private-key-format: 1.3\n", localbackend.ErrMalformed, "does not start with \"v\""},
		{"format without minor", "Private-key-format: v1\n", localbackend.ErrMalformed, "not vMAJOR.MINOR"},
		{"format garbage", "Private-key-format: v1.x\n", localbackend.ErrMalformed, "not vMAJOR.MINOR"},
		{"no algorithm", "Private-key-format: v1.3\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n", localbackend.ErrMalformed, "no Algorithm line"},
		{"empty algorithm", "Private-key-format: v1.3\nAlgorithm:\n", localbackend.ErrMalformed, "line 2: empty Algorithm"},
		{"algorithm not a number", "Private-key-format: v1.3\nAlgorithm: ECDSAP256SHA256\n", localbackend.ErrMalformed, "line 2: Algorithm \"ECDSAP256SHA256\" is not a number"},
		{"algorithm 300", "Private-key-format: v1.3\nAlgorithm: 300\n", localbackend.ErrMalformed, "not a number from 0 to 255"},
		{"RSA", "Private-key-format: v1.3\nAlgorithm: 8 (RSASHA256)\nModulus: AAAA\n", localbackend.ErrUnsupportedAlgorithm, "unsupported algorithm 8"},
		{"no private key", "Private-key-format: v1.3\nAlgorithm: 13\n", localbackend.ErrMalformed, "no PrivateKey line"},
		{"bad base64", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: not*base64\n", localbackend.ErrMalformed, "line 3: PrivateKey is not base64"},
		{"empty private key", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey:\n", localbackend.ErrMalformed, "line 3: PrivateKey is not base64"},
		{"repeated tag", validPriv13 + "privatekey: AAAA\n", localbackend.ErrMalformed, "line 4: repeated tag \"privatekey\""},
		{"line without colon", validPriv13 + "garbage\n", localbackend.ErrMalformed, "line 4: want \"Tag: value\""},
		{"bad time", validPriv13 + "Created: 2026-01-01\n", localbackend.ErrMalformed, "line 4: Created \"2026-01-01\" is not YYYYMMDDHHMMSS"},
		{"HSM label", validPriv13 + "Label: pkcs11:object=foo\n", localbackend.ErrUnsupportedAlgorithm, "held by a cryptographic engine or HSM"},
		{"scalar too long", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: " + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n", localbackend.ErrMalformed, "PrivateKey is 33 bytes, want 32"},
		{"zero scalar", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: AAAA\n", localbackend.ErrMalformed, "algorithm 13 PrivateKey"},
		{"scalar above order", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: " + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\xff", 32))) + "\n", localbackend.ErrMalformed, "algorithm 13 PrivateKey"},
		{"algorithm differs from key file", "Private-key-format: v1.3\nAlgorithm: 14\nPrivateKey: AAAA\n", localbackend.ErrKeyMismatch, "algorithm 14 in the .private file but 13 in the .key file"},
		{"other key", "Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: AQ==\n", localbackend.ErrKeyMismatch, "the private key in the .private file does not derive the public key in the .key file"},
		{"too large", long, localbackend.ErrMalformed, "larger than 65536 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.ParseBIND([]byte(validKey13), []byte(c.priv), localbackend.Options{})
			require.Nil(t, s)
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.msg)
			require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
		})
	}
	t.Run("Ed25519 seed length", func(t *testing.T) {
		key := "example.com. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n"
		priv := "Private-key-format: v1.2\nAlgorithm: 15\nPrivateKey: " + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n"
		_, err := localbackend.ParseBIND([]byte(key), []byte(priv), localbackend.Options{})
		require.ErrorIs(t, err, localbackend.ErrMalformed)
		require.ErrorContains(t, err, "Ed25519 PrivateKey is 31 bytes, want 32")
	})
}

func TestParseBINDKeyFileErrors(t *testing.T) {
	cases := []struct {
		name, key string
		is        error
		msg       string
	}{
		{"empty", "", localbackend.ErrMalformed, "no DNSKEY record"},
		{"comments only", "; This is a key-signing key\n", localbackend.ErrMalformed, "no DNSKEY record"},
		{"A record", "example.net. IN A 192.0.2.1\n", localbackend.ErrMalformed, "a A record, want DNSKEY"},
		{"two keys", validKey13 + validKey13, localbackend.ErrMalformed, "more than one DNSKEY record"},
		{"syntax", "example.net. IN DNSKEY 257 3\n", localbackend.ErrMalformed, "the .key file: malformed key: dns:"},
		{"bad base64", "example.net. IN DNSKEY 257 3 13 ****\n", localbackend.ErrMalformed, "public key is not base64"},
		{"protocol", "example.net. IN DNSKEY 257 4 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n", localbackend.ErrMalformed, "DNSKEY protocol 4, want 3"},
		{"RSA key", "example.net. IN DNSKEY 257 3 8 AwEAAQ==\n", localbackend.ErrUnsupportedAlgorithm, "unsupported algorithm 8"},
		{"include", "$INCLUDE /etc/passwd\n", localbackend.ErrMalformed, "dns:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.ParseBIND([]byte(c.key), []byte(validPriv13), localbackend.Options{})
			require.Nil(t, s)
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.msg)
			require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
		})
	}
}

func TestParseBINDLenient(t *testing.T) {
	s, err := localbackend.ParseBIND([]byte(validKey13), []byte(validPriv13), localbackend.Options{})
	require.NoError(t, err)
	want := s.DNSKEY().String()
	cases := []struct{ name, key, priv string }{
		{"CRLF, comments, case, spaces, unknown tags",
			"; comment\r\n$TTL 3600\r\nexample.net. IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb\r\n krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== ) ; {id = 55648 (ksk), size = 256b}\r\n",
			"; comment\r\n\r\nprivate-key-format:   v1.4 \r\nALGORITHM: 13\r\nPrivateKey: GU6SnQ/Ou+xC5Rum uIUIuJZteXT2z0O/ok1s38Et6mQ=\r\nMaxTTL: 86400\r\nSuccessor: 12345\r\n"},
		{"relative owner", "example.net IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n", validPriv13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.ParseBIND([]byte(c.key), []byte(c.priv), localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, want, s.DNSKEY().String())
		})
	}
	// ldns writes the ECDSA scalar without leading zero octets.
	t.Run("short scalar", func(t *testing.T) {
		d := make([]byte, 32)
		d[31] = 7
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
		require.NoError(t, err)
		s, err := localbackend.New(priv, "example.", signer.FlagsZSK, localbackend.Options{})
		require.NoError(t, err)
		kf, _, err := s.MarshalBIND()
		require.NoError(t, err)
		pf := "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: Bw==\n"
		l, err := localbackend.ParseBIND(kf, []byte(pf), localbackend.Options{})
		require.NoError(t, err)
		require.Equal(t, s.DNSKEY().PublicKey, l.DNSKEY().PublicKey)
	})
}

func TestFileBase(t *testing.T) {
	cases := []struct {
		owner string
		alg   uint8
		tag   uint16
		want  string
	}{
		{"example.com.", 13, 38475, "Kexample.com.+013+38475"},
		{"example.com", 13, 38475, "Kexample.com.+013+38475"},
		{"Example.COM.", 15, 7, "Kexample.com.+015+00007"},
		{".", 13, 63535, "K.+013+63535"},
		{"", 13, 1, "K.+013+00001"},
		// As dnssec-keygen 9.18 names the key of A/b_c\032x~.Example.
		{`A/b_c\032x~.Example`, 13, 35202, "Ka%2Fb_c%20x%7E.example.+013+35202"},
		{`a\.b.example.`, 14, 1, "Ka%2Eb.example.+014+00001"},
		{"../../etc/passwd", 13, 1, "K..%2F..%2Fetc%2Fpasswd.+013+00001"},
		{"a..b", 13, 1, "Ka..b.+013+00001"},
	}
	for _, c := range cases {
		t.Run(c.owner, func(t *testing.T) {
			got := localbackend.FileBase(c.owner, c.alg, c.tag)
			require.Equal(t, c.want, got)
			require.NotContains(t, got, "/")
		})
	}
}

func TestMarshalBINDGolden(t *testing.T) {
	s, err := localbackend.LoadBIND("testdata/rfc/Kexample.net.+013+55648", localbackend.Options{})
	require.NoError(t, err)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s = s.WithTiming(localbackend.Timing{Created: at, Publish: at, Activate: at.Add(24 * time.Hour)})
	kf, pf, err := s.MarshalBIND()
	require.NoError(t, err)
	base := filepath.Join("testdata", "golden", localbackend.FileBase(s.Owner(), s.Algorithm(), s.KeyTag()))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(base), 0o755))
		require.NoError(t, os.WriteFile(base+".key", kf, 0o644))
		require.NoError(t, os.WriteFile(base+".private", pf, 0o600))
	}
	wantK, err := os.ReadFile(base + ".key")
	require.NoError(t, err)
	wantP, err := os.ReadFile(base + ".private")
	require.NoError(t, err)
	require.Equal(t, string(wantK), string(kf))
	require.Equal(t, string(wantP), string(pf))
}
