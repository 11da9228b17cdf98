// Package signertest is the conformance suite that every signer.Signer
// implementation must pass, in the manner of circl's TestApi: a backend's
// tests call Run with a constructor and get one subtest per requirement of
// the Signer contract.
//
//	func TestConformance(t *testing.T) {
//		signertest.Run(t, func(t *testing.T) signer.Signer {
//			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
//			if err != nil {
//				t.Fatal(err)
//			}
//			s, err := signer.FromCryptoSigner(k, "example.com.", signer.FlagsZSK)
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite needs no network and no I/O of its own; a backend that talks
// to a service (KMS) should point it at an emulator. It signs about 200
// times per run.
package signertest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/p256"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// Run checks the Signer contract of package signer against the Signers
// that newSigner returns. newSigner is called once at the start of each
// subtest, with that subtest's t (so it may register cleanups with
// t.Cleanup); it may return a new Signer or the same one each time, and
// should call t.Fatal if it cannot make one.
//
// The subtests check that:
//   - Algorithm equals the DNSKEY's algorithm;
//   - the DNSKEY is well formed: fully qualified owner, class IN, type
//     DNSKEY, protocol 3, the zone key flag, and a public key that decodes
//     for the algorithm (P-256 for 13, P-384 for 14, 32-byte Ed25519 for
//     15); that repeated calls return the same record; and that
//     signer.NewKey accepts the Signer;
//   - signatures are exactly 64, 96 and 64 bytes for algorithms 13, 14
//     and 15, and verify with signer.NewVerifier over the DNSKEY;
//   - changing one bit of the data or of the signature makes it fail;
//   - Sign leaves its input unchanged;
//   - a context cancelled (or past its deadline) before Sign is called
//     gives an error that wraps context.Canceled (or
//     context.DeadlineExceeded), and no signature;
//   - many goroutines signing at once all get signatures that verify;
//   - empty data and 64 KiB of data sign and verify;
//   - a Signer that also implements signer.DigestSigner signs SHA-256
//     (13) or SHA-384 (14) digests consistently with Sign, rejects digests
//     of the wrong length, and refuses digests for Ed25519 (15);
//   - an RRset signed through signer.Sign verifies via signer.SignedData;
//   - a Signer that also implements signer.BatchSigner signs batches of
//     0, 1, 3 and 70 SHA-256 digests into signatures that verify, with
//     hints R = k·G that pass batch verification, the same signatures
//     with and without hints requested when the Signer is deterministic,
//     rejects slices of different lengths and a cancelled context, and
//     refuses to batch-sign for an algorithm other than 13.
func Run(t *testing.T, newSigner func(t *testing.T) signer.Signer) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s signer.Signer)
	}{
		{"Algorithm", testAlgorithm},
		{"DNSKEY", testDNSKEY},
		{"SignatureLength", testSignatureLength},
		{"Verify", testVerify},
		{"Tampered", testTampered},
		{"InputUnchanged", testInputUnchanged},
		{"CanceledContext", testCanceled},
		{"Concurrent", testConcurrent},
		{"EmptyAndLargeData", testSizes},
		{"DigestSigner", testDigestSigner},
		{"RRSIG", testRRSIG},
		{"BatchSigner", testBatchSigner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(t)
			if s == nil {
				t.Fatal("newSigner returned nil")
			}
			tt.f(t, s)
		})
	}
}

// Algorithm numbers the suite knows signature lengths and key shapes of.
const (
	algP256    = 13
	algP384    = 14
	algEd25519 = 15
)

func testAlgorithm(t *testing.T, s signer.Signer) {
	k := s.DNSKEY()
	if k == nil {
		t.Fatal("DNSKEY() returned nil")
	}
	if s.Algorithm() != k.Algorithm {
		t.Fatalf("Algorithm() = %d, DNSKEY algorithm = %d", s.Algorithm(), k.Algorithm)
	}
	if s.Algorithm() == 0 {
		t.Fatal("Algorithm() = 0")
	}
}

