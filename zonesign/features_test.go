package zonesign

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// countingSigner counts Sign calls.
type countingSigner struct {
	signer.Signer
	calls atomic.Int64
}

func (c *countingSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	c.calls.Add(1)
	return c.Signer.Sign(ctx, data)
}

func TestKeyRoles(t *testing.T) {
	z := parseCorner(t)
	base := testKeys(t, "example.")
	t.Run("KSK signs only the apex key RRsets", func(t *testing.T) {
		var ksk *countingSigner
		k := wrapKey(t, base[0], func(s signer.Signer) signer.Signer { ksk = &countingSigner{Signer: s}; return ksk })
		opts := baseOptions(t, "example.")
		opts.Keys = []*signer.Key{k, base[1]}
		opts.PublishCDS = true
		out, st := signString(t, z, opts)
		require.Equal(t, int64(3), ksk.calls.Load(), "DNSKEY, CDS and CDNSKEY")
		require.Equal(t, 3, st.KSKSigs)
		checkSigned(t, out, "example.", opts.Keys, nil)
	})
	t.Run("lone ZSK is a CSK", func(t *testing.T) {
		opts := baseOptions(t, "example.")
		opts.Keys = base[1:]
		out, _ := signString(t, z, opts)
		checkSigned(t, out, "example.", opts.Keys, nil)
		require.Contains(t, out, fmt.Sprintf("RRSIG\tDNSKEY 13 1 3600 20261221214018 20261123110000 %d ", base[1].KeyTag()))
	})
	t.Run("lone KSK is a CSK", func(t *testing.T) {
		opts := baseOptions(t, "example.")
		opts.Keys = base[:1]
		out, _ := signString(t, z, opts)
		checkSigned(t, out, "example.", opts.Keys, nil)
	})
	t.Run("two ZSKs and a CSK", func(t *testing.T) {
		opts := baseOptions(t, "example.")
		opts.Keys = []*signer.Key{base[1], testKey(t, "example.", "zsk2", signer.FlagsZSK), testKey(t, "example.", "csk", signer.FlagsKSK).WithRole(signer.RoleCSK)}
		out, st := signString(t, z, opts)
		checkSigned(t, out, "example.", opts.Keys, nil)
		require.Equal(t, 1, st.KSKSigs, "DNSKEY signed by the CSK alone: the ZSKs do not sign it")
	})
}

func TestPublishCDS(t *testing.T) {
	opts := baseOptions(t, "example.")
	opts.PublishCDS = true
	// CDS and CDNSKEY in the input are replaced
	z, err := Parse(strings.NewReader(goodZone+"@ CDS 1 13 2 "+strings.Repeat("AB", 32)+"\n@ CDNSKEY 0 3 0 AA==\n"), "t", "")
	require.NoError(t, err)
	out, _ := signString(t, z, opts)
	sz := indexSigned(t, "example.", parseRecords(t, out))
	apex := sz.names[wireName(t, "example.")]
	require.Len(t, apex.rrsets[dns.TypeCDS], 1)
	require.Len(t, apex.rrsets[dns.TypeCDNSKEY], 1)
	ds := opts.Keys[0].DNSKEY().ToDS(dns.SHA256)
	cds := apex.rrsets[dns.TypeCDS][0].(*dns.CDS)
	require.True(t, strings.EqualFold(ds.Digest, cds.Digest))
	require.Equal(t, ds.KeyTag, cds.KeyTag)
	require.Equal(t, opts.Keys[0].DNSKEY().PublicKey, apex.rrsets[dns.TypeCDNSKEY][0].(*dns.CDNSKEY).PublicKey)

	// without PublishCDS they must match a DNSKEY (RFC 7344 §4.1)
	opts.PublishCDS = false
	_, err = Sign(context.Background(), z, opts, io.Discard)
	require.ErrorIs(t, err, ErrZone)
	require.ErrorContains(t, err, "CDS 1 13 2 "+strings.Repeat("AB", 32)+" at example. matches no DNSKEY")

	// and then they are kept and signed by the KSK: the KSK's CDS, and
	// the delete form of CDNSKEY (RFC 8078 §4)
	z, err = Parse(strings.NewReader(goodZone+"@ CDS "+strings.TrimPrefix(ds.String(), ds.Hdr.String())+"\n@ CDNSKEY 0 3 0 AA==\n"), "t", "")
	require.NoError(t, err)
	out, _ = signString(t, z, opts)
	require.Contains(t, out, strings.ToUpper(ds.Digest))
	require.Contains(t, out, "\tCDNSKEY\t0 3 0 AA==\n")
	checkSigned(t, out, "example.", opts.Keys, nil)
}

