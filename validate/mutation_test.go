package validate

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// baseZone is a valid signed zone to corrupt, with the keys that signed
// it (so that a mutation can re-sign what it changes and isolate the
// fault it means to test).
type baseZone struct {
	name     string
	nsec3    bool
	rrs      []dns.RR
	ksk, zsk *signer.Key
	incep    time.Time
	expir    time.Time
}

const mOrigin = "example."

// oursBase signs zoneText with zonesign at the current time (the
// reference verifiers check windows against the clock).
func oursBase(t *testing.T, nsec3 bool) baseZone {
	now := time.Now().Truncate(time.Second)
	keys := newZoneKeys(t, mOrigin)
	z, err := zonesign.Parse(strings.NewReader(zoneText), "test", mOrigin)
	require.NoError(t, err)
	opts := zonesign.Options{
		Keys: []*signer.Key{keys.ksk.key, keys.zsk.key}, Now: now,
		Inception: now.Add(-time.Hour), Expiration: now.Add(30 * 24 * time.Hour), PublishCDS: true,
	}
	name := "ours-NSEC"
	if nsec3 {
		opts.NSEC3 = &zonesign.NSEC3Params{}
		name = "ours-NSEC3"
	}
	var buf bytes.Buffer
	_, err = zonesign.Sign(context.Background(), z, opts, &buf)
	require.NoError(t, err)
	return baseZone{name: name, nsec3: nsec3, rrs: zoneOf(t, buf.Bytes()), ksk: keys.ksk.key, zsk: keys.zsk.key,
		incep: opts.Inception, expir: opts.Expiration}
}

// bindBase signs zoneText with dnssec-signzone and loads its keys.
func bindBase(t *testing.T, nsec3 bool) baseZone {
	dir := t.TempDir()
	in := filepath.Join(dir, "example.zone")
	require.NoError(t, os.WriteFile(in, []byte(zoneText), 0o644))
	var names []string
	for _, ksk := range []bool{true, false} {
		args := []string{"-q", "-K", dir, "-a", "ECDSAP256SHA256", "-n", "ZONE"}
		if ksk {
			args = append(args, "-f", "KSK")
		}
		out, err := exec.Command("dnssec-keygen", append(args, mOrigin)...).Output()
		require.NoError(t, err)
		names = append(names, filepath.Join(dir, strings.TrimSpace(string(out))))
	}
	// The DNSKEYs must be in the zone.
	text := zoneText
	for _, n := range names {
		kt, err := os.ReadFile(n + ".key")
		require.NoError(t, err)
		text += lastLine(string(kt)) + "\n"
	}
	require.NoError(t, os.WriteFile(in, []byte(text), 0o644))
	now := time.Now().Truncate(time.Second)
	args := []string{"-q", "-K", dir, "-d", dir, "-o", mOrigin, "-f", filepath.Join(dir, "signed"),
		"-s", fmt.Sprint(now.Add(-time.Hour).Unix()), "-e", fmt.Sprint(now.Add(30 * 24 * time.Hour).Unix())}
	name := "bind-NSEC"
	if nsec3 {
		args = append(args, "-3", "-", "-H", "0")
		name = "bind-NSEC3"
	}
	args = append(args, in, names[0], names[1])
	out, err := exec.Command("dnssec-signzone", args...).CombinedOutput()
	require.NoError(t, err, string(out))
	signed, err := os.ReadFile(filepath.Join(dir, "signed"))
	require.NoError(t, err)
	b := baseZone{name: name, nsec3: nsec3, rrs: zoneOf(t, signed), incep: now.Add(-time.Hour), expir: now.Add(30 * 24 * time.Hour)}
	for i, n := range names {
		kt, err := os.ReadFile(n + ".key")
		require.NoError(t, err)
		rr, err := dns.NewRR(lastLine(string(kt)))
		require.NoError(t, err)
		dk := rr.(*dns.DNSKEY)
		f, err := os.Open(n + ".private")
		require.NoError(t, err)
		priv, err := dk.ReadPrivateKey(f, n+".private")
		f.Close()
		require.NoError(t, err)
		s, err := signer.FromCryptoSigner(priv.(crypto.Signer), mOrigin, dk.Flags)
		require.NoError(t, err)
		k, err := signer.NewKey(s, 0)
		require.NoError(t, err)
		if i == 0 {
			b.ksk = k
		} else {
			b.zsk = k
		}
	}
	return b
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// mzone is a zone being mutated.
type mzone struct {
	t   *testing.T
	b   *baseZone
	rrs []dns.RR
}

func (m *mzone) is(rr dns.RR, owner string, typ uint16) bool {
	h := rr.Header()
	return h.Rrtype == typ && strings.EqualFold(h.Name, owner)
}

// get returns the records of an RRset.
func (m *mzone) get(owner string, typ uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range m.rrs {
		if m.is(rr, owner, typ) {
			out = append(out, rr)
		}
	}
	return out
}

// sigs returns the RRSIGs over an RRset.
func (m *mzone) sigs(owner string, typ uint16) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range m.rrs {
		if s, ok := rr.(*dns.RRSIG); ok && strings.EqualFold(s.Hdr.Name, owner) && s.TypeCovered == typ {
			out = append(out, s)
		}
	}
	return out
}

