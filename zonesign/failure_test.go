package zonesign

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// failingSigner fails every Sign call after the first ok calls, like a KMS
// key that is disabled in the middle of a run.
type failingSigner struct {
	signer.Signer
	ok    int64
	calls atomic.Int64
}

var errKMS = errors.New("kms: key disabled")

func (f *failingSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	if f.calls.Add(1) > f.ok {
		return nil, errKMS
	}
	return f.Signer.Sign(ctx, data)
}

// wrongSigner returns signatures that do not verify.
type wrongSigner struct{ signer.Signer }

func (w wrongSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	sig, err := w.Signer.Sign(ctx, data)
	if err == nil {
		sig[5] ^= 1
	}
	return sig, err
}

func wrapKey(t *testing.T, k *signer.Key, wrap func(signer.Signer) signer.Signer) *signer.Key {
	w, err := signer.NewKey(wrap(k.Signer), k.Role())
	require.NoError(t, err)
	return w
}

func writeZone(t *testing.T, dir, name, text string) string {
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// entries lists the directory, to show that no temporary file is left.
func entries(t *testing.T, dir string) []string {
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

const goodZone = `$ORIGIN example.
$TTL 300
@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
ns A 192.0.2.1
www A 192.0.2.2
`

func TestSignFileFailures(t *testing.T) {
	keys := testKeys(t, "example.")
	for _, tc := range []struct {
		name     string
		zone     string
		existing bool
		opts     func(*Options)
		ctx      func() context.Context
		check    func(t *testing.T, err error)
	}{
		{
			name: "bad zone line",
			zone: goodZone + "bad IN A 192.0.2.300\n",
			check: func(t *testing.T, err error) {
				require.ErrorContains(t, err, "bad.zone")
				require.ErrorContains(t, err, "line: 7")
			},
		},
		{
			name:     "bad zone line keeps existing output",
			zone:     goodZone + "www IN MX x\n",
			existing: true,
			check:    func(t *testing.T, err error) { require.ErrorContains(t, err, "line: 7") },
		},
		{
			name:     "cancelled context",
			zone:     goodZone,
			existing: true,
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, context.Canceled) },
		},
		{
			name:     "signer fails mid-run",
			zone:     goodZone + strings.Repeat("", 0) + manyNames(300),
			existing: true,
			opts: func(o *Options) {
				o.Keys = []*signer.Key{keys[0], wrapKey(t, keys[1], func(s signer.Signer) signer.Signer { return &failingSigner{Signer: s, ok: 50} })}
				o.Concurrency = 3
			},
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, errKMS)
				require.ErrorContains(t, err, "zonesign: sign ")
			},
		},
		{
			name: "signature does not verify",
			zone: goodZone,
			opts: func(o *Options) {
				o.Keys = []*signer.Key{keys[0], wrapKey(t, keys[1], func(s signer.Signer) signer.Signer { return wrongSigner{s} })}
			},
			check: func(t *testing.T, err error) { require.ErrorContains(t, err, "does not verify") },
		},
		{
			name:     "validate hook rejects",
			zone:     goodZone,
			existing: true,
			opts: func(o *Options) {
				o.Validate = func(ctx context.Context, r io.Reader) error {
					b, err := io.ReadAll(r)
					require.NoError(t, err)
					require.Contains(t, string(b), "\tRRSIG\tSOA ")
					return errors.New("bogus")
				}
			},
			check: func(t *testing.T, err error) { require.ErrorContains(t, err, "validate: bogus") },
		},
		{
			name: "record outside the zone",
			zone: goodZone + "www.example.net. A 192.0.2.9\n",
			check: func(t *testing.T, err error) {
				require.ErrorContains(t, err, "outside the zone")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := writeZone(t, dir, "bad.zone", tc.zone)
			out := filepath.Join(dir, "out.zone")
			if tc.existing {
				require.NoError(t, os.WriteFile(out, []byte("old\n"), 0o600))
			}
			opts := Options{Keys: keys, Origin: "example."}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			_, err := SignFile(ctx, in, out, opts)
			require.Error(t, err)
			tc.check(t, err)
			if tc.existing {
				b, err := os.ReadFile(out)
				require.NoError(t, err)
				require.Equal(t, "old\n", string(b))
				require.ElementsMatch(t, []string{"bad.zone", "out.zone"}, entries(t, dir))
			} else {
				require.ElementsMatch(t, []string{"bad.zone"}, entries(t, dir))
			}
		})
	}
}

func manyNames(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("h")
		b.WriteString(itoa(i))
		b.WriteString(" A 192.0.2.7\n")
	}
	return b.String()
}

func TestSignFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	in := writeZone(t, dir, "in.zone", goodZone)
	out := filepath.Join(dir, "out.zone")
	require.NoError(t, os.WriteFile(out, []byte("old\n"), 0o640))
	opts := baseOptions(t, "example.")
	opts.Origin = ""
	st, err := SignFile(context.Background(), in, out, opts)
	require.NoError(t, err)
	require.Equal(t, "example.", st.Origin)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	checkSigned(t, string(b), "example.", opts.Keys, nil)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "mode of the replaced file is kept")
	require.ElementsMatch(t, []string{"in.zone", "out.zone"}, entries(t, dir))
}

func TestZoneErrors(t *testing.T) {
	keys := testKeys(t, "example.")
	for _, tc := range []struct {
		name, zone, want string
		opts             func(*Options)
		is               error
	}{
		{"no SOA", "$ORIGIN example.\nwww 300 A 192.0.2.1\n", "no SOA", nil, ErrZone},
		{"SOA below the apex", goodZone + "sub SOA ns hostmaster 1 2 3 4 5\n", "not the apex", func(o *Options) { o.Origin = "example." }, ErrZone},
		{"two SOA at the apex", goodZone + "@ SOA ns2 hostmaster 2 2 3 4 5\n", "more than one SOA", nil, ErrZone},
		{"CNAME and other data", goodZone + "www CNAME ns\n", "CNAME and other data", nil, ErrZone},
		{"DS away from a delegation", goodZone + "www DS 1 13 2 " + strings.Repeat("00", 32) + "\n", "not a delegation", nil, ErrZone},
		{"no keys", goodZone, "no keys", func(o *Options) { o.Keys = nil }, ErrOptions},
		{"key of another zone", goodZone, "belongs to", func(o *Options) { o.Keys = testKeys(t, "example.net.") }, ErrOptions},
		{"key twice", goodZone, "given twice", func(o *Options) { o.Keys = append(o.Keys, keys[0]) }, ErrOptions},
		{"expiration before inception", goodZone, "not after inception", func(o *Options) { o.Expiration = o.Inception.Add(-1) }, ErrOptions},
		{"jitter too long", goodZone, "jitter", func(o *Options) { o.Jitter = o.Expiration.Sub(o.Inception) }, ErrOptions},
		{"too many iterations", goodZone, "iterations", func(o *Options) { o.NSEC3 = &NSEC3Params{Iterations: 151} }, ErrOptions},
		{"salt too long", goodZone, "salt", func(o *Options) { o.NSEC3 = &NSEC3Params{Salt: make([]byte, 256)} }, ErrOptions},
		{"origin without SOA", goodZone, "no SOA record at the origin", func(o *Options) { o.Origin = "www.example." }, ErrZone},
		{"unknown serial policy", goodZone, "serial policy", func(o *Options) { o.Serial = 9 }, ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(tc.zone), "t.zone", "")
			require.NoError(t, err)
			opts := baseOptions(t, "example.")
			opts.Keys = keys
			if tc.opts != nil {
				tc.opts(&opts)
			}
			_, err = Sign(context.Background(), z, opts, io.Discard)
			require.ErrorIs(t, err, tc.is)
			require.ErrorContains(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), err.Error())
		})
	}
}

func TestAddErrors(t *testing.T) {
	z, err := NewZone("example.")
	require.NoError(t, err)
	require.ErrorContains(t, z.Add(nil), "nil record")
	rr, err := dns.NewRR("x.example.org. 300 IN A 192.0.2.1")
	require.NoError(t, err)
	require.ErrorContains(t, z.Add(rr), "outside the zone")
	rr, err = dns.NewRR("x.example. 300 CH A 192.0.2.1")
	require.NoError(t, err)
	require.NoError(t, z.Add(rr))
	rr, err = dns.NewRR("y.example. 300 IN A 192.0.2.1")
	require.NoError(t, err)
	require.ErrorContains(t, z.Add(rr), "class")
	_, err = NewZone("bad..name")
	require.Error(t, err)
	_, err = Sign(context.Background(), nil, Options{}, io.Discard)
	require.ErrorIs(t, err, ErrZone)
}

func TestSignFileCancelledMidRun(t *testing.T) {
	dir := t.TempDir()
	in := writeZone(t, dir, "in.zone", goodZone+manyNames(400))
	out := filepath.Join(dir, "out.zone")
	require.NoError(t, os.WriteFile(out, []byte("old\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base := testKeys(t, "example.")
	opts := baseOptions(t, "example.")
	opts.Keys = []*signer.Key{base[0], wrapKey(t, base[1], func(s signer.Signer) signer.Signer {
		return &cancellingSigner{Signer: s, after: 100, cancel: cancel}
	})}
	_, err := SignFile(ctx, in, out, opts)
	require.ErrorIs(t, err, context.Canceled)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "old\n", string(b))
	require.ElementsMatch(t, []string{"in.zone", "out.zone"}, entries(t, dir))
}
