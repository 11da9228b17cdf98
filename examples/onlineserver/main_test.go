package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

const testZone = "testdata/example.com.zone"

func startTest(t *testing.T, compact bool) *server {
	t.Helper()
	srv, err := start(config{zoneFile: testZone, listen: "127.0.0.1:0", compact: compact})
	require.NoError(t, err)
	t.Cleanup(srv.shutdown)
	return srv
}

type queryOpts struct {
	net     string // "udp" (default) or "tcp"
	noDO    bool
	co      bool
	bufsize uint16
}

func query(t *testing.T, addr, name string, qtype uint16, o queryOpts) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = false
	size := o.bufsize
	if size == 0 {
		size = 1232
	}
	m.SetEdns0(size, !o.noDO)
	if o.co {
		m.IsEdns0().SetCo(true)
	}
	c := &dns.Client{Net: o.net, Timeout: 5 * time.Second}
	if c.Net == "" {
		c.Net = "udp"
	}
	resp, _, err := c.Exchange(m, addr)
	require.NoError(t, err)
	return resp
}

// rrsets groups records by owner (canonical), type and class.
func rrsets(rrs []dns.RR) map[string][]dns.RR {
	out := map[string][]dns.RR{}
	for _, rr := range rrs {
		h := rr.Header()
		if h.Rrtype == dns.TypeRRSIG || h.Rrtype == dns.TypeOPT {
			continue
		}
		k := setKey(h.Name, h.Rrtype)
		out[k] = append(out[k], rr)
	}
	return out
}

func setKey(name string, t uint16) string {
	return strings.ToLower(name) + "/" + dns.TypeToString[t]
}

