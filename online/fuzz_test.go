package online

import (
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
)

// FuzzSignResponse feeds arbitrary responses of the wrapped handler through
// the Middleware: it must not panic, and every RRSIG it adds must verify.
func FuzzSignResponse(f *testing.F) {
	seed := func(q string, qtype uint16, rcode int, aa bool, answer, ns, extra []string) {
		m := new(dns.Msg)
		m.SetQuestion(q, qtype)
		m.Response, m.Authoritative, m.Rcode = true, aa, rcode
		for _, s := range answer {
			rr, _ := dns.NewRR(s)
			m.Answer = append(m.Answer, rr)
		}
		for _, s := range ns {
			rr, _ := dns.NewRR(s)
			m.Ns = append(m.Ns, rr)
		}
		for _, s := range extra {
			rr, _ := dns.NewRR(s)
			m.Extra = append(m.Extra, rr)
		}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	soa := "example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 2 3 4 300"
	seed("www.example.com.", dns.TypeA, 0, true, []string{"www.example.com. 300 IN A 192.0.2.1", "www.example.com. 300 IN A 192.0.2.2"}, nil, nil)
	seed("www.example.com.", dns.TypeA, 0, true, []string{"www.example.com. 300 IN CNAME x.example.com.", "x.example.com. 60 IN A 192.0.2.1"}, nil, nil)
	seed("nx.example.com.", dns.TypeA, dns.RcodeNameError, true, nil, []string{soa}, nil)
	seed("www.example.com.", dns.TypeTXT, 0, true, nil, []string{soa}, nil)
	seed("a.sub.example.com.", dns.TypeA, 0, false, nil, []string{"sub.example.com. 3600 IN NS ns.sub.example.com.",
		"sub.example.com. 3600 IN DS 1 13 2 2bb183af5f22588179a53b0a98631fad1a292118d4b7d520e7bb5f0f67674a0c"},
		[]string{"ns.sub.example.com. 3600 IN A 192.0.2.3"})
	seed("x.other.org.", dns.TypeA, 0, true, []string{"x.other.org. 60 IN A 192.0.2.9"}, nil, nil)

	_, _, keys := testKeys(f, "example.com.", false)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, compact bool) {
		resp := new(dns.Msg)
		if err := resp.Unpack(data); err != nil || len(resp.Question) != 1 {
			return
		}
		next := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			c := resp.Copy()
			c.Id = r.Id
			_ = w.WriteMsg(c)
		})
		opts := Options{Now: func() time.Time { return now }, CacheBytes: 1 << 16}
		if compact {
			opts.Denial = DenialCompact
		}
		m, err := New(next, keys, opts)
		if err != nil {
			t.Fatal(err)
		}
		q := new(dns.Msg)
		q.Question = resp.Question
		q.Id = 1
		q.SetEdns0(1232, true)
		w := &fakeWriter{udp: true}
		m.ServeDNS(w, q)
		out, err := w.response()
		if err != nil || out == nil {
			return
		}
		for _, sec := range [][]dns.RR{out.Answer, out.Ns} {
			for _, sig := range rrsigs(sec) {
				var key *dns.DNSKEY
				for _, k := range keys {
					if k.KeyTag() == sig.KeyTag {
						key = k.DNSKEY()
					}
				}
				if key == nil {
					continue // an RRSIG the fuzzer put in the additional section
				}
				if f := validate.VerifyRRSIG(sig, covered(sec, sig), key, validate.VerifyOptions{Now: now}); f != nil {
					t.Fatalf("%s: %v", sig, f)
				}
			}
		}
	})
}
