package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/route53ksk"
	"github.com/miekg/dns"
)

const route53Usage = `Usage: dnsseal route53 verify -zone-name NAME [-kms] [-parent-ds FILE] [FILE|-]
       dnsseal route53 ds -zone-name NAME [FILE|-]
       dnsseal route53 expect -zone-name NAME -key REF [-name KSKNAME] [-json]

verify  checks every KeySigningKey in the JSON of "aws route53 get-dnssec" or
        "aws route53 create-key-signing-key" against its public key and the zone
ds      prints the DS records of the ACTIVE key-signing keys, for the parent zone
expect  prints the KeySigningKey fields Route 53 should report for a key`

func cmdRoute53(e *env, args []string) error {
	return dispatch(e, "route53", route53Usage, args, []command{
		{"verify", "check KeySigningKey outputs", cmdRoute53Verify},
		{"ds", "DS records of the ACTIVE KSKs", cmdRoute53DS},
		{"expect", "the fields Route 53 should report for a key", cmdRoute53Expect},
	})
}

// zoneNameFlag checks the -zone-name flag.
func zoneNameFlag(name string) (string, error) {
	if name == "" {
		return "", usagef("-zone-name is required (Route 53 output does not contain the zone name, which the DS digest covers)")
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return "", usagef("bad -zone-name %q", name)
	}
	return dns.CanonicalName(name), nil
}

// readRoute53 parses the Route 53 JSON of the FILE|- argument.
func readRoute53(e *env, args []string) (*route53ksk.Output, string, error) {
	r, name, done, err := openInput(e, args)
	if err != nil {
		return nil, "", err
	}
	defer done()
	out, err := route53ksk.ParseReader(r)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return out, name, nil
}

func cmdRoute53Verify(e *env, args []string) error {
	fs := newFlagSet(e, "route53 verify", "route53 verify -zone-name NAME [-kms] [-parent-ds FILE] [FILE|-]",
		`  aws route53 get-dnssec --hosted-zone-id Z0123456789ABC > dnssec.json
  dnsseal route53 verify -zone-name example.com dnssec.json
  dnsseal route53 verify -zone-name example.com -kms dnssec.json
  dig +noall +answer example.com DS > parent-ds.txt
  dnsseal route53 verify -zone-name example.com -parent-ds parent-ds.txt dnssec.json`)
	zoneName := fs.String("zone-name", "", "the hosted zone's name (required; the DS digest covers it)")
	useKMS := fs.Bool("kms", false, "also fetch each KmsArn's public key from KMS (GetPublicKey) and check that Route 53 can use the key (region, spec, state, key policy); AWS configuration from the default chain")
	parentDS := fs.String("parent-ds", "", "file of DS records as published in the parent zone (zone-file or dig format): say which KSK each matches")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	zone, err := zoneNameFlag(*zoneName)
	if err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("at most one input file, got %d arguments", fs.NArg())
	}
	opts := route53ksk.Options{}
	if *parentDS != "" {
		dss, err := readParentDS(e, *parentDS)
		if err != nil {
			return err
		}
		opts.ParentDS, opts.CheckParentDS = dss, true
	}
	out, name, err := readRoute53(e, fs.Args())
	if err != nil {
		return err
	}
	opts.Status = out.Status
	if *useKMS {
		opts.KeyLookup = kmsKeyLookup(e, zone)
	}
	rep, err := route53ksk.CheckContext(e.ctx, out.KeySigningKeys, zone, opts)
	if rep == nil {
		return err
	}
	for _, f := range rep.Findings {
		fmt.Fprintln(e.stdout, f.String())
	}
	for _, m := range rep.ParentDS {
		fmt.Fprintln(e.stdout, parentDSLine(rep, m))
	}
	if err != nil {
		// A KMS lookup failed: the check is incomplete.
		return err
	}
	summary := fmt.Sprintf("%s: %s: %d key-signing key(s)", name, zone, len(out.KeySigningKeys))
	if *useKMS {
		matched := 0
		for _, k := range rep.Keys {
			if k.KMSMatch {
				matched++
			}
		}
		summary += fmt.Sprintf(", %d matching KMS", matched)
	}
	if len(opts.ParentDS) > 0 || opts.CheckParentDS {
		summary += fmt.Sprintf(", %d parent DS", len(opts.ParentDS))
	}
	if len(out.KeySigningKeys) == 0 && len(rep.Findings) == 0 {
		fmt.Fprintln(e.stdout, summary+": no key-signing keys to check")
		return &invalidError{"no key-signing keys in " + name}
	}
	if len(rep.Findings) > 0 {
		fmt.Fprintf(e.stdout, "%s: %d finding(s)\n", summary, len(rep.Findings))
		return &invalidError{fmt.Sprintf("%d finding(s)", len(rep.Findings))}
	}
	fmt.Fprintln(e.stdout, summary+": ok")
	return nil
}

