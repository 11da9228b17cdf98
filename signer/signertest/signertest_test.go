package signertest_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"filippo.io/nistec"
	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/signer/signertest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func newP256(t *testing.T) signer.DigestSigner {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := signer.FromCryptoSigner(k, "example.com.", signer.FlagsZSK)
	require.NoError(t, err)
	return s
}

func TestRun(t *testing.T) {
	signertest.Run(t, func(t *testing.T) signer.Signer { return newP256(t) })
}

// broken wraps a correct Signer and breaks one part of the contract.
type broken struct {
	signer.DigestSigner
	how   string
	calls atomic.Uint32
}

func (b *broken) Algorithm() uint8 {
	if b.how == "algorithm" {
		return 14
	}
	return b.DigestSigner.Algorithm()
}

func (b *broken) DNSKEY() *dns.DNSKEY {
	k := *b.DigestSigner.DNSKEY()
	switch b.how {
	case "protocol":
		k.Protocol = 2
	case "flags":
		k.Flags = signer.FlagSEP
	case "unstable-dnskey":
		k.Hdr.Ttl = b.calls.Add(1)
	}
	return &k
}

func (b *broken) Sign(ctx context.Context, data []byte) ([]byte, error) {
	switch b.how {
	case "ignores-context":
		ctx = context.Background()
	case "mutates-input":
		if len(data) > 0 {
			data[0] ^= 1
		}
	case "signs-other-data":
		data = append(bytes.Clone(data), 0)
	case "fails-on-large-data":
		if len(data) > 4096 {
			return nil, context.Canceled
		}
	}
	sig, err := b.DigestSigner.Sign(ctx, data)
	if err == nil && b.how == "short-signature" {
		sig = sig[1:]
	}
	return sig, err
}

func (b *broken) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	switch b.how {
	case "digest-rehashed":
		h := sha256.Sum256(digest)
		digest = h[:]
	case "digest-any-length":
		if len(digest) != sha256.Size {
			h := sha256.Sum256(digest)
			digest = h[:]
		}
	}
	return b.DigestSigner.SignDigest(ctx, digest)
}

// TestBrokenSignerHelper runs the suite against a broken Signer when
// started by TestRunCatchesBrokenSigners; otherwise it does nothing.
func TestBrokenSignerHelper(t *testing.T) {
	how := os.Getenv("SIGNERTEST_BROKEN")
	if how == "" {
		t.Skip("run by TestRunCatchesBrokenSigners")
	}
	signertest.Run(t, func(t *testing.T) signer.Signer {
		b := &broken{DigestSigner: newP256(t), how: how}
		if strings.HasPrefix(how, "batch-") {
			return &brokenBatch{b}
		}
		return b
	})
}

// brokenBatch is a BatchSigner that signs one digest at a time and
// computes each hint from the signature (p256.PublicKey.Hint), broken as
// its how says.
type brokenBatch struct{ *broken }

func (b *brokenBatch) SignDigests(ctx context.Context, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	if b.how != "batch-ignores-context" && ctx.Err() != nil {
		return ctx.Err()
	}
	if b.how != "batch-any-length" && (len(sigs) != len(digests) || hints != nil && len(hints) != len(digests)) {
		return errors.New("lengths differ")
	}
	raw, err := base64.StdEncoding.DecodeString(b.DNSKEY().PublicKey)
	if err != nil {
		return err
	}
	pub, err := p256.NewPublicKey(raw)
	if err != nil {
		return err
	}
	for i := range min(len(digests), len(sigs)) {
		sig, err := b.DigestSigner.SignDigest(context.Background(), digests[i][:])
		if err != nil {
			return err
		}
		copy(sigs[i][:], sig)
		if b.how == "batch-bad-signature" && i == 1 {
			sigs[i][40] ^= 1
		}
		if i >= len(hints) {
			continue
		}
		h, ok := pub.Hint(digests[i][:], sig)
		if !ok {
			return errors.New("no hint for a signature just made")
		}
		if b.how == "batch-bad-hint" && i == 2 {
			copy(h[:], nistec.NewP256Point().SetGenerator().Bytes())
		}
		hints[i] = h
	}
	return nil
}

// TestRunCatchesBrokenSigners checks that each kind of broken Signer
// fails the suite, in the subtest that is meant to catch it.
func TestRunCatchesBrokenSigners(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	tests := []struct {
		how      string
		failures []string
	}{
		{"algorithm", []string{"Algorithm"}},
		{"protocol", []string{"DNSKEY"}},
		{"flags", []string{"DNSKEY"}},
		{"unstable-dnskey", []string{"DNSKEY"}},
		{"ignores-context", []string{"CanceledContext"}},
		{"mutates-input", []string{"InputUnchanged"}},
		{"signs-other-data", []string{"Verify", "Concurrent", "EmptyAndLargeData", "RRSIG"}},
		{"short-signature", []string{"SignatureLength", "Verify"}},
		{"fails-on-large-data", []string{"EmptyAndLargeData"}},
		{"digest-rehashed", []string{"DigestSigner"}},
		{"digest-any-length", []string{"DigestSigner"}},
		{"batch-bad-signature", []string{"BatchSigner"}},
		{"batch-bad-hint", []string{"BatchSigner"}},
		{"batch-ignores-context", []string{"BatchSigner"}},
		{"batch-any-length", []string{"BatchSigner"}},
	}
	for _, tt := range tests {
		t.Run(tt.how, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenSignerHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "SIGNERTEST_BROKEN="+tt.how)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a Signer broken by %s:\n%s", tt.how, out)
			for _, sub := range tt.failures {
				require.Contains(t, string(out), "--- FAIL: TestBrokenSignerHelper/"+sub+" ", "output:\n%s", out)
			}
			require.NotContains(t, string(out), "panic:")
			require.True(t, strings.Contains(string(out), "--- PASS: TestBrokenSignerHelper/"), "every check failed:\n%s", out)
		})
	}
}