func TestSerialPolicy(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name   string
		policy SerialPolicy
		old    uint32
		want   uint32
	}{
		{"keep", SerialKeep, 7, 7},
		{"increment", SerialIncrement, 7, 8},
		{"increment wraps", SerialIncrement, 1<<32 - 1, 0},
		{"unixtime", SerialUnixTime, 7, 1_800_000_000},
		{"unixtime behind the serial", SerialUnixTime, 2_000_000_000, 2_000_000_001},
		{"unixtime wraps in RFC 1982 terms", SerialUnixTime, 4_000_000_000, 1_800_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(strings.Replace(goodZone, "hostmaster 1 ", fmt.Sprintf("hostmaster %d ", tc.old), 1)), "t", "")
			require.NoError(t, err)
			opts := baseOptions(t, "example.")
			opts.Now = now
			opts.Serial = tc.policy
			out, st := signString(t, z, opts)
			require.Equal(t, tc.want, st.Serial)
			require.Contains(t, out, fmt.Sprintf("hostmaster.example. %d 7200", tc.want))
			checkSigned(t, out, "example.", opts.Keys, nil)
		})
	}
	require.Equal(t, "unixtime", SerialUnixTime.String())
}

func TestTTLNormalisedWithWarning(t *testing.T) {
	var warns []string
	opts := baseOptions(t, "example.")
	opts.Warn = func(s string) { warns = append(warns, s) }
	out, _ := signString(t, parseCorner(t), opts)
	require.Len(t, warns, 1)
	require.Contains(t, warns[0], "multi.example. A: records with different TTLs")
	require.Contains(t, out, "multi.example.\t300\tIN\tA\t192.0.2.30\nmulti.example.\t300\tIN\tA\t192.0.2.31\n")
}

func TestResignIsClean(t *testing.T) {
	opts := baseOptions(t, "example.")
	opts.NSEC3 = &NSEC3Params{}
	first, st1 := signString(t, parseCorner(t), opts)
	// sign the signed zone again, with NSEC this time and a pre-published
	// foreign DNSKEY added: old RRSIGs, NSEC3 and NSEC3PARAM go away
	foreign := testKey(t, "example.", "next zsk", signer.FlagsZSK).DNSKEY().String()
	z, err := Parse(strings.NewReader(first+foreign+"\n"), "signed", "example.")
	require.NoError(t, err)
	opts.NSEC3 = nil
	second, st2 := signString(t, z, opts)
	require.Positive(t, st2.Dropped)
	require.Equal(t, 3, strings.Count(second, "\tDNSKEY\t"), "two keys and the foreign one, no duplicates")
	require.NotContains(t, second, "NSEC3")
	checkSigned(t, second, "example.", opts.Keys, nil)
	// and back: the same as signing the unsigned zone
	opts.NSEC3 = &NSEC3Params{}
	require.Contains(t, second, foreign+"\n")
	z, err = Parse(strings.NewReader(strings.Replace(second, foreign+"\n", "", 1)), "signed", "example.")
	require.NoError(t, err)
	third, _ := signString(t, z, opts)
	require.True(t, first == third, "re-signing gives the first signing")
	_ = st1
}

func TestJitter(t *testing.T) {
	opts := baseOptions(t, "example.")
	out, _ := signString(t, genZone(t, 200, false), opts)
	exps := map[uint32]bool{}
	for _, rr := range parseRecords(t, out) {
		if s, ok := rr.(*dns.RRSIG); ok {
			e := time.Unix(int64(s.Expiration), 0)
			require.False(t, e.After(opts.Expiration))
			require.False(t, e.Before(opts.Expiration.Add(-opts.Jitter)))
			require.Equal(t, uint32(opts.Inception.Unix()), s.Inception)
			exps[s.Expiration] = true
		}
	}
	require.Greater(t, len(exps), 100, "expirations are spread")

	opts.Jitter = 0
	out, _ = signString(t, genZone(t, 20, false), opts)
	for _, rr := range parseRecords(t, out) {
		if s, ok := rr.(*dns.RRSIG); ok {
			require.Equal(t, uint32(opts.Expiration.Unix()), s.Expiration)
		}
	}
}

