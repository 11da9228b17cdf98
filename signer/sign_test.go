package signer_test

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

var (
	inception  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	expiration = inception.Add(30 * 24 * time.Hour)
	validity   = signer.SignOptions{Inception: inception, Expiration: expiration}
)

func TestSignFields(t *testing.T) {
	key := newKey(t, 13, "Example.COM.", signer.FlagsZSK)
	tests := []struct {
		name   string
		rrs    []string
		opts   signer.SignOptions
		labels uint8
		ttl    uint32
	}{
		{"A", []string{"www.example.com. 300 IN A 192.0.2.1"}, validity, 3, 300},
		{"apex MX, mixed case", []string{"EXAMPLE.com. 600 IN MX 10 Mail.Example.com.", "example.COM. 600 IN MX 20 mx2.example.com."}, validity, 2, 600},
		{"TTL is the smallest", []string{"www.example.com. 600 IN A 192.0.2.1", "www.example.com. 60 IN A 192.0.2.2", "www.example.com. 300 IN A 192.0.2.3"}, validity, 3, 60},
		{"TTL option wins", []string{"www.example.com. 600 IN A 192.0.2.1", "www.example.com. 60 IN A 192.0.2.2"},
			signer.SignOptions{Inception: inception, Expiration: expiration, TTL: 1234}, 3, 1234},
		{"wildcard", []string{"*.example.com. 300 IN TXT \"w\""}, validity, 2, 300},
		{"wildcard below", []string{"*.a.b.example.com. 300 IN TXT \"w\""}, validity, 4, 300},
		{"*foo is not a wildcard", []string{"*foo.example.com. 300 IN TXT \"w\""}, validity, 3, 300},
		{"escaped owner", []string{`\087WW.example.com. 300 IN A 192.0.2.1`}, validity, 3, 300},
		{"duplicates", []string{"www.example.com. 300 IN A 192.0.2.1", "www.example.com. 300 IN A 192.0.2.1"}, validity, 3, 300},
		{"zone apex DNSKEY", []string{"example.com. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="}, validity, 2, 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rrs := mustRRs(t, tt.rrs...)
			sigs, err := signer.Sign(context.Background(), rrs, []*signer.Key{key}, tt.opts)
			require.NoError(t, err)
			require.Len(t, sigs, 1)
			sig := sigs[0]
			h := rrs[0].Header()
			require.Equal(t, h.Name, sig.Hdr.Name)
			require.Equal(t, dns.TypeRRSIG, sig.Hdr.Rrtype)
			require.Equal(t, h.Class, sig.Hdr.Class)
			require.Equal(t, tt.ttl, sig.Hdr.Ttl)
			require.Equal(t, tt.ttl, sig.OrigTtl)
			require.Equal(t, h.Rrtype, sig.TypeCovered)
			require.Equal(t, uint8(13), sig.Algorithm)
			require.Equal(t, tt.labels, sig.Labels)
			require.Equal(t, uint32(tt.opts.Inception.Unix()), sig.Inception)
			require.Equal(t, uint32(tt.opts.Expiration.Unix()), sig.Expiration)
			require.Equal(t, key.KeyTag(), sig.KeyTag)
			require.Equal(t, "example.com.", sig.SignerName)
			raw, err := base64.StdEncoding.DecodeString(sig.Signature)
			require.NoError(t, err)
			require.Len(t, raw, 64)

			require.NoError(t, verifyRRSIG(t, key.DNSKEY(), sig, rrs))
			// Verifies over the same RRset in any order and case.
			rev := []dns.RR{rrs[len(rrs)-1]}
			rev = append(rev, rrs[:len(rrs)-1]...)
			require.NoError(t, verifyRRSIG(t, key.DNSKEY(), sig, rev))
			// A changed RRset does not verify.
			changed := dns.Copy(rrs[0])
			changed.Header().Class = dns.ClassCHAOS
			require.ErrorIs(t, verifyRRSIG(t, key.DNSKEY(), sig, []dns.RR{changed}), dnscrypto.ErrVerify)
		})
	}
}

