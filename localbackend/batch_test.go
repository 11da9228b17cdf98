package localbackend_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"filippo.io/nistec"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/internal/cputime"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

// p256Order is n, the order of the P-256 base point.
var p256Order, _ = new(big.Int).SetString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)

func batchDigests(t testing.TB, count int) [][32]byte {
	t.Helper()
	d := make([][32]byte, count)
	for i := range d {
		d[i] = sha256.Sum256(fmt.Appendf(nil, "rrset %d", i))
	}
	return d
}

// checkBatchOutput requires every signature to verify over its digest
// and every hint to be a point of P-256 whose x coordinate mod n is r.
func checkBatchOutput(t *testing.T, pub *ecdsa.PublicKey, digests [][32]byte, sigs [][64]byte, hints [][65]byte) {
	t.Helper()
	for i := range digests {
		r := new(big.Int).SetBytes(sigs[i][:32])
		s := new(big.Int).SetBytes(sigs[i][32:])
		require.True(t, ecdsa.Verify(pub, digests[i][:], r, s), "signature %d", i)
		if hints == nil {
			continue
		}
		_, err := nistec.NewP256Point().SetBytes(hints[i][:])
		require.NoError(t, err, "hint %d is not a point of P-256", i)
		x := new(big.Int).SetBytes(hints[i][1:33])
		require.Zero(t, x.Mod(x, p256Order).Cmp(r), "hint %d: x(R) mod n != r", i)
	}
}

func TestSignDigestsDeterministic(t *testing.T) {
	ctx := context.Background()
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	require.NoError(t, err)
	var bs signer.BatchSigner = s
	for _, size := range []int{0, 1, 2, 3, 64, 65, 150} {
		for _, withHints := range []bool{false, true} {
			t.Run(fmt.Sprintf("size=%d/hints=%t", size, withHints), func(t *testing.T) {
				digests := batchDigests(t, size)
				sigs := make([][64]byte, size)
				var hints [][65]byte
				if withHints {
					hints = make([][65]byte, size)
				}
				require.NoError(t, bs.SignDigests(ctx, digests, sigs, hints))
				for i := range digests {
					want, err := s.SignDigest(ctx, digests[i][:])
					require.NoError(t, err)
					require.Equal(t, want, sigs[i][:], "signature %d", i)
				}
				checkBatchOutput(t, s.Public().(*ecdsa.PublicKey), digests, sigs, hints)
			})
		}
	}
}

func TestSignDigestsRFC6979(t *testing.T) {
	// RFC 6979 A.2.5, P-256, message "sample", through SignDigests.
	x, ok := new(big.Int).SetString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", 16)
	require.True(t, ok)
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), x.FillBytes(make([]byte, 32)))
	require.NoError(t, err)
	s, err := localbackend.New(priv, "example.", signer.FlagsKSK, localbackend.Options{Deterministic: true})
	require.NoError(t, err)
	d := sha256.Sum256([]byte("sample"))
	digests := [][32]byte{d, d, d}
	sigs := make([][64]byte, 3)
	require.NoError(t, s.SignDigests(context.Background(), digests, sigs, make([][65]byte, 3)))
	for _, sig := range sigs {
		require.Equal(t, "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"+
			"f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", fmt.Sprintf("%x", sig))
	}
}

func TestSignDigestsHedged(t *testing.T) {
	ctx := context.Background()
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	for _, size := range []int{1, 2, 3, 70} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			digests := batchDigests(t, size)
			sigs := make([][64]byte, size)
			hints := make([][65]byte, size)
			require.NoError(t, s.SignDigests(ctx, digests, sigs, hints))
			checkBatchOutput(t, s.Public().(*ecdsa.PublicKey), digests, sigs, hints)

			again := make([][64]byte, size)
			require.NoError(t, s.SignDigests(ctx, digests, again, nil))
			checkBatchOutput(t, s.Public().(*ecdsa.PublicKey), digests, again, nil)
			for i := range sigs {
				require.NotEqual(t, sigs[i], again[i], "randomized signatures repeat")
			}
		})
	}
}

