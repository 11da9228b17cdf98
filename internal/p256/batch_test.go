package p256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"filippo.io/nistec"
	"github.com/stretchr/testify/require"
)

// batchKey is a P-256 key that signs with nonces of its caller's choice,
// so that tests know each signature's hint R = k·G.
type batchKey struct {
	priv *ecdsa.PrivateKey
	d    *big.Int
	k    *PublicKey
	q    *nistec.P256Point
}

func newBatchKey(t testing.TB, priv *ecdsa.PrivateKey) *batchKey {
	t.Helper()
	if priv == nil {
		var err error
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
	}
	raw, err := priv.Bytes()
	require.NoError(t, err)
	enc, err := priv.PublicKey.Bytes()
	require.NoError(t, err)
	k, err := NewPublicKey(enc[1:])
	require.NoError(t, err)
	q, err := nistec.NewP256Point().SetBytes(enc)
	require.NoError(t, err)
	return &batchKey{priv: priv, d: new(big.Int).SetBytes(raw), k: k, q: q}
}

// signNonce signs digest with nonce k (0 < k < n) by the textbook ECDSA
// equations and returns the signature and the hint k·G, or ok = false
// for the rare nonce giving r = 0 or s = 0.
func (bk *batchKey) signNonce(t testing.TB, digest [32]byte, k *big.Int) (item BatchItem, ok bool) {
	t.Helper()
	var kb [32]byte
	k.FillBytes(kb[:])
	p, err := nistec.NewP256Point().ScalarBaseMult(kb[:])
	require.NoError(t, err)
	copy(item.R[:], p.Bytes())
	r := new(big.Int).SetBytes(item.R[1:33])
	r.Mod(r, order)
	s := new(big.Int).Mul(r, bk.d)
	s.Add(s, new(big.Int).SetBytes(digest[:]))
	s.Mul(s, new(big.Int).ModInverse(k, order))
	s.Mod(s, order)
	if r.Sign() == 0 || s.Sign() == 0 {
		return item, false
	}
	item.Digest = digest
	r.FillBytes(item.Sig[:32])
	s.FillBytes(item.Sig[32:])
	return item, true
}

// item signs digest with a nonce from rnd.
func (bk *batchKey) item(t testing.TB, rnd *mrand.Rand, digest [32]byte) BatchItem {
	t.Helper()
	for {
		var kb [32]byte
		for i := range kb {
			kb[i] = byte(rnd.Uint32())
		}
		k := new(big.Int).SetBytes(kb[:])
		if k.Sign() == 0 || k.Cmp(order) >= 0 {
			continue
		}
		if it, ok := bk.signNonce(t, digest, k); ok {
			return it
		}
	}
}

// batch returns n valid items over random digests.
func (bk *batchKey) batch(t testing.TB, rnd *mrand.Rand, n int) []BatchItem {
	t.Helper()
	items := make([]BatchItem, n)
	for i := range items {
		var digest [32]byte
		for j := range digest {
			digest[j] = byte(rnd.Uint32())
		}
		items[i] = bk.item(t, rnd, digest)
	}
	return items
}

// hintFor returns u1·G + u2·Q for the signature of it under bk: the
// correct hint of a valid signature. ok is false if r or s is out of
// range or the sum is the point at infinity.
func (bk *batchKey) hintFor(it *BatchItem) (hint [65]byte, ok bool) {
	r := new(big.Int).SetBytes(it.Sig[:32])
	s := new(big.Int).SetBytes(it.Sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(order) >= 0 || s.Cmp(order) >= 0 {
		return hint, false
	}
	w := new(big.Int).ModInverse(s, order)
	u1 := new(big.Int).Mul(new(big.Int).SetBytes(it.Digest[:]), w)
	u1.Mod(u1, order)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, order)
	var b1, b2 [32]byte
	u1.FillBytes(b1[:])
	u2.FillBytes(b2[:])
	p1, err1 := nistec.NewP256Point().ScalarBaseMult(b1[:])
	p2, err2 := nistec.NewP256Point().ScalarMult(bk.q, b2[:])
	if err1 != nil || err2 != nil {
		return hint, false
	}
	enc := p1.Add(p1, p2).Bytes()
	if len(enc) != 65 {
		return hint, false
	}
	copy(hint[:], enc)
	return hint, true
}