func TestDefaultsAndValidateHook(t *testing.T) {
	z := parseCorner(t)
	var got []byte
	opts := Options{
		Keys: testKeys(t, "example."),
		Validate: func(ctx context.Context, r io.Reader) error {
			var err error
			got, err = io.ReadAll(r)
			return err
		},
	}
	before := time.Now()
	var buf bytes.Buffer
	_, err := Sign(context.Background(), z, opts, &buf)
	require.NoError(t, err)
	require.Equal(t, buf.String(), string(got))
	for _, rr := range parseRecords(t, buf.String()) {
		if s, ok := rr.(*dns.RRSIG); ok {
			inc := time.Unix(int64(s.Inception), 0)
			require.WithinDuration(t, before.Add(-time.Hour), inc, 5*time.Second)
			require.Equal(t, s.Inception+30*24*3600, s.Expiration)
		}
	}
	opts.Validate = func(context.Context, io.Reader) error { return fmt.Errorf("no") }
	buf.Reset()
	_, err = Sign(context.Background(), z, opts, &buf)
	require.ErrorContains(t, err, "validate: no")
	require.Zero(t, buf.Len(), "nothing written when validation fails")
}

// cancellingSigner cancels the run's context after some signatures.
type cancellingSigner struct {
	signer.Signer
	after  int64
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancellingSigner) Sign(ctx context.Context, data []byte) ([]byte, error) {
	if c.calls.Add(1) == c.after {
		c.cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Signer.Sign(ctx, data)
}

func TestCancelMidRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base := testKeys(t, "example.")
	opts := baseOptions(t, "example.")
	opts.Keys = []*signer.Key{base[0], wrapKey(t, base[1], func(s signer.Signer) signer.Signer {
		return &cancellingSigner{Signer: s, after: 40, cancel: cancel}
	})}
	_, err := Sign(ctx, genZone(t, 300, false), opts, io.Discard)
	require.ErrorIs(t, err, context.Canceled)
}

func TestParseIncludeAndRelativeNames(t *testing.T) {
	dir := t.TempDir()
	inc := writeZone(t, dir, "hosts.inc", "www A 192.0.2.80\nmail A 192.0.2.25\n")
	main := writeZone(t, dir, "main.zone", "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n$INCLUDE "+inc+"\n$ORIGIN sub.example.\nx TXT hi\n")
	z, err := ParseFile(main, "example.")
	require.NoError(t, err)
	require.Equal(t, 6, z.Len())
	require.Equal(t, "example.", z.Origin())
	out, _ := signString(t, z, baseOptions(t, "example."))
	require.Contains(t, out, "www.example.\t60\tIN\tA\t192.0.2.80\n")
	require.Contains(t, out, "x.sub.example.\t60\tIN\tTXT\t\"hi\"\n")
	checkSigned(t, out, "example.", baseOptions(t, "example.").Keys, nil)
}

func TestProgress(t *testing.T) {
	opts := baseOptions(t, "example.")
	last, calls, tot := 0, 0, 0
	opts.Progress = func(done, total int) {
		require.Greater(t, done, last)
		require.LessOrEqual(t, done, total)
		last, tot = done, total
		calls++
	}
	_, st := signString(t, genZone(t, 100, false), opts)
	require.Greater(t, calls, 1)
	require.Equal(t, st.Names, tot, "with NSEC, one step per name")
	require.Equal(t, tot, last)
}

func TestDataBelowDNAME(t *testing.T) {
	z, err := Parse(strings.NewReader(goodZone+"alias DNAME example.net.\nx.alias A 192.0.2.9\n"), "t", "")
	require.NoError(t, err)
	var warns []string
	opts := baseOptions(t, "example.")
	opts.Warn = func(s string) { warns = append(warns, s) }
	out, st := signString(t, z, opts)
	require.Equal(t, 1, st.Occluded)
	require.Len(t, warns, 1)
	require.Contains(t, warns[0], "below the DNAME at alias.example.")
	require.Contains(t, out, "x.alias.example.\t300\tIN\tA\t192.0.2.9\n")
	require.NotContains(t, out, "x.alias.example.\t300\tIN\tRRSIG")
	require.NotContains(t, out, "x.alias.example.\t300\tIN\tNSEC")
}

func TestApex(t *testing.T) {
	for _, tc := range []struct {
		name, zone, origin, want, err string
	}{
		{"from the SOA", goodZone, "", "example.", ""},
		{"from the origin", "www.example. 60 A 192.0.2.1\n", "example.", "example.", ""},
		{"no SOA", "www.example. 60 A 192.0.2.1\n", "", "", "no SOA"},
		{"two SOA", goodZone + "sub 60 SOA ns hm 1 2 3 4 5\n", "", "", "SOA records at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(tc.zone), "t", tc.origin)
			require.NoError(t, err)
			got, err := z.Apex()
			if tc.err != "" {
				require.ErrorIs(t, err, ErrZone)
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
