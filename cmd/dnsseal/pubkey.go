package main

import (
	"fmt"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

func cmdPubkey(e *env, args []string) error {
	fs := newFlagSet(e, "pubkey", "pubkey -key REF -origin ZONE [-flags 257]",
		"  dnsseal pubkey -key file:keys/Kexample.com.+013+12345 -origin example.com\n  dnsseal pubkey -key awskms:alias/example-ksk -origin example.com")
	ref := fs.String("key", "", "key reference: file:PATH (BIND key pair or PKCS#8 .pem) or awskms:KEY (id, ARN or alias/NAME)")
	origin := fs.String("origin", "", "zone the key is for (required)")
	flags := fs.Uint("flags", uint(signer.FlagsKSK), "DNSKEY flags for keys that do not store them (KMS, PEM): 257 KSK, 256 ZSK")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *ref == "" || *origin == "" {
		return usagef("-key and -origin are required")
	}
	if *flags > 0xffff {
		return usagef("-flags %d out of range", *flags)
	}
	s, err := loadKey(e, *ref, dns.Fqdn(*origin), uint16(*flags))
	if err != nil {
		return err
	}
	k := s.DNSKEY()
	fmt.Fprintln(e.stdout, k.String())
	ds, err := dsrecord.New(k, dsrecord.Options{})
	if err != nil {
		return fmt.Errorf("DS of %s: %w", k.Hdr.Name, err)
	}
	fmt.Fprintln(e.stdout, ds.String())
	return nil
}
