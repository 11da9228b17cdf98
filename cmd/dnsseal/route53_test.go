package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/route53ksk"
)

const r53ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// r53Key makes a local KSK for zone with "dnsseal keygen" and returns its
// key reference and DNSKEY.
func r53Key(t *testing.T, dir, zone string) (string, *dns.DNSKEY) {
	t.Helper()
	code, out, errs := cli(t, "", "keygen", "-origin", zone, "-ksk", "-dir", dir)
	require.Equal(t, exitOK, code, errs)
	rr, err := dns.NewRR(strings.TrimSpace(out))
	require.NoError(t, err)
	k := rr.(*dns.DNSKEY)
	tag, err := keytag.Compute(k)
	require.NoError(t, err)
	return fmt.Sprintf("file:%s", filepath.Join(dir, fmt.Sprintf("K%s+013+%05d", dns.Fqdn(zone), tag))), k
}

// r53Expect runs "dnsseal route53 expect -json" and decodes its output.
func r53Expect(t *testing.T, zone, ref, name string) route53ksk.KeySigningKey {
	t.Helper()
	code, out, errs := cli(t, "", "route53", "expect", "-zone-name", zone, "-key", ref, "-name", name, "-json")
	require.Equal(t, exitOK, code, errs)
	var k route53ksk.KeySigningKey
	require.NoError(t, json.Unmarshal([]byte(out), &k))
	return k
}

// r53Output renders KSKs as "aws route53 get-dnssec" prints them.
func r53Output(t *testing.T, serve string, ksks ...route53ksk.KeySigningKey) string {
	t.Helper()
	b, err := json.MarshalIndent(route53ksk.Output{Status: &route53ksk.DNSSECStatus{ServeSignature: serve}, KeySigningKeys: ksks}, "", "    ")
	require.NoError(t, err)
	return string(b)
}