func TestSignWildcardExpansionVerifies(t *testing.T) {
	// A signature over the wildcard RRset verifies for an expanded answer
	// when the validator uses the RRSIG's Labels (RFC 4035 §5.3.2).
	key := newKey(t, 15, "example.com.", signer.FlagsZSK)
	sigs, err := signer.Sign(context.Background(), mustRRs(t, "*.w.example.com. 300 IN MX 1 Mail.example.com."), []*signer.Key{key}, validity)
	require.NoError(t, err)
	sig := sigs[0]
	require.Equal(t, uint8(3), sig.Labels)
	expanded := mustRRs(t, "a.b.W.example.com. 300 IN MX 1 mail.example.com.")
	require.NoError(t, verifyRRSIG(t, key.DNSKEY(), sig, expanded))
	require.ErrorIs(t, verifyRRSIG(t, key.DNSKEY(), sig, mustRRs(t, "a.b.v.example.com. 300 IN MX 1 mail.example.com.")), dnscrypto.ErrVerify)
}

func TestSignMultipleKeys(t *testing.T) {
	keys := []*signer.Key{
		newKey(t, 13, "example.com.", signer.FlagsKSK),
		newKey(t, 14, "example.com.", signer.FlagsZSK),
		newKey(t, 15, "EXAMPLE.com.", signer.FlagsZSK),
		newKey(t, 13, "com.", signer.FlagsZSK), // a parent zone's key may sign too
	}
	rrs := mustRRs(t, "www.example.com. 300 IN AAAA 2001:db8::1", "www.example.com. 300 IN AAAA 2001:db8::2")
	sigs, err := signer.Sign(context.Background(), rrs, keys, validity)
	require.NoError(t, err)
	require.Len(t, sigs, len(keys))
	for i, sig := range sigs {
		k := keys[i]
		require.Equal(t, k.KeyTag(), sig.KeyTag, "order of keys kept")
		require.Equal(t, k.Algorithm(), sig.Algorithm)
		require.Equal(t, k.SignerName(), sig.SignerName)
		for j, other := range keys {
			err := verifyRRSIG(t, other.DNSKEY(), sig, rrs)
			if i == j {
				require.NoError(t, err)
			} else {
				require.Error(t, err, "signature %d verifies with key %d", i, j)
			}
		}
	}
}

