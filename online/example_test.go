package online_test

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/online"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
)

// recorder is a minimal dns.ResponseWriter that keeps the response.
type recorder struct {
	dns.ResponseWriter
	resp *dns.Msg
}

func (r *recorder) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (r *recorder) WriteMsg(m *dns.Msg) error {
	r.resp = m
	return nil
}
func (r *recorder) Write(b []byte) (int, error) {
	r.resp = new(dns.Msg)
	return len(b), r.resp.Unpack(b)
}

// Wrapping a handler: the answers of a (here trivial) authoritative
// handler come back signed, with a KSK and a ZSK made in memory.
func Example() {
	zone := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		resp := new(dns.Msg)
		resp.SetReply(r)
		resp.Authoritative = true
		a, _ := dns.NewRR("www.example.com. 300 IN A 192.0.2.1")
		resp.Answer = append(resp.Answer, a)
		_ = w.WriteMsg(resp)
	})
	var keys []*signer.Key
	for i, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		// A fixed entropy source gives fixed keys; use the zero Options
		// (crypto/rand) for real keys.
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.com.", flags,
			localbackend.Options{Rand: bytes.NewReader(bytes.Repeat([]byte{byte(i + 1)}, 256)), Deterministic: true})
		if err != nil {
			panic(err)
		}
		k, err := signer.NewKey(s, 0)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h, err := online.New(zone, keys, online.Options{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}

	q := new(dns.Msg)
	q.SetQuestion("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, true) // DO
	w := &recorder{}
	h.ServeDNS(w, q)
	for _, rr := range w.resp.Answer {
		if sig, ok := rr.(*dns.RRSIG); ok {
			f := validate.VerifyRRSIG(sig, w.resp.Answer[:1], keys[1].DNSKEY(), validate.VerifyOptions{Now: now})
			fmt.Printf("%s %s signed by %d (%s), OrigTTL %d, %s to %s, valid: %v\n",
				sig.Hdr.Name, dns.Type(sig.TypeCovered), sig.KeyTag, keys[1].Role(), sig.OrigTtl,
				dns.TimeToString(sig.Inception), dns.TimeToString(sig.Expiration), f == nil)
		}
	}
	// Output:
	// www.example.com. A signed by 62578 (ZSK), OrigTTL 300, 20261123110000 to 20261130120000, valid: true
}
