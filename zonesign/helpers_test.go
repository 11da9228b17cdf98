package zonesign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// detSigner makes RFC 6979 deterministic ECDSA signatures: ecdsa's Sign
// with a nil io.Reader (Go 1.24+), whatever reader it is given.
type detSigner struct{ *ecdsa.PrivateKey }

func (d detSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.PrivateKey.Sign(nil, digest, opts)
}

// testKey returns a deterministic P-256 key for origin derived from seed.
func testKey(t testing.TB, origin, seed string, flags uint16) *signer.Key {
	t.Helper()
	d := sha256.Sum256([]byte(seed))
	d[0] &= 0x7f // below the group order
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	require.NoError(t, err)
	s, err := signer.FromCryptoSigner(detSigner{priv}, origin, flags)
	require.NoError(t, err)
	k, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	return k
}

func testKeys(t testing.TB, origin string) []*signer.Key {
	return []*signer.Key{
		testKey(t, origin, "ksk "+origin, signer.FlagsKSK),
		testKey(t, origin, "zsk "+origin, signer.FlagsZSK),
	}
}

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func baseOptions(t testing.TB, origin string) Options {
	return Options{
		Keys:       testKeys(t, origin),
		Now:        testNow,
		Inception:  testNow.Add(-time.Hour),
		Expiration: testNow.Add(30 * 24 * time.Hour),
		Jitter:     3 * 24 * time.Hour,
	}
}

// signString signs z and returns the output.
func signString(t testing.TB, z *Zone, opts Options) (string, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Sign(context.Background(), z, opts, &buf)
	require.NoError(t, err)
	return buf.String(), st
}

// parseRecords parses presentation-format output.
func parseRecords(t testing.TB, s string) []dns.RR {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(s), ".", "output")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	require.NoError(t, zp.Err())
	return rrs
}
