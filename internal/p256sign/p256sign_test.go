package p256sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"testing"

	"filippo.io/bigmod"
	"filippo.io/nistec"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/internal/rawsig"
)

// rfc6979Key is the P-256 private key of RFC 6979, Appendix A.2.5.
const rfc6979Key = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(tb, err)
	return b
}

// rawKey parses a big-endian P-256 scalar with crypto/ecdsa.
func rawKey(tb testing.TB, d []byte) *ecdsa.PrivateKey {
	tb.Helper()
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	require.NoError(tb, err)
	return priv
}

// scalar returns v as a 32-byte big-endian string.
func scalar(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }

var n = new(big.Int).SetBytes(orderBytes[:])

// stdlibSign is the reference: crypto/ecdsa's RFC 6979 signature, as r‖s.
func stdlibSign(tb testing.TB, priv *ecdsa.PrivateKey, digest [32]byte) [64]byte {
	tb.Helper()
	der, err := priv.Sign(nil, digest[:], crypto.SHA256)
	require.NoError(tb, err)
	raw, err := rawsig.AppendRaw(nil, der, 32)
	require.NoError(tb, err)
	return [64]byte(raw)
}

// checkHint checks that hint is a point of the curve whose x coordinate
// reduced mod n is r, and that it is u₁·G + u₂·Q with u₁ = e·s⁻¹ and
// u₂ = r·s⁻¹: the R a verifier recomputes.
func checkHint(tb testing.TB, pub *ecdsa.PublicKey, digest [32]byte, sig [64]byte, hint [65]byte) {
	tb.Helper()
	R, err := nistec.NewP256Point().SetBytes(hint[:])
	require.NoError(tb, err, "hint is not a point of P-256")
	x := new(big.Int).SetBytes(hint[1:33])
	require.Equal(tb, 0, x.Mod(x, n).Cmp(new(big.Int).SetBytes(sig[:32])), "x(R) mod n != r")

	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	e := new(big.Int).SetBytes(digest[:])
	w := new(big.Int).ModInverse(s, n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	qb, err := pub.Bytes()
	require.NoError(tb, err)
	Q, err := nistec.NewP256Point().SetBytes(qb)
	require.NoError(tb, err)
	p1, err := nistec.NewP256Point().ScalarBaseMult(scalar(u1))
	require.NoError(tb, err)
	p2, err := nistec.NewP256Point().ScalarMult(Q, scalar(u2))
	require.NoError(tb, err)
	require.Equal(tb, 1, p1.Add(p1, p2).Equal(R), "R != u1·G + u2·Q")
}

// checkBatch signs digests with k in one call and requires every
// signature to equal crypto/ecdsa's, to verify, and every hint to pass
// checkHint.
func checkBatch(tb testing.TB, b *Batch, priv *ecdsa.PrivateKey, digests [][32]byte) {
	tb.Helper()
	k, err := NewKey(priv)
	require.NoError(tb, err)
	sigs := make([][64]byte, len(digests))
	hints := make([][65]byte, len(digests))
	require.NoError(tb, k.Sign(b, digests, sigs, hints))
	for i, d := range digests {
		require.Equal(tb, stdlibSign(tb, priv, d), sigs[i], "signature %d of %d", i, len(digests))
		r := new(big.Int).SetBytes(sigs[i][:32])
		s := new(big.Int).SetBytes(sigs[i][32:])
		require.True(tb, ecdsa.Verify(&priv.PublicKey, d[:], r, s), "signature %d does not verify", i)
		checkHint(tb, &priv.PublicKey, d, sigs[i], hints[i])
	}
	// Without hints, the signatures are the same.
	again := make([][64]byte, len(digests))
	require.NoError(tb, k.Sign(b, digests, again, nil))
	require.Equal(tb, sigs, again)
}

func randomDigests(r io.Reader, count int) [][32]byte {
	d := make([][32]byte, count)
	for i := range d {
		if _, err := io.ReadFull(r, d[i][:]); err != nil {
			panic(err)
		}
	}
	return d
}

func TestRFC6979Vectors(t *testing.T) {
	// RFC 6979, Appendix A.2.5, P-256 with SHA-256.
	tests := []struct {
		name, msg, k, r, s string
	}{
		{
			name: "sample",
			msg:  "sample",
			k:    "a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60",
			r:    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
			s:    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
		},
		{
			name: "test",
			msg:  "test",
			k:    "d16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0",
			r:    "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
			s:    "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
		},
	}
	priv := rawKey(t, unhex(t, rfc6979Key))
	key, err := NewKey(priv)
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			digest := sha256.Sum256([]byte(tc.msg))

			// The nonce itself.
			var e bigmod.Nat
			_, err := e.SetOverflowingBytes(digest[:], order)
			require.NoError(t, err)
			var eb, kb [32]byte
			natBytes(eb[:], &e)
			var g drbg
			var kn bigmod.Nat
			g.nonce(&kn, &kb, &key.d, &eb, nil)
			require.Equal(t, tc.k, hex.EncodeToString(kb[:]))

			sigs := make([][64]byte, 1)
			hints := make([][65]byte, 1)
			require.NoError(t, key.Sign(nil, [][32]byte{digest}, sigs, hints))
			require.Equal(t, tc.r+tc.s, hex.EncodeToString(sigs[0][:]))
			checkHint(t, &priv.PublicKey, digest, sigs[0], hints[0])
		})
	}
}

