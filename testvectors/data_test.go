package testvectors_test

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/testvectors"
)

// sectionRe maps a data file name to the RFC and section its first line
// must cite.
var sectionRe = regexp.MustCompile(`^rfc(\d+)-([0-9A-Z.]+?)(?:-[a-z0-9]+)?\.(zone|private|hex)$`)

func TestFiles(t *testing.T) {
	files := testvectors.Files()
	require.Len(t, files, 39)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			raw := testvectors.Raw(name)
			require.NotEmpty(t, raw)
			first, _, _ := bytes.Cut(raw, []byte("\n"))
			require.True(t, bytes.HasPrefix(first, []byte("; ")), "leading comment line")
			switch m := sectionRe.FindStringSubmatch(name); {
			case m != nil:
				require.Contains(t, string(first), "RFC "+m[1]+" ")
				require.Regexp(t, `(Section|Appendix) `+regexp.QuoteMeta(m[2])+`\b`, string(first))
			case name == "rfc5155-hashes.txt":
				require.Contains(t, string(first), "RFC 5155")
			default:
				require.Contains(t, string(first), "NOT", "non-RFC data is labelled")
			}
			switch {
			case strings.HasSuffix(name, ".zone"):
				zp := dns.NewZoneParser(bytes.NewReader(raw), "", name)
				n := 0
				for _, ok := zp.Next(); ok; _, ok = zp.Next() {
					n++
				}
				require.NoError(t, zp.Err())
				require.Positive(t, n)
			case strings.HasSuffix(name, ".private"):
				fields := map[string]bool{}
				sc := bufio.NewScanner(bytes.NewReader(raw))
				for sc.Scan() {
					line := sc.Text()
					if strings.HasPrefix(line, ";") {
						continue
					}
					k, _, ok := strings.Cut(line, ": ")
					require.True(t, ok, "key: value line %q", line)
					fields[k] = true
				}
				require.True(t, fields["Private-key-format"])
				require.True(t, fields["Algorithm"])
			}
		})
	}
}

// TestFilesUsed checks that every private key and zone file reaches an
// accessor, so no transcription goes untested.
func TestFilesUsed(t *testing.T) {
	used := map[string]bool{
		"rfc5155-hashes.txt": true, "rfc4034-4.3.hex": true, "rfc4034-4.3.zone": true,
		"rfc4034-3.3.zone": true, "computed-ds.zone": true,
	}
	privates := map[string]bool{}
	for _, k := range testvectors.Keys() {
		if k.PrivateKey != "" {
			privates[k.PrivateKey] = true
		}
	}
	for _, name := range testvectors.Files() {
		if strings.HasSuffix(name, ".private") {
			var body strings.Builder
			for _, line := range strings.SplitAfter(string(testvectors.Raw(name)), "\n") {
				if !strings.HasPrefix(line, ";") {
					body.WriteString(line)
				}
			}
			used[name] = privates[body.String()]
		}
	}
	for _, s := range testvectors.Signatures() {
		for _, name := range testvectors.Files() {
			if strings.HasPrefix(name, strings.ToLower(strings.ReplaceAll(s.RFC, " ", ""))+"-"+s.Section) {
				used[name] = true
			}
		}
	}
	for _, k := range testvectors.Keys() {
		for _, name := range testvectors.Files() {
			if strings.HasPrefix(name, strings.SplitN(k.Name, "-", 3)[0]+"-"+strings.SplitN(k.Name, "-", 3)[1]) {
				used[name] = true
			}
		}
	}
	for _, z := range testvectors.ZONEMDZones() {
		used[z.File] = true
	}
	for _, name := range testvectors.Files() {
		require.True(t, used[name], "%s is not reached by any accessor", name)
	}
}

func TestRaw(t *testing.T) {
	a := testvectors.Raw("rfc6605-6.1.zone")
	require.NotEmpty(t, a)
	a[0] = 'X'
	require.Equal(t, byte(';'), testvectors.Raw("rfc6605-6.1.zone")[0], "Raw returns a copy")
	for _, bad := range []string{"", "nope.zone", "../data/rfc6605-6.1.zone", "data/rfc6605-6.1.zone", `..\x`, "."} {
		require.Nil(t, testvectors.Raw(bad), bad)
	}
}

// TestFreshValues checks that accessors return values the caller may
// modify.
func TestFreshValues(t *testing.T) {
	k := testvectors.Keys()
	k[0].DNSKEY.Flags = 1
	k[0].DS = nil
	require.Equal(t, uint16(256), testvectors.Keys()[0].DNSKEY.Flags)

	s := testvectors.Signatures()
	s[0].RRSIG.Signature = ""
	s[0].RRset[0].Header().Ttl = 1
	s0 := testvectors.Signatures()[0]
	require.NotEmpty(t, s0.RRSIG.Signature)
	require.Equal(t, uint32(3600), s0.RRset[0].Header().Ttl)

	z := testvectors.RFC4035Zone()
	z.Keys[0].PublicKey = ""
	require.NotEmpty(t, testvectors.RFC4035Zone().Keys[0].PublicKey)
	require.NotSame(t, z.Keys[0], z.Signatures()[0].Key, "signature vectors copy keys")

	r := testvectors.RFC5155Responses()
	r[0].Authority[0].Header().Name = "x."
	r[0].Keys[0].Flags = 0
	require.Equal(t, "example.", testvectors.RFC5155Responses()[0].Authority[0].Header().Name)
	require.Equal(t, uint16(256), testvectors.RFC5155Responses()[0].Keys[0].Flags)
	m := r[1].Msg()
	m.Ns[0].Header().Name = "y."
	require.Equal(t, "example.", r[1].Authority[0].Header().Name)
}

func TestNonRFCData(t *testing.T) {
	raw := string(testvectors.Raw("dnspython-rsamd5.zone"))
	require.Contains(t, raw, "NOT AN RFC VECTOR")
	require.Contains(t, string(testvectors.Raw("computed-ds.zone")), "NOT RFC VALUES")
	n := 0
	for _, k := range testvectors.Keys() {
		if k.RFC == "" {
			n++
			require.Equal(t, dns.RSAMD5, k.DNSKEY.Algorithm)
			require.Empty(t, k.Section)
		}
	}
	require.Equal(t, 2, n)
}

func TestLookupKey(t *testing.T) {
	for _, k := range testvectors.Keys() {
		got, ok := testvectors.LookupKey(k.Name)
		require.True(t, ok, k.Name)
		require.Equal(t, k.KeyTag, got.KeyTag)
		require.Equal(t, k.DNSKEY.String(), got.DNSKEY.String())
	}
	_, ok := testvectors.LookupKey("rfc9999-1")
	require.False(t, ok)
}
