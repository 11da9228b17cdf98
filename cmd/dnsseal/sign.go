package main

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
)

const signExamples = `  dnsseal sign -zone examples/example.com.zone
  dnsseal sign -zone example.com.zone -o example.com.signed -key file:keys/Kexample.com.+013+12345 -key file:keys/Kexample.com.+013+54321
  dnsseal sign -zone example.com.zone -o example.com.signed -key awskms:alias/example-ksk -key file:keys/Kexample.com.+013+54321
  dnsseal sign -zone example.com.zone -nsec3 -nsec3-optout -expiration 20270101000000 -o -`

// signGCPercent is the garbage collector's target while signing, unless
// GOGC is set. A signing run's heap is mostly pointer-free arenas (the
// zone's records, signatures made while parsing), cheap to mark, so a
// low target costs little time and keeps the peak memory down: on the
// 100k-name bench zone with -verify, 129 instead of 158 MiB (NSEC) and
// 160 instead of 198 MiB (NSEC3), at the same wall time.
const signGCPercent = 25

func cmdSign(e *env, args []string) error {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(signGCPercent))
	}
	fs := newFlagSet(e, "sign", "sign -zone FILE [-origin ZONE] [-key REF]... [-keydir DIR] [-o OUT|-] [flags]", signExamples)
	zoneFile := fs.String("zone", "", "zone `file` to sign (required)")
	origin := fs.String("origin", "", "zone apex (default: the owner of the zone's SOA record)")
	var keyRefs multiFlag
	fs.Var(&keyRefs, "key", "signing key `ref`, repeatable: file:PATH (BIND key pair) or awskms:KEY (a KMS key is a KSK unless it is the only key)")
	keydir := fs.String("keydir", "keys", "directory of the zone's BIND key files when no -key is given; a KSK and a ZSK are generated there if it has none")
	out := fs.String("o", "-", "output `file`, written atomically; - for standard output")
	nsec3 := fs.Bool("nsec3", false, "use NSEC3 (RFC 5155) instead of NSEC")
	iterations := fs.Uint("nsec3-iterations", 0, "NSEC3 extra iterations (RFC 9276: 0)")
	salt := fs.String("nsec3-salt", "", "NSEC3 salt in hex (RFC 9276: none); - also means none")
	optout := fs.Bool("nsec3-optout", false, "NSEC3 opt-out: leave insecure delegations out of the chain")
	var inception, expiration, now timeFlag
	fs.Var(&inception, "inception", "signature inception `time`: YYYYMMDDHHMMSS, RFC 3339 or unix seconds (default: now - 1h)")
	fs.Var(&expiration, "expiration", "signature expiration `time` (default: inception + 30d)")
	fs.Var(&now, "now", "the current `time` (default: the clock)")
	var jitter durationFlag
	fs.Var(&jitter, "jitter", "largest `duration` taken off each RRset's expiration to spread re-signing, e.g. 3d (default: 10% of the validity)")
	jobs := fs.Int("jobs", 0, "signing goroutines (default: the number of CPUs)")
	verify := fs.Bool("verify", true, "verify every signature and validate the signed zone before writing it")
	serial := fs.String("serial", "keep", "SOA serial: keep, increment or unixtime")
	cds := fs.Bool("cds", false, "publish CDS (SHA-256) and CDNSKEY records for the KSKs (RFC 7344)")
	quiet := fs.Bool("quiet", false, "print nothing on standard error but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *zoneFile == "" {
		return usagef("-zone is required")
	}
	opts := zonesign.Options{Concurrency: *jobs, SkipVerify: !*verify, PublishCDS: *cds}
	switch *serial {
	case "keep":
		opts.Serial = zonesign.SerialKeep
	case "increment":
		opts.Serial = zonesign.SerialIncrement
	case "unixtime":
		opts.Serial = zonesign.SerialUnixTime
	default:
		return usagef("bad -serial %q: want keep, increment or unixtime", *serial)
	}
	if !*nsec3 && (*optout || *iterations != 0 || (*salt != "" && *salt != "-")) {
		return usagef("-nsec3-iterations, -nsec3-salt and -nsec3-optout need -nsec3")
	}
	if *nsec3 {
		p := &zonesign.NSEC3Params{OptOut: *optout}
		if *iterations > zonesign.MaxNSEC3Iterations {
			return usagef("-nsec3-iterations %d is more than %d (RFC 9276 recommends 0)", *iterations, zonesign.MaxNSEC3Iterations)
		}
		p.Iterations = uint16(*iterations)
		if *salt != "" && *salt != "-" {
			b, err := hex.DecodeString(*salt)
			if err != nil || len(b) > 255 {
				return usagef("bad -nsec3-salt %q: want up to 255 bytes of hex", *salt)
			}
			p.Salt = b
		}
		opts.NSEC3 = p
	}
	opts.Now = now.t
	if !now.set {
		opts.Now = time.Now()
	}
	opts.Inception = inception.t
	if !inception.set {
		opts.Inception = opts.Now.Add(-time.Hour)
	}
	opts.Expiration = expiration.t
	if !expiration.set {
		opts.Expiration = opts.Inception.Add(30 * 24 * time.Hour)
	}
	if !opts.Expiration.After(opts.Inception) {
		return usagef("expiration %s is not after inception %s", opts.Expiration.Format(time.RFC3339), opts.Inception.Format(time.RFC3339))
	}
	opts.Jitter = opts.Expiration.Sub(opts.Inception) / 10
	if jitter.set {
		opts.Jitter = jitter.d
	}
	if !*quiet {
		opts.Warn = func(msg string) { fmt.Fprintf(e.stderr, "dnsseal: warning: %s\n", msg) }
		opts.Progress = progressFunc(e.stderr, "signing")
	}

	start := time.Now()
	// With the origin known, keys are loaded first and zonesign.SignFile
	// signs while it parses; otherwise the zone is parsed to find its apex.
	var z *zonesign.Zone
	if *origin != "" {
		if _, ok := dns.IsDomainName(*origin); !ok {
			return usagef("bad -origin %q", *origin)
		}
		opts.Origin = dns.Fqdn(*origin)
	} else {
		var err error
		if z, err = zonesign.ParseFile(*zoneFile, ""); err != nil {
			return err
		}
		if opts.Origin, err = z.Apex(); err != nil {
			return err
		}
	}
	keys, err := signingKeys(e, keyRefs, *keydir, opts.Origin, *quiet)
	if err != nil {
		return err
	}
	opts.Keys = keys
	if *verify {
		// The whole-zone validation checks every signature as it is made
		// (and replaces zonesign's per-signature check). KMS signatures
		// are verified by kmsbackend as well.
		opts.Validator = zoneValidator(opts.Now)
	}

	var st zonesign.Stats
	switch {
	case z == nil && *out != "-":
		st, err = zonesign.SignFile(e.ctx, *zoneFile, *out, opts)
	default:
		if z == nil {
			if z, err = zonesign.ParseFile(*zoneFile, opts.Origin); err != nil {
				return err
			}
		}
		if *out == "-" {
			bw := bufio.NewWriterSize(e.stdout, 1<<20)
			if st, err = zonesign.Sign(e.ctx, z, opts, bw); err == nil {
				err = bw.Flush()
			}
		} else {
			st, err = zonesign.WriteFile(e.ctx, z, *out, opts)
		}
	}
	if err != nil {
		var ze *validate.ZoneError
		if errors.As(err, &ze) {
			printFindings(e.stderr, ze.Result, maxSignFindings)
		}
		return err
	}
	if !*quiet {
		d := time.Since(start)
		fmt.Fprintf(e.stderr, "dnsseal: signed %s (serial %d): %d names, %d RRsets, %d signatures in %.2fs (%.0f signatures/s)\n",
			st.Origin, st.Serial, st.Names, st.RRsets, st.Signatures, d.Seconds(), float64(st.Signatures)/d.Seconds())
	}
	return nil
}

