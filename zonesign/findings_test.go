package zonesign

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// Tests for the findings of the cross-package fuzzer (fuzz.FuzzZoneSign,
// crashers testdata/fuzz/FuzzZoneSign/bug-* in the fuzz package).

// TestUnprintableRecordsGeneric: records miekg/dns cannot print in a form
// its parser reads back are written in the generic form of RFC 3597, and
// the signed zone keeps them (bug-null-record).
func TestUnprintableRecordsGeneric(t *testing.T) {
	for _, tc := range []struct {
		name, rr, want string
		typ            uint16
	}{
		{"NULL", `n TYPE10 \# 2 0000`, "n.example.\t300\tIN\tTYPE10\t\\# 2 0000\n", dns.TypeNULL},
		{"NULL with NUL and newline bytes", `n TYPE10 \# 4 000A3B00`, "n.example.\t300\tIN\tTYPE10\t\\# 4 000A3B00\n", dns.TypeNULL},
		{"empty NULL", `n TYPE10 \# 0`, "n.example.\t300\tIN\tTYPE10\t\\# 0\n", dns.TypeNULL},
		{"NULL from the fuzzer's zone", "Z SRV 0 5 0 !\nZ NAPTR 100 10 \"'\"0\"\" \"\" A\n HINFO \"\"\"\"\n CAA 0 e \"\"\n TYPE10 \\# 2 0000\n00 SVCB 0 00000000",
			"\tTYPE10\t\\# 2 0000\n", dns.TypeNULL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(goodZone+tc.rr+"\n"), "t.zone", "")
			require.NoError(t, err)
			opts := baseOptions(t, "example.")
			for _, nsec3 := range []*NSEC3Params{nil, {}} {
				opts.NSEC3 = nsec3
				out, st := signString(t, z, opts)
				require.Contains(t, out, tc.want)
				require.NotContains(t, out, "\x00")
				rrs := parseRecords(t, out)
				require.Len(t, rrs, st.Records, "every record written parses back")
				found := false
				for _, rr := range rrs {
					found = found || rr.Header().Rrtype == tc.typ
				}
				require.True(t, found, "the %v record is in the output", dns.Type(tc.typ))
				checkSigned(t, out, "example.", opts.Keys, nsec3)
			}
		})
	}
}

// TestWriteRRGenericFallback checks writeRR directly: a record whose
// miekg/dns text does not read back is written generically, one that does
// as miekg/dns writes it.
func TestWriteRRGenericFallback(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  uint16
		rd   []byte
		want string
	}{
		{"NULL", dns.TypeNULL, []byte{0, 0}, "a.\t60\tIN\tTYPE10\t\\# 2 0000\n"},
		{"CAA with an empty tag", dns.TypeCAA, []byte{0, 0, 'x'}, "a.\t60\tIN\tTYPE257\t\\# 3 000078\n"},
		{"CAA", dns.TypeCAA, []byte{0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a'}, "a.\t60\tIN\tCAA\t0 issue \"ca\"\n"},
		{"TXT", dns.TypeTXT, []byte{2, 'h', 'i'}, "a.\t60\tIN\tTXT\t\"hi\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &chunk{}
			wk := &worker{j: &job{}}
			require.NoError(t, wk.writeRR(c, "a.", rec{typ: tc.typ, class: dns.ClassINET, ttl: 60, rdlen: uint16(len(tc.rd))}, tc.rd))
			require.Equal(t, tc.want, string(c.buf))
			rr, err := dns.NewRR(string(c.buf))
			require.NoError(t, err)
			require.Equal(t, tc.typ, rr.Header().Rrtype)
			require.Equal(t, 1, c.st.Records)
		})
	}
}

