package dsrecord_test

import (
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/dsrecord"
)

// BenchmarkDS compares FromDNSKEY with miekg/dns DNSKEY.ToDS, for the
// P-256 key of RFC 6605 §6.1 and the 2048-bit RSA KSK of RFC 8976 A.4.
func BenchmarkDS(b *testing.B) {
	td := loadTestdata(b)
	for _, tc := range []struct {
		name string
		tag  uint16
		dt   uint8
	}{
		{"P256/SHA256", 55648, dsrecord.SHA256},
		{"P256/SHA384", 55648, dsrecord.SHA384},
		{"RSA2048/SHA256", 30577, dsrecord.SHA256},
	} {
		k := td.key(b, tc.tag)
		b.Run(tc.name+"/dnsseal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dsrecord.FromDNSKEY(k, tc.dt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/miekg", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if k.ToDS(tc.dt) == nil {
					b.Fatal("ToDS failed")
				}
			}
		})
	}
}

// BenchmarkAppendDigest is the allocation-free core of FromDNSKEY.
func BenchmarkAppendDigest(b *testing.B) {
	k := loadTestdata(b).key(b, 55648)
	dst := make([]byte, 0, dsrecord.MaxDigestSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dsrecord.AppendDigest(dst, k.Hdr.Name, k, dsrecord.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatch checks a DS against its key, beside the miekg/dns way of
// doing it (ToDS and compare the digest strings).
func BenchmarkMatch(b *testing.B) {
	k := loadTestdata(b).key(b, 55648)
	ds, err := dsrecord.FromDNSKEY(k, dsrecord.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("dnsseal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := dsrecord.Match(ds, k); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("miekg", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := k.ToDS(ds.DigestType)
			if m == nil || m.KeyTag != ds.KeyTag || m.Algorithm != ds.Algorithm ||
				!strings.EqualFold(m.Hdr.Name, ds.Hdr.Name) || !strings.EqualFold(m.Digest, ds.Digest) {
				b.Fatal("no match")
			}
		}
	})
}
