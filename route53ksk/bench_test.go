package route53ksk_test

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/route53ksk"
)

func BenchmarkParse(b *testing.B) {
	a := route53KSK(b, localKey(b, "example.com."), "ksk_a", testARN, "ACTIVE")
	c := route53KSK(b, localKey(b, "example.com."), "ksk_b", otherARN, "INACTIVE")
	data := []byte(getDNSSEC("SIGNING", a, c))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := route53ksk.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck checks a two-KSK zone (a rollover) with a parent DS set.
func BenchmarkCheck(b *testing.B) {
	s1, s2 := localKey(b, "example.com."), localKey(b, "example.com.")
	ksks := []route53ksk.KeySigningKey{
		route53KSK(b, s1, "ksk_a", testARN, "ACTIVE"),
		route53KSK(b, s2, "ksk_b", otherARN, "INACTIVE"),
	}
	ds, err := dsrecord.New(s1.DNSKEY(), dsrecord.Options{})
	if err != nil {
		b.Fatal(err)
	}
	opts := route53ksk.Options{ParentDS: []*dns.DS{ds}, Status: &route53ksk.DNSSECStatus{ServeSignature: "SIGNING"}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := route53ksk.Check(ksks, "example.com", opts)
		if err != nil || !r.OK() {
			b.Fatal(err, r.Findings)
		}
	}
}