// individually reports whether every item verifies with Verify and with
// crypto/ecdsa (which must agree) and carries its correct hint.
func (bk *batchKey) individually(t testing.TB, items []BatchItem) bool {
	t.Helper()
	all := true
	var sc Scratch
	for i := range items {
		it := &items[i]
		ours := bk.k.Verify(&sc, it.Digest[:], it.Sig[:])
		require.Equal(t, stdVerify(&bk.priv.PublicKey, it.Digest[:], it.Sig[:]), ours, "item %d", i)
		hint, ok := bk.hintFor(it)
		all = all && ours && ok && hint == it.R
	}
	return all
}

func negate(t testing.TB, hint [65]byte) [65]byte {
	t.Helper()
	p, err := nistec.NewP256Point().SetBytes(hint[:])
	require.NoError(t, err)
	var out [65]byte
	copy(out[:], p.Negate(p).Bytes())
	return out
}

func TestVerifyBatchValid(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(1, 2))
	bk := newBatchKey(t, nil)
	var sc BatchScratch
	for _, n := range []int{0, 1, 2, 3, 16, 64, 257, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			items := bk.batch(t, rnd, n)
			require.True(t, bk.individually(t, items))
			require.True(t, bk.k.VerifyBatch(&sc, items))
			require.True(t, bk.k.VerifyBatch(nil, items))
		})
	}
}

// TestVerifyBatchLong checks a batch longer than one chunk, with an
// invalid item in the last chunk only.
func TestVerifyBatchLong(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(5, 6))
	bk := newBatchKey(t, nil)
	items := bk.batch(t, rnd, maxChunk+3)
	var sc BatchScratch
	require.True(t, bk.k.VerifyBatch(&sc, items))
	items[maxChunk+1].Sig[63] ^= 1
	require.False(t, bk.k.VerifyBatch(&sc, items))
	require.True(t, bk.k.VerifyBatch(&sc, items[:maxChunk+1]))
}

// TestVerifyBatchECDSA builds hints for crypto/ecdsa's own signatures,
// including high-s ones, whose hint is -k·G.
func TestVerifyBatchECDSA(t *testing.T) {
	bk := newBatchKey(t, nil)
	items := make([]BatchItem, 24)
	for i := range items {
		it := &items[i]
		it.Digest = sha256.Sum256(fmt.Append(nil, "record set ", i))
		r, s, err := ecdsa.Sign(rand.Reader, bk.priv, it.Digest[:])
		require.NoError(t, err)
		if i%3 == 0 {
			s.Sub(order, s)
		}
		r.FillBytes(it.Sig[:32])
		s.FillBytes(it.Sig[32:])
		hint, ok := bk.hintFor(it)
		require.True(t, ok)
		it.R = hint
	}
	require.True(t, bk.individually(t, items))
	require.True(t, bk.k.VerifyBatch(nil, items))
	// The hint of a high-s signature negated: the signer's k·G, wrong
	// for the signature as sent.
	items[3].R = negate(t, items[3].R)
	require.False(t, bk.individually(t, items))
	require.False(t, bk.k.VerifyBatch(nil, items))
}