func TestSignDigestsErrors(t *testing.T) {
	ctx := context.Background()
	p256, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	require.NoError(t, err)
	three := batchDigests(t, 3)

	for _, a := range algs[1:] {
		t.Run(a.name, func(t *testing.T) {
			s, err := localbackend.Generate(a.alg, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
			require.NoError(t, err)
			err = s.SignDigests(ctx, three, make([][64]byte, 3), nil)
			require.ErrorIs(t, err, localbackend.ErrUnsupportedAlgorithm)
			require.ErrorContains(t, err, "only algorithm 13")
		})
	}

	lengths := []struct {
		name  string
		sigs  int
		hints int // -1: nil
	}{
		{"fewer sigs", 2, -1},
		{"more sigs", 4, -1},
		{"fewer hints", 3, 2},
		{"more hints", 3, 4},
		{"fewer sigs, right hints", 1, 3},
	}
	for _, tc := range lengths {
		t.Run(tc.name, func(t *testing.T) {
			var hints [][65]byte
			if tc.hints >= 0 {
				hints = make([][65]byte, tc.hints)
			}
			err := p256.SignDigests(ctx, three, make([][64]byte, tc.sigs), hints)
			require.ErrorContains(t, err, "localbackend: ")
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		for _, size := range []int{0, 1, 100} {
			err := p256.SignDigests(cctx, batchDigests(t, size), make([][64]byte, size), nil)
			require.ErrorIs(t, err, context.Canceled)
		}
	})

	t.Run("cancelled between chunks", func(t *testing.T) {
		c := &countingCtx{Context: ctx, okCalls: 2}
		size := 3 * 64
		err := p256.SignDigests(c, batchDigests(t, size), make([][64]byte, size), nil)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 3, c.calls, "ctx checked at the start and before each chunk")
	})
}

// countingCtx is a context that is done after its Err method has been
// called okCalls times.
type countingCtx struct {
	context.Context
	okCalls, calls int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.calls > c.okCalls {
		return context.Canceled
	}
	return nil
}

func TestSignDigestsConcurrent(t *testing.T) {
	ctx := context.Background()
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	require.NoError(t, err)
	digests := batchDigests(t, 80)
	want := make([][64]byte, len(digests))
	require.NoError(t, s.SignDigests(ctx, digests, want, nil))

	const workers = 6
	got := make([][][64]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			got[w] = make([][64]byte, len(digests))
			errs[w] = s.SignDigests(ctx, digests, got[w], make([][65]byte, len(digests)))
		})
	}
	wg.Wait()
	for w := range workers {
		require.NoError(t, errs[w])
		require.Equal(t, want, got[w])
	}
}

// WithTiming copies share the batch key and sign alike.
func TestSignDigestsWithTiming(t *testing.T) {
	s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: true})
	require.NoError(t, err)
	c := s.WithTiming(localbackend.Timing{})
	digests := batchDigests(t, 5)
	a, b := make([][64]byte, 5), make([][64]byte, 5)
	require.NoError(t, s.SignDigests(context.Background(), digests, a, nil))
	require.NoError(t, c.SignDigests(context.Background(), digests, b, nil))
	require.Equal(t, a, b)
}

// BenchmarkSignDigests compares SignDigests on batches of 64 with
// SignDigest, for RFC 6979 and hedged keys. ns/sig and cpu-ns/sig are per
// signature; cpu-ns/sig is process CPU time (all threads, GC included),
// the figure that holds on a loaded machine.
func BenchmarkSignDigests(b *testing.B) {
	ctx := context.Background()
	for _, det := range []bool{true, false} {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{Deterministic: det})
		if err != nil {
			b.Fatal(err)
		}
		name := "hedged"
		if det {
			name = "RFC6979"
		}
		b.Run(name+"/batch=64", func(b *testing.B) {
			digests := batchDigests(b, 64)
			sigs := make([][64]byte, 64)
			hints := make([][65]byte, 64)
			b.ReportAllocs()
			defer cputime.Start().ReportPer(b, 64, "sig")
			for b.Loop() {
				if err := s.SignDigests(ctx, digests, sigs, hints); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/SignDigest", func(b *testing.B) {
			d := batchDigests(b, 1)[0]
			b.ReportAllocs()
			defer cputime.Start().ReportPer(b, 1, "sig")
			for b.Loop() {
				if _, err := s.SignDigest(ctx, d[:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
