package localbackend_test

// Interoperability with BIND 9 (dnssec-keygen, dnssec-signzone) and ldns
// (ldns-keygen, ldns-signzone). Each test is skipped when its tools are not
// installed (Debian: bind9-utils, ldnsutils).

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
)

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages bind9-utils and ldnsutils): %v", tool, err)
		}
	}
}

// run runs a tool in dir and returns its stdout; it fails the test on a
// non-zero exit.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, err, "%s %s\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String()
}

var toolAlgs = []struct {
	name string
	alg  uint8
}{
	{"ECDSAP256SHA256", localbackend.ECDSAP256SHA256},
	{"ECDSAP384SHA384", localbackend.ECDSAP384SHA384},
	{"ED25519", localbackend.ED25519},
}

// Keys made by dnssec-keygen and ldns-keygen load and sign RRsets that
// miekg/dns verifies with the tool's DNSKEY.
func TestInteropToolKeysLoad(t *testing.T) {
	for _, a := range toolAlgs {
		for _, ksk := range []bool{false, true} {
			role := "ZSK"
			if ksk {
				role = "KSK"
			}
			t.Run("dnssec-keygen/"+a.name+"/"+role, func(t *testing.T) {
				requireTools(t, "dnssec-keygen")
				dir := t.TempDir()
				args := []string{"-q", "-K", dir, "-a", a.name, "-n", "ZONE"}
				if ksk {
					args = append(args, "-f", "KSK")
				}
				out := run(t, dir, "dnssec-keygen", append(args, "example.com")...)
				checkToolKey(t, dir, strings.TrimSpace(out), a.alg, ksk, true)
			})
			t.Run("ldns-keygen/"+a.name+"/"+role, func(t *testing.T) {
				requireTools(t, "ldns-keygen")
				dir := t.TempDir()
				args := []string{"-a", a.name}
				if ksk {
					args = append(args, "-k")
				}
				out := run(t, dir, "ldns-keygen", append(args, "example.com")...)
				checkToolKey(t, dir, strings.TrimSpace(out), a.alg, ksk, false)
			})
		}
	}
}

func checkToolKey(t *testing.T, dir, base string, alg uint8, ksk, timing bool) {
	t.Helper()
	require.True(t, strings.HasPrefix(base, "Kexample.com.+"), "tool printed %q", base)
	s, err := localbackend.LoadBIND(filepath.Join(dir, base), localbackend.Options{})
	require.NoError(t, err)
	require.Equal(t, alg, s.Algorithm())
	require.Equal(t, base, localbackend.FileBase(s.Owner(), s.Algorithm(), s.KeyTag()), "file name and key tag agree")
	require.Equal(t, ksk, s.Flags()&signer.FlagSEP != 0)
	require.Equal(t, timing, !s.Timing().Created.IsZero())
	checkSigner(t, s)

	key, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	rrset := []dns.RR{mustRR(t, "www.example.com. 300 IN AAAA 2001:db8::1"), mustRR(t, "www.example.com. 300 IN AAAA 2001:db8::2")}
	now := time.Now()
	sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{key}, signer.SignOptions{Inception: now.Add(-time.Hour), Expiration: now.Add(time.Hour)})
	require.NoError(t, err)
	require.NoError(t, sigs[0].Verify(s.DNSKEY(), rrset))

	// Saved by dnsseal into another directory, the files load again to
	// the same key.
	kp, _, err := s.SaveBIND(t.TempDir(), localbackend.SaveOptions{})
	require.NoError(t, err)
	again, err := localbackend.LoadBIND(kp, localbackend.Options{})
	require.NoError(t, err)
	require.Equal(t, s.DNSKEY().PublicKey, again.DNSKEY().PublicKey)
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	require.NoError(t, err)
	return rr
}

const testZone = `$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 300
@	IN NS ns1
@	IN MX 10 mail
ns1	IN A 192.0.2.1
mail	IN A 192.0.2.3
www	IN A 192.0.2.2
www	IN AAAA 2001:db8::2
`