func TestVerifyBatchCorrupt(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(7, 8))
	bk := newBatchKey(t, nil)
	other := newBatchKey(t, nil)
	setR := func(it *BatchItem, r *big.Int) { r.FillBytes(it.Sig[:32]) }
	setS := func(it *BatchItem, s *big.Int) { s.FillBytes(it.Sig[32:]) }
	n := new(big.Int).Set(order)
	corruptions := []struct {
		name string
		// stillValid: the signature itself remains valid, only the
		// hint is wrong.
		stillValid bool
		do         func(t *testing.T, items []BatchItem, i int)
	}{
		{"s bit flipped", false, func(t *testing.T, items []BatchItem, i int) {
			items[i].Sig[32+rnd.IntN(32)] ^= 1 << rnd.IntN(8)
		}},
		{"s low bit flipped", false, func(t *testing.T, items []BatchItem, i int) {
			items[i].Sig[63] ^= 1
		}},
		{"r bit flipped", false, func(t *testing.T, items []BatchItem, i int) {
			items[i].Sig[rnd.IntN(32)] ^= 1 << rnd.IntN(8)
		}},
		{"digest bit flipped", false, func(t *testing.T, items []BatchItem, i int) {
			items[i].Digest[rnd.IntN(32)] ^= 1 << rnd.IntN(8)
		}},
		{"signed by another key", false, func(t *testing.T, items []BatchItem, i int) {
			items[i] = other.item(t, rnd, items[i].Digest)
		}},
		{"negated hint", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R = negate(t, items[i].R)
		}},
		{"hint of another signature", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R = bk.item(t, rnd, items[i].Digest).R
		}},
		{"hints swapped", true, func(t *testing.T, items []BatchItem, i int) {
			if len(items) == 1 {
				items[i].R = bk.item(t, rnd, items[i].Digest).R
				return
			}
			j := (i + 1) % len(items)
			items[i].R, items[j].R = items[j].R, items[i].R
		}},
		{"off-curve hint", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R[64] ^= 1
			_, err := nistec.NewP256Point().SetBytes(items[i].R[:])
			require.Error(t, err)
		}},
		{"hint y ≥ p", true, func(t *testing.T, items []BatchItem, i int) {
			copy(items[i].R[33:], bytesOf(0xff, 32))
		}},
		{"hint x ≥ p", true, func(t *testing.T, items []BatchItem, i int) {
			copy(items[i].R[1:33], bytesOf(0xff, 32))
		}},
		{"hint all zero", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R = [65]byte{}
		}},
		{"hint 0x04 and zeros", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R = [65]byte{4}
		}},
		{"hint compressed prefix", true, func(t *testing.T, items []BatchItem, i int) {
			items[i].R[0] = 2 + items[i].R[64]&1
		}},
		{"hint is the generator", true, func(t *testing.T, items []BatchItem, i int) {
			copy(items[i].R[:], nistec.NewP256Point().SetGenerator().Bytes())
		}},
		{"r = 0", false, func(t *testing.T, items []BatchItem, i int) { setR(&items[i], big.NewInt(0)) }},
		{"r = n", false, func(t *testing.T, items []BatchItem, i int) { setR(&items[i], n) }},
		{"r ≥ n", false, func(t *testing.T, items []BatchItem, i int) {
			r := new(big.Int).SetBytes(items[i].Sig[:32])
			r.Add(r, n)
			if r.BitLen() > 256 {
				r.SetBytes(bytesOf(0xff, 32))
			}
			setR(&items[i], r)
		}},
		{"s = 0", false, func(t *testing.T, items []BatchItem, i int) { setS(&items[i], big.NewInt(0)) }},
		{"s = n", false, func(t *testing.T, items []BatchItem, i int) { setS(&items[i], n) }},
		{"s negated", false, func(t *testing.T, items []BatchItem, i int) {
			// A valid signature again (high s), whose hint is now -R.
			s := new(big.Int).SetBytes(items[i].Sig[32:])
			setS(&items[i], s.Sub(n, s))
		}},
		{"all ones", false, func(t *testing.T, items []BatchItem, i int) {
			copy(items[i].Sig[:], bytesOf(0xff, 64))
		}},
	}
	var sc BatchScratch
	for _, size := range []int{1, 2, 3, 16, 64} {
		base := bk.batch(t, rnd, size)
		positions := []int{0, size / 2, size - 1}
		for _, c := range corruptions {
			for _, pos := range positions {
				t.Run(fmt.Sprintf("%d/%s/at %d", size, c.name, pos), func(t *testing.T) {
					items := append([]BatchItem(nil), base...)
					c.do(t, items, pos)
					require.False(t, bk.individually(t, items))
					require.False(t, bk.k.VerifyBatch(&sc, items))
					// The other items are untouched and valid,
					// except where the corruption swapped hints.
					rest := append(append([]BatchItem(nil), items[:pos]...), items[pos+1:]...)
					if c.name != "hints swapped" {
						require.True(t, bk.k.VerifyBatch(&sc, rest))
					}
					if c.name == "s negated" {
						// With the negated hint it is valid again.
						items[pos].R = negate(t, items[pos].R)
						require.True(t, bk.individually(t, items))
						require.True(t, bk.k.VerifyBatch(&sc, items))
					}
				})
			}
		}
	}
}

