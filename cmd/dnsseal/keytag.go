package main

import (
	"fmt"

	"github.com/dnsseal/dnsseal/keytag"
	"github.com/miekg/dns"
)

func cmdKeytag(e *env, args []string) error {
	fs := newFlagSet(e, "keytag", "keytag [FILE|-]",
		"  dnsseal keytag Kexample.com.+013+12345.key\n  dig +short example.com DNSKEY | sed 's/^/example.com. IN DNSKEY /' | dnsseal keytag")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rrs, name, err := readInput(e, fs.Args())
	if err != nil {
		return err
	}
	n := 0
	for _, rr := range rrs {
		k := asDNSKEY(rr)
		if k == nil {
			continue
		}
		tag, err := keytag.Compute(k)
		if err != nil {
			return fmt.Errorf("%s: %w", k.Hdr.Name, err)
		}
		fmt.Fprintf(e.stdout, "%d %s\n", tag, k.Hdr.Name)
		n++
	}
	if n == 0 {
		return fmt.Errorf("no DNSKEY records in %s", name)
	}
	return nil
}

// asDNSKEY returns rr as a DNSKEY if it is a DNSKEY or CDNSKEY.
func asDNSKEY(rr dns.RR) *dns.DNSKEY {
	switch k := rr.(type) {
	case *dns.DNSKEY:
		return k
	case *dns.CDNSKEY:
		return &k.DNSKEY
	}
	return nil
}
