// Command ecdsafloor measures the single-core cost of ECDSA P-256 signing and
// verification with crypto/ecdsa, and from it the floor under any zone
// signer: signatures × cost of one signature ÷ cores. The peer harness
// (bench/run.sh) prints it next to the measured signers.
//
// Each operation works on what a DNSSEC signer handles: SHA-256 over a
// 160-byte signed-data buffer, then a P-256 signature (or verification) of
// the digest, with the signature in the RFC 6605 r‖s form.
//
// Usage:
//
//	ecdsafloor [-duration 1s] [-signatures N] [-cores N] [-machine]
//
// Example:
//
//	ecdsafloor -signatures 2600000 -cores 2
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/signal"
	"runtime"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// result is one measurement.
type result struct {
	SignNs   float64 // nanoseconds per signature on one core
	VerifyNs float64 // nanoseconds per verification on one core
}

// floor returns the time in seconds that signatures signatures take at
// least on cores cores, given the single-core cost of one signature.
func floor(signNs float64, signatures int64, cores int) float64 {
	if cores < 1 {
		cores = 1
	}
	return float64(signatures) * signNs / 1e9 / float64(cores)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ecdsafloor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", time.Second, "how long to measure each operation")
	signatures := fs.Int64("signatures", 0, "number of signatures for the floor (0: print costs only)")
	cores := fs.Int("cores", runtime.NumCPU(), "cores the signers may use")
	machine := fs.Bool("machine", false, "print one line of key=value pairs")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ecdsafloor [-duration 1s] [-signatures N] [-cores N] [-machine]\n\n"+
			"Measures single-core ECDSA P-256 sign and verify cost (crypto/ecdsa) and\n"+
			"prints the signing floor = signatures x sign cost / cores.\n\n"+
			"Example:\n  ecdsafloor -signatures 2600000 -cores 2\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 || *duration <= 0 || *signatures < 0 || *cores < 1 {
		fmt.Fprintln(stderr, "ecdsafloor: error: need -duration > 0, -signatures >= 0, -cores >= 1 and no arguments")
		return 2
	}
	res, err := measure(ctx, *duration)
	if err != nil {
		fmt.Fprintf(stderr, "ecdsafloor: error: %v\n", err)
		return 1
	}
	report(stdout, res, *signatures, *cores, *machine)
	return 0
}

func report(w io.Writer, res result, signatures int64, cores int, machine bool) {
	fl := floor(res.SignNs, signatures, cores)
	if machine {
		fmt.Fprintf(w, "sign_ns=%.0f verify_ns=%.0f cores=%d signatures=%d floor_s=%.3f\n",
			res.SignNs, res.VerifyNs, cores, signatures, fl)
		return
	}
	fmt.Fprintf(w, "ECDSA P-256 (crypto/ecdsa, %s/%s, one core): sign %.1f µs (%.0f/s), verify %.1f µs (%.0f/s)\n",
		runtime.GOOS, runtime.GOARCH, res.SignNs/1e3, 1e9/res.SignNs, res.VerifyNs/1e3, 1e9/res.VerifyNs)
	if signatures > 0 {
		fmt.Fprintf(w, "floor for %d signatures on %d cores: %.3f s (verify: %.3f s)\n",
			signatures, cores, fl, floor(res.VerifyNs, signatures, cores))
	}
}

// measure times sign, then verify, each for about d on the calling
// goroutine.
func measure(ctx context.Context, d time.Duration) (result, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return result{}, fmt.Errorf("generate key: %w", err)
	}
	data := make([]byte, 160)
	if _, err := rand.Read(data); err != nil {
		return result{}, fmt.Errorf("random data: %w", err)
	}
	var sig [64]byte
	sign := func() error {
		digest := sha256.Sum256(data)
		r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
		if err != nil {
			return err
		}
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return nil
	}
	signNs, err := timeOp(ctx, d, sign)
	if err != nil {
		return result{}, fmt.Errorf("sign: %w", err)
	}
	r, s := new(big.Int), new(big.Int)
	verify := func() error {
		digest := sha256.Sum256(data)
		r.SetBytes(sig[:32])
		s.SetBytes(sig[32:])
		if !ecdsa.Verify(&key.PublicKey, digest[:], r, s) {
			return errors.New("signature does not verify")
		}
		return nil
	}
	verifyNs, err := timeOp(ctx, d, verify)
	if err != nil {
		return result{}, fmt.Errorf("verify: %w", err)
	}
	return result{SignNs: signNs, VerifyNs: verifyNs}, nil
}

// rounds is how many slices timeOp cuts its time into; it reports the
// fastest, which is the least disturbed by other processes on the machine.
const rounds = 5

// timeOp calls op repeatedly for about d (after a short warm-up) and returns
// the nanoseconds per call of the fastest of rounds equal slices of d.
func timeOp(ctx context.Context, d time.Duration, op func() error) (float64, error) {
	for range 50 {
		if err := op(); err != nil {
			return 0, err
		}
	}
	best := 0.0
	for range rounds {
		start := time.Now()
		n := 0
		for {
			for range 16 {
				if err := op(); err != nil {
					return 0, err
				}
			}
			n += 16
			el := time.Since(start)
			if el >= d/rounds {
				if per := float64(el.Nanoseconds()) / float64(n); best == 0 || per < best {
					best = per
				}
				break
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
	return best, nil
}
