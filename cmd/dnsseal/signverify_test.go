package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// corruptingSigner flips a bit in its n-th signature; it signs one RRset
// at a time, batchCorrupter in batches.
type corruptingSigner struct {
	s     *localbackend.Signer
	n     int64
	count atomic.Int64
}

func (c *corruptingSigner) Algorithm() uint8    { return c.s.Algorithm() }
func (c *corruptingSigner) DNSKEY() *dns.DNSKEY { return c.s.DNSKEY() }

func (c *corruptingSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	sig, err := c.s.Sign(ctx, data)
	if err == nil && c.count.Add(1) == c.n {
		sig[50] ^= 4
	}
	return sig, err
}

type batchCorrupter struct{ *corruptingSigner }

func (c batchCorrupter) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	return c.s.SignDigest(ctx, digest)
}

func (c batchCorrupter) SignDigests(ctx context.Context, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	if err := c.s.SignDigests(ctx, digests, sigs, hints); err != nil {
		return err
	}
	for i := range sigs {
		if c.count.Add(1) == c.n {
			sigs[i][50] ^= 4
		}
	}
	return nil
}

// The whole-zone validation that "dnsseal sign" runs by default catches a
// signer that returns a bad signature, whether it signs one RRset at a
// time or in batches with hints, and nothing is written.
func TestSignValidatorCatchesBadSignatures(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(map[bool]string{false: "one at a time", true: "batch"}[batch], func(t *testing.T) {
			var keys []*signer.Key
			var zsk *corruptingSigner
			for _, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
				s, err := localbackend.Generate(dns.ECDSAP256SHA256, "example.com.", flags, localbackend.Options{Deterministic: true})
				require.NoError(t, err)
				var sg signer.Signer = s
				if flags == signer.FlagsZSK {
					c := &corruptingSigner{s: s, n: 7}
					sg, zsk = c, c
					if batch {
						sg = batchCorrupter{c}
					}
				}
				_, isBatch := sg.(signer.BatchSigner)
				require.Equal(t, batch || flags == signer.FlagsKSK, isBatch)
				k, err := signer.NewKey(sg, 0)
				require.NoError(t, err)
				keys = append(keys, k)
			}
			now := time.Now()
			opts := zonesign.Options{Origin: "example.com.", Keys: keys, Now: now, Validator: zoneValidator(now)}
			dir := t.TempDir()
			out := filepath.Join(dir, "signed")
			_, err := zonesign.SignFile(context.Background(), exampleZone, out, opts)
			var ze *validate.ZoneError
			require.ErrorAs(t, err, &ze)
			require.True(t, ze.Result.Has(validate.ReasonBadSignature), "%v", err)
			_, serr := os.Stat(out)
			require.True(t, os.IsNotExist(serr), "no output")

			// without the fault, the same keys sign a zone that validates
			zsk.n = 0
			_, err = zonesign.SignFile(context.Background(), exampleZone, out, opts)
			require.NoError(t, err)
			code, stdout, _ := cli(t, "", "verify", "-zone", out)
			require.Equal(t, exitOK, code, stdout)
		})
	}
}

func TestPrintFindings(t *testing.T) {
	res := &validate.ZoneResult{Origin: "example.com.", Status: validate.ZoneBogus, Errors: 3}
	for i := range 3 {
		res.Findings = append(res.Findings, validate.ZoneFinding{
			Owner: fmt.Sprintf("n%d.example.com.", i), Type: dns.TypeA, KeyTag: 7, Algorithm: 13,
			Reason: validate.ReasonBadSignature, Severity: validate.SeverityError,
		})
	}
	var b strings.Builder
	printFindings(&b, res, 2)
	out := b.String()
	require.Contains(t, out, "does not validate, nothing written: example.com.: bogus")
	require.Contains(t, out, "n0.example.com. A")
	require.Contains(t, out, "n1.example.com. A")
	require.NotContains(t, out, "n2.example.com.")
	require.Contains(t, out, "... and 1 more findings")
}