func testDNSKEY(t *testing.T, s signer.Signer) {
	k := s.DNSKEY()
	if k == nil {
		t.Fatal("DNSKEY() returned nil")
	}
	if _, ok := dns.IsDomainName(k.Hdr.Name); !ok || !dns.IsFqdn(k.Hdr.Name) {
		t.Errorf("DNSKEY owner %q is not a fully qualified domain name", k.Hdr.Name)
	}
	if k.Hdr.Rrtype != dns.TypeDNSKEY {
		t.Errorf("DNSKEY header type %d, want %d", k.Hdr.Rrtype, dns.TypeDNSKEY)
	}
	if k.Hdr.Class != dns.ClassINET {
		t.Errorf("DNSKEY class %d, want IN", k.Hdr.Class)
	}
	if k.Protocol != 3 {
		t.Errorf("DNSKEY protocol %d, want 3 (RFC 4034 §2.1.2)", k.Protocol)
	}
	if k.Flags&signer.FlagZone == 0 {
		t.Errorf("DNSKEY flags %d lack the zone key bit (RFC 4034 §2.1.1)", k.Flags)
	}
	if strings.ContainsAny(k.PublicKey, " \t\n") {
		t.Errorf("DNSKEY public key contains white space: %q", k.PublicKey)
	}
	pub, err := signer.PublicKey(k)
	if err != nil {
		t.Fatalf("public key does not decode: %v", err)
	}
	switch k.Algorithm {
	case algP256, algP384:
		p, ok := pub.(*ecdsa.PublicKey)
		want := elliptic.P256()
		if k.Algorithm == algP384 {
			want = elliptic.P384()
		}
		if !ok || p.Curve != want {
			t.Errorf("algorithm %d key is %T, want an ECDSA %s key", k.Algorithm, pub, want.Params().Name)
		}
	case algEd25519:
		if p, ok := pub.(ed25519.PublicKey); !ok || len(p) != ed25519.PublicKeySize {
			t.Errorf("algorithm 15 key is %T, want ed25519.PublicKey", pub)
		}
	default:
		if _, ok := pub.(*rsa.PublicKey); !ok {
			t.Errorf("algorithm %d key is %T", k.Algorithm, pub)
		}
	}
	again := s.DNSKEY()
	if again == nil || again.String() != k.String() {
		t.Errorf("DNSKEY() changed between calls:\n%v\n%v", k, again)
	}
	if _, err := signer.NewKey(s, 0); err != nil {
		t.Errorf("signer.NewKey: %v", err)
	}
}

// sign signs data and fails the test on error.
func sign(t *testing.T, s signer.Signer, data []byte) []byte {
	t.Helper()
	sig, err := s.Sign(context.Background(), data)
	if err != nil {
		t.Fatalf("Sign(%d bytes): %v", len(data), err)
	}
	return sig
}