func TestDifferential(t *testing.T) {
	var b Batch // one Batch for every key and size: reuse must not leak state
	src := mrand.NewChaCha8([32]byte{'p', '2', '5', '6'})
	keys := 3
	if testing.Short() {
		keys = 1
	}
	for _, size := range []int{1, 2, 7, 64, 65, 300} {
		for kn := range keys {
			t.Run(fmt.Sprintf("size=%d/key=%d", size, kn), func(t *testing.T) {
				priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				require.NoError(t, err)
				checkBatch(t, &b, priv, randomDigests(src, size))
			})
		}
	}
}

func TestSameDigestTwice(t *testing.T) {
	priv := rawKey(t, unhex(t, rfc6979Key))
	d := sha256.Sum256([]byte("same"))
	checkBatch(t, nil, priv, [][32]byte{d, d, d})
}

func TestEdgeInputs(t *testing.T) {
	minus := func(k int64) []byte { return scalar(new(big.Int).Sub(n, big.NewInt(k))) }
	one := scalar(big.NewInt(1))
	var zero, ones, nDigest, nPlus1 [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	copy(nDigest[:], orderBytes[:])
	copy(nPlus1[:], scalar(new(big.Int).Add(n, big.NewInt(1))))
	digests := [][32]byte{zero, ones, nDigest, nPlus1, [32]byte(minus(1)), [32]byte(one)}

	tests := []struct {
		name string
		d    []byte
	}{
		{"key=1", one},
		{"key=2", scalar(big.NewInt(2))},
		{"key=n-1", minus(1)},
		{"key=n-2", minus(2)},
		{"key=rfc6979", unhex(t, rfc6979Key)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkBatch(t, nil, rawKey(t, tc.d), digests)
		})
	}
}

func TestEmptyAndMismatched(t *testing.T) {
	key, err := NewKey(rawKey(t, unhex(t, rfc6979Key)))
	require.NoError(t, err)
	three := make([][32]byte, 3)
	tests := []struct {
		name    string
		digests [][32]byte
		sigs    [][64]byte
		hints   [][65]byte
		wantErr bool
	}{
		{"nil", nil, nil, nil, false},
		{"empty", [][32]byte{}, [][64]byte{}, [][65]byte{}, false},
		{"empty with nil hints", [][32]byte{}, [][64]byte{}, nil, false},
		{"fewer sigs", three, make([][64]byte, 2), nil, true},
		{"more sigs", three, make([][64]byte, 4), nil, true},
		{"nil sigs", three, nil, nil, true},
		{"fewer hints", three, make([][64]byte, 3), make([][65]byte, 2), true},
		{"more hints", three, make([][64]byte, 3), make([][65]byte, 4), true},
		{"empty hints", three, make([][64]byte, 3), [][65]byte{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, hedged := range []bool{false, true} {
				var err error
				if hedged {
					err = key.SignHedged(nil, rand.Reader, tc.digests, tc.sigs, tc.hints)
				} else {
					err = key.Sign(nil, tc.digests, tc.sigs, tc.hints)
				}
				if tc.wantErr {
					require.ErrorContains(t, err, "p256sign: ")
				} else {
					require.NoError(t, err)
				}
			}
		})
	}
	t.Run("nil key", func(t *testing.T) {
		var k *Key
		require.Error(t, k.Sign(nil, three, make([][64]byte, 3), nil))
	})
}

