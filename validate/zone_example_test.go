package validate_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
)

// Validating the signed zone of RFC 4035 Appendix A, as published and
// then with two faults: the TTL of an A RRset raised above its RRSIG's
// Original TTL, and a record added without a signature.
func ExampleZone() {
	z := testvectors.RFC4035Zone()
	opts := validate.ZoneOptions{Now: z.ValidAt}
	res, err := validate.Zone(context.Background(), z.Records, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())

	var rrs []dns.RR
	for _, rr := range z.Records {
		rr = dns.Copy(rr)
		if a, ok := rr.(*dns.A); ok && a.Hdr.Name == "ns1.example." {
			a.Hdr.Ttl = 86400
		}
		rrs = append(rrs, rr)
	}
	txt, _ := dns.NewRR(`ns1.example. 3600 IN TXT "not signed"`)
	rrs = append(rrs, txt)
	res, _ = validate.Zone(context.Background(), rrs, opts)
	fmt.Println(res.Summary())
	for _, f := range res.Findings {
		fmt.Println(f)
	}
	// Output:
	// example.: secure (NSEC, trust taken from the apex DNSKEY RRset): 10 names, 26 RRsets, 27 signatures, 0 errors, 0 warnings
	// example.: bogus (NSEC, trust taken from the apex DNSKEY RRset): 10 names, 27 RRsets, 27 signatures, 3 errors, 1 warning
	// error: ns1.example. A key 38519 alg 5: RRset TTL exceeds the RRSIG original TTL (TTL 86400 > original TTL 3600)
	// warning: ns1.example. A key 38519 alg 5: RRSIG TTL differs from the RRset TTL (RRSIG TTL 3600, RRset TTL 86400)
	// error: ns1.example. TXT: RRset not signed (no RRSIG)
	// error: ns1.example. NSEC: type bitmap does not match the types present (missing TXT)
}

// ZoneHook plugs the validator into the zone signer: a zone that does not
// validate is not written.
func ExampleZoneHook() {
	hook := validate.ZoneHook(validate.ZoneOptions{})
	// zonesign.Options{Validate: hook, ...}
	err := hook(context.Background(), bytes.NewReader([]byte("example. 3600 IN SOA ns. host. 1 2 3 4 5\n")))
	fmt.Println(err)
	// Output:
	// validate: zone example.: insecure (no denial, trust taken from the apex DNSKEY RRset): 1 name, 0 RRsets, 0 signatures, 0 errors, 0 warnings
}