func TestRoute53ExpectMatchesPubkey(t *testing.T) {
	dir := t.TempDir()
	ref, k := r53Key(t, dir, "example.com")
	got := r53Expect(t, "Example.COM", ref, "example_com_ksk")

	// pubkey prints the DNSKEY and DS independently of route53ksk.
	code, out, errs := cli(t, "", "pubkey", "-key", ref, "-origin", "example.com")
	require.Equal(t, exitOK, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	ds, err := dns.NewRR(lines[1])
	require.NoError(t, err)
	d := ds.(*dns.DS)
	require.Equal(t, int(d.KeyTag), got.KeyTag)
	require.Equal(t, d.Digest, got.DigestValue)
	require.Equal(t, fmt.Sprintf("%d 13 2 %s", d.KeyTag, d.Digest), got.DSRecord)
	require.Equal(t, "257 3 13 "+k.PublicKey, got.DNSKEYRecord)
	require.Equal(t, k.PublicKey, got.PublicKey)
	require.Equal(t, "example_com_ksk", got.Name)
	require.Empty(t, got.KmsArn)
	require.Equal(t, 257, got.Flag)
	require.Equal(t, "ECDSAP256SHA256", got.SigningAlgorithmMnemonic)
	require.Equal(t, "SHA-256", got.DigestAlgorithmMnemonic)

	// The text form: one field per line, then the DS for the parent.
	code, out, errs = cli(t, "", "route53", "expect", "-zone-name", "example.com", "-key", ref)
	require.Equal(t, exitOK, code, errs)
	require.Contains(t, out, fmt.Sprintf("KeyTag:                   %d\n", d.KeyTag))
	require.Contains(t, out, "DSRecord:                 "+got.DSRecord+"\n")
	require.Contains(t, out, "DS (for the parent):      "+d.String()+"\n")
	require.NotContains(t, out, "Name:")
}

func TestRoute53Verify(t *testing.T) {
	dir := t.TempDir()
	ref, _ := r53Key(t, dir, "example.com")
	ref2, k2 := r53Key(t, dir, "example.com")
	good := r53Expect(t, "example.com", ref, "ksk_a")
	good.KmsArn, good.Status = r53ARN, "ACTIVE"
	second := r53Expect(t, "example.com", ref2, "ksk_b")
	second.KmsArn, second.Status = strings.Replace(r53ARN, "1234abcd", "5678abcd", 1), "INACTIVE"

	t.Run("consistent", func(t *testing.T) {
		in := r53Output(t, "SIGNING", good, second)
		file := writeFile(t, t.TempDir(), "dnssec.json", []byte(in))
		for _, args := range [][]string{{file}, {"-"}, {}} {
			code, out, errs := cli(t, in, append([]string{"route53", "verify", "-zone-name", "example.com"}, args...)...)
			require.Equal(t, exitOK, code, "stdout=%s stderr=%s", out, errs)
			require.Regexp(t, `: example\.com\.: 2 key-signing key\(s\): ok\n$`, out)
		}
	})

	mutations := []struct {
		field  string
		mutate func(k *route53ksk.KeySigningKey)
	}{
		{"Name", func(k *route53ksk.KeySigningKey) { k.Name = "ksk a" }},
		{"KmsArn", func(k *route53ksk.KeySigningKey) { k.KmsArn = strings.Replace(k.KmsArn, "us-east-1", "us-west-2", 1) }},
		{"Flag", func(k *route53ksk.KeySigningKey) { k.Flag = 256 }},
		{"SigningAlgorithmMnemonic", func(k *route53ksk.KeySigningKey) { k.SigningAlgorithmMnemonic = "RSASHA256" }},
		{"SigningAlgorithmType", func(k *route53ksk.KeySigningKey) { k.SigningAlgorithmType = 8 }},
		{"DigestAlgorithmMnemonic", func(k *route53ksk.KeySigningKey) { k.DigestAlgorithmMnemonic = "SHA-384" }},
		{"DigestAlgorithmType", func(k *route53ksk.KeySigningKey) { k.DigestAlgorithmType = 4 }},
		{"KeyTag", func(k *route53ksk.KeySigningKey) { k.KeyTag = (k.KeyTag + 1) % 65536 }},
		{"DigestValue", func(k *route53ksk.KeySigningKey) { k.DigestValue = strings.Repeat("0", 64) }},
		{"PublicKey", func(k *route53ksk.KeySigningKey) { k.PublicKey = k2.PublicKey }},
		{"DSRecord", func(k *route53ksk.KeySigningKey) { k.DSRecord = strings.Replace(k.DSRecord, " 13 2 ", " 13 1 ", 1) }},
		{"DNSKEYRecord", func(k *route53ksk.KeySigningKey) { k.DNSKEYRecord = "256 3 13 " + k.PublicKey }},
		{"Status", func(k *route53ksk.KeySigningKey) { k.Status, k.StatusMessage = "ACTION_NEEDED", "KMS key disabled" }},
		{"LastModifiedDate", func(k *route53ksk.KeySigningKey) {
			k.CreatedDate, k.LastModifiedDate = mustTime(t, "2024-02-01T00:00:00Z"), mustTime(t, "2024-01-01T00:00:00Z")
		}},
	}
	for _, m := range mutations {
		t.Run("mutated "+m.field, func(t *testing.T) {
			k := good
			m.mutate(&k)
			code, out, errs := cli(t, r53Output(t, "NOT_SIGNING", k), "route53", "verify", "-zone-name", "example.com")
			require.Equal(t, exitInvalid, code, "stdout=%s stderr=%s", out, errs)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, 2, out)
			require.Regexp(t, `^KSK [^:]+: `+m.field+`: expected .+, found .+`, lines[0])
			require.Regexp(t, `1 key-signing key\(s\): 1 finding\(s\)$`, lines[1])
			require.Contains(t, errs, "dnsseal: invalid: 1 finding(s)")
		})
	}

	t.Run("wrong zone name", func(t *testing.T) {
		code, out, _ := cli(t, r53Output(t, "SIGNING", good), "route53", "verify", "-zone-name", "example.org")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "DigestValue: expected")
		require.Contains(t, out, "DSRecord: expected")
	})
	t.Run("three KSKs", func(t *testing.T) {
		third := second
		third.Name, third.KmsArn = "ksk_c", strings.Replace(r53ARN, "1234abcd", "9999abcd", 1)
		code, out, _ := cli(t, r53Output(t, "SIGNING", good, second, third), "route53", "verify", "-zone-name", "example.com")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "KeySigningKeys: expected at most 2 KSKs, found 3 KSKs")
	})
	t.Run("no KSKs", func(t *testing.T) {
		code, out, _ := cli(t, r53Output(t, "NOT_SIGNING"), "route53", "verify", "-zone-name", "example.com")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "no key-signing keys to check")
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := parseTime(s)
	require.NoError(t, err)
	return v
}