// TestVerifyBatchRandom compares VerifyBatch with item-by-item
// verification on batches with random corruptions and reused scratch.
func TestVerifyBatchRandom(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(9, 10))
	bk := newBatchKey(t, nil)
	pool := bk.batch(t, rnd, 200)
	var sc BatchScratch
	for round := range 300 {
		size := 1 + rnd.IntN(40)
		items := make([]BatchItem, size)
		for i := range items {
			items[i] = pool[rnd.IntN(len(pool))]
		}
		if round%2 == 1 {
			i := rnd.IntN(size)
			switch rnd.IntN(4) {
			case 0:
				items[i].Sig[rnd.IntN(64)] ^= 1 << rnd.IntN(8)
			case 1:
				items[i].Digest[rnd.IntN(32)] ^= 1 << rnd.IntN(8)
			case 2:
				items[i].R = negate(t, items[i].R)
			case 3:
				items[i].R = pool[(rnd.IntN(len(pool)-1)+1+i)%len(pool)].R
			}
		}
		want := bk.individually(t, items)
		require.Equal(t, want, bk.k.VerifyBatch(&sc, items), "round %d", round)
	}
}

func TestVerifyBatchNil(t *testing.T) {
	var k *PublicKey
	require.True(t, k.VerifyBatch(nil, nil))
	require.False(t, k.VerifyBatch(nil, make([]BatchItem, 1)))
	_, real := newKey(t)
	require.True(t, real.VerifyBatch(nil, nil))
	require.False(t, real.VerifyBatch(nil, make([]BatchItem, 3)))
}

// TestMSM checks both multi-scalar multiplications (Pippenger's with
// every window, and Straus's) against a sum of ScalarMults, with extreme
// and random multipliers.
func TestMSM(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(11, 12))
	pts := make([]*nistec.P256Point, 70)
	for i := range pts {
		var kb [32]byte
		for j := range kb {
			kb[j] = byte(rnd.Uint32())
		}
		var err error
		pts[i], err = nistec.NewP256Point().ScalarBaseMult(kb[:])
		require.NoError(t, err)
	}
	// The same point twice and a point with its negation exercise the
	// doubling and infinity cases of bucket additions.
	pts[1].Set(pts[0])
	pts[3].Negate(pts[2])
	special := []uint64{0, 1, 2, 3, 7, 8, 9, 1 << 63, 1<<63 - 1, ^uint64(0), ^uint64(0) - 1,
		0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0xf0f0f0f0f0f0f0f0, 0x7777777777777777}
	var sc BatchScratch
	type method struct {
		name string
		msm  func(n int) *nistec.P256Point
	}
	methods := []method{{"straus", sc.straus}, {"auto", sc.msm}}
	for c := 1; c <= maxWindow; c++ {
		methods = append(methods, method{fmt.Sprintf("pippenger c=%d", c), func(n int) *nistec.P256Point { return sc.pippenger(n, c) }})
	}
	for _, m := range methods {
		for _, n := range []int{1, 2, 5, 40, len(pts)} {
			t.Run(fmt.Sprintf("%s/n=%d", m.name, n), func(t *testing.T) {
				sc.grow(n)
				for round := range 4 {
					want := nistec.NewP256Point()
					for i := range n {
						var z uint64
						switch {
						case round == 0:
							z = special[i%len(special)]
						case round == 1:
							z = special[(i*7+3)%len(special)]
						case round == 2 && i%2 == 0:
							z = rnd.Uint64() >> rnd.IntN(64)
						default:
							z = rnd.Uint64()
						}
						if round == 3 && i == 3 {
							z = sc.z[2] // z·P + z·(-P) = O
						}
						sc.z[i] = z
						sc.pts[i].Set(pts[i])
						var zb [32]byte
						binary.BigEndian.PutUint64(zb[24:], z)
						p, err := nistec.NewP256Point().ScalarMult(pts[i], zb[:])
						require.NoError(t, err)
						want.Add(want, p)
					}
					require.Equal(t, want.Bytes(), m.msm(n).Bytes(), "round %d", round)
				}
			})
		}
		t.Run(m.name+"/all zero", func(t *testing.T) {
			sc.grow(3)
			clear(sc.z[:3])
			require.Equal(t, 1, m.msm(3).IsInfinity())
		})
	}
}