// Keys saved by dnsseal sign a zone with dnssec-signzone and ldns-signzone;
// the output holds RRSIGs by both keys, and every RRSIG verifies (miekg/dns)
// under the DNSKEYs dnsseal made.
func TestInteropSignZoneWithSavedKeys(t *testing.T) {
	for _, a := range toolAlgs {
		t.Run("dnssec-signzone/"+a.name, func(t *testing.T) {
			requireTools(t, "dnssec-signzone")
			dir, zone, ksk, zsk := savedKeys(t, a.alg)
			out := filepath.Join(dir, "signed.zone")
			// -S: smart signing, finds the keys in -K by owner and uses
			// their timing metadata; dnssec-signzone then verifies the
			// zone it signed.
			run(t, dir, "dnssec-signzone", "-S", "-K", filepath.Join(dir, "keys"), "-o", "example.com", "-f", out, zone)
			checkSignedZone(t, out, ksk, zsk)
		})
		t.Run("ldns-signzone/"+a.name, func(t *testing.T) {
			requireTools(t, "ldns-signzone")
			dir, zone, ksk, zsk := savedKeys(t, a.alg)
			out := filepath.Join(dir, "signed.zone")
			keys := filepath.Join(dir, "keys")
			run(t, dir, "ldns-signzone", "-f", out, zone,
				filepath.Join(keys, localbackend.FileBase(ksk.Owner(), ksk.Algorithm(), ksk.KeyTag())),
				filepath.Join(keys, localbackend.FileBase(zsk.Owner(), zsk.Algorithm(), zsk.KeyTag())))
			checkSignedZone(t, out, ksk, zsk)
		})
	}
}

func savedKeys(t *testing.T, alg uint8) (dir, zone string, ksk, zsk *localbackend.Signer) {
	t.Helper()
	dir = t.TempDir()
	keys := filepath.Join(dir, "keys")
	require.NoError(t, os.Mkdir(keys, 0o700))
	opts := localbackend.Options{Now: time.Now().Add(-time.Hour)}
	var err error
	ksk, err = localbackend.Generate(alg, "example.com", signer.FlagsKSK, opts)
	require.NoError(t, err)
	zsk, err = localbackend.Generate(alg, "example.com", signer.FlagsZSK, opts)
	require.NoError(t, err)
	if ksk.KeyTag() == zsk.KeyTag() {
		t.Skip("key tag collision; rerun")
	}
	for _, s := range []*localbackend.Signer{ksk, zsk} {
		_, _, err := s.SaveBIND(keys, localbackend.SaveOptions{})
		require.NoError(t, err)
	}
	zone = filepath.Join(dir, "example.com.zone")
	require.NoError(t, os.WriteFile(zone, []byte(testZone), 0o644))
	return dir, zone, ksk, zsk
}

func checkSignedZone(t *testing.T, path string, ksk, zsk *localbackend.Signer) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	zp := dns.NewZoneParser(bytes.NewReader(b), "example.com.", path)
	type key struct {
		name  string
		rtype uint16
	}
	sets := map[key][]dns.RR{}
	var sigs []*dns.RRSIG
	var dnskeys []*dns.DNSKEY
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		switch r := rr.(type) {
		case *dns.RRSIG:
			sigs = append(sigs, r)
		case *dns.DNSKEY:
			dnskeys = append(dnskeys, r)
		}
		if rr.Header().Rrtype != dns.TypeRRSIG {
			k := key{strings.ToLower(rr.Header().Name), rr.Header().Rrtype}
			sets[k] = append(sets[k], rr)
		}
	}
	require.NoError(t, zp.Err())

	// The zone publishes our DNSKEYs.
	var pubs []string
	for _, k := range dnskeys {
		pubs = append(pubs, strconv.Itoa(int(k.Flags))+" "+k.PublicKey)
	}
	for _, s := range []*localbackend.Signer{ksk, zsk} {
		require.Contains(t, pubs, strconv.Itoa(int(s.Flags()))+" "+s.DNSKEY().PublicKey)
	}

	byTag := map[uint16]*localbackend.Signer{ksk.KeyTag(): ksk, zsk.KeyTag(): zsk}
	count := map[uint16]int{}
	for _, sig := range sigs {
		s, ok := byTag[sig.KeyTag]
		require.True(t, ok, "RRSIG by unknown key tag %d: %s", sig.KeyTag, sig)
		require.Equal(t, s.Algorithm(), sig.Algorithm)
		rrset := sets[key{strings.ToLower(sig.Hdr.Name), sig.TypeCovered}]
		require.NotEmpty(t, rrset, "no RRset for %s", sig)
		require.NoError(t, sig.Verify(s.DNSKEY(), rrset), "%s", sig)
		count[sig.KeyTag]++
	}
	require.Positive(t, count[ksk.KeyTag()], "no RRSIG by the KSK %d", ksk.KeyTag())
	require.Positive(t, count[zsk.KeyTag()], "no RRSIG by the ZSK %d", zsk.KeyTag())
	var dnskeySignedByKSK bool
	for _, sig := range sigs {
		dnskeySignedByKSK = dnskeySignedByKSK || (sig.TypeCovered == dns.TypeDNSKEY && sig.KeyTag == ksk.KeyTag())
	}
	require.True(t, dnskeySignedByKSK, "the DNSKEY RRset is not signed by the KSK")
}