func TestRoute53ParentDS(t *testing.T) {
	dir := t.TempDir()
	ref, k := r53Key(t, dir, "example.com")
	ref2, k2 := r53Key(t, dir, "example.com")
	_, stranger := r53Key(t, dir, "example.com")
	active := r53Expect(t, "example.com", ref, "ksk_active")
	active.Status = "ACTIVE"
	inactive := r53Expect(t, "example.com", ref2, "ksk_inactive")
	inactive.Status = "INACTIVE"
	in := r53Output(t, "SIGNING", active, inactive)
	ds := func(k *dns.DNSKEY, dt uint8) string {
		d, err := dsrecord.New(k, dsrecord.Options{DigestType: dt})
		require.NoError(t, err)
		return d.String()
	}
	tests := []struct {
		name   string
		parent string
		code   int
		says   []string
	}{
		{"DS of the ACTIVE KSK", ds(k, 2), exitOK, []string{
			fmt.Sprintf("parent DS %d 13 2 ", active.KeyTag), fmt.Sprintf(": matches KSK ksk_active (key tag %d, ACTIVE)", active.KeyTag), "1 parent DS: ok"}},
		{"dig output with SHA-384 and comments", "; <<>> DiG <<>> example.com DS\n" + ds(k, 4) + "\n" + ds(k2, 2) + "\n", exitOK, []string{
			"matches KSK ksk_active", "matches KSK ksk_inactive (key tag", "2 parent DS: ok"}},
		{"DS of the INACTIVE KSK only", ds(k2, 2), exitInvalid, []string{"matches KSK ksk_inactive", "ParentDS: expected a DS of an ACTIVE KSK: example.com. DS " + active.DSRecord}},
		{"a stranger's DS", ds(k, 2) + "\n" + ds(stranger, 2), exitInvalid, []string{"matches no KSK", "ParentDS: expected a DS of one of the 2 KSKs"}},
		{"no DS", "; nothing here\n", exitInvalid, []string{"found no DS records", "0 parent DS: 1 finding(s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := writeFile(t, t.TempDir(), "parent.txt", []byte(tc.parent))
			code, out, errs := cli(t, in, "route53", "verify", "-zone-name", "example.com", "-parent-ds", file)
			require.Equal(t, tc.code, code, "stdout=%s stderr=%s", out, errs)
			for _, s := range tc.says {
				require.Contains(t, out, s)
			}
		})
	}
	code, _, errs := cli(t, in, "route53", "verify", "-zone-name", "example.com", "-parent-ds", filepath.Join(dir, "missing"))
	require.Equal(t, exitError, code)
	require.Contains(t, errs, "no such file")
}

