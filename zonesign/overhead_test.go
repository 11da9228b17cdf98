package zonesign

import (
	"context"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/stretchr/testify/require"
)

// constSigner returns a constant signature without allocating: it measures
// what signing costs besides the cryptography.
type constSigner struct {
	signer.Signer
	sig [64]byte
}

func (c *constSigner) Sign(context.Context, []byte) ([]byte, error) { return c.sig[:], nil }

// overheadJob prepares a job over a generated zone with a constant signer.
func overheadJob(tb testing.TB, names int) (*job, *worker) {
	z := genZone(tb, names, false)
	base := testKeys(tb, "example.")
	k, err := signer.NewKey(&constSigner{Signer: base[1].Signer}, signer.RoleCSK)
	require.NoError(tb, err)
	opts := baseOptions(tb, "example.")
	opts.Keys = []*signer.Key{k}
	opts.SkipVerify = true
	z.prepare()
	j := &job{z: z, opts: &opts, apex: -1}
	var st Stats
	require.NoError(tb, j.setup(&st))
	require.NoError(tb, j.classify(&st))
	require.NoError(tb, j.buildApex())
	require.NoError(tb, j.buildUnits(&st))
	return j, newWorker(j)
}

// TestWorkerAllocations guards the allocation budget of signing and writing
// an RRset: with a signer that does not allocate, none at all for the
// record types the worker formats itself.
func TestWorkerAllocations(t *testing.T) {
	j, wk := overheadJob(t, 50)
	// a host name with A records only
	var u unit
	for _, x := range j.units {
		n := &j.z.nodes[x.idx]
		if j.cls[x.idx] == clsAuth && n.types == hasOther && j.z.recs[n.start].typ == 1 && j.z.recs[n.start+n.n-1].typ == 1 {
			u = x
			break
		}
	}
	require.NotZero(t, u.idx, "no A-only name in the generated zone")
	c := &chunk{buf: make([]byte, 0, 1<<16)}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		c.buf = c.buf[:0]
		if err := wk.node(ctx, c, u); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	require.Contains(t, string(c.buf), "\tRRSIG\tA 13 ")
	require.Contains(t, string(c.buf), "\tRRSIG\tNSEC 13 ")
}

// BenchmarkOverhead is what signing a zone costs besides the signatures:
// canonical form, signed data, presentation output, with a constant
// signer. ns/op is per output step (a name and its NSEC).
func BenchmarkOverhead(b *testing.B) {
	j, wk := overheadJob(b, 2000)
	c := &chunk{buf: make([]byte, 0, 1<<20)}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if len(c.buf) > 1<<19 {
			c.buf = c.buf[:0]
		}
		if err := wk.node(ctx, c, j.units[i%len(j.units)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(c.st.Signatures)/float64(i), "sigs/op")
}
