package validate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// unpackRRs decodes consecutive uncompressed wire-format RRs.
func unpackRRs(b []byte) []dns.RR {
	var out []dns.RR
	for off := 0; off < len(b) && len(out) < 64; {
		rr, next, err := dns.UnpackRR(b, off)
		if err != nil || next <= off {
			break
		}
		if rr != nil {
			out = append(out, rr)
		}
		off = next
	}
	return out
}

// packRRs encodes RRs for a seed.
func packRRs(t testing.TB, rrs ...dns.RR) []byte {
	t.Helper()
	var out []byte
	for _, rr := range rrs {
		buf := make([]byte, dns.Len(rr)+64)
		n, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:n]...)
	}
	return out
}

// FuzzVerifyRRSIG feeds arbitrary wire-format records to VerifyRRSIG and
// Records: an RRSIG, an RRset and a DNSKEY, each decoded from bytes, and a
// time. It must never panic, a Verifier must agree with a fresh one, and a
// valid answer must satisfy the checks that precede the cryptography.
func FuzzVerifyRRSIG(f *testing.F) {
	for _, v := range rfcVectors {
		rrs := parseRecords(f, v.zone)
		var key, sig dns.RR
		var rrset []dns.RR
		for _, rr := range rrs {
			switch rr.(type) {
			case *dns.DNSKEY:
				key = rr
			case *dns.RRSIG:
				sig = rr
			case *dns.DS:
			default:
				rrset = append(rrset, rr)
			}
		}
		inc := mustTime(f, v.window[0])
		f.Add(packRRs(f, sig), packRRs(f, rrset...), packRRs(f, key), uint32(inc.Unix()+3600), false)
	}
	var shared Verifier
	f.Fuzz(func(t *testing.T, sigWire, rrsetWire, keyWire []byte, now uint32, checkTTL bool) {
		sigs := unpackRRs(sigWire)
		rrset := unpackRRs(rrsetWire)
		keys := unpackRRs(keyWire)
		var sig *dns.RRSIG
		if len(sigs) > 0 {
			sig, _ = sigs[0].(*dns.RRSIG)
		}
		var key *dns.DNSKEY
		if len(keys) > 0 {
			key, _ = keys[0].(*dns.DNSKEY)
		}
		opts := VerifyOptions{Now: time.Unix(int64(now), 0), CheckTTL: checkTTL}
		got := shared.Verify(sig, rrset, key, opts)
		var fresh Verifier
		again := fresh.Verify(sig, rrset, key, opts)
		if (got == nil) != (again == nil) || (got != nil && got.Reason != again.Reason) {
			t.Fatalf("reused Verifier says %v, fresh one %v", got, again)
		}
		if got != nil {
			if got.Reason <= ReasonNone || got.Reason > ReasonUnsupportedDigest {
				t.Fatalf("reason out of range: %d", got.Reason)
			}
			_ = got.String()
		} else {
			if sig == nil || key == nil || len(rrset) == 0 {
				t.Fatal("valid without a signature, a key or records")
			}
			if sig.Algorithm != key.Algorithm || key.Protocol != 3 || key.Flags&flagZone == 0 ||
				sig.TypeCovered != rrset[0].Header().Rrtype || !sameName(sig.SignerName, key.Hdr.Name) {
				t.Fatalf("valid but inconsistent: %v %v %v", sig, key, rrset)
			}
		}

		// Records over everything together, with and without the key as
		// an anchor.
		all := append(append(append([]dns.RR(nil), sigs...), rrset...), keys...)
		for _, anchors := range [][]dns.RR{nil, keys} {
			res := Records(all, anchors, RecordsOptions{Now: opts.Now})
			for _, r := range res {
				_ = r.String()
				if r.Status < StatusValid || r.Status > StatusIndeterminate {
					t.Fatalf("bad status %d", r.Status)
				}
			}
		}
	})
}

var updateCorpus = flag.Bool("update", false, "rewrite testdata/fuzz/FuzzVerifyRRSIG seed files")

// TestFuzzCorpus checks that the seed corpus exists and, with -update,
// rewrites it from the RFC vectors and a wildcard expansion signed with a
// fresh P-256 key.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifyRRSIG")
	if !*updateCorpus {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(entries), len(rfcVectors))
		return
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	write := func(name string, sig dns.RR, rrset []dns.RR, key dns.RR, now time.Time) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, p := range [][]byte{packRRs(t, sig), packRRs(t, rrset...), packRRs(t, key)} {
			fmt.Fprintf(&b, "[]byte(%s)\n", strconv.Quote(string(p)))
		}
		fmt.Fprintf(&b, "uint32(%d)\nbool(false)\n", uint32(now.Unix()))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644))
	}
	for i, v := range rfcVectors {
		key, rrset, sig := splitVector(t, v.zone)
		inc, exp := mustTime(t, v.window[0]), mustTime(t, v.window[1])
		write(fmt.Sprintf("rfc-%02d", i), sig, rrset, key, inc.Add(exp.Sub(inc)/2))
	}
	k := newTestKey(t, "example.", signer.FlagsZSK)
	wild := mustRRs(t, "*.Example. 300 IN MX 10 Mail.Example.", "*.example. 300 IN MX 20 mx2.example.",
		"*.example. 300 IN MX 30 mx3.example.", "*.example. 300 IN MX 40 mx4.example.")
	sig := k.sign(t, wild)
	write("p256-wildcard", sig, wild, k.dnskey(), t0)
	exp := copyRRs(wild)
	for _, rr := range exp {
		rr.Header().Name = "a.B.example."
	}
	esig := copySig(sig)
	esig.Hdr.Name = "a.B.example."
	write("p256-expansion", esig, exp, k.dnskey(), t0)
	write("p256-expired", esig, exp, k.dnskey(), expires.Add(time.Hour))
}
