package localbackend_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

func TestPEMRoundTrip(t *testing.T) {
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			s, err := localbackend.Generate(a.alg, "example.", signer.FlagsKSK, localbackend.Options{})
			require.NoError(t, err)
			b, err := s.MarshalPEM()
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----\n"))
			p, err := localbackend.ParsePEM(b, "example.", signer.FlagsKSK, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, s.DNSKEY().String(), p.DNSKEY().String())
			require.Equal(t, s.KeyTag(), p.KeyTag())

			// The same key as a ZSK of another zone.
			z, err := localbackend.ParsePEM(b, "other.example.", signer.FlagsZSK, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, s.DNSKEY().PublicKey, z.DNSKEY().PublicKey)
			require.Equal(t, "other.example.", z.Owner())
			require.Equal(t, signer.FlagsZSK, z.Flags())

			path := filepath.Join(t.TempDir(), "key.pem")
			require.NoError(t, os.WriteFile(path, b, 0o600))
			l, err := localbackend.LoadPEM(path, "example.", signer.FlagsKSK, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, s.DNSKEY().String(), l.DNSKEY().String())
		})
	}
}

// Keys written by OpenSSL load, and derive the public key OpenSSL derived.
func TestLoadOpenSSLPEM(t *testing.T) {
	cases := []struct {
		file string
		alg  uint8
	}{
		{"p256-pkcs8", localbackend.ECDSAP256SHA256},
		{"p256-sec1", localbackend.ECDSAP256SHA256},
		{"p384-pkcs8", localbackend.ECDSAP384SHA384},
		{"ed25519-pkcs8", localbackend.ED25519},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s, err := localbackend.LoadPEM(filepath.Join("testdata", "pem", c.file+".pem"), "example.com", signer.FlagsKSK, localbackend.Options{})
			require.NoError(t, err)
			require.Equal(t, c.alg, s.Algorithm())
			pb, err := os.ReadFile(filepath.Join("testdata", "pem", c.file+".pub.pem"))
			require.NoError(t, err)
			block, _ := pem.Decode(pb)
			require.NotNil(t, block)
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			require.NoError(t, err)
			require.True(t, pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(s.Public()))
			checkSigner(t, s)
		})
	}
}

func TestParsePEMErrors(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "pem", name))
		require.NoError(t, err)
		return string(b)
	}
	cert := "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	cases := []struct {
		name, pem string
		is        error
		msg       string
	}{
		{"empty", "", localbackend.ErrMalformed, "no PEM private key block"},
		{"not PEM", "hello", localbackend.ErrMalformed, "no PEM private key block"},
		{"only parameters", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", localbackend.ErrMalformed, "no PEM private key block"},
		{"certificate", cert, localbackend.ErrMalformed, "PEM block \"CERTIFICATE\" is not a PKCS#8 or EC private key"},
		{"encrypted PKCS#8", read("p256-encrypted.pem"), localbackend.ErrMalformed, "encrypted PKCS#8 keys are not supported"},
		{"legacy encrypted", "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END EC PRIVATE KEY-----\n", localbackend.ErrMalformed, "encrypted PEM keys are not supported"},
		{"garbage PKCS#8", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", localbackend.ErrMalformed, "PEM PRIVATE KEY"},
		{"garbage SEC 1", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", localbackend.ErrMalformed, "PEM EC PRIVATE KEY"},
		{"RSA", read("rsa-pkcs8.pem"), localbackend.ErrUnsupportedAlgorithm, "*rsa.PrivateKey"},
		{"P-521", read("p521-pkcs8.pem"), localbackend.ErrUnsupportedAlgorithm, "ECDSA curve P-521"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := localbackend.ParsePEM([]byte(c.pem), "example.", signer.FlagsKSK, localbackend.Options{})
			require.Nil(t, s)
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.msg)
			require.True(t, strings.HasPrefix(err.Error(), "localbackend: "), err.Error())
		})
	}
	t.Run("bad owner", func(t *testing.T) {
		_, err := localbackend.ParsePEM([]byte(read("p256-pkcs8.pem")), "a..b", signer.FlagsKSK, localbackend.Options{})
		require.ErrorContains(t, err, "bad owner name")
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := localbackend.LoadPEM(filepath.Join(t.TempDir(), "none.pem"), "example.", signer.FlagsKSK, localbackend.Options{})
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}
