package zonesign

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"filippo.io/nistec"
	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// batchSigner turns a P-256 DigestSigner into a signer.BatchSigner that
// signs one digest at a time and computes each hint from the signature
// (p256.PublicKey.Hint). Its fault fields corrupt the n-th signature or
// hint it makes (counting from 1; 0 means never).
type batchSigner struct {
	signer.DigestSigner
	pub       *p256.PublicKey
	calls     atomic.Int64
	made      atomic.Int64
	badSig    int64
	badHint   int64
	failAfter int64 // SignDigests fails once this many signatures were made
}

func (b *batchSigner) SignDigests(ctx context.Context, digests [][32]byte, sigs [][64]byte, hints [][65]byte) error {
	b.calls.Add(1)
	for i := range digests {
		n := b.made.Add(1)
		if b.failAfter > 0 && n > b.failAfter {
			return errors.New("batch signer failed")
		}
		sig, err := b.SignDigest(ctx, digests[i][:])
		if err != nil {
			return err
		}
		copy(sigs[i][:], sig)
		if n == b.badSig {
			sigs[i][40] ^= 1
		}
		if hints == nil {
			continue
		}
		h, ok := b.pub.Hint(digests[i][:], sig)
		if !ok {
			return errors.New("no hint for a signature just made")
		}
		hints[i] = h
		if n == b.badHint {
			copy(hints[i][:], nistec.NewP256Point().SetGenerator().Bytes())
		}
	}
	return nil
}

// batchKeys returns baseOptions' keys with their signers made batch
// signers.
func batchKeys(t *testing.T, keys []*signer.Key) ([]*signer.Key, []*batchSigner) {
	var out []*signer.Key
	var bs []*batchSigner
	for _, k := range keys {
		raw, err := base64.StdEncoding.DecodeString(k.DNSKEY().PublicKey)
		require.NoError(t, err)
		pub, err := p256.NewPublicKey(raw)
		require.NoError(t, err)
		b := &batchSigner{DigestSigner: k.Signer.(signer.DigestSigner), pub: pub}
		nk, err := signer.NewKey(b, k.Role())
		require.NoError(t, err)
		out = append(out, nk)
		bs = append(bs, b)
	}
	return out, bs
}

func TestBatchSigningSameOutput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nsec3 *NSEC3Params
		skip  bool
	}{
		{"NSEC", nil, false},
		{"NSEC3", &NSEC3Params{OptOut: true}, false},
		{"NSEC unverified", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, z := range []*Zone{parseCorner(t), genZone(t, 300, true)} {
				opts := baseOptions(t, "example.")
				opts.NSEC3 = tc.nsec3
				opts.SkipVerify = tc.skip
				want, wst := signString(t, z, opts)
				var bs []*batchSigner
				opts.Keys, bs = batchKeys(t, opts.Keys)
				got, gst := signString(t, z, opts)
				require.Equal(t, want, got)
				require.Equal(t, wst, gst)
				require.Positive(t, bs[1].calls.Load(), "the ZSK signed in batches")
				require.Less(t, bs[1].calls.Load(), int64(gst.Signatures)/4, "in batches of more than four")
			}
		})
	}
}

func TestBatchSigningSignFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.zone")
	var text bytes.Buffer
	_, err := zonegen.Write(&text, zonegen.Options{Names: 3000, Origin: "example.", Seed: 2})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(in, text.Bytes(), 0o644))
	opts := baseOptions(t, "example.")
	opts.Origin = "example."
	opts.Concurrency = 2
	_, err = SignFile(context.Background(), in, filepath.Join(dir, "plain"), opts)
	require.NoError(t, err)
	opts.Keys, _ = batchKeys(t, opts.Keys)
	st, err := SignFile(context.Background(), in, filepath.Join(dir, "batch"), opts)
	require.NoError(t, err)
	a, err := os.ReadFile(filepath.Join(dir, "plain"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "batch"))
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))
	t.Logf("%d of %d signatures made while parsing", st.Presigned, st.Signatures)
}

func TestBatchSigningFaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(b *batchSigner)
		skip bool
		want string
	}{
		{"bad signature", func(b *batchSigner) { b.badSig = 37 }, false, "does not verify"},
		{"wrong hint", func(b *batchSigner) { b.badHint = 12 }, false, "wrong signature hints"},
		{"signer fails", func(b *batchSigner) { b.failAfter = 50 }, false, "batch signer failed"},
		{"signer fails unverified", func(b *batchSigner) { b.failAfter = 50 }, true, "batch signer failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := baseOptions(t, "example.")
			opts.SkipVerify = tc.skip
			var bs []*batchSigner
			opts.Keys, bs = batchKeys(t, opts.Keys)
			tc.set(bs[1])
			dir := t.TempDir()
			out := filepath.Join(dir, "signed")
			_, err := WriteFile(context.Background(), genZone(t, 300, false), out, opts)
			require.ErrorContains(t, err, tc.want)
			require.Empty(t, entries(t, dir))
		})
	}
}

// recorder is a RecordValidator that keeps what it is given.
type recorder struct {
	rrs   []dns.RR
	hints [][]byte // per record: the hint or nil
	failAdd,
	failFinish bool
	finished int
}

func (r *recorder) Add(owner []byte, typ, class uint16, ttl uint32, rdata, hint []byte) error {
	if r.failAdd && len(r.rrs) >= 10 {
		return errors.New("validator refuses")
	}
	name, _, err := dns.UnpackDomainName(owner, 0)
	if err != nil {
		return err
	}
	rr, _, err := dns.UnpackRRWithHeader(dns.RR_Header{Name: name, Rrtype: typ, Class: class, Ttl: ttl, Rdlength: uint16(len(rdata))}, rdata, 0)
	if err != nil {
		return err
	}
	r.rrs = append(r.rrs, rr)
	r.hints = append(r.hints, bytes.Clone(hint))
	return nil
}

func (r *recorder) Finish() error {
	r.finished++
	if r.failFinish {
		return errors.New("zone is bogus")
	}
	return nil
}

func TestValidator(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(map[bool]string{false: "one by one", true: "batch"}[batch], func(t *testing.T) {
			z := parseCorner(t)
			opts := baseOptions(t, "example.")
			opts.NSEC3 = &NSEC3Params{}
			want, _ := signString(t, z, opts)
			if batch {
				opts.Keys, _ = batchKeys(t, opts.Keys)
			}
			rec := &recorder{}
			var origin string
			opts.Validator = func(_ context.Context, o string) (RecordValidator, error) {
				origin = o
				return rec, nil
			}
			got, _ := signString(t, z, opts)
			require.Equal(t, want, got)
			require.Equal(t, "example.", origin)
			require.Equal(t, 1, rec.finished)
			// the records given are those written, in the same order
			written := parseRecords(t, got)
			require.Len(t, rec.rrs, len(written))
			for i := range written {
				// the owner is given in lower case
				require.True(t, canonical.Equal(written[i].Header().Name, rec.rrs[i].Header().Name))
				rec.rrs[i].Header().Name = written[i].Header().Name
				require.Equal(t, written[i].String(), rec.rrs[i].String(), "record %d", i)
			}
			// with batch keys, every RRSIG has a hint: R with x(R) = r
			for i, rr := range rec.rrs {
				h := rec.hints[i]
				sig, ok := rr.(*dns.RRSIG)
				if !ok || !batch {
					require.Nil(t, h, "%s", rr)
					continue
				}
				require.Len(t, h, 65, "%s", rr)
				raw, err := base64.StdEncoding.DecodeString(sig.Signature)
				require.NoError(t, err)
				require.Equal(t, raw[:32], h[1:33], "x(R) = r")
			}
		})
	}
}

func TestValidatorFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  *recorder
		mk   error
		want string
	}{
		{"Add fails", &recorder{failAdd: true}, nil, "validator refuses"},
		{"Finish fails", &recorder{failFinish: true}, nil, "zone is bogus"},
		{"constructor fails", nil, errors.New("no validator today"), "no validator today"},
		{"nil validator", nil, nil, "Validator returned nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := baseOptions(t, "example.")
			opts.Validator = func(context.Context, string) (RecordValidator, error) {
				if tc.rec == nil {
					return nil, tc.mk
				}
				return tc.rec, nil
			}
			dir := t.TempDir()
			_, err := WriteFile(context.Background(), parseCorner(t), filepath.Join(dir, "out"), opts)
			require.ErrorContains(t, err, tc.want)
			require.Empty(t, entries(t, dir))
			var buf bytes.Buffer
			_, err = Sign(context.Background(), parseCorner(t), opts, &buf)
			require.ErrorContains(t, err, tc.want)
			require.Zero(t, buf.Len(), "Sign writes nothing when validation fails")
			require.False(t, strings.Contains(buf.String(), "SOA"))
		})
	}
}