// remove drops the records for which drop is true and reports how many.
func (m *mzone) remove(drop func(dns.RR) bool) int {
	n := len(m.rrs)
	m.rrs = slices.DeleteFunc(m.rrs, drop)
	return n - len(m.rrs)
}

func (m *mzone) dropSigs(owner string, typ uint16) int {
	return m.remove(func(rr dns.RR) bool {
		s, ok := rr.(*dns.RRSIG)
		return ok && strings.EqualFold(s.Hdr.Name, owner) && s.TypeCovered == typ
	})
}

// resign replaces the RRSIGs over an RRset with one by key, valid over
// [inc, exp] (the base window when zero).
func (m *mzone) resign(owner string, typ uint16, key *signer.Key, inc, exp time.Time) bool {
	rrset := m.get(owner, typ)
	if len(rrset) == 0 {
		return false
	}
	m.dropSigs(owner, typ)
	m.sign(rrset, key, inc, exp)
	return true
}

func (m *mzone) sign(rrset []dns.RR, key *signer.Key, inc, exp time.Time) {
	if inc.IsZero() {
		inc, exp = m.b.incep, m.b.expir
	}
	sigs, err := signer.Sign(context.Background(), rrset, []*signer.Key{key}, signer.SignOptions{Inception: inc, Expiration: exp})
	require.NoError(m.t, err)
	m.rrs = append(m.rrs, sigs[0])
}

// denialOwner is the owner of the NSEC or NSEC3 record of name.
func (m *mzone) denialOwner(name string) (string, uint16) {
	if !m.b.nsec3 {
		return name, dns.TypeNSEC
	}
	p := m.get(mOrigin, dns.TypeNSEC3PARAM)[0].(*dns.NSEC3PARAM)
	return strings.ToLower(dns.HashName(name, p.Hash, p.Iterations, p.Salt)) + "." + mOrigin, dns.TypeNSEC3
}

// bitmap changes the type bitmap of name's NSEC or NSEC3 and re-signs it.
func (m *mzone) bitmap(name string, f func([]uint16) []uint16) bool {
	owner, typ := m.denialOwner(name)
	rrs := m.get(owner, typ)
	if len(rrs) != 1 {
		return false
	}
	switch x := rrs[0].(type) {
	case *dns.NSEC:
		x.TypeBitMap = slices.Sorted(slices.Values(f(x.TypeBitMap)))
	case *dns.NSEC3:
		x.TypeBitMap = slices.Sorted(slices.Values(f(x.TypeBitMap)))
	}
	return m.resign(owner, typ, m.b.zsk, time.Time{}, time.Time{})
}