func TestRoute53DS(t *testing.T) {
	dir := t.TempDir()
	ref, k := r53Key(t, dir, "example.com")
	ref2, _ := r53Key(t, dir, "example.com")
	active := r53Expect(t, "example.com", ref, "ksk_active")
	active.Status = "ACTIVE"
	inactive := r53Expect(t, "example.com", ref2, "ksk_inactive")
	inactive.Status = "INACTIVE"
	want, err := dsrecord.New(k, dsrecord.Options{})
	require.NoError(t, err)

	code, out, errs := cli(t, r53Output(t, "SIGNING", active, inactive), "route53", "ds", "-zone-name", "example.com")
	require.Equal(t, exitOK, code, errs)
	require.Equal(t, want.String()+"\n", out)

	// A finding about an INACTIVE KSK is a warning.
	brokenInactive := inactive
	brokenInactive.KeyTag++
	code, out, errs = cli(t, r53Output(t, "SIGNING", active, brokenInactive), "route53", "ds", "-zone-name", "example.com")
	require.Equal(t, exitOK, code, errs)
	require.Equal(t, want.String()+"\n", out)
	require.Contains(t, errs, "dnsseal: warning: KSK ksk_inactive: KeyTag: expected")

	// A finding about the ACTIVE KSK prints no DS.
	brokenActive := active
	brokenActive.DigestValue = strings.Repeat("A", 64)
	code, out, errs = cli(t, r53Output(t, "SIGNING", brokenActive, inactive), "route53", "ds", "-zone-name", "example.com")
	require.Equal(t, exitInvalid, code)
	require.Empty(t, out)
	require.Contains(t, errs, "dnsseal: invalid: KSK ksk_active: DigestValue: expected")
	require.Contains(t, errs, "no DS records printed")

	// No ACTIVE KSK.
	code, out, errs = cli(t, r53Output(t, "NOT_SIGNING", inactive), "route53", "ds", "-zone-name", "example.com")
	require.Equal(t, exitInvalid, code)
	require.Empty(t, out)
	require.Contains(t, errs, "no ACTIVE key-signing key")
}

// TestRoute53KMS checks -kms against kmstest: GetPublicKey of each KmsArn
// must give the key Route 53 reports, and the Route 53 preflight of
// kmsbackend is reported.
func TestRoute53KMS(t *testing.T) {
	srv := kmstest.NewServer()
	defer srv.Close()
	useKMSTest(t, srv)
	ctx := context.Background()
	client := srv.Client()
	k1, err := kmsbackend.CreateKey(ctx, client, kmsbackend.CreateOptions{Route53: true, Zone: "example.com."})
	require.NoError(t, err)
	k2, err := kmsbackend.CreateKey(ctx, client, kmsbackend.CreateOptions{Route53: true, Zone: "example.com."})
	require.NoError(t, err)
	noPolicy, err := srv.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, err)

	// What Route 53 reports for k1, through "route53 expect" on the KMS key.
	ksk := r53Expect(t, "example.com", "awskms:"+k1.ARN, "ksk_kms")
	require.Equal(t, k1.ARN, ksk.KmsArn)
	ksk.Status = "ACTIVE"
	exp, err := route53ksk.Expect(k1.Signer.DNSKEY(), k1.ARN, "ksk_kms")
	require.NoError(t, err)
	exp.Status = "ACTIVE"
	require.Equal(t, exp, ksk)

	t.Run("matching key", func(t *testing.T) {
		code, out, errs := cli(t, r53Output(t, "SIGNING", ksk), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitOK, code, "stdout=%s stderr=%s", out, errs)
		require.Contains(t, out, "1 key-signing key(s), 1 matching KMS: ok")
	})
	t.Run("KmsArn of another key", func(t *testing.T) {
		k := ksk
		k.KmsArn = k2.ARN
		code, out, errs := cli(t, r53Output(t, "SIGNING", k), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitInvalid, code, "stdout=%s stderr=%s", out, errs)
		require.Contains(t, out, "KSK ksk_kms: KmsArn: expected a KMS key whose public key is "+ksk.PublicKey+" (as in PublicKey), found "+
			k2.ARN+" whose public key is "+k2.Signer.DNSKEY().PublicKey)
		require.Contains(t, out, "0 matching KMS: 1 finding(s)")
	})
	t.Run("key without a Route 53 policy", func(t *testing.T) {
		k := ksk
		k.KmsArn = noPolicy.ARN
		code, out, _ := cli(t, r53Output(t, "SIGNING", k), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "KmsArn: expected a KMS key Route 53 can use, found "+noPolicy.ARN+": key-policy: ")
		require.Contains(t, out, "whose public key is") // and it is another key
	})
	t.Run("disabled key", func(t *testing.T) {
		require.NoError(t, srv.SetKeyState(k2.ARN, "Disabled"))
		defer func() { require.NoError(t, srv.SetKeyState(k2.ARN, "Enabled")) }()
		k, err := route53ksk.Expect(k2.Signer.DNSKEY(), k2.ARN, "ksk_disabled")
		require.NoError(t, err)
		k.Status = "ACTIVE"
		code, out, _ := cli(t, r53Output(t, "SIGNING", k), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "key-state: key state is Disabled")
	})
	t.Run("deleted key", func(t *testing.T) {
		k := ksk
		k.KmsArn = strings.Replace(k1.ARN, k1.ARN[len(k1.ARN)-12:], "000000000000", 1)
		code, out, _ := cli(t, r53Output(t, "SIGNING", k), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitInvalid, code)
		require.Contains(t, out, "key not found in KMS")
	})
	t.Run("KMS failure is an operational error", func(t *testing.T) {
		srv.Fail("DescribeKey", "AccessDeniedException", -1)
		defer srv.ClearFailures()
		code, _, errs := cli(t, r53Output(t, "SIGNING", ksk), "route53", "verify", "-zone-name", "example.com", "-kms")
		require.Equal(t, exitError, code)
		require.Contains(t, errs, "AccessDeniedException")
	})
}