func TestSignRejects(t *testing.T) {
	key := newKey(t, 13, "example.com.", signer.FlagsZSK)
	tim := newKey(t, 13, "tim.", signer.FlagsZSK)
	a := mustRRs(t, "www.example.com. 300 IN A 192.0.2.1")
	tests := []struct {
		name string
		rrs  []dns.RR
		keys []*signer.Key
		opts signer.SignOptions
		want error
	}{
		{"empty RRset", nil, []*signer.Key{key}, validity, signer.ErrInput},
		{"nil record", []dns.RR{nil}, []*signer.Key{key}, validity, signer.ErrInput},
		{"nil second record", append(mustRRs(t, "www.example.com. 300 IN A 192.0.2.1"), nil), []*signer.Key{key}, validity, signer.ErrInput},
		{"typed nil record", []dns.RR{(*dns.A)(nil)}, []*signer.Key{key}, validity, signer.ErrInput},
		{"second record typed nil", append(mustRRs(t, "www.example.com. 300 IN A 192.0.2.1"), (*dns.A)(nil)), []*signer.Key{key}, validity, signer.ErrInput},
		{"no keys", a, nil, validity, signer.ErrInput},
		{"nil key", a, []*signer.Key{nil}, validity, signer.ErrInput},
		{"zero Key", a, []*signer.Key{{}}, validity, signer.ErrInput},
		{"owner outside the zone", mustRRs(t, "www.example.org. 300 IN A 192.0.2.1"), []*signer.Key{key}, validity, signer.ErrInput},
		{"owner above the zone", mustRRs(t, "com. 300 IN A 192.0.2.1"), []*signer.Key{key}, validity, signer.ErrInput},
		{"victim. is not below tim.", mustRRs(t, "victim. 300 IN A 192.0.2.1"), []*signer.Key{tim}, validity, signer.ErrInput},
		{"second key outside", a, []*signer.Key{key, tim}, validity, signer.ErrInput},
		{"RRSIG RRset", mustRRs(t, "www.example.com. 300 IN RRSIG A 13 3 300 20260101000000 20250101000000 1 example.com. AAAA"), []*signer.Key{key}, validity, signer.ErrInput},
		{"mixed owners", mustRRs(t, "www.example.com. 300 IN A 192.0.2.1", "ftp.example.com. 300 IN A 192.0.2.1"), []*signer.Key{key}, validity, canonical.ErrNotRRset},
		{"mixed types", mustRRs(t, "www.example.com. 300 IN A 192.0.2.1", "www.example.com. 300 IN AAAA ::1"), []*signer.Key{key}, validity, canonical.ErrNotRRset},
		{"no inception", a, []*signer.Key{key}, signer.SignOptions{Expiration: expiration}, signer.ErrInput},
		{"no expiration", a, []*signer.Key{key}, signer.SignOptions{Inception: inception}, signer.ErrInput},
		{"no validity", a, []*signer.Key{key}, signer.SignOptions{}, signer.ErrInput},
		{"expiration equals inception", a, []*signer.Key{key}, signer.SignOptions{Inception: inception, Expiration: inception}, signer.ErrInput},
		{"expiration before inception", a, []*signer.Key{key}, signer.SignOptions{Inception: expiration, Expiration: inception}, signer.ErrInput},
		{"validity of 2^31 seconds", a, []*signer.Key{key}, signer.SignOptions{Inception: inception, Expiration: inception.Add(1 << 31 * time.Second)}, signer.ErrInput},
		{"bad owner name", []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "a..example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET}, A: []byte{1, 2, 3, 4}}}, []*signer.Key{key}, validity, canonical.ErrName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs, err := signer.Sign(context.Background(), tt.rrs, tt.keys, tt.opts)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, sigs)
		})
	}
	t.Run("validity just under 2^31 seconds", func(t *testing.T) {
		sigs, err := signer.Sign(context.Background(), a, []*signer.Key{key},
			signer.SignOptions{Inception: inception, Expiration: inception.Add(1<<31*time.Second - time.Second)})
		require.NoError(t, err)
		require.Len(t, sigs, 1)
	})
}