// verifySection checks every RRSIG of a section against its RRset and the
// zone's DNSKEYs, and that every RRset is signed except those in unsigned
// (keys as made by setKey). It returns the verified RRSIGs by set key.
func verifySection(t *testing.T, rrs []dns.RR, keys []*dns.DNSKEY, unsigned ...string) map[string]*dns.RRSIG {
	t.Helper()
	sets := rrsets(rrs)
	signed := map[string]*dns.RRSIG{}
	for _, rr := range rrs {
		sig, ok := rr.(*dns.RRSIG)
		if !ok {
			continue
		}
		k := setKey(sig.Hdr.Name, sig.TypeCovered)
		set := sets[k]
		require.NotEmpty(t, set, "RRSIG without RRset: %s", sig)
		var key *dns.DNSKEY
		for _, dk := range keys {
			if dk.KeyTag() == sig.KeyTag {
				key = dk
			}
		}
		require.NotNil(t, key, "no DNSKEY with tag %d", sig.KeyTag)
		f := validate.VerifyRRSIG(sig, set, key, validate.VerifyOptions{Now: time.Now(), CheckTTL: true})
		require.Nil(t, f, "%s: %v", sig, f)
		signed[k] = sig
	}
	for k := range sets {
		if contains(unsigned, k) {
			require.NotContains(t, signed, k, "%s must not be signed", k)
		} else {
			require.Contains(t, signed, k, "%s is not signed", k)
		}
	}
	return signed
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dnskeys(t *testing.T, srv *server) []*dns.DNSKEY {
	t.Helper()
	resp := query(t, srv.addr, "example.com.", dns.TypeDNSKEY, queryOpts{})
	require.Equal(t, dns.RcodeSuccess, resp.Rcode)
	var keys []*dns.DNSKEY
	for _, rr := range resp.Answer {
		if k, ok := rr.(*dns.DNSKEY); ok {
			keys = append(keys, k)
		}
	}
	require.Len(t, keys, 2)
	// The DNSKEY RRset is signed by the KSK only.
	sigs := verifySection(t, resp.Answer, keys)
	ksk := sigs[setKey("example.com.", dns.TypeDNSKEY)]
	for _, k := range keys {
		if k.KeyTag() == ksk.KeyTag {
			require.Equal(t, uint16(257), k.Flags)
		}
	}
	return keys
}

func nsecs(rrs []dns.RR) []*dns.NSEC {
	var out []*dns.NSEC
	for _, rr := range rrs {
		if n, ok := rr.(*dns.NSEC); ok {
			out = append(out, n)
		}
	}
	return out
}

// covers reports whether nsec covers name: owner < name < next.
func covers(n *dns.NSEC, name string) bool {
	return canonical.Compare(n.Hdr.Name, name) < 0 && canonical.Compare(name, n.NextDomain) < 0
}

func hasType(n *dns.NSEC, t uint16) bool {
	for _, x := range n.TypeBitMap {
		if x == t {
			return true
		}
	}
	return false
}

func TestServeValidates(t *testing.T) {
	for _, compact := range []bool{false, true} {
		srv := startTest(t, compact)
		for _, transport := range []string{"udp", "tcp"} {
			mode := "whitelies"
			if compact {
				mode = "compact"
			}
			t.Run(mode+"/"+transport, func(t *testing.T) {
				keys := dnskeys(t, srv)
				o := queryOpts{net: transport}
				t.Run("positive CNAME", func(t *testing.T) {
					r := query(t, srv.addr, "WWW.example.com.", dns.TypeA, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.True(t, r.Authoritative)
					require.False(t, r.AuthenticatedData)
					sigs := verifySection(t, r.Answer, keys)
					require.Contains(t, sigs, setKey("www.example.com.", dns.TypeCNAME))
					require.Contains(t, sigs, setKey("example.com.", dns.TypeA))
					verifySection(t, r.Ns, keys)
				})
				t.Run("positive two records, own TTL", func(t *testing.T) {
					r := query(t, srv.addr, "sip.example.com.", dns.TypeA, o)
					sigs := verifySection(t, r.Answer, keys)
					require.Equal(t, uint32(600), sigs[setKey("sip.example.com.", dns.TypeA)].OrigTtl)
					r = query(t, srv.addr, "mail.example.com.", dns.TypeA, o)
					require.Len(t, r.Answer, 3)
					verifySection(t, r.Answer, keys)
				})
				t.Run("wildcard", func(t *testing.T) {
					r := query(t, srv.addr, "host.apps.example.com.", dns.TypeTXT, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					sigs := verifySection(t, r.Answer, keys)
					sig := sigs[setKey("host.apps.example.com.", dns.TypeTXT)]
					require.Equal(t, uint8(3), sig.Labels, "Labels of the wildcard *.apps.example.com.")
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.True(t, covers(ns[0], "host.apps.example.com."), "next closer name covered: %s", ns[0])
					require.False(t, covers(ns[0], "apps.example.com."))
					require.False(t, covers(ns[0], "*.apps.example.com."))
				})
				t.Run("wildcard deeper", func(t *testing.T) {
					r := query(t, srv.addr, "a.b.apps.example.com.", dns.TypeA, o)
					sigs := verifySection(t, r.Answer, keys)
					require.Equal(t, uint8(3), sigs[setKey("a.b.apps.example.com.", dns.TypeA)].Labels)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.True(t, covers(ns[0], "b.apps.example.com."), "%s", ns[0])
				})
				t.Run("wildcard NODATA", func(t *testing.T) {
					r := query(t, srv.addr, "host.apps.example.com.", dns.TypeMX, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.Empty(t, r.Answer)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					if compact {
						require.Len(t, ns, 1)
						require.Equal(t, []uint16{dns.TypeA, dns.TypeTXT, dns.TypeRRSIG, dns.TypeNSEC}, ns[0].TypeBitMap)
						return
					}
					require.Len(t, ns, 2)
					require.True(t, covers(ns[0], "host.apps.example.com."), "next closer: %s", ns[0])
					require.True(t, canonical.Equal(ns[1].Hdr.Name, "*.apps.example.com."))
					require.Equal(t, []uint16{dns.TypeA, dns.TypeTXT, dns.TypeRRSIG, dns.TypeNSEC}, ns[1].TypeBitMap)
				})
				t.Run("CNAME to a nonexistent name", func(t *testing.T) {
					r := query(t, srv.addr, "dangling.example.com.", dns.TypeA, o)
					sigs := verifySection(t, r.Answer, keys)
					require.Contains(t, sigs, setKey("dangling.example.com.", dns.TypeCNAME))
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					if compact {
						require.Equal(t, dns.RcodeSuccess, r.Rcode)
						require.Len(t, ns, 1)
						require.True(t, canonical.Equal(ns[0].Hdr.Name, "gone.example.com."))
						return
					}
					require.Equal(t, dns.RcodeNameError, r.Rcode)
					require.Len(t, ns, 2)
					require.True(t, covers(ns[0], "gone.example.com."), "%s", ns[0])
				})
				t.Run("NXDOMAIN", func(t *testing.T) {
					r := query(t, srv.addr, "nx.example.com.", dns.TypeA, o)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					if compact {
						require.Equal(t, dns.RcodeSuccess, r.Rcode, "RFC 9824: NOERROR without CO")
						require.Len(t, ns, 1)
						require.True(t, canonical.Equal(ns[0].Hdr.Name, "nx.example.com."))
						require.True(t, hasType(ns[0], dns.TypeNXNAME))
						require.Equal(t, `\000.nx.example.com.`, ns[0].NextDomain)
						r = query(t, srv.addr, "nx.example.com.", dns.TypeA, queryOpts{net: transport, co: true})
						require.Equal(t, dns.RcodeNameError, r.Rcode, "RFC 9824 §5: NXDOMAIN with CO")
						require.True(t, r.IsEdns0().Co())
						verifySection(t, r.Ns, keys)
						return
					}
					require.Equal(t, dns.RcodeNameError, r.Rcode)
					require.Len(t, ns, 2)
					require.True(t, covers(ns[0], "nx.example.com."), "%s", ns[0])
					require.True(t, covers(ns[1], "*.example.com."), "%s", ns[1])
					for _, n := range ns {
						require.Equal(t, []uint16{dns.TypeRRSIG, dns.TypeNSEC}, n.TypeBitMap)
						// Each covers nothing that exists.
						for _, existing := range []string{"example.com.", "ent.example.com.", "apps.example.com.", "mail.example.com.", "ns1.example.com."} {
							require.False(t, covers(n, existing), "%s covers %s", n, existing)
						}
					}
				})
				t.Run("NXDOMAIN below an empty non-terminal", func(t *testing.T) {
					r := query(t, srv.addr, "x.y.b.ent.example.com.", dns.TypeA, o)
					verifySection(t, r.Ns, keys)
					if compact {
						return
					}
					require.Equal(t, dns.RcodeNameError, r.Rcode)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 2)
					require.True(t, covers(ns[0], "y.b.ent.example.com."), "next closer: %s", ns[0])
					require.True(t, covers(ns[1], "*.b.ent.example.com."), "wildcard at the closest encloser: %s", ns[1])
					require.False(t, covers(ns[0], "a.b.ent.example.com."))
				})
				t.Run("NODATA", func(t *testing.T) {
					r := query(t, srv.addr, "mail.example.com.", dns.TypeAAAA, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.Empty(t, r.Answer)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.True(t, canonical.Equal(ns[0].Hdr.Name, "mail.example.com."))
					require.Equal(t, []uint16{dns.TypeA, dns.TypeRRSIG, dns.TypeNSEC}, ns[0].TypeBitMap)
				})
				t.Run("NODATA empty non-terminal", func(t *testing.T) {
					r := query(t, srv.addr, "b.ent.example.com.", dns.TypeA, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.Equal(t, []uint16{dns.TypeRRSIG, dns.TypeNSEC}, ns[0].TypeBitMap)
				})
				t.Run("DS at a secure delegation", func(t *testing.T) {
					r := query(t, srv.addr, "secure.example.com.", dns.TypeDS, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.True(t, r.Authoritative)
					sigs := verifySection(t, r.Answer, keys)
					require.Equal(t, "example.com.", sigs[setKey("secure.example.com.", dns.TypeDS)].SignerName)
				})
				t.Run("no DS at an insecure delegation", func(t *testing.T) {
					r := query(t, srv.addr, "insecure.example.com.", dns.TypeDS, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.Empty(t, r.Answer)
					verifySection(t, r.Ns, keys)
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.Equal(t, []uint16{dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC}, ns[0].TypeBitMap)
				})
				t.Run("referral secure", func(t *testing.T) {
					r := query(t, srv.addr, "www.secure.example.com.", dns.TypeA, o)
					require.Equal(t, dns.RcodeSuccess, r.Rcode)
					require.False(t, r.Authoritative)
					require.Empty(t, r.Answer)
					sigs := verifySection(t, r.Ns, keys, setKey("secure.example.com.", dns.TypeNS))
					require.Contains(t, sigs, setKey("secure.example.com.", dns.TypeDS))
					glue := rrsets(r.Extra)
					require.Contains(t, glue, setKey("ns.secure.example.com.", dns.TypeA))
					for _, rr := range r.Extra {
						require.NotEqual(t, dns.TypeRRSIG, rr.Header().Rrtype, "glue is never signed")
					}
				})
				t.Run("referral insecure", func(t *testing.T) {
					r := query(t, srv.addr, "host.insecure.example.com.", dns.TypeA, o)
					require.False(t, r.Authoritative)
					verifySection(t, r.Ns, keys, setKey("insecure.example.com.", dns.TypeNS))
					ns := nsecs(r.Ns)
					require.Len(t, ns, 1)
					require.True(t, canonical.Equal(ns[0].Hdr.Name, "insecure.example.com."))
					require.True(t, hasType(ns[0], dns.TypeNS))
					require.False(t, hasType(ns[0], dns.TypeDS))
					require.False(t, hasType(ns[0], dns.TypeSOA))
				})
				t.Run("no DO no signatures", func(t *testing.T) {
					r := query(t, srv.addr, "www.example.com.", dns.TypeA, queryOpts{net: transport, noDO: true})
					require.NotEmpty(t, r.Answer)
					for _, rr := range append(r.Answer, r.Ns...) {
						require.NotEqual(t, dns.TypeRRSIG, rr.Header().Rrtype)
					}
					r = query(t, srv.addr, "nx.example.com.", dns.TypeA, queryOpts{net: transport, noDO: true})
					require.Equal(t, dns.RcodeNameError, r.Rcode)
					require.Empty(t, nsecs(r.Ns))
				})
				t.Run("NXNAME query is FORMERR", func(t *testing.T) {
					r := query(t, srv.addr, "example.com.", dns.TypeNXNAME, o)
					require.Equal(t, dns.RcodeFormatError, r.Rcode)
				})
			})
		}
	}
}

func TestTruncation(t *testing.T) {
	srv := startTest(t, false)
	// A 512-byte buffer cannot hold the white-lies NXDOMAIN proof.
	r := query(t, srv.addr, "nx.example.com.", dns.TypeA, queryOpts{bufsize: 512})
	require.True(t, r.Truncated)
	r = query(t, srv.addr, "nx.example.com.", dns.TypeA, queryOpts{net: "tcp", bufsize: 512})
	require.False(t, r.Truncated)
	require.Len(t, nsecs(r.Ns), 2)
}

func writeAnchor(t *testing.T, srv *server) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("trust-anchors {\n")
	for _, k := range srv.keys {
		dk := k.DNSKEY()
		if dk.Flags&1 == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s static-key %d %d %d \"%s\";\n", dk.Hdr.Name, dk.Flags, dk.Protocol, dk.Algorithm, dk.PublicKey)
	}
	b.WriteString("};\n")
	p := filepath.Join(t.TempDir(), "anchor.conf")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o600))
	return p
}

func TestDelv(t *testing.T) {
	delv, err := exec.LookPath("delv")
	if err != nil {
		t.Skip("delv not installed (bind9-dnsutils)")
	}
	for _, compact := range []bool{false, true} {
		srv := startTest(t, compact)
		anchor := writeAnchor(t, srv)
		host, port, _ := strings.Cut(srv.addr, ":")
		// Compact answers look like NODATA to a validator without CO.
		nx := "-$NXDOMAIN"
		if compact {
			nx = "-$NXRRSET"
		}
		cases := []struct {
			name, qname, qtype, want, rcode string
		}{
			{"positive", "www.example.com", "A", "; fully validated", ""},
			{"wildcard", "host.apps.example.com", "TXT", "; fully validated", ""},
			{"NXDOMAIN", "nx.example.com", "A", "; negative response, fully validated", nx},
			{"NXDOMAIN deep", "x.y.b.ent.example.com", "A", "; negative response, fully validated", nx},
			{"NODATA", "mail.example.com", "AAAA", "; negative response, fully validated", "-$NXRRSET"},
			{"wildcard NODATA", "host.apps.example.com", "MX", "; negative response, fully validated", "-$NXRRSET"},
			{"CNAME to NXDOMAIN", "dangling.example.com", "A", "fully validated", ""},
			{"DNSKEY", "example.com", "DNSKEY", "; fully validated", ""},
			{"DS", "secure.example.com", "DS", "; fully validated", ""},
			{"no DS", "insecure.example.com", "DS", "; negative response, fully validated", "-$NXRRSET"},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("compact=%v/%s", compact, c.name), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, delv, "@"+host, "-p", port, "-a", anchor, "+root=example.com", c.qname, c.qtype)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				_ = cmd.Run()
				require.Contains(t, out.String(), c.want, out.String())
				for _, bad := range []string{"broken trust chain", "insecurity proof failed", "no valid", "unsigned answer", "SERVFAIL", "bogus"} {
					require.NotContains(t, out.String(), bad, out.String())
				}
				if c.rcode != "" {
					require.Contains(t, out.String(), c.rcode, out.String())
				}
			})
		}
	}
}