// dnssec-settime rewrites a key saved by dnsseal; dnsseal reads the new
// timing, and what BIND writes for the .private file is byte for byte what
// MarshalBIND writes for the same key and timing.
func TestInteropSettime(t *testing.T) {
	requireTools(t, "dnssec-settime")
	for _, a := range toolAlgs {
		t.Run(a.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := localbackend.Generate(a.alg, "example.com", signer.FlagsZSK, localbackend.Options{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
			require.NoError(t, err)
			_, pp, err := s.SaveBIND(dir, localbackend.SaveOptions{})
			require.NoError(t, err)
			base := localbackend.FileBase(s.Owner(), s.Algorithm(), s.KeyTag())
			run(t, dir, "dnssec-settime", "-K", dir, "-I", "20300101000000", "-D", "20300201000000", base)

			l, err := localbackend.LoadBIND(filepath.Join(dir, base), localbackend.Options{})
			require.NoError(t, err)
			want := s.Timing()
			want.Inactive = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			want.Delete = time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
			require.Equal(t, want, l.Timing())
			require.Equal(t, s.DNSKEY().String(), l.DNSKEY().String())

			bindPriv, err := os.ReadFile(pp)
			require.NoError(t, err)
			_, ours, err := s.WithTiming(want).MarshalBIND()
			require.NoError(t, err)
			require.Equal(t, string(bindPriv), string(ours))
		})
	}
}

// dnssec-signzone -S honours the timing dnsseal writes: a ZSK whose
// Activate is in the future is published but signs nothing.
func TestInteropTimingHonoured(t *testing.T) {
	requireTools(t, "dnssec-signzone")
	dir, zone, ksk, zsk := savedKeys(t, localbackend.ECDSAP256SHA256)
	now := time.Now()
	next, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.com", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	if next.KeyTag() == ksk.KeyTag() || next.KeyTag() == zsk.KeyTag() {
		t.Skip("key tag collision; rerun")
	}
	next = next.WithTiming(localbackend.Timing{Created: now.Add(-time.Hour), Publish: now.Add(-time.Hour), Activate: now.Add(30 * 24 * time.Hour)})
	_, _, err = next.SaveBIND(filepath.Join(dir, "keys"), localbackend.SaveOptions{})
	require.NoError(t, err)

	out := filepath.Join(dir, "signed.zone")
	run(t, dir, "dnssec-signzone", "-S", "-K", filepath.Join(dir, "keys"), "-o", "example.com", "-f", out, zone)
	checkSignedZone(t, out, ksk, zsk) // every RRSIG is by ksk or zsk

	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var published bool
	zp := dns.NewZoneParser(bytes.NewReader(b), "example.com.", out)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if k, isKey := rr.(*dns.DNSKEY); isKey && k.PublicKey == next.DNSKEY().PublicKey {
			published = true
		}
	}
	require.NoError(t, zp.Err())
	require.True(t, published, "the pre-published ZSK is not in the DNSKEY RRset")
}