// TestNoRDATARefused: records written without RDATA, which miekg/dns's
// parser accepts for dynamic updates, are refused by Add; the types whose
// RDATA may be empty, or whose all-zero form is a record, are accepted
// (bug-empty-rdata).
func TestNoRDATARefused(t *testing.T) {
	for _, tc := range []struct {
		name, rr, err string // err "" means accepted
	}{
		{"CAA", "x CAA", "x.example. CAA has no RDATA (in t.zone)"},
		{"CDS", "00 CDS", "00.example. CDS has no RDATA"},
		{"DS", "sub DS", "sub.example. DS has no RDATA"},
		{"DNSKEY", "@ DNSKEY", "example. DNSKEY has no RDATA"},
		{"SRV", "x SRV", "SRV has no RDATA"},
		{"MX", "x MX", "MX has no RDATA"},
		{"A", "x A", "A has no RDATA"},
		{"TXT", "x TXT", "TXT has no RDATA"},
		{"HINFO without RDATA is HINFO \"\" \"\"", "x HINFO", ""},
		{"URI", "x URI", "URI has no RDATA"},
		{"HINFO of empty strings", `x HINFO "" ""`, ""},
		{"CDS delete form", "@ CDS 0 0 0 00", ""},
		{"TXT empty string", `x TXT ""`, ""},
		{"SRV to the root", "x SRV 0 0 0 .", ""},
		{"empty NULL", `x TYPE10 \# 0`, ""},
		{"NULL without data", "x NULL", ""},
		{"empty APL", "x APL", ""},
		{"unknown type, empty", `x TYPE65000 \# 0`, ""},
		{"UID 0", "x UID 0", ""},
		{"EUI48 of zeros", "x EUI48 00-00-00-00-00-00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(goodZone+tc.rr+"\n"), "t.zone", "")
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), err.Error())
				return
			}
			require.NoError(t, err)
			opts := baseOptions(t, "example.")
			out, st := signString(t, z, opts)
			require.Len(t, parseRecords(t, out), st.Records)
			checkSigned(t, out, "example.", opts.Keys, nil)
		})
	}
}

// TestApexOnlyAndMatchingRecords covers the records zonesign used to sign
// whatever they held: CDS and CDNSKEY below the apex or matching no DNSKEY
// (bug-cds-below-apex, bug-cds-unmatched), DS digests of the wrong length
// (bug-ds-malformed) and pre-published DNSKEYs that cannot serve
// (bug-foreign-dnskey).
func TestApexOnlyAndMatchingRecords(t *testing.T) {
	keys := testKeys(t, "example.")
	ksk := keys[0].DNSKEY()
	ds := ksk.ToDS(dns.SHA256)
	dsRDATA := func(d *dns.DS) string { return strings.TrimPrefix(d.String(), d.Hdr.String()) }
	other := testKey(t, "example.", "pre-published zsk", 256).DNSKEY()
	const deleg = "sub NS ns.sub\nns.sub A 192.0.2.9\n"
	for _, tc := range []struct {
		name, rr   string
		publishCDS bool
		err        string // "" means signed
	}{
		// CDS and CDNSKEY
		{"CDS below the apex", "00 CDS 0 0 0 00", false, "CDS record at 00.example., which is not the apex example."},
		{"CDS below the apex, PublishCDS", "00 CDS 0 0 0 00", true, "CDS record at 00.example., which is not the apex"},
		{"CDNSKEY below the apex", "x CDNSKEY " + strings.TrimPrefix(ksk.String(), ksk.Hdr.String()), false, "CDNSKEY record at x.example., which is not the apex"},
		{"CDS at a delegation", deleg + "sub CDS " + dsRDATA(ds), false, "not the apex"},
		{"CDS below a zone cut is occluded", deleg + "x.sub CDS 1 13 2 " + strings.Repeat("00", 32), false, ""},
		{"unmatched CDNSKEY", "@ CDNSKEY 0 0 1 AAAA", false, "CDNSKEY 0 (algorithm 1) at example. matches no DNSKEY of the zone"},
		{"unmatched CDS", "@ CDS 1 13 2 " + strings.Repeat("AB", 32), false, "CDS 1 13 2 " + strings.Repeat("AB", 32) + " at example. matches no DNSKEY"},
		{"CDS of the KSK with a wrong digest type", "@ CDS 44652 13 9 00", false, "matches no DNSKEY"},
		{"unmatched CDS, PublishCDS drops it", "@ CDS 1 13 2 " + strings.Repeat("AB", 32) + "\n@ CDNSKEY 0 0 1 AAAA", true, ""},
		{"CDS and CDNSKEY of the KSK", "@ CDS " + dsRDATA(ds) + "\n@ CDNSKEY " + strings.TrimPrefix(ksk.String(), ksk.Hdr.String()), false, ""},
		{"CDS SHA-384 of the KSK", "@ CDS " + dsRDATA(ksk.ToDS(dns.SHA384)), false, ""},
		{"CDS of a pre-published key", "@ DNSKEY " + strings.TrimPrefix(other.String(), other.Hdr.String()) + "\n@ CDS " + dsRDATA(other.ToDS(dns.SHA256)), false, ""},
		{"delete forms", "@ CDS 0 0 0 00\n@ CDNSKEY 0 3 0 AA==", false, ""},
		// DS
		{"DS with an empty SHA-1 digest", deleg + "sub DS 0 0 1", false, "DS record sub.example. 0 0 1 (no digest) has a digest of 0 octets; digest type 1 needs 20"},
		{"DS with a short SHA-256 digest", deleg + "sub DS 1 13 2 " + strings.Repeat("00", 31), false, "digest of 31 octets; digest type 2 needs 32"},
		{"DS with a SHA-256 digest for SHA-384", deleg + "sub DS 1 13 4 " + strings.Repeat("00", 32), false, "digest type 4 needs 48"},
		{"DS with a long SHA-1 digest", deleg + "sub DS 1 13 1 " + strings.Repeat("00", 21), false, "digest type 1 needs 20"},
		{"DS of an unknown digest type", deleg + "sub DS 1 13 7 001122", false, ""},
		{"DS of the right lengths", deleg + "sub DS 1 13 1 " + strings.Repeat("00", 20) + "\nsub DS 1 13 2 " + strings.Repeat("00", 32) + "\nsub DS 1 13 4 " + strings.Repeat("00", 48), false, ""},
		// pre-published DNSKEYs
		{"DNSKEY of algorithm 0 with no key", "@ DNSKEY 270 3 0", false, "(algorithm 0) at example. is not a signing key, and no signing key has algorithm 0"},
		{"DNSKEY of another algorithm", "@ DNSKEY 256 3 8 AwEAAbmR", false, "no signing key has algorithm 8"},
		{"DNSKEY that does not decode", "@ DNSKEY 256 3 13 AAAA", false, "at example. has an unusable public key"},
		{"pre-published ZSK", "@ DNSKEY " + strings.TrimPrefix(other.String(), other.Hdr.String()), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(goodZone+tc.rr+"\n"), "t.zone", "")
			require.NoError(t, err)
			opts := baseOptions(t, "example.")
			opts.Keys = keys
			opts.PublishCDS = tc.publishCDS
			if tc.err != "" {
				_, err := Sign(context.Background(), z, opts, io.Discard)
				require.ErrorIs(t, err, ErrZone)
				require.ErrorContains(t, err, tc.err)
				return
			}
			for _, nsec3 := range []*NSEC3Params{nil, {}} {
				opts.NSEC3 = nsec3
				out, st := signString(t, z, opts)
				require.Len(t, parseRecords(t, out), st.Records)
				checkSigned(t, out, "example.", opts.Keys, nsec3)
			}
		})
	}
}