// parentDSLine says which KSKs a parent DS record matches.
func parentDSLine(rep *route53ksk.Report, m route53ksk.DSMatch) string {
	if m.DS == nil {
		return "parent DS <nil>: not checked"
	}
	ds := fmt.Sprintf("parent DS %d %d %d %s", m.DS.KeyTag, m.DS.Algorithm, m.DS.DigestType, strings.ToUpper(m.DS.Digest))
	if len(m.Keys) == 0 {
		return ds + ": matches no KSK"
	}
	var ks []string
	for _, i := range m.Keys {
		k := rep.Keys[i]
		name := k.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		st := k.Status
		if st == "" {
			st = "status unknown"
		}
		ks = append(ks, fmt.Sprintf("KSK %s (key tag %d, %s)", name, k.KeyTag, st))
	}
	return ds + ": matches " + strings.Join(ks, ", ")
}

// readParentDS reads the DS (and CDS) records of a file.
func readParentDS(e *env, path string) ([]*dns.DS, error) {
	rrs, _, err := readInput(e, []string{path})
	if err != nil {
		return nil, err
	}
	var dss []*dns.DS
	for _, rr := range rrs {
		switch v := rr.(type) {
		case *dns.DS:
			dss = append(dss, v)
		case *dns.CDS:
			ds := v.DS
			ds.Hdr.Rrtype = dns.TypeDS
			dss = append(dss, &ds)
		}
	}
	return dss, nil
}

// kmsKeyLookup returns a KeyLookup that fetches a KMS key's public key
// with kmsbackend.New (DescribeKey, GetPublicKey) and its Route 53
// problems with kmsbackend.CheckRoute53. Clients are made per region, from
// the ARN.
func kmsKeyLookup(e *env, zone string) func(ctx context.Context, arn string) (route53ksk.KMSKey, error) {
	clients := map[string]*kms.Client{}
	return func(ctx context.Context, arn string) (route53ksk.KMSKey, error) {
		region := regionOfARN(arn)
		client, ok := clients[region]
		if !ok {
			c, err := kmsClient(e, region)
			if err != nil {
				return route53ksk.KMSKey{}, err
			}
			client, clients[region] = c, c
		}
		var info route53ksk.KMSKey
		ps, err := kmsbackend.CheckRoute53(ctx, client, arn)
		for _, p := range ps {
			info.Problems = append(info.Problems, p.String())
		}
		var notFound *types.NotFoundException
		if errors.As(err, &notFound) {
			info.Problems = append(info.Problems, "key not found in KMS (NotFoundException): Route 53 cannot sign with it")
			return info, nil
		}
		if err != nil {
			return info, err
		}
		s, err := kmsbackend.New(ctx, client, arn, kmsbackend.Options{Zone: zone})
		switch {
		case errors.Is(err, kmsbackend.ErrUnsuitableKey):
			if len(info.Problems) == 0 {
				info.Problems = append(info.Problems, err.Error())
			}
			return info, nil
		case err != nil:
			return info, err
		}
		info.PublicKey = s.DNSKEY()
		return info, nil
	}
}