func TestDig(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		t.Skip("dig not installed (bind9-dnsutils)")
	}
	srv := startTest(t, false)
	keys := dnskeys(t, srv)
	host, port, _ := strings.Cut(srv.addr, ":")
	for _, c := range []struct{ qname, qtype string }{
		{"www.example.com", "A"}, {"host.apps.example.com", "A"}, {"nx.example.com", "A"},
		{"mail.example.com", "AAAA"}, {"example.com", "DNSKEY"}, {"secure.example.com", "DS"},
	} {
		for _, tcp := range []bool{false, true} {
			t.Run(c.qname+"/"+c.qtype+"/tcp="+strconv.FormatBool(tcp), func(t *testing.T) {
				args := []string{"+dnssec", "+norecurse", "+nocmd", "+nocomments", "+nostats", "+noquestion", "@" + host, "-p", port, c.qname, c.qtype}
				if tcp {
					args = append(args, "+tcp")
				}
				out, err := exec.Command(dig, args...).CombinedOutput()
				require.NoError(t, err, string(out))
				zp := dns.NewZoneParser(bytes.NewReader(out), ".", "dig")
				var rrs []dns.RR
				for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
					rrs = append(rrs, rr)
				}
				require.NoError(t, zp.Err(), string(out))
				require.NotEmpty(t, rrs, string(out))
				// dig prints answer and authority together; every RRset
				// in them is signed and every signature verifies.
				signed := verifySection(t, rrs, keys)
				require.NotEmpty(t, signed)
			})
		}
	}
}