func verifier(t *testing.T, s signer.Signer) *signer.Verifier {
	t.Helper()
	v, err := signer.NewVerifier(s.DNSKEY())
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func sigSize(alg uint8) int {
	switch alg {
	case algP256, algEd25519:
		return 64
	case algP384:
		return 96
	}
	return 0
}

func testSignatureLength(t *testing.T, s signer.Signer) {
	want := sigSize(s.Algorithm())
	if want == 0 {
		t.Skipf("algorithm %d has no fixed signature length", s.Algorithm())
	}
	// ECDSA r or s shorter than the field (1 in 128 each) must still be
	// left-padded: sign often enough to meet a few.
	for i := range 64 {
		sig := sign(t, s, []byte{byte(i)})
		if len(sig) != want {
			t.Fatalf("signature %d is %d bytes, want %d", i, len(sig), want)
		}
	}
}

func testVerify(t *testing.T, s signer.Signer) {
	v := verifier(t, s)
	for i, data := range [][]byte{[]byte("a"), []byte("example data"), bytes.Repeat([]byte{0xff}, 300)} {
		sig := sign(t, s, data)
		if err := v.Verify(data, sig); err != nil {
			t.Errorf("signature %d does not verify: %v", i, err)
		}
	}
}

func testTampered(t *testing.T, s signer.Signer) {
	v := verifier(t, s)
	data := []byte("the RRSIG RDATA and the canonical RRset")
	sig := sign(t, s, data)
	for _, bit := range []int{0, 7, 8*len(data) - 1} {
		d := bytes.Clone(data)
		d[bit/8] ^= 1 << (bit % 8)
		if err := v.Verify(d, sig); err == nil {
			t.Errorf("signature verifies over data with bit %d flipped", bit)
		}
	}
	for _, bit := range []int{0, 8*len(sig)/2 + 3, 8*len(sig) - 1} {
		g := bytes.Clone(sig)
		g[bit/8] ^= 1 << (bit % 8)
		if err := v.Verify(data, g); err == nil {
			t.Errorf("signature with bit %d flipped verifies", bit)
		}
	}
	if err := v.Verify(data, sig[:len(sig)-1]); err == nil {
		t.Error("truncated signature verifies")
	}
}

func testInputUnchanged(t *testing.T, s signer.Signer) {
	data := []byte("do not touch")
	orig := bytes.Clone(data)
	sign(t, s, data)
	if !bytes.Equal(data, orig) {
		t.Fatalf("Sign modified its input: %q", data)
	}
}

func testCanceled(t *testing.T, s signer.Signer) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sig, err := s.Sign(ctx, []byte("data"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Sign with a cancelled context: %v, want an error wrapping context.Canceled", err)
	}
	if sig != nil {
		t.Errorf("Sign with a cancelled context returned a signature")
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	if _, err := s.Sign(dctx, []byte("data")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sign past the deadline: %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if ds, ok := s.(signer.DigestSigner); ok && s.Algorithm() != algEd25519 {
		d := digest(s.Algorithm(), []byte("data"))
		if _, err := ds.SignDigest(ctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("SignDigest with a cancelled context: %v, want an error wrapping context.Canceled", err)
		}
	}
	// The Signer still works afterwards.
	sign(t, s, []byte("data"))
}

func testConcurrent(t *testing.T, s signer.Signer) {
	v := verifier(t, s)
	const workers, each = 8, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				data := fmt.Appendf(nil, "worker %d message %d", w, i)
				sig, err := s.Sign(context.Background(), data)
				if err == nil {
					err = v.Verify(data, sig)
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d message %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testSizes(t *testing.T, s signer.Signer) {
	v := verifier(t, s)
	large := make([]byte, 64<<10)
	for i := range large {
		large[i] = byte(i * 7)
	}
	for name, data := range map[string][]byte{"nil": nil, "empty": {}, "64KiB": large} {
		sig := sign(t, s, data)
		if err := v.Verify(data, sig); err != nil {
			t.Errorf("%s data: %v", name, err)
		}
	}
}

func digest(alg uint8, data []byte) []byte {
	switch alg {
	case algP256:
		h := sha256.Sum256(data)
		return h[:]
	case algP384:
		h := sha512.Sum384(data)
		return h[:]
	}
	return nil
}

func testDigestSigner(t *testing.T, s signer.Signer) {
	ds, ok := s.(signer.DigestSigner)
	if !ok {
		t.Skipf("%T does not implement signer.DigestSigner", s)
	}
	ctx := context.Background()
	data := []byte("digest me")
	if s.Algorithm() == algEd25519 {
		if sig, err := ds.SignDigest(ctx, make([]byte, 64)); err == nil {
			t.Errorf("Ed25519 SignDigest returned a %d-byte signature; Ed25519 signs messages", len(sig))
		}
		return
	}
	d := digest(s.Algorithm(), data)
	if d == nil {
		t.Skipf("no digest for algorithm %d", s.Algorithm())
	}
	sig, err := ds.SignDigest(ctx, d)
	if err != nil {
		t.Fatalf("SignDigest: %v", err)
	}
	if n := sigSize(s.Algorithm()); len(sig) != n {
		t.Errorf("SignDigest signature is %d bytes, want %d", len(sig), n)
	}
	if err := verifier(t, s).Verify(data, sig); err != nil {
		t.Errorf("SignDigest(hash(data)) does not verify as a signature of data: %v", err)
	}
	for _, n := range []int{0, len(d) - 1, len(d) + 1} {
		if _, err := ds.SignDigest(ctx, make([]byte, n)); err == nil {
			t.Errorf("SignDigest accepted a %d-byte digest, want %d", n, len(d))
		}
	}
}

func testRRSIG(t *testing.T, s signer.Signer) {
	key, err := signer.NewKey(s, 0)
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	zone := key.SignerName()
	owner := "www." + zone
	if zone == "." {
		owner = "www."
	}
	var rrset []dns.RR
	for i := range 3 {
		rrset = append(rrset, &dns.A{
			Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300},
			A:   []byte{192, 0, 2, byte(i + 1)},
		})
	}
	inc := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{key}, signer.SignOptions{Inception: inc, Expiration: inc.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatalf("signer.Sign: %v", err)
	}
	if len(sigs) != 1 {
		t.Fatalf("signer.Sign returned %d RRSIGs, want 1", len(sigs))
	}
	sig := sigs[0]
	if sig.Algorithm != s.Algorithm() || sig.KeyTag != key.KeyTag() {
		t.Errorf("RRSIG algorithm %d key tag %d, want %d %d", sig.Algorithm, sig.KeyTag, s.Algorithm(), key.KeyTag())
	}
	data, err := signer.SignedData(nil, sig, rrset)
	if err != nil {
		t.Fatalf("SignedData: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil {
		t.Fatalf("RRSIG signature: %v", err)
	}
	if err := verifier(t, s).Verify(data, raw); err != nil {
		t.Errorf("RRSIG does not verify: %v", err)
	}
}

func testBatchSigner(t *testing.T, s signer.Signer) {
	bs, ok := s.(signer.BatchSigner)
	if !ok {
		t.Skipf("%T does not implement signer.BatchSigner", s)
	}
	ctx := context.Background()
	if s.Algorithm() != algP256 {
		d := make([][32]byte, 1)
		if err := bs.SignDigests(ctx, d, make([][64]byte, 1), nil); err == nil {
			t.Errorf("SignDigests for algorithm %d succeeded; BatchSigner is for algorithm 13", s.Algorithm())
		}
		return
	}
	v := verifier(t, s)
	raw, err := base64.StdEncoding.DecodeString(s.DNSKEY().PublicKey)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	pub, err := p256.NewPublicKey(raw)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	for _, n := range []int{0, 1, 3, 70} {
		data := make([][]byte, n)
		digests := make([][32]byte, n)
		for i := range n {
			data[i] = fmt.Appendf(nil, "batch %d item %d", n, i)
			digests[i] = sha256.Sum256(data[i])
		}
		sigs := make([][64]byte, n)
		hints := make([][65]byte, n)
		if err := bs.SignDigests(ctx, digests, sigs, hints); err != nil {
			t.Fatalf("SignDigests(%d digests): %v", n, err)
		}
		items := make([]p256.BatchItem, n)
		for i := range n {
			if err := v.Verify(data[i], sigs[i][:]); err != nil {
				t.Errorf("batch of %d, signature %d does not verify: %v", n, i, err)
			}
			items[i] = p256.BatchItem{Digest: digests[i], Sig: sigs[i], R: hints[i]}
			if hints[i][0] != 4 || !bytes.Equal(hints[i][1:33], sigs[i][:32]) {
				t.Errorf("batch of %d, hint %d is not an uncompressed point with x = r", n, i)
			}
		}
		if !pub.VerifyBatch(nil, items) {
			t.Errorf("batch of %d: the signatures and hints fail batch verification", n)
		}
		again := make([][64]byte, n)
		if err := bs.SignDigests(ctx, digests, again, nil); err != nil {
			t.Fatalf("SignDigests without hints: %v", err)
		}
		for i := range n {
			if err := v.Verify(data[i], again[i][:]); err != nil {
				t.Errorf("batch of %d without hints, signature %d does not verify: %v", n, i, err)
			}
		}
		if n > 0 && sigs[0] == again[0] { // deterministic: all the same
			for i := range n {
				if sigs[i] != again[i] {
					t.Errorf("batch of %d: signature %d differs with and without hints", n, i)
				}
			}
		}
	}
	for _, c := range []struct{ d, s, h int }{{2, 1, -1}, {1, 2, -1}, {2, 2, 1}, {1, 0, 0}} {
		var hints [][65]byte
		if c.h >= 0 {
			hints = make([][65]byte, c.h)
		}
		if err := bs.SignDigests(ctx, make([][32]byte, c.d), make([][64]byte, c.s), hints); err == nil {
			t.Errorf("SignDigests accepted %d digests, %d signatures and %d hints", c.d, c.s, c.h)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := bs.SignDigests(cctx, make([][32]byte, 3), make([][64]byte, 3), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("SignDigests with a cancelled context: %v, want an error wrapping context.Canceled", err)
	}
}
