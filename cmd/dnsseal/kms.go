package main

import (
	"fmt"
	"strings"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/miekg/dns"
)

func cmdKMS(e *env, args []string) error {
	return dispatch(e, "kms",
		"Usage: dnsseal kms check -key KEY [-route53]\n       dnsseal kms create [-alias alias/NAME] [-route53] [-region R]",
		args, []command{
			{"check", "preflight of a KMS key", cmdKMSCheck},
			{"create", "create an ECC_NIST_P256 SIGN_VERIFY key", cmdKMSCreate},
		})
}

func cmdKMSCheck(e *env, args []string) error {
	fs := newFlagSet(e, "kms check", "kms check -key KEY [-route53]",
		"  dnsseal kms check -key alias/example-ksk\n  dnsseal kms check -route53 -key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	key := fs.String("key", "", "KMS key: id, ARN or alias/NAME (an awskms: prefix is accepted)")
	route53 := fs.Bool("route53", false, "also check what Route 53 requires of a key-signing key: us-east-1 and a key policy for dnssec-route53.amazonaws.com")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	id := strings.TrimPrefix(*key, "awskms:")
	if id == "" {
		return usagef("-key is required")
	}
	client, err := kmsClient(e, regionOfARN(id))
	if err != nil {
		return err
	}
	all, err := kmsbackend.CheckRoute53(e.ctx, client, id)
	if err != nil {
		return err
	}
	var problems []kmsbackend.Problem
	for _, p := range all {
		switch p.Code {
		case kmsbackend.ProblemRegion, kmsbackend.ProblemKeyPolicy, kmsbackend.ProblemKeyPolicyDeny:
			if !*route53 {
				continue // what only Route 53 needs
			}
		}
		problems = append(problems, p)
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p.String())
	}
	if len(problems) > 0 {
		return &invalidError{fmt.Sprintf("%s: %d problem(s)", id, len(problems))}
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", id)
	return nil
}

func cmdKMSCreate(e *env, args []string) error {
	fs := newFlagSet(e, "kms create", "kms create [-alias alias/NAME] [-route53] [-region R] [-origin ZONE]",
		"  dnsseal kms create -alias alias/example-com-ksk -route53 -origin example.com")
	alias := fs.String("alias", "", "alias for the new key (alias/NAME)")
	route53 := fs.Bool("route53", false, "attach a key policy that lets Route 53 use the key as a key-signing key")
	region := fs.String("region", "", "AWS region (default: the configured one; Route 53 needs us-east-1)")
	origin := fs.String("origin", "", "zone for the printed DNSKEY and DS (default: the root, \".\"; the key itself is not tied to a zone)")
	desc := fs.String("description", "", "key description")
	account := fs.String("account", "", "12-digit AWS account id for the key policy (default: taken from the new key's ARN)")
	multi := fs.Bool("multi-region", false, "create a multi-Region primary key")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	zone := "."
	if *origin != "" {
		if _, ok := dns.IsDomainName(*origin); !ok {
			return usagef("bad -origin %q", *origin)
		}
		zone = dns.Fqdn(*origin)
	}
	client, err := kmsClient(e, *region)
	if err != nil {
		return err
	}
	ck, err := kmsbackend.CreateKey(e.ctx, client, kmsbackend.CreateOptions{
		Alias: *alias, Description: *desc, MultiRegion: *multi, Route53: *route53,
		AccountID: *account, Zone: zone,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, ck.ARN)
	if ck.Alias != "" {
		fmt.Fprintln(e.stderr, "dnsseal: alias", ck.Alias)
	}
	k := ck.Signer.DNSKEY()
	fmt.Fprintln(e.stdout, k.String())
	ds, err := dsrecord.New(k, dsrecord.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, ds.String())
	return nil
}