// TestParseRefusesInclude: Parse, given text that may come from anyone,
// does not follow $INCLUDE; ParseFile does, relative to the including
// file's directory.
func TestParseRefusesInclude(t *testing.T) {
	dir := t.TempDir()
	secret := writeZone(t, dir, "secret", "root:x:0:0:root:/root:/bin/bash\n")
	for _, tc := range []struct{ name, inc string }{
		{"a file", secret},
		{"/dev/zero", "/dev/zero"},
		{"a relative path", "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { // an $INCLUDE of /dev/zero that is followed never ends
				_, err := Parse(strings.NewReader(goodZone+"$INCLUDE "+tc.inc+"\n"), filepath.Join(dir, "t.zone"), "")
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Parse followed $INCLUDE " + tc.inc)
			}
			require.ErrorContains(t, err, "$INCLUDE directive not allowed")
			require.NotContains(t, err.Error(), "root:")
			require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), err.Error())
		})
	}

	t.Run("ParseFile follows relative includes from the file's directory", func(t *testing.T) {
		sub := filepath.Join(dir, "zones")
		require.NoError(t, os.MkdirAll(filepath.Join(sub, "inc"), 0o755))
		writeZone(t, sub, "inc/hosts", "www A 192.0.2.80\n$INCLUDE more\n")
		writeZone(t, sub, "inc/more", "mail A 192.0.2.25\n")
		main := writeZone(t, sub, "main.zone", "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n$INCLUDE inc/hosts\n")
		t.Chdir(t.TempDir()) // not the zone's directory
		z, err := ParseFile(main, "example.")
		require.NoError(t, err)
		require.Equal(t, 5, z.Len())
		out, _ := signString(t, z, baseOptions(t, "example."))
		require.Contains(t, out, "www.example.\t60\tIN\tA\t192.0.2.80\n")
		require.Contains(t, out, "mail.example.\t60\tIN\tA\t192.0.2.25\n")
	})
}