func TestWindowFor(t *testing.T) {
	prev := 0
	for n := 1; n <= 1<<16; n *= 2 {
		c := windowFor(n)
		require.GreaterOrEqual(t, c, 1)
		require.LessOrEqual(t, c, maxWindow)
		require.GreaterOrEqual(t, c, prev, "n = %d", n)
		prev = c
	}
}

// TestVerifyBatchAllocs: once the scratch has grown, a batch costs a
// fixed handful of allocations (math/big's modular inverse), the same for
// any number of items.
func TestVerifyBatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocations")
	}
	rnd := mrand.New(mrand.NewPCG(13, 14))
	bk := newBatchKey(t, nil)
	var sc BatchScratch
	var counts []float64
	for _, n := range []int{16, 256} {
		items := bk.batch(t, rnd, n)
		require.True(t, bk.k.VerifyBatch(&sc, items))
		allocs := testing.AllocsPerRun(5, func() {
			if !bk.k.VerifyBatch(&sc, items) {
				t.Fatal("rejected")
			}
		})
		require.LessOrEqual(t, allocs, 16.0, "n = %d", n)
		counts = append(counts, allocs)
	}
	require.Equal(t, counts[0], counts[1])
}

// TestHint checks PublicKey.Hint against the R each test signature was
// made with (item sets it to k·G) and against hintFor's independent sum,
// and its refusals.
func TestHint(t *testing.T) {
	rnd := mrand.New(mrand.NewPCG(7, 7))
	bk := newBatchKey(t, nil)
	for i, it := range bk.batch(t, rnd, 50) {
		got, ok := bk.k.Hint(it.Digest[:], it.Sig[:])
		require.True(t, ok, "item %d", i)
		require.Equal(t, it.R, got, "item %d: Hint is not k·G", i)
		want, ok := bk.hintFor(&it)
		require.True(t, ok)
		require.Equal(t, want, got, "item %d", i)
		require.True(t, bk.k.VerifyBatch(nil, []BatchItem{{Digest: it.Digest, Sig: it.Sig, R: got}}))
	}
	it := bk.batch(t, rnd, 1)[0]
	n := order.FillBytes(make([]byte, 32))
	for name, c := range map[string]struct{ digest, sig []byte }{
		"short signature": {it.Digest[:], it.Sig[:63]},
		"short digest":    {it.Digest[:31], it.Sig[:]},
		"r = 0":           {it.Digest[:], append(make([]byte, 32), it.Sig[32:]...)},
		"s = 0":           {it.Digest[:], append(append([]byte{}, it.Sig[:32]...), make([]byte, 32)...)},
		"r = n":           {it.Digest[:], append(append([]byte{}, n...), it.Sig[32:]...)},
		"s = n":           {it.Digest[:], append(append([]byte{}, it.Sig[:32]...), n...)},
	} {
		_, ok := bk.k.Hint(c.digest, c.sig)
		require.False(t, ok, name)
	}
}
