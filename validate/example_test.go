package validate_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
)

// The RFC 6605 §6.1 example: a P-256 key and its signature over an A
// record, as dig +dnssec would print them.
const rfc6605Records = `
example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==
example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17
www.example.net. 3600 IN A 192.0.2.1
www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==
`

func parse(text string) []dns.RR {
	var out []dns.RR
	zp := dns.NewZoneParser(strings.NewReader(text), "", "")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	return out
}

func ExampleVerifyRRSIG() {
	rrs := parse(rfc6605Records)
	key, rrset, sig := rrs[0].(*dns.DNSKEY), rrs[2:3], rrs[3].(*dns.RRSIG)

	now := time.Date(2010, 8, 26, 0, 0, 0, 0, time.UTC)
	fmt.Println(validate.VerifyRRSIG(sig, rrset, key, validate.VerifyOptions{Now: now}))

	later := time.Date(2010, 10, 1, 0, 0, 0, 0, time.UTC)
	f := validate.VerifyRRSIG(sig, rrset, key, validate.VerifyOptions{Now: later})
	fmt.Println(f.Reason == validate.ReasonExpired)
	fmt.Println(f)
	// Output:
	// valid
	// true
	// www.example.net. A RRSIG 13 55648 example.net.: signature expired (expiration 20100909100439, now 20101001000000)
}

func ExampleRecords() {
	rrs := parse(rfc6605Records)
	now := time.Date(2010, 8, 26, 0, 0, 0, 0, time.UTC)
	for _, r := range validate.Records(rrs, nil, validate.RecordsOptions{Now: now}) {
		fmt.Println(r)
	}
	// With the DS as the trust anchor and the DNSKEY left out, the
	// signature cannot be checked.
	for _, r := range validate.Records(rrs[2:], rrs[1:2], validate.RecordsOptions{Now: now}) {
		fmt.Println(r)
	}
	// Output:
	// example.net. DS 55648 13 2: valid: matches DNSKEY 55648
	// www.example.net. A RRSIG 13 55648: valid
	// www.example.net. A RRSIG 13 55648: indeterminate: no matching DNSKEY
}

// A Verifier checks many signatures, reusing its buffers and parsed keys,
// as a zone validator does. Failures are data: a Finding with a Reason.
func ExampleVerifier() {
	rrs := parse(rfc6605Records)
	key, rrset, sig := rrs[0].(*dns.DNSKEY), rrs[2:3], rrs[3].(*dns.RRSIG)
	opts := validate.VerifyOptions{Now: time.Date(2010, 8, 26, 0, 0, 0, 0, time.UTC)}

	forged := dns.Copy(rrset[0]).(*dns.A)
	forged.A = []byte{192, 0, 2, 66}
	victim := dns.Copy(sig).(*dns.RRSIG)
	victim.Hdr.Name, victim.SignerName = "www.x.victim.", "tim."
	victimA := dns.Copy(forged).(*dns.A)
	victimA.Hdr.Name = "www.x.victim."

	var v validate.Verifier
	for _, c := range []struct {
		sig   *dns.RRSIG
		rrset []dns.RR
	}{
		{sig, rrset},
		{sig, []dns.RR{forged}},
		{victim, []dns.RR{victimA}},
	} {
		if f := v.Verify(c.sig, c.rrset, key, opts); f != nil {
			fmt.Println(f.Reason)
			continue
		}
		fmt.Println("valid")
	}
	// Output:
	// valid
	// signature does not verify
	// signer name is not an ancestor of the owner
}