// TestFuzzCrashers signs the fuzz package's crashers for these findings
// as FuzzZoneSign does (NSEC or NSEC3 and its flag bits): each is now
// refused, or signed into a zone that reads back whole.
func TestFuzzCrashers(t *testing.T) {
	for _, tc := range []struct {
		name, zone, err string
		nsec3           bool
		publishCDS      bool
	}{
		{"bug-null-record", "$ORIGIN example.\n$TTL 70\n@ SOA 000 0000000000 1 7200 3620 0 0\n0 NS n\n1 A 2.0.2.1\nZ SRV 0 5 0 !\nZ NAPTR 100 10 \"'\"0\"\" \"\" A\n HINFO \"\"\"\"\n CAA 0 e \"\"\n TYPE10 \\# 2 0000\n00 SVCB 0 00000000", "", false, false},
		{"bug-empty-rdata", "$TTL 0\n@ SOA 000 0000000000 0 0 0 0 0\n NS 000\n000 A 0.0.0.0\n000000000 SRV 0 0 0 0\n0 NAPTR 0 0 \"\"0\"\"0\"\" 00000000\n HINFO \"00000000\"\n CAA ", "CAA has no RDATA", true, false},
		{"bug-cds-below-apex", "$ORIGIN eXAmple.\n$TTL 000\n@ SOA 0 00 0 0000 0000 0000000 000\n00 CDS ", "CDS has no RDATA", false, true},
		{"bug-cds-below-apex with RDATA", "$ORIGIN eXAmple.\n$TTL 000\n@ SOA 0 00 0 0000 0000 0000000 000\n00 CDS 0 0 0 00", "not the apex", false, true},
		{"bug-cds-unmatched", "$TTL 0\n@ SOA 000 0000000000 0 0 0 0 0\n CDNSKEY 0 0 01\n00000", "matches no DNSKEY", false, false},
		{"bug-ds-malformed", "$TTL 0\n@ SOA 000 0000000000 0 000 0 0000000 000\n NS 00\n000 A 0.0.0.0\nsuB NS 0\n000000 A 0.0.0.0\nsuB DS 000 0 1", "has a digest of 0 octets", false, false},
		{"bug-foreign-dnskey", "$ORIGIN eXAmple.\n$TTL 000\n@ SOA 0 00000 0 0000 0000 0000000 000\n0 NS 000\n000 A 100.0.0.0\n@ DNSKEY 270 3 0", "no signing key has algorithm 0", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := Parse(strings.NewReader(tc.zone), "fuzz.zone", "example.")
			if err == nil {
				opts := baseOptions(t, "example.")
				opts.PublishCDS = tc.publishCDS
				if tc.nsec3 {
					opts.NSEC3 = &NSEC3Params{}
				}
				var out strings.Builder
				var st Stats
				st, err = Sign(context.Background(), z, opts, &out)
				if err == nil {
					require.Empty(t, tc.err, "signed, want an error")
					rrs := parseRecords(t, out.String())
					require.Len(t, rrs, st.Records)
					checkSigned(t, out.String(), "example.", opts.Keys, opts.NSEC3)
					return
				}
			}
			require.NotEmpty(t, tc.err, "refused: %v", err)
			require.ErrorContains(t, err, tc.err)
			require.True(t, strings.HasPrefix(err.Error(), "zonesign: "), err.Error())
		})
	}
}

// TestFaithfulTextTypes backs faithfulText: TXT and SPF records of strings
// with every byte value, empty strings and 255-byte strings print in a
// form that parses back to the same RDATA.
func TestFaithfulTextTypes(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	long := []byte(strings.Repeat("x", 255))
	for _, typ := range []uint16{dns.TypeTXT, dns.TypeSPF} {
		require.True(t, faithfulText(typ))
		for _, tc := range []struct {
			name string
			rd   []byte
		}{
			{"every byte", append(append([]byte{128}, all[:128]...), append([]byte{128}, all[128:]...)...)},
			{"quotes and escapes", append([]byte{8}, `"\;() @$`...)},
			{"empty string", []byte{0}},
			{"empty strings", []byte{0, 0, 0}},
			{"255 bytes", append([]byte{255}, long...)},
			{"NUL and newline", []byte{4, 0, '\n', '\r', 0x7f}},
		} {
			t.Run(dns.Type(typ).String()+"/"+tc.name, func(t *testing.T) {
				hdr := dns.RR_Header{Name: "a.", Rrtype: typ, Class: dns.ClassINET, Ttl: 60, Rdlength: uint16(len(tc.rd))}
				rr, _, err := dns.UnpackRRWithHeader(hdr, tc.rd, 0)
				require.NoError(t, err)
				require.True(t, roundTrips(rr.String(), typ, tc.rd), "%s", rr.String())
			})
		}
	}
}