func TestRoute53Usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		in   string
		code int
		says string
	}{
		{"no subcommand", []string{"route53"}, "", exitUsage, "route53 needs a subcommand"},
		{"help", []string{"route53", "-h"}, "", exitOK, "dnsseal route53 verify -zone-name NAME"},
		{"unknown subcommand", []string{"route53", "check"}, "", exitUsage, `unknown route53 subcommand "check"`},
		{"verify without zone", []string{"route53", "verify"}, "", exitUsage, "-zone-name is required"},
		{"verify bad zone", []string{"route53", "verify", "-zone-name", "a..b"}, "", exitUsage, "bad -zone-name"},
		{"verify two files", []string{"route53", "verify", "-zone-name", "example.com", "a", "b"}, "", exitUsage, "at most one input file"},
		{"verify help", []string{"route53", "verify", "-h"}, "", exitOK, "aws route53 get-dnssec"},
		{"ds without zone", []string{"route53", "ds"}, "", exitUsage, "-zone-name is required"},
		{"expect without key", []string{"route53", "expect", "-zone-name", "example.com"}, "", exitUsage, "-key is required"},
		{"expect extra args", []string{"route53", "expect", "-zone-name", "example.com", "-key", "file:x", "y"}, "", exitUsage, "unexpected arguments"},
		{"malformed JSON", []string{"route53", "verify", "-zone-name", "example.com"}, "{\n\"KeyTag\": }", exitError, "<stdin>: route53ksk: not Route 53 key-signing-key JSON: malformed JSON at line 2, column 11"},
		{"not Route 53 JSON", []string{"route53", "ds", "-zone-name", "example.com"}, `{"HostedZone": {}}`, exitError, "no KeySigningKeys"},
		{"missing file", []string{"route53", "verify", "-zone-name", "example.com", "/nonexistent/file.json"}, "", exitError, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, tc.in, tc.args...)
			require.Equal(t, tc.code, code, "stdout=%s stderr=%s", out, errs)
			require.Contains(t, out+errs, tc.says)
		})
	}
	require.Regexp(t, regexp.MustCompile(`route53\s+check Route 53`), func() string { _, out, _ := cli(t, "", "help"); return out }())
}
