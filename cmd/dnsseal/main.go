// Command dnsseal signs and validates DNSSEC zones and records offline, with
// keys held in AWS KMS or in local key files.
//
// Usage:
//
//	dnsseal <command> [flags] [args]
//
// Commands: keygen, pubkey, keytag, ds, sign, verify, route53, kms. Run
// "dnsseal help" or "dnsseal <command> -h" for details.
//
// Exit codes: 0 success, 1 operational error, 2 usage error, 3 the input was
// checked and found invalid.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
