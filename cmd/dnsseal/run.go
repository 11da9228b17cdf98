package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes of the CLI contract.
const (
	exitOK      = 0
	exitError   = 1 // operational error
	exitUsage   = 2 // usage error
	exitInvalid = 3 // input checked and found invalid
)

// env is what every command gets: I/O streams and the context.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"keygen", "generate a key pair in BIND format", cmdKeygen},
		{"pubkey", "print the DNSKEY and DS of a key", cmdPubkey},
		{"keytag", "print the key tag of each DNSKEY", cmdKeytag},
		{"ds", "print DS records for DNSKEYs", cmdDS},
		{"sign", "sign a zone file", cmdSign},
		{"verify", "validate a signed zone or a set of records", cmdVerify},
		{"route53", "check Route 53 key-signing keys (verify, ds, expect)", cmdRoute53},
		{"kms", "check or create AWS KMS keys (check, create)", cmdKMS},
	}
}

// usageError is an error in how the command was called: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// invalidError means the input was checked and found invalid: exit code 3.
// The details have already been printed.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr)
		}
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return exitCode(stderr, c.run(e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "dnsseal: error: unknown command %q\n", name)
	printUsage(stderr)
	return exitUsage
}

func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "dnsseal: error: %s\n", ue.msg)
		return exitUsage
	}
	var ie *invalidError
	if errors.As(err, &ie) {
		if ie.msg != "" {
			fmt.Fprintf(stderr, "dnsseal: invalid: %s\n", ie.msg)
		}
		return exitInvalid
	}
	fmt.Fprintf(stderr, "dnsseal: error: %s\n", err)
	return exitError
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "dnsseal signs and validates DNSSEC zones and records, with keys in AWS KMS or local files.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: dnsseal <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'dnsseal <command> -h' for the flags of a command.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 operational error, 2 usage error, 3 input found invalid.")
}

// dispatch runs the subcommand of a command group such as "kms check":
// -h prints usage, a missing or unknown subcommand is a usage error.
func dispatch(e *env, group, usage string, args []string, subs []command) error {
	names := make([]string, len(subs))
	for i, c := range subs {
		names[i] = c.name
	}
	want := strings.Join(names, ", ")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, usage)
			return nil
		}
		return usagef("%s needs a subcommand: %s", group, want)
	}
	for _, c := range subs {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	return usagef("unknown %s subcommand %q: want %s", group, args[0], want)
}

// newFlagSet makes a FlagSet for a subcommand whose usage text prints the
// synopsis, the flags and the examples.
func newFlagSet(e *env, name, synopsis, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet("dnsseal "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: dnsseal %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
		if examples != "" {
			fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(examples, "\n"))
		}
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors. The flag
// package has already printed the message and usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}