func TestSignContext(t *testing.T) {
	key := newKey(t, 13, "example.com.", signer.FlagsZSK)
	a := mustRRs(t, "www.example.com. 300 IN A 192.0.2.1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sigs, err := signer.Sign(ctx, a, []*signer.Key{key}, validity)
	require.ErrorIs(t, err, context.Canceled)
	require.Nil(t, sigs)

	dctx, dcancel := context.WithTimeout(context.Background(), -time.Second)
	defer dcancel()
	_, err = signer.Sign(dctx, a, []*signer.Key{key}, validity)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSignPropagatesSignerErrors(t *testing.T) {
	base := newKey(t, 13, "example.com.", signer.FlagsZSK)
	errKMS := errors.New("kms: throttled")
	k, err := signer.NewKey(&fakeSigner{alg: 13, key: base.DNSKEY(), err: errKMS}, 0)
	require.NoError(t, err)
	_, err = signer.Sign(context.Background(), mustRRs(t, "www.example.com. 300 IN A 192.0.2.1"), []*signer.Key{base, k}, validity)
	require.ErrorIs(t, err, errKMS)
	require.Contains(t, err.Error(), "www.example.com.")
}

func TestSignRejectsMalformedSignatures(t *testing.T) {
	base := newKey(t, 13, "example.com.", signer.FlagsZSK)
	for _, n := range []int{0, 63, 65, 96} {
		k, err := signer.NewKey(&fakeSigner{alg: 13, key: base.DNSKEY(), sig: make([]byte, n)}, 0)
		require.NoError(t, err)
		_, err = signer.Sign(context.Background(), mustRRs(t, "www.example.com. 300 IN A 192.0.2.1"), []*signer.Key{k}, validity)
		require.ErrorIs(t, err, signer.ErrBadSignature, "%d bytes", n)
	}
}

func TestRRsetSignerReuse(t *testing.T) {
	key := newKey(t, 15, "example.com.", signer.FlagsZSK)
	var s signer.RRsetSigner
	sets := [][]dns.RR{
		mustRRs(t, "a.example.com. 300 IN TXT \"a much longer record than the next one, to leave stale bytes behind\""),
		mustRRs(t, "b.example.com. 300 IN A 192.0.2.1"),
		mustRRs(t, "example.com. 300 IN NS ns1.example.com.", "example.com. 300 IN NS ns2.example.com."),
	}
	for round := range 3 {
		for i, rrs := range sets {
			sigs, err := s.Sign(context.Background(), rrs, []*signer.Key{key}, validity)
			require.NoError(t, err)
			require.NoError(t, verifyRRSIG(t, key.DNSKEY(), sigs[0], rrs), "round %d set %d", round, i)
		}
	}
}

// TestSignConcurrent signs the same RRset from many goroutines through the
// pooled Sign; with -race it also shows the records are not written.
func TestSignConcurrent(t *testing.T) {
	keys := []*signer.Key{newKey(t, 13, "example.com.", signer.FlagsZSK), newKey(t, 15, "example.com.", signer.FlagsKSK)}
	rrs := mustRRs(t, "Example.com. 300 IN MX 10 Mail.example.com.", "example.com. 300 IN MX 20 mail2.example.com.")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		wg.Go(func() {
			for range 8 {
				sigs, err := signer.Sign(context.Background(), rrs, keys, validity)
				if err != nil {
					errs <- err
					return
				}
				for i, sig := range sigs {
					if err := verifyRRSIG(t, keys[i].DNSKEY(), sig, rrs); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestSignedData(t *testing.T) {
	// RFC 6605 §6.1: the published RRSIG verifies over SignedData.
	k := mustRR(t, "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==").(*dns.DNSKEY)
	sig := mustRR(t, "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. "+
		"qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==").(*dns.RRSIG)
	rrs := mustRRs(t, "WWW.Example.NET. 3600 IN A 192.0.2.1")
	require.NoError(t, verifyRRSIG(t, k, sig, rrs))

	prefix := []byte("keep")
	out, err := signer.SignedData(prefix, sig, rrs)
	require.NoError(t, err)
	require.Equal(t, "keep", string(out[:4]))

	bad := *sig
	bad.Labels = 4
	_, err = signer.SignedData(nil, &bad, rrs)
	require.ErrorIs(t, err, canonical.ErrLabels)
	bad = *sig
	bad.SignerName = "a..b."
	_, err = signer.SignedData(nil, &bad, rrs)
	require.ErrorIs(t, err, canonical.ErrName)
}

// TestSignP256RFCKey signs the RFC 6605 §6.1 RRset with the RFC's private
// key: the RRSIG has the RFC's fields, and both the new and the published
// signature verify over the same signed data.
func TestSignP256RFCKey(t *testing.T) {
	s, err := signer.FromCryptoSigner(ecKey(t, elliptic.P256(), rfc6605P256), "example.net.", signer.FlagsKSK)
	require.NoError(t, err)
	key, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	rrs := mustRRs(t, "www.example.net. 3600 IN A 192.0.2.1")
	sigs, err := signer.Sign(context.Background(), rrs, []*signer.Key{key}, signer.SignOptions{
		Inception:  time.Date(2010, 8, 12, 10, 4, 39, 0, time.UTC),
		Expiration: time.Date(2010, 9, 9, 10, 4, 39, 0, time.UTC),
	})
	require.NoError(t, err)
	published := mustRR(t, "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. "+
		"qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==").(*dns.RRSIG)
	got := *sigs[0]
	got.Signature = published.Signature
	require.Equal(t, published.String(), got.String(), "every field but the (randomised) signature")
	require.NoError(t, verifyRRSIG(t, key.DNSKEY(), sigs[0], rrs))
	require.NoError(t, sigs[0].Verify(key.DNSKEY(), rrs), "miekg accepts it")
}