func cmdRoute53DS(e *env, args []string) error {
	fs := newFlagSet(e, "route53 ds", "route53 ds -zone-name NAME [FILE|-]",
		`  aws route53 get-dnssec --hosted-zone-id Z0123456789ABC | dnsseal route53 ds -zone-name example.com`)
	zoneName := fs.String("zone-name", "", "the hosted zone's name (required; the DS digest covers it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	zone, err := zoneNameFlag(*zoneName)
	if err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("at most one input file, got %d arguments", fs.NArg())
	}
	out, name, err := readRoute53(e, fs.Args())
	if err != nil {
		return err
	}
	rep, err := route53ksk.Check(out.KeySigningKeys, zone, route53ksk.Options{Status: out.Status})
	if err != nil {
		return err
	}
	// Findings about inactive KSKs are warnings; findings about an ACTIVE
	// KSK or about the set stop the DS from being printed.
	blocking := 0
	for _, f := range rep.Findings {
		level := "warning"
		if f.Key < 0 || rep.Keys[f.Key].Status == route53ksk.StatusActive {
			level, blocking = "invalid", blocking+1
		}
		fmt.Fprintf(e.stderr, "dnsseal: %s: %s\n", level, f.String())
	}
	if blocking > 0 {
		return &invalidError{fmt.Sprintf("%s: %d finding(s) about the ACTIVE key-signing keys; no DS records printed (run dnsseal route53 verify)", name, blocking)}
	}
	dss, _ := rep.ActiveDS()
	if len(dss) == 0 {
		return &invalidError{fmt.Sprintf("%s: no ACTIVE key-signing key", name)}
	}
	for _, ds := range dss {
		fmt.Fprintln(e.stdout, ds.String())
	}
	return nil
}

func cmdRoute53Expect(e *env, args []string) error {
	fs := newFlagSet(e, "route53 expect", "route53 expect -zone-name NAME -key REF [-name KSKNAME] [-json]",
		`  dnsseal route53 expect -zone-name example.com -key awskms:arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
  dnsseal route53 expect -zone-name example.com -key awskms:alias/example-com-ksk -name example_com_ksk -json`)
	zoneName := fs.String("zone-name", "", "the hosted zone's name (required; the DS digest covers it)")
	ref := fs.String("key", "", "key reference: awskms:KEY (id, ARN or alias/NAME) or file:PATH")
	kskName := fs.String("name", "", "the KSK's name in Route 53, printed as Name")
	asJSON := fs.Bool("json", false, "print a KeySigningKey JSON object as the AWS CLI does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	zone, err := zoneNameFlag(*zoneName)
	if err != nil {
		return err
	}
	if *ref == "" {
		return usagef("-key is required")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	s, err := loadKey(e, *ref, zone, route53ksk.Flag)
	if err != nil {
		return err
	}
	arn := ""
	if ks, ok := s.(*kmsbackend.Signer); ok {
		arn = ks.ARN()
	}
	k := dns.Copy(s.DNSKEY()).(*dns.DNSKEY)
	k.Hdr.Name = zone
	want, err := route53ksk.Expect(k, arn, *kskName)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(want, "", "    ")
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	fields := []struct{ name, value string }{
		{"Name", want.Name},
		{"KmsArn", want.KmsArn},
		{"Flag", fmt.Sprint(want.Flag)},
		{"SigningAlgorithmMnemonic", want.SigningAlgorithmMnemonic},
		{"SigningAlgorithmType", fmt.Sprint(want.SigningAlgorithmType)},
		{"DigestAlgorithmMnemonic", want.DigestAlgorithmMnemonic},
		{"DigestAlgorithmType", fmt.Sprint(want.DigestAlgorithmType)},
		{"KeyTag", fmt.Sprint(want.KeyTag)},
		{"DigestValue", want.DigestValue},
		{"PublicKey", want.PublicKey},
		{"DSRecord", want.DSRecord},
		{"DNSKEYRecord", want.DNSKEYRecord},
	}
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		fmt.Fprintf(e.stdout, "%-25s %s\n", f.name+":", f.value)
	}
	ds, err := dsrecord.ParseDSRDATA(zone, 3600, want.DSRecord)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-25s %s\n", "DS (for the parent):", ds.String())
	return nil
}