func TestNewKeyErrors(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	good := rawKey(t, unhex(t, rfc6979Key))
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	mismatched := &ecdsa.PrivateKey{PublicKey: other.PublicKey, D: good.D}
	zeroD := &ecdsa.PrivateKey{PublicKey: good.PublicKey, D: new(big.Int)}
	bigD := &ecdsa.PrivateKey{PublicKey: good.PublicKey, D: new(big.Int).Set(n)}
	noCurve := &ecdsa.PrivateKey{D: good.D}
	noD := &ecdsa.PrivateKey{PublicKey: good.PublicKey}
	noPoint := &ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: elliptic.P256()}, D: good.D}
	negD := &ecdsa.PrivateKey{PublicKey: good.PublicKey, D: big.NewInt(-1)}

	tests := []struct {
		name string
		priv *ecdsa.PrivateKey
	}{
		{"nil", nil},
		{"P-384", p384},
		{"nil curve", noCurve},
		{"public key of another scalar", mismatched},
		{"d = 0", zeroD},
		{"d = n", bigD},
		{"d = -1", negD},
		{"nil scalar", noD},
		{"nil point", noPoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKey(tc.priv)
			require.ErrorContains(t, err, "p256sign: ")
			require.Nil(t, k)
		})
	}
	t.Run("public", func(t *testing.T) {
		k, err := NewKey(good)
		require.NoError(t, err)
		want, err := good.PublicKey.Bytes()
		require.NoError(t, err)
		pub := k.Public()
		require.Equal(t, want, pub[:])
	})
}

// refDRBG is RFC 6979 §3.2 (with the §3.6 additional data) written with
// crypto/hmac, step by step, as an independent reference for drbg.
type refDRBG struct{ K, V []byte }

func newRefDRBG(x, h, extra []byte) *refDRBG {
	g := &refDRBG{K: make([]byte, 32), V: bytes.Repeat([]byte{1}, 32)}
	mac := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	g.K = mac(g.K, g.V, []byte{0}, x, h, extra)
	g.V = mac(g.K, g.V)
	g.K = mac(g.K, g.V, []byte{1}, x, h, extra)
	g.V = mac(g.K, g.V)
	return g
}

// candidates returns the first count candidate nonces: T after each
// h.2, with the h.3 update between them.
func (g *refDRBG) candidates(count int) [][]byte {
	var out [][]byte
	for range count {
		m := hmac.New(sha256.New, g.K)
		m.Write(g.V)
		g.V = m.Sum(nil)
		out = append(out, g.V)
		m = hmac.New(sha256.New, g.K)
		m.Write(g.V)
		m.Write([]byte{0})
		g.K = m.Sum(nil)
		m = hmac.New(sha256.New, g.K)
		m.Write(g.V)
		g.V = m.Sum(nil)
	}
	return out
}

func TestDRBGAgainstReference(t *testing.T) {
	src := mrand.NewChaCha8([32]byte{'d', 'r', 'b', 'g'})
	var g drbg // reused across cases
	for i := range 20 {
		var x, h, extra [32]byte
		io.ReadFull(src, x[:])
		io.ReadFull(src, h[:])
		io.ReadFull(src, extra[:])
		for _, ex := range [][]byte{nil, extra[:]} {
			t.Run(fmt.Sprintf("case=%d/extra=%t", i, ex != nil), func(t *testing.T) {
				want := newRefDRBG(x[:], h[:], ex).candidates(3)
				g.init(&x, &h, ex)
				for j, w := range want {
					if j > 0 {
						g.reject()
					}
					g.next()
					require.Equal(t, w, g.V[:], "candidate %d", j)
				}
			})
		}
	}
}

func TestAccept(t *testing.T) {
	ones := bytes.Repeat([]byte{0xff}, 32)
	tests := []struct {
		name string
		c    []byte
		want bool
	}{
		{"zero", make([]byte, 32), false},
		{"one", scalar(big.NewInt(1)), true},
		{"n-1", scalar(new(big.Int).Sub(n, big.NewInt(1))), true},
		{"n", orderBytes[:], false},
		{"n+1", scalar(new(big.Int).Add(n, big.NewInt(1))), false},
		{"2^256-1", ones, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var k bigmod.Nat
			require.Equal(t, tc.want, accept(&k, tc.c))
			if tc.want {
				var out [32]byte
				natBytes(out[:], &k)
				require.Equal(t, tc.c, out[:])
			}
		})
	}
}

