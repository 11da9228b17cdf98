// Command zonegen writes a deterministic synthetic DNS zone (an RFC 1035
// master file) for benchmarks; see package bench/zonegen for its shape.
//
// Usage:
//
//	zonegen [-names N] [-origin ZONE] [-seed S] [-mixed-case] [-ttl T] [-o FILE] [-stats]
//
// Example:
//
//	zonegen -names 1000000 -origin example.com. -seed 1 -o example.com.zone -stats
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/miekg/dns"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code (0 success, 1
// operational error, 2 usage error).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zonegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.Int("names", 100000, "number of entries (subtrees) below the apex")
	origin := fs.String("origin", "example.com.", "zone apex")
	seed := fs.Uint64("seed", 1, "generator seed; the same seed gives the same zone")
	ttl := fs.Uint("ttl", 3600, "TTL of every record")
	mixed := fs.Bool("mixed-case", false, "randomise the case of letters in domain names")
	out := fs.String("o", "-", "output file, - for standard output")
	stats := fs.Bool("stats", false, "print statistics to standard error")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: zonegen [-names N] [-origin ZONE] [-seed S] [-mixed-case] [-ttl T] [-o FILE] [-stats]\n\n"+
			"Writes a deterministic synthetic zone file: hosts, CNAMEs, wildcards, empty\n"+
			"non-terminals and ~10%% delegations (some with DS, some with glue).\n\n"+
			"Example:\n  zonegen -names 1000000 -origin example.com. -o example.com.zone -stats\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "zonegen: error: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *ttl > 1<<31-1 {
		fmt.Fprintf(stderr, "zonegen: error: -ttl %d out of range\n", *ttl)
		return 2
	}
	opts := zonegen.Options{Names: *names, Origin: *origin, Seed: *seed, TTL: uint32(*ttl), MixedCase: *mixed}
	if err := write(*out, stdout, opts, *stats, stderr); err != nil {
		fmt.Fprintf(stderr, "zonegen: error: %v\n", err)
		if errors.Is(err, zonegen.ErrNames) || errors.Is(err, zonegen.ErrOrigin) {
			return 2
		}
		return 1
	}
	return 0
}

// write generates the zone into path (atomically, via a temporary file in
// the same directory) or to stdout for "-".
func write(path string, stdout io.Writer, opts zonegen.Options, printStats bool, stderr io.Writer) error {
	var (
		st  zonegen.Stats
		err error
	)
	if path == "-" {
		bw := bufio.NewWriterSize(stdout, 64<<10)
		if st, err = zonegen.Write(bw, opts); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	} else {
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		defer os.Remove(f.Name()) // no-op after a successful rename
		if st, err = zonegen.Write(f, opts); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		if err := os.Chmod(f.Name(), 0o644); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
		if err := os.Rename(f.Name(), path); err != nil {
			return fmt.Errorf("rename: %w", err)
		}
	}
	if printStats {
		printStatsTo(stderr, st)
	}
	return nil
}

func printStatsTo(w io.Writer, st zonegen.Stats) {
	fmt.Fprintf(w, "entries:")
	for k := range zonegen.NumKinds {
		fmt.Fprintf(w, " %s=%d", k, st.Entries[k])
	}
	fmt.Fprintf(w, "\nrecords: total=%d", st.TotalRecords)
	for _, t := range []uint16{dns.TypeSOA, dns.TypeNS, dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypeTXT, dns.TypeCNAME, dns.TypeDS} {
		fmt.Fprintf(w, " %s=%d", dns.TypeToString[t], st.Records[t])
	}
	fmt.Fprintf(w, "\nsecure-delegations=%d glued-delegations=%d glue-records=%d empty-non-terminals=%d\n",
		st.SecureDelegations, st.GluedDelegations, st.GlueRecords, st.EmptyNonTerminals)
	fmt.Fprintf(w, "auth-rrsets=%d nsec-owners=%d nsec3-owners=%d bytes=%d\n",
		st.AuthRRsets, st.NSECOwners, st.NSECOwners+st.EmptyNonTerminals, st.Bytes)
}