// signingKeys loads the -key references, or the keys of origin in keydir,
// generating a KSK and a ZSK there when it has none.
func signingKeys(e *env, refs []string, keydir, origin string, quiet bool) ([]*signer.Key, error) {
	if len(refs) == 0 {
		files, err := findKeyFiles(keydir, origin)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return generateKeys(e, keydir, origin)
		}
		refs = make([]string, len(files))
		for i, f := range files {
			refs[i] = "file:" + f
		}
	}
	var keys []*signer.Key
	for _, ref := range refs {
		s, err := loadKey(e, ref, origin, signer.FlagsKSK)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", ref, err)
		}
		role := signer.Role(0) // from the flags: SEP means KSK
		if strings.HasPrefix(ref, "awskms:") && len(refs) == 1 {
			role = signer.RoleCSK
		}
		k, err := signer.NewKey(s, role)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", ref, err)
		}
		if !quiet {
			fmt.Fprintf(e.stderr, "dnsseal: using %s %d (%s, algorithm %d)\n", k.Role(), k.KeyTag(), ref, k.Algorithm())
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// generateKeys makes a P-256 KSK and ZSK for origin in dir and says what
// DS to publish.
func generateKeys(e *env, dir, origin string) ([]*signer.Key, error) {
	if err := ensureKeyDir(dir); err != nil {
		return nil, err
	}
	var keys []*signer.Key
	for _, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		s, err := localbackend.Generate(dns.ECDSAP256SHA256, origin, flags, localKeyOptions)
		if err != nil {
			return nil, err
		}
		kp, _, err := s.SaveBIND(dir, localbackend.SaveOptions{})
		if err != nil {
			return nil, err
		}
		k, err := signer.NewKey(s, 0)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "dnsseal: generated %s %d in %s\n", k.Role(), k.KeyTag(), kp)
		if flags == signer.FlagsKSK {
			ds, err := dsrecord.New(s.DNSKEY(), dsrecord.Options{})
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(e.stderr, "dnsseal: publish this DS record at the parent of %s:\n%s\n", origin, ds.String())
		}
		keys = append(keys, k)
	}
	return keys, nil
}