func TestSignHedged(t *testing.T) {
	priv := rawKey(t, unhex(t, rfc6979Key))
	key, err := NewKey(priv)
	require.NoError(t, err)
	src := mrand.NewChaCha8([32]byte{'h'})
	digests := randomDigests(src, 70) // two chunks
	extra := make([]byte, 32*len(digests))
	io.ReadFull(src, extra)

	var b Batch
	sigs := make([][64]byte, len(digests))
	hints := make([][65]byte, len(digests))
	require.NoError(t, key.SignHedged(&b, bytes.NewReader(extra), digests, sigs, hints))

	d := new(big.Int).SetBytes(unhex(t, rfc6979Key))
	for i, dg := range digests {
		r := new(big.Int).SetBytes(sigs[i][:32])
		s := new(big.Int).SetBytes(sigs[i][32:])
		require.True(t, ecdsa.Verify(&priv.PublicKey, dg[:], r, s))
		checkHint(t, &priv.PublicKey, dg, sigs[i], hints[i])

		// The nonce is RFC 6979 §3.6's with k′ = the 32 bytes read for
		// this signature: R = k·G and s·k = e + r·d.
		e := new(big.Int).SetBytes(dg[:])
		e.Mod(e, n)
		var k *big.Int
		for _, c := range newRefDRBG(unhex(t, rfc6979Key), scalar(e), extra[32*i:32*i+32]).candidates(4) {
			if v := new(big.Int).SetBytes(c); v.Sign() > 0 && v.Cmp(n) < 0 {
				k = v
				break
			}
		}
		require.NotNil(t, k)
		R, err := nistec.NewP256Point().ScalarBaseMult(scalar(k))
		require.NoError(t, err)
		require.Equal(t, R.Bytes(), hints[i][:])
		lhs := new(big.Int).Mul(s, k)
		lhs.Mod(lhs, n)
		rhs := new(big.Int).Mul(r, d)
		rhs.Add(rhs, e)
		rhs.Mod(rhs, n)
		require.Equal(t, 0, lhs.Cmp(rhs), "s·k != e + r·d")

		require.NotEqual(t, stdlibSign(t, priv, dg), sigs[i], "hedged signature equals the RFC 6979 one")
	}

	// The same random bytes give the same signatures; other bytes, others.
	again := make([][64]byte, len(digests))
	require.NoError(t, key.SignHedged(&b, bytes.NewReader(extra), digests, again, nil))
	require.Equal(t, sigs, again)
	require.NoError(t, key.SignHedged(&b, rand.Reader, digests, again, nil))
	for i := range sigs {
		require.NotEqual(t, sigs[i], again[i])
	}

	t.Run("nil rand", func(t *testing.T) {
		require.ErrorContains(t, key.SignHedged(&b, nil, digests, sigs, nil), "nil random source")
	})
	t.Run("short rand", func(t *testing.T) {
		err := key.SignHedged(&b, bytes.NewReader(extra[:100]), digests, sigs, nil)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("failing rand", func(t *testing.T) {
		boom := errors.New("boom")
		err := key.SignHedged(&b, iotestErrReader{boom}, digests, sigs, nil)
		require.ErrorIs(t, err, boom)
	})
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestBatchIsCleared(t *testing.T) {
	key, err := NewKey(rawKey(t, unhex(t, rfc6979Key)))
	require.NoError(t, err)
	var b Batch
	require.NoError(t, key.Sign(&b, randomDigests(rand.Reader, 5), make([][64]byte, 5), nil))
	var zero [32]byte
	require.Equal(t, zero, b.kb)
	require.Equal(t, zero, b.g.K)
	require.Equal(t, zero, b.g.V)
	for i := range b.k {
		for _, l := range b.k[i].Bits() {
			require.Zero(t, l)
		}
		for _, l := range b.pre[i].Bits() {
			require.Zero(t, l)
		}
	}
	for _, l := range b.inv.Bits() {
		require.Zero(t, l)
	}
}

func TestConcurrentUse(t *testing.T) {
	priv := rawKey(t, unhex(t, rfc6979Key))
	key, err := NewKey(priv)
	require.NoError(t, err)
	digests := randomDigests(rand.Reader, 40)
	want := make([][64]byte, len(digests))
	for i, d := range digests {
		want[i] = stdlibSign(t, priv, d)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	got := make([][][64]byte, 4)
	for g := range 4 {
		wg.Go(func() {
			var b Batch
			got[g] = make([][64]byte, len(digests))
			errs[g] = key.Sign(&b, digests, got[g], nil)
		})
	}
	wg.Wait()
	for g := range 4 {
		require.NoError(t, errs[g])
		require.Equal(t, want, got[g])
	}
}

func TestAllocations(t *testing.T) {
	key, err := NewKey(rawKey(t, unhex(t, rfc6979Key)))
	require.NoError(t, err)
	digests := randomDigests(rand.Reader, 2*ChunkSize)
	sigs := make([][64]byte, len(digests))
	hints := make([][65]byte, len(digests))
	var b Batch
	require.NoError(t, key.Sign(&b, digests, sigs, hints)) // warm the scratch up
	allocs := testing.AllocsPerRun(5, func() {
		if err := key.Sign(&b, digests, sigs, hints); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs, "allocations per batch of %d in steady state", len(digests))
}