func (m *mzone) text() []byte {
	var b bytes.Buffer
	for _, rr := range m.rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// mutation corrupts a zone; apply reports false if the zone has nothing
// to corrupt that way (the mutation is then skipped for that zone).
type mutation struct {
	name    string
	want    Reason
	anchors func(m *mzone) []dns.RR // nil: no anchors
	apply   func(m *mzone) bool
}

var mutations = []mutation{
	{name: "flip a bit in a signature", want: ReasonBadSignature, apply: func(m *mzone) bool {
		s := m.sigs("mail.example.", dns.TypeA)
		sig, _ := base64.StdEncoding.DecodeString(s[0].Signature)
		sig[10] ^= 0x04
		s[0].Signature = base64.StdEncoding.EncodeToString(sig)
		return true
	}},
	{name: "drop an RRSIG", want: ReasonMissingSignature, apply: func(m *mzone) bool {
		owner, typ := m.denialOwner("mail.example.")
		return m.dropSigs(owner, typ) > 0
	}},
	{name: "leave an RRset unsigned", want: ReasonMissingSignature, apply: func(m *mzone) bool {
		txt, _ := dns.NewRR(`mail.example. 3600 IN TXT "unsigned"`)
		m.rrs = append(m.rrs, txt)
		return m.bitmap("mail.example.", func(ts []uint16) []uint16 { return append(ts, dns.TypeTXT) })
	}},
	{name: "drop an NSEC", want: ReasonNSECMissing, apply: func(m *mzone) bool {
		if m.b.nsec3 {
			return false
		}
		m.dropSigs("mail.example.", dns.TypeNSEC)
		return m.remove(func(rr dns.RR) bool { return m.is(rr, "mail.example.", dns.TypeNSEC) }) == 1
	}},
	{name: "break the NSEC next-name order", want: ReasonNSECChain, apply: func(m *mzone) bool {
		if m.b.nsec3 {
			return false
		}
		n := m.get("mail.example.", dns.TypeNSEC)[0].(*dns.NSEC)
		next := m.get(n.NextDomain, dns.TypeNSEC)[0].(*dns.NSEC)
		n.NextDomain = next.NextDomain // skips a name
		return m.resign("mail.example.", dns.TypeNSEC, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "break the NSEC3 next-hash order", want: ReasonNSEC3Chain, apply: func(m *mzone) bool {
		if !m.b.nsec3 {
			return false
		}
		owner, _ := m.denialOwner("mail.example.")
		n := m.get(owner, dns.TypeNSEC3)[0].(*dns.NSEC3)
		next := m.get(strings.ToLower(n.NextDomain)+"."+mOrigin, dns.TypeNSEC3)[0].(*dns.NSEC3)
		n.NextDomain = next.NextDomain
		return m.resign(owner, dns.TypeNSEC3, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "drop a type bit", want: ReasonNSECBitmap, apply: func(m *mzone) bool {
		return m.bitmap("mail.example.", func(ts []uint16) []uint16 {
			return slices.DeleteFunc(ts, func(t uint16) bool { return t == dns.TypeAAAA })
		})
	}},
	{name: "add a type bit", want: ReasonNSECBitmap, apply: func(m *mzone) bool {
		return m.bitmap("mail.example.", func(ts []uint16) []uint16 { return append(ts, dns.TypeTXT) })
	}},
	{name: "expire a signature", want: ReasonExpired, apply: func(m *mzone) bool {
		now := time.Now()
		return m.resign("mail.example.", dns.TypeA, m.b.zsk, now.Add(-48*time.Hour), now.Add(-time.Hour))
	}},
	{name: "signature not yet valid", want: ReasonNotYetValid, apply: func(m *mzone) bool {
		now := time.Now()
		return m.resign("mail.example.", dns.TypeA, m.b.zsk, now.Add(time.Hour), now.Add(48*time.Hour))
	}},
	{name: "change a key tag", want: ReasonNoKey, apply: func(m *mzone) bool {
		s := m.sigs("mail.example.", dns.TypeA)
		s[0].KeyTag ^= 0x5a5a
		return true
	}},
	{name: "sign glue", want: ReasonUnexpectedSignature, apply: func(m *mzone) bool {
		m.sign(m.get("ns.sec.example.", dns.TypeA), m.b.zsk, time.Time{}, time.Time{})
		return true
	}},
	{name: "sign a delegation NS", want: ReasonUnexpectedSignature, apply: func(m *mzone) bool {
		m.sign(m.get("insec.example.", dns.TypeNS), m.b.zsk, time.Time{}, time.Time{})
		return true
	}},
	{name: "NSEC at glue", want: ReasonUnexpectedDenial, apply: func(m *mzone) bool {
		if m.b.nsec3 {
			return false
		}
		nsec, _ := dns.NewRR("ns.sec.example. 300 IN NSEC www.example. A RRSIG NSEC")
		m.rrs = append(m.rrs, nsec)
		m.sign([]dns.RR{nsec}, m.b.zsk, time.Time{}, time.Time{})
		return true
	}},
	{name: "break an NSEC3 hash", want: ReasonNSEC3Hash, apply: func(m *mzone) bool {
		if !m.b.nsec3 {
			return false
		}
		owner, _ := m.denialOwner("mail.example.")
		rr := m.get(owner, dns.TypeNSEC3)[0]
		m.dropSigs(owner, dns.TypeNSEC3)
		b := []byte(owner)
		if b[0] == '0' {
			b[0] = '1'
		} else {
			b[0] = '0'
		}
		rr.Header().Name = string(b)
		m.sign([]dns.RR{rr}, m.b.zsk, time.Time{}, time.Time{})
		return true
	}},
	{name: "change NSEC3PARAM iterations", want: ReasonNSEC3Params, apply: func(m *mzone) bool {
		if !m.b.nsec3 {
			return false
		}
		m.get(mOrigin, dns.TypeNSEC3PARAM)[0].(*dns.NSEC3PARAM).Iterations = 1
		return m.resign(mOrigin, dns.TypeNSEC3PARAM, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "change an NSEC3 salt", want: ReasonNSEC3Params, apply: func(m *mzone) bool {
		if !m.b.nsec3 {
			return false
		}
		owner, _ := m.denialOwner("mail.example.")
		n := m.get(owner, dns.TypeNSEC3)[0].(*dns.NSEC3)
		n.Salt, n.SaltLength = "AB", 1
		return m.resign(owner, dns.TypeNSEC3, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "remove an ENT's NSEC3", want: ReasonNSEC3Missing, apply: func(m *mzone) bool {
		if !m.b.nsec3 {
			return false
		}
		owner, _ := m.denialOwner("deep.example.")
		m.dropSigs(owner, dns.TypeNSEC3)
		return m.remove(func(rr dns.RR) bool { return m.is(rr, owner, dns.TypeNSEC3) }) == 1
	}},
	{name: "anchor DS matches no key", want: ReasonAnchorMismatch, anchors: func(m *mzone) []dns.RR {
		return []dns.RR{newTestKey(m.t, mOrigin, signer.FlagsKSK).dnskey().ToDS(dns.SHA256)}
	}, apply: func(m *mzone) bool { return true }},
	{name: "DNSKEY RRset signed only by the ZSK", want: ReasonNoSEPSignature, apply: func(m *mzone) bool {
		return m.resign(mOrigin, dns.TypeDNSKEY, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "TTL raised above OrigTTL", want: ReasonTTL, apply: func(m *mzone) bool {
		for _, rr := range m.get("mail.example.", dns.TypeA) {
			rr.Header().Ttl = 7200
		}
		return true
	}},
	{name: "DS digest of the wrong length", want: ReasonDSMalformed, apply: func(m *mzone) bool {
		ds := m.get("sec.example.", dns.TypeDS)[0].(*dns.DS)
		ds.Digest = ds.Digest[:40]
		return m.resign("sec.example.", dns.TypeDS, m.b.zsk, time.Time{}, time.Time{})
	}},
	{name: "CDS matching no DNSKEY", want: ReasonCDSMismatch, apply: func(m *mzone) bool {
		cds := m.get(mOrigin, dns.TypeCDS)
		if len(cds) == 0 {
			return false
		}
		cds[0].(*dns.CDS).KeyTag++
		return m.resign(mOrigin, dns.TypeCDS, m.b.ksk, time.Time{}, time.Time{})
	}},
	{name: "CDNSKEY matching no DNSKEY", want: ReasonCDSMismatch, apply: func(m *mzone) bool {
		cdk := m.get(mOrigin, dns.TypeCDNSKEY)
		if len(cdk) == 0 {
			return false
		}
		cdk[0].(*dns.CDNSKEY).PublicKey = newTestKey(m.t, mOrigin, signer.FlagsKSK).dnskey().PublicKey
		return m.resign(mOrigin, dns.TypeCDNSKEY, m.b.ksk, time.Time{}, time.Time{})
	}},
}

// refVerifier is a reference zone verifier run on the mutated file.
type refVerifier struct {
	name string
	args func(file string) []string
}

var refVerifiers = []refVerifier{
	{"dnssec-verify", func(f string) []string { return []string{"-q", "-o", mOrigin, f} }},
	{"ldns-verify-zone", func(f string) []string { return []string{f} }},
	{"kzonecheck", func(f string) []string { return []string{"-o", mOrigin, "-d", "on", f} }},
}

// runRefs runs the installed reference verifiers on file concurrently and
// returns, per verifier, whether it rejected the zone (non-zero exit) and
// its output.
func runRefs(t *testing.T, file string) map[string]string {
	out := make(map[string]string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range refVerifiers {
		if _, err := exec.LookPath(r.name); err != nil {
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			b, err := exec.CommandContext(ctx, r.name, r.args(file)...).CombinedOutput()
			var ee *exec.ExitError
			res := ""
			switch {
			case err == nil:
			case errors.As(err, &ee):
				res = strings.TrimSpace(string(b))
				if res == "" {
					res = err.Error()
				}
			default:
				t.Errorf("%s: %v", r.name, err)
				return
			}
			mu.Lock()
			out[r.name] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func TestZoneMutations(t *testing.T) {
	bases := []baseZone{oursBase(t, false), oursBase(t, true)}
	if _, err := exec.LookPath("dnssec-signzone"); err == nil {
		if _, err := exec.LookPath("dnssec-keygen"); err == nil {
			bases = append(bases, bindBase(t, false), bindBase(t, true))
		}
	}
	dir := t.TempDir()
	applied := make(map[string]int)
	for bi := range bases {
		b := &bases[bi]
		t.Run(b.name, func(t *testing.T) {
			// The base zone is valid for every verifier.
			base := &mzone{t: t, b: b, rrs: b.rrs}
			file := filepath.Join(dir, b.name+".zone")
			require.NoError(t, os.WriteFile(file, base.text(), 0o644))
			for name, msg := range runRefs(t, file) {
				require.Empty(t, msg, "%s rejects the base zone", name)
			}
			res, err := Zone(context.Background(), b.rrs, ZoneOptions{})
			require.NoError(t, err)
			requireSecure(t, res)

			for mi, mu := range mutations {
				t.Run(mu.name, func(t *testing.T) {
					m := &mzone{t: t, b: b}
					for _, rr := range b.rrs {
						m.rrs = append(m.rrs, dns.Copy(rr))
					}
					if !mu.apply(m) {
						t.Skip("not applicable to this zone")
					}
					applied[mu.name]++
					var anchors []dns.RR
					if mu.anchors != nil {
						anchors = mu.anchors(m)
					}
					text := m.text()
					res, err := ZoneReader(context.Background(), bytes.NewReader(text), ZoneOptions{Anchors: anchors})
					require.NoError(t, err)
					var lines []string
					for _, f := range res.Findings {
						lines = append(lines, f.String())
					}
					require.Equal(t, ZoneBogus, res.Status, "%s\n%s", res.Summary(), strings.Join(lines, "\n"))
					require.True(t, res.Has(mu.want), "want %s (%s) among\n%s", mu.want.Code(), mu.want, strings.Join(lines, "\n"))
					// ZoneStream, given the records in wire form, agrees with Zone.
					requireStreamSame(t, zoneOf(t, text), ZoneOptions{Origin: mOrigin, Anchors: anchors})

					file := filepath.Join(dir, fmt.Sprintf("%s-%02d.zone", b.name, mi))
					require.NoError(t, os.WriteFile(file, text, 0o644))
					refs := runRefs(t, file)
					var detected []string
					for _, r := range refVerifiers {
						if msg, ok := refs[r.name]; ok && msg != "" {
							detected = append(detected, r.name)
						}
					}
					// Whenever a reference verifier rejects the zone,
					// so does dnsseal.
					if len(detected) > 0 {
						require.Equal(t, ZoneBogus, res.Status, "rejected by %v", detected)
					}
					t.Logf("dnsseal: %s; reference verifiers rejecting: %v", mu.want.Code(), detected)
				})
			}
		})
	}
	for _, mu := range mutations {
		require.Positive(t, applied[mu.name], "mutation %q applied to no zone", mu.name)
	}
	require.GreaterOrEqual(t, len(mutations), 15)
}
