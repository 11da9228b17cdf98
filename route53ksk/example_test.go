package route53ksk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/route53ksk"
)

// The output of "aws route53 get-dnssec" for the RFC 6605 example key,
// checked for the zone example.net.
func ExampleCheck() {
	data, err := os.ReadFile("testdata/get-dnssec.json")
	if err != nil {
		panic(err)
	}
	out, err := route53ksk.Parse(data)
	if err != nil {
		panic(err)
	}
	r, err := route53ksk.Check(out.KeySigningKeys, "example.net", route53ksk.Options{Status: out.Status})
	if err != nil {
		panic(err)
	}
	for _, k := range r.Keys {
		fmt.Println(k.Name, k.Status, k.KeyTag, r.OK())
		fmt.Println(k.DS)
	}
	// Output:
	// example_net_ksk ACTIVE 55648 true
	// example.net.	3600	IN	DS	55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17
}

// A KeySigningKey whose key tag was mistyped, and a parent zone whose DS
// matches no ACTIVE KSK.
func ExampleCheck_findings() {
	k, err := route53ksk.Expect(&dns.DNSKEY{
		Hdr:   dns.RR_Header{Name: "example.net.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 257, Protocol: 3, Algorithm: 13,
		PublicKey: "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
	}, "", "example_net_ksk")
	if err != nil {
		panic(err)
	}
	k.Status = route53ksk.StatusActive
	k.KeyTag = 55649
	parent, err := dns.NewRR("example.net. 86400 IN DS 12345 13 2 " + strings.Repeat("AB", 32))
	if err != nil {
		panic(err)
	}
	r, err := route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.net.", route53ksk.Options{
		ParentDS: []*dns.DS{parent.(*dns.DS)},
	})
	if err != nil {
		panic(err)
	}
	for _, f := range r.Findings {
		fmt.Printf("%s: expected %.40s, found %.40s\n", f.Field, f.Expected, f.Found)
	}
	// Output:
	// KeyTag: expected 55648, found 55649
	// ParentDS: expected a DS of one of the 1 KSKs, found example.net. DS 12345 13 2 ABABABABABABA
	// ParentDS: expected a DS of an ACTIVE KSK: example.net. DS 5, found example.net. DS 12345 13 2 ABABABABABABA
}

// What Route 53 should report for the RFC 6605 example key.
func ExampleExpect() {
	k, err := route53ksk.Expect(&dns.DNSKEY{
		Hdr:   dns.RR_Header{Name: "example.net.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: 257, Protocol: 3, Algorithm: 13,
		PublicKey: "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
	}, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "example_net_ksk")
	if err != nil {
		panic(err)
	}
	b, err := json.MarshalIndent(k, "", "    ")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// {
	//     "Name": "example_net_ksk",
	//     "KmsArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	//     "Flag": 257,
	//     "SigningAlgorithmMnemonic": "ECDSAP256SHA256",
	//     "SigningAlgorithmType": 13,
	//     "DigestAlgorithmMnemonic": "SHA-256",
	//     "DigestAlgorithmType": 2,
	//     "KeyTag": 55648,
	//     "DigestValue": "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17",
	//     "PublicKey": "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
	//     "DSRecord": "55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17",
	//     "DNSKEYRecord": "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="
	// }
}

// Parse accepts a bare KeySigningKey, as printed by
// "aws route53 get-dnssec --query 'KeySigningKeys[0]'", with dates as
// epoch seconds.
func ExampleParse() {
	out, err := route53ksk.Parse([]byte(`{"Name": "ksk_1", "KeyTag": 55648, "Status": "ACTIVE", "CreatedDate": 1614600000.5}`))
	if err != nil {
		panic(err)
	}
	k := out.KeySigningKeys[0]
	fmt.Println(k.Name, k.KeyTag, k.Status, k.CreatedDate)

	_, err = route53ksk.Parse([]byte("{\n  \"KeyTag\": 55648,\n  \"Status\": ACTIVE\n}"))
	fmt.Println(err)
	// Output:
	// ksk_1 55648 ACTIVE 2021-03-01 12:00:00.5 +0000 UTC
	// route53ksk: not Route 53 key-signing-key JSON: malformed JSON at line 3, column 13 (byte offset 33): invalid character 'A' looking for beginning of value
}
