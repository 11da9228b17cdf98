// Command onlineserver is an example authoritative DNS server that signs
// its answers on the fly with package online: it loads one zone file,
// serves it over UDP and TCP, and adds DNSSEC signatures, the DNSKEY RRset
// and minimally covering NSEC records to the answers of queries with the
// DO bit.
//
// Usage:
//
//	onlineserver -zone example.com.zone [-origin example.com.] [-listen 127.0.0.1:5353] [-keydir DIR] [-compact]
//
// With -keydir, the BIND key pairs K<origin>+*.key/.private in DIR are
// used (SEP keys as KSKs); without it, an ECDSA P-256 KSK and ZSK are
// generated in memory. The DNSKEYs and the KSK's DS are printed at start-up
// so that a validator can be given a trust anchor: put the KSK's DNSKEY in
// a BIND trust-anchors file,
//
//	trust-anchors { example.com. static-key 257 3 13 "<public key>"; };
//
// and ask delv (BIND 9.18) to validate from it:
//
//	delv @127.0.0.1 -p 5353 -a anchor.conf +root=example.com www.example.com
//
// -compact selects RFC 9824 compact denial instead of RFC 4470 white lies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/online"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	zoneFile, origin, listen, keyDir string
	compact                          bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("onlineserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.zoneFile, "zone", "", "zone `file` to serve (required)")
	fs.StringVar(&cfg.origin, "origin", "", "zone `name`; default: the SOA owner")
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:5353", "UDP and TCP `address` to listen on")
	fs.StringVar(&cfg.keyDir, "keydir", "", "`directory` of BIND key pairs K<origin>+*; default: generate keys in memory")
	fs.BoolVar(&cfg.compact, "compact", false, "RFC 9824 compact denial instead of RFC 4470 white lies")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.zoneFile == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "onlineserver: error: -zone is required and no arguments are taken")
		fs.Usage()
		return 2
	}
	srv, err := start(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "onlineserver: error: %v\n", err)
		return 1
	}
	for _, k := range srv.keys {
		fmt.Fprintf(stdout, "; %s key %d\n%s\n", k.Role(), k.KeyTag(), k.DNSKEY())
		if k.Role() != signer.RoleZSK {
			if ds, err := dsrecord.New(k.DNSKEY(), dsrecord.Options{}); err == nil {
				fmt.Fprintln(stdout, ds)
			}
		}
	}
	fmt.Fprintf(stderr, "onlineserver: serving %s on %s (udp, tcp)\n", srv.zone.Origin(), srv.addr)
	<-ctx.Done()
	srv.shutdown()
	return 0
}

// server is a running onlineserver.
type server struct {
	zone     *Zone
	keys     []*signer.Key
	handler  *online.Middleware
	addr     string
	udp, tcp *dns.Server
}

// start loads the zone and keys and starts serving.
func start(cfg config) (*server, error) {
	f, err := os.Open(cfg.zoneFile)
	if err != nil {
		return nil, fmt.Errorf("onlineserver: %w", err)
	}
	z, err := LoadZone(f, cfg.origin, cfg.zoneFile)
	f.Close()
	if err != nil {
		return nil, err
	}
	z.Signed = true
	keys, err := loadKeys(cfg.keyDir, z.Origin())
	if err != nil {
		return nil, err
	}
	opts := online.Options{Zone: z}
	if cfg.compact {
		opts.Denial = online.DenialCompact
	}
	h, err := online.New(z, keys, opts)
	if err != nil {
		return nil, err
	}
	s := &server{zone: z, keys: keys, handler: h}
	if err := s.listen(cfg.listen); err != nil {
		return nil, err
	}
	return s, nil
}

// loadKeys reads the key pairs of origin in dir, or generates a KSK and a
// ZSK when dir is "".
func loadKeys(dir, origin string) ([]*signer.Key, error) {
	var signers []signer.Signer
	if dir == "" {
		for _, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
			s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, origin, flags, localbackend.Options{})
			if err != nil {
				return nil, fmt.Errorf("onlineserver: %w", err)
			}
			signers = append(signers, s)
		}
	} else {
		prefix := "K" + strings.TrimSuffix(strings.ToLower(origin), ".") + ".+"
		if origin == "." {
			prefix = "K.+"
		}
		paths, err := filepath.Glob(filepath.Join(dir, prefix+"*.key"))
		if err != nil {
			return nil, fmt.Errorf("onlineserver: %w", err)
		}
		for _, p := range paths {
			s, err := localbackend.LoadBIND(p, localbackend.Options{})
			if err != nil {
				return nil, fmt.Errorf("onlineserver: %w", err)
			}
			signers = append(signers, s)
		}
		if len(signers) == 0 {
			return nil, fmt.Errorf("onlineserver: no key pairs %s*.key in %s", prefix, dir)
		}
	}
	keys := make([]*signer.Key, 0, len(signers))
	for _, s := range signers {
		k, err := signer.NewKey(s, 0)
		if err != nil {
			return nil, fmt.Errorf("onlineserver: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// listen starts the UDP and TCP servers on addr; with port 0 it picks a
// port free for both.
func (s *server) listen(addr string) error {
	var lastErr error
	for range 10 {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("onlineserver: %w", err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			lastErr = err
			continue
		}
		s.addr = pc.LocalAddr().String()
		s.udp = &dns.Server{PacketConn: pc, Handler: s.handler, UDPSize: 65535}
		s.tcp = &dns.Server{Listener: l, Handler: s.handler}
		started := make(chan struct{}, 2)
		s.udp.NotifyStartedFunc = func() { started <- struct{}{} }
		s.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
		go func() { _ = s.udp.ActivateAndServe() }()
		go func() { _ = s.tcp.ActivateAndServe() }()
		for range 2 {
			select {
			case <-started:
			case <-time.After(5 * time.Second):
				s.shutdown()
				return errors.New("onlineserver: servers did not start")
			}
		}
		return nil
	}
	return fmt.Errorf("onlineserver: %w", lastErr)
}

func (s *server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.udp != nil {
		_ = s.udp.ShutdownContext(ctx)
	}
	if s.tcp != nil {
		_ = s.tcp.ShutdownContext(ctx)
	}
}
