package main

import (
	"fmt"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/signer"
)

// parseDigestType parses the -digest flag.
func parseDigestType(s string) (uint8, error) {
	dt, err := dsrecord.ParseDigestType(s)
	if err != nil {
		return 0, usagef("unknown digest %q: want SHA-256, SHA-384 or SHA-1", s)
	}
	return dt, nil
}

func cmdDS(e *env, args []string) error {
	fs := newFlagSet(e, "ds", "ds [-digest SHA-256|SHA-384|SHA-1] [-all] [FILE|-]",
		"  dnsseal ds Kexample.com.+013+12345.key\n  dnsseal ds -digest SHA-384 -all keys.txt")
	digest := fs.String("digest", "SHA-256", "digest algorithm: SHA-256, SHA-384, or SHA-1 (only to compare with an old DS; RFC 8624)")
	all := fs.Bool("all", false, "print a DS for every DNSKEY, not only those with the SEP flag (257)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dt, err := parseDigestType(*digest)
	if err != nil {
		return err
	}
	if dt == dsrecord.SHA1 {
		fmt.Fprintln(e.stderr, "dnsseal: warning: SHA-1 DS records must not be published (RFC 8624 §3.3); use them only to compare")
	}
	rrs, name, err := readInput(e, fs.Args())
	if err != nil {
		return err
	}
	n, keys := 0, 0
	for _, rr := range rrs {
		k := asDNSKEY(rr)
		if k == nil {
			continue
		}
		keys++
		if !*all && k.Flags&signer.FlagSEP == 0 {
			continue
		}
		ds, err := dsrecord.New(k, dsrecord.Options{DigestType: dt, AllowSHA1: true})
		if err != nil {
			return fmt.Errorf("%s: %w", k.Hdr.Name, err)
		}
		fmt.Fprintln(e.stdout, ds.String())
		n++
	}
	switch {
	case keys == 0:
		return fmt.Errorf("no DNSKEY records in %s", name)
	case n == 0:
		return fmt.Errorf("no DNSKEY with the SEP flag (257) in %s; use -all for every key", name)
	}
	return nil
}
