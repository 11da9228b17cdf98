package validate

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// BenchmarkVerify compares verifying a P-256 RRSIG over a 1-RR and a 4-RR
// RRset with a reused Verifier against miekg/dns's RRSIG.Verify (plus its
// ValidityPeriod, which Verify leaves to the caller), in the same run.
// "prepare" is everything dnsseal does besides the signature check itself
// (checks, key lookup, signed data); "stdlib" is Verify with the key's
// precomputed table disabled, i.e. with crypto/ecdsa.
func BenchmarkVerify(b *testing.B) {
	k := newTestKey(b, "example.", signer.FlagsZSK)
	key := k.dnskey()
	for _, n := range []int{1, 4} {
		var rrset []dns.RR
		for i := range n {
			rrset = append(rrset, mustRR(b, fmt.Sprintf("www.Example. 300 IN A 192.0.2.%d", i+1)))
		}
		sig := k.sign(b, rrset)
		opts := VerifyOptions{Now: t0}
		b.Run(fmt.Sprintf("dnsseal/%dRR", n), func(b *testing.B) {
			var v Verifier
			b.ReportAllocs()
			for b.Loop() {
				if f := v.Verify(sig, rrset, key, opts); f != nil {
					b.Fatal(f)
				}
			}
		})
		b.Run(fmt.Sprintf("dnsseal-stdlib/%dRR", n), func(b *testing.B) {
			var v Verifier
			if f := v.Verify(sig, rrset, key, opts); f != nil {
				b.Fatal(f)
			}
			v.tables = maxTables // no precomputed table: crypto/ecdsa
			b.ReportAllocs()
			for b.Loop() {
				if f := v.Verify(sig, rrset, key, opts); f != nil {
					b.Fatal(f)
				}
			}
		})
		b.Run(fmt.Sprintf("dnsseal-prepare/%dRR", n), func(b *testing.B) {
			var v Verifier
			b.ReportAllocs()
			for b.Loop() {
				if _, f := v.prepare(sig, rrset, key, opts); f != nil {
					b.Fatal(f)
				}
			}
		})
		b.Run(fmt.Sprintf("miekg/%dRR", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := sig.Verify(key, rrset); err != nil {
					b.Fatal(err)
				}
				if !sig.ValidityPeriod(t0) {
					b.Fatal("not valid")
				}
			}
		})
	}
}

// BenchmarkECDSAVerify is the floor: crypto/ecdsa.VerifyASN1 of a P-256
// signature over a SHA-256 digest with a parsed public key, which is what
// any RRSIG verification must spend at least.
func BenchmarkECDSAVerify(b *testing.B) {
	k := newTestKey(b, "example.", signer.FlagsZSK)
	h := sha256.Sum256([]byte("signed data"))
	der, err := ecdsa.SignASN1(rand.Reader, k.priv, h[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(&k.priv.PublicKey, h[:], der) {
			b.Fatal("bad")
		}
	}
}

// BenchmarkRecords checks a signed delegation chain (6 RRSIGs, 1 DS) in
// records mode, with a DS anchor.
func BenchmarkRecords(b *testing.B) {
	z := newTestZone(b)
	anchors := []dns.RR{z.ds}
	opts := RecordsOptions{Now: t0}
	b.ReportAllocs()
	for b.Loop() {
		res := Records(z.rrs, anchors, opts)
		if len(res) != 6 {
			b.Fatal(len(res))
		}
	}
}

// BenchmarkVerifyInterleaved runs dnsseal's and miekg's verification
// alternately in one loop and reports the ratio of their total times
// (miekg/dnsseal), which stays meaningful on a machine whose load changes
// during the run.
func BenchmarkVerifyInterleaved(b *testing.B) {
	k := newTestKey(b, "example.", signer.FlagsZSK)
	key := k.dnskey()
	for _, n := range []int{1, 4} {
		var rrset []dns.RR
		for i := range n {
			rrset = append(rrset, mustRR(b, fmt.Sprintf("www.Example. 300 IN A 192.0.2.%d", i+1)))
		}
		sig := k.sign(b, rrset)
		opts := VerifyOptions{Now: t0}
		b.Run(fmt.Sprintf("%dRR", n), func(b *testing.B) {
			var v Verifier
			var ours, theirs time.Duration
			for b.Loop() {
				t := time.Now()
				if f := v.Verify(sig, rrset, key, opts); f != nil {
					b.Fatal(f)
				}
				t1 := time.Now()
				if err := sig.Verify(key, rrset); err != nil || !sig.ValidityPeriod(t0) {
					b.Fatal(err)
				}
				ours += t1.Sub(t)
				theirs += time.Since(t1)
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "dnsseal-ns/op")
			b.ReportMetric(float64(theirs.Nanoseconds())/float64(b.N), "miekg-ns/op")
			b.ReportMetric(float64(theirs)/float64(ours), "speedup")
		})
	}
}
