package route53ksk_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/route53ksk"
	"github.com/dnsseal/dnsseal/signer"
)

func TestCheckRFC6605Golden(t *testing.T) {
	for _, file := range []string{"get-dnssec.json", "create-key-signing-key.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + file)
			require.NoError(t, err)
			out, err := route53ksk.Parse(data)
			require.NoError(t, err)
			require.Len(t, out.KeySigningKeys, 1)
			r, err := route53ksk.Check(out.KeySigningKeys, "Example.NET", route53ksk.Options{Status: out.Status})
			require.NoError(t, err)
			require.Empty(t, r.Findings)
			require.Equal(t, rfcZone, r.Zone)
			k := r.Keys[0]
			require.Equal(t, uint16(rfcTag), k.KeyTag)
			require.Equal(t, strings.ToUpper(rfcDigest), k.DS.Digest)
			require.Equal(t, rfcKey, k.DNSKEY.PublicKey)
			require.Equal(t, "PublicKey", k.KeySource)
			require.Equal(t, rfcZone, k.DS.Hdr.Name)

			// The same output checked against another zone: the digests
			// cover the owner name, the key tag does not.
			r, err = route53ksk.Check(out.KeySigningKeys, "example.org", route53ksk.Options{})
			require.NoError(t, err)
			require.ElementsMatch(t, []string{"DigestValue", "DSRecord"}, fields(r))
			requireWellFormed(t, r)
		})
	}
}

func TestCheckConsistent(t *testing.T) {
	local := localKey(t, "example.com.")
	fromCrypto, _ := cryptoKey(t, "example.com.")
	second := localKey(t, "example.com.")
	escaped := localKey(t, `Ex\065mple.COM.`)
	tests := []struct {
		name string
		zone string
		ksks []route53ksk.KeySigningKey
	}{
		{"localbackend key", "example.com", []route53ksk.KeySigningKey{route53KSK(t, local, "ksk_1", testARN, "ACTIVE")}},
		{"crypto.Signer key", "example.com.", []route53ksk.KeySigningKey{route53KSK(t, fromCrypto, "ksk_1", testARN, "ACTIVE")}},
		{"two keys in a rollover", "EXAMPLE.com", []route53ksk.KeySigningKey{
			route53KSK(t, local, "old_ksk", testARN, "ACTIVE"),
			route53KSK(t, second, "new_ksk", otherARN, "INACTIVE"),
		}},
		{"escaped zone name", `exAmple.com.`, []route53ksk.KeySigningKey{route53KSK(t, escaped, "ksk_esc", testARN, "ACTIVE")}},
		{"deleting key", "example.com", []route53ksk.KeySigningKey{route53KSK(t, local, "ksk_1", testARN, "DELETING")}},
		{"no keys", "example.com", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Through the CLI's JSON, as get-dnssec and as
			// create-key-signing-key print it.
			serve := "SIGNING"
			if len(tc.ksks) == 0 || tc.ksks[0].Status != "ACTIVE" {
				serve = "NOT_SIGNING"
			}
			inputs := []string{getDNSSEC(serve, tc.ksks...)}
			if len(tc.ksks) > 0 {
				inputs = append(inputs, createKSK(tc.ksks[0]))
			}
			for _, in := range inputs {
				out, err := route53ksk.Parse([]byte(in))
				require.NoError(t, err, in)
				if out.Status != nil {
					require.Equal(t, tc.ksks, nilIfEmpty(out.KeySigningKeys))
				}
				r, err := route53ksk.Check(out.KeySigningKeys, tc.zone, route53ksk.Options{Status: out.Status})
				require.NoError(t, err)
				require.True(t, r.OK(), "%v", r.Findings)
				for i, k := range out.KeySigningKeys {
					kr := r.Keys[i]
					require.Equal(t, k.Name, kr.Name)
					require.Equal(t, uint16(k.KeyTag), kr.KeyTag)
					require.Equal(t, k.PublicKey, kr.DNSKEY.PublicKey)
					ds, err := dsrecord.ParseDSRDATA(r.Zone, 3600, k.DSRecord)
					require.NoError(t, err)
					require.Equal(t, ds.String(), kr.DS.String())
					require.NoError(t, dsrecord.Check(kr.DS, kr.DNSKEY))
				}
			}
		})
	}
}

func nilIfEmpty(k []route53ksk.KeySigningKey) []route53ksk.KeySigningKey {
	if len(k) == 0 {
		return nil
	}
	return k
}

// TestCheckMutations changes one field of a consistent output at a time:
// each change must be reported on that field, and only on it, with a
// message naming the field, the expected value and the one found.
func TestCheckMutations(t *testing.T) {
	s := localKey(t, "example.com.")
	other := localKey(t, "example.com.")
	good := route53KSK(t, s, "example_ksk", testARN, "ACTIVE")
	otherKSK := route53KSK(t, other, "example_ksk", testARN, "ACTIVE")
	raw, err := base64.StdEncoding.DecodeString(good.PublicKey)
	require.NoError(t, err)
	offCurve := append([]byte(nil), raw...)
	offCurve[63] ^= 1
	offCurveB64 := base64.StdEncoding.EncodeToString(offCurve)
	flipHex := func(h string) string {
		c := "0"
		if h[10] == '0' {
			c = "1"
		}
		return h[:10] + c + h[11:]
	}
	tag := good.KeyTag
	dsTail := strings.TrimPrefix(good.DSRecord, fmt.Sprint(tag)+" ")

	tests := []struct {
		name   string
		mutate func(k *route53ksk.KeySigningKey)
		want   []string // fields of the findings; nil means none
		says   string   // also in the message
	}{
		{"Name with a space", func(k *route53ksk.KeySigningKey) { k.Name = "example ksk" }, []string{"Name"}, `"example ksk"`},
		{"Name too short", func(k *route53ksk.KeySigningKey) { k.Name = "k" }, []string{"Name"}, ""},
		{"KmsArn in another region", func(k *route53ksk.KeySigningKey) {
			k.KmsArn = strings.Replace(testARN, "us-east-1", "eu-west-1", 1)
		}, []string{"KmsArn"}, `region "eu-west-1"`},
		{"KmsArn not an ARN", func(k *route53ksk.KeySigningKey) { k.KmsArn = "alias/ksk" }, []string{"KmsArn"}, "not an ARN"},
		{"KmsArn of another service", func(k *route53ksk.KeySigningKey) {
			k.KmsArn = strings.Replace(testARN, ":kms:", ":s3:", 1)
		}, []string{"KmsArn"}, "want kms"},
		{"KmsArn with a short account", func(k *route53ksk.KeySigningKey) {
			k.KmsArn = strings.Replace(testARN, "111122223333", "1111", 1)
		}, []string{"KmsArn"}, "is not 12 digits"},
		{"KmsArn of an alias", func(k *route53ksk.KeySigningKey) {
			k.KmsArn = "arn:aws:kms:us-east-1:111122223333:alias/ksk"
		}, []string{"KmsArn"}, "want key/ID"},
		{"Flag 256", func(k *route53ksk.KeySigningKey) { k.Flag = 256 }, []string{"Flag"}, "expected 257, found 256"},
		{"Flag missing", func(k *route53ksk.KeySigningKey) { k.Flag = 0 }, []string{"Flag"}, "found 0"},
		{"SigningAlgorithmMnemonic", func(k *route53ksk.KeySigningKey) { k.SigningAlgorithmMnemonic = "ECDSAP384SHA384" }, []string{"SigningAlgorithmMnemonic"}, `expected "ECDSAP256SHA256", found "ECDSAP384SHA384"`},
		{"SigningAlgorithmType", func(k *route53ksk.KeySigningKey) { k.SigningAlgorithmType = 8 }, []string{"SigningAlgorithmType"}, "expected 13, found 8"},
		{"DigestAlgorithmMnemonic", func(k *route53ksk.KeySigningKey) { k.DigestAlgorithmMnemonic = "SHA-1" }, []string{"DigestAlgorithmMnemonic"}, `expected "SHA-256", found "SHA-1"`},
		{"DigestAlgorithmType", func(k *route53ksk.KeySigningKey) { k.DigestAlgorithmType = 4 }, []string{"DigestAlgorithmType"}, "expected 2, found 4"},
		{"KeyTag off by one", func(k *route53ksk.KeySigningKey) { k.KeyTag = (tag + 1) % 65536 }, []string{"KeyTag"}, fmt.Sprintf("expected %d, found %d", tag, (tag+1)%65536)},
		{"DigestValue one digit", func(k *route53ksk.KeySigningKey) { k.DigestValue = flipHex(k.DigestValue) }, []string{"DigestValue"}, `expected "` + good.DigestValue + `"`},
		{"DigestValue lower case", func(k *route53ksk.KeySigningKey) { k.DigestValue = strings.ToLower(k.DigestValue) }, nil, ""},
		{"DigestValue not hex", func(k *route53ksk.KeySigningKey) { k.DigestValue = "XYZ" }, []string{"DigestValue"}, "not hex"},
		{"DigestValue truncated", func(k *route53ksk.KeySigningKey) { k.DigestValue = k.DigestValue[:40] }, []string{"DigestValue"}, "20 octets"},
		{"DigestValue missing", func(k *route53ksk.KeySigningKey) { k.DigestValue = "" }, []string{"DigestValue"}, "missing"},
		{"PublicKey of another key", func(k *route53ksk.KeySigningKey) { k.PublicKey = otherKSK.PublicKey }, []string{"PublicKey"}, `found "` + otherKSK.PublicKey + `"`},
		{"PublicKey off the curve", func(k *route53ksk.KeySigningKey) { k.PublicKey = offCurveB64 }, []string{"PublicKey"}, "not a point on P-256"},
		{"PublicKey not base64", func(k *route53ksk.KeySigningKey) { k.PublicKey = "!!!" }, []string{"PublicKey"}, "not base64"},
		{"PublicKey short", func(k *route53ksk.KeySigningKey) { k.PublicKey = base64.StdEncoding.EncodeToString(raw[:48]) }, []string{"PublicKey"}, "48 octets"},
		{"PublicKey missing", func(k *route53ksk.KeySigningKey) { k.PublicKey = "" }, []string{"PublicKey"}, "missing"},
		{"DNSKEYRecord of another key", func(k *route53ksk.KeySigningKey) { k.DNSKEYRecord = otherKSK.DNSKEYRecord }, []string{"DNSKEYRecord"}, "a different public key"},
		{"DNSKEYRecord flags 256", func(k *route53ksk.KeySigningKey) { k.DNSKEYRecord = "256" + k.DNSKEYRecord[3:] }, []string{"DNSKEYRecord"}, "flags 256, want 257"},
		{"DNSKEYRecord protocol 2", func(k *route53ksk.KeySigningKey) {
			k.DNSKEYRecord = strings.Replace(k.DNSKEYRecord, " 3 13 ", " 2 13 ", 1)
		}, []string{"DNSKEYRecord"}, "protocol 2, want 3"},
		{"DNSKEYRecord algorithm 14", func(k *route53ksk.KeySigningKey) {
			k.DNSKEYRecord = strings.Replace(k.DNSKEYRecord, " 3 13 ", " 3 14 ", 1)
		}, []string{"DNSKEYRecord"}, "algorithm 14, want 13"},
		{"DNSKEYRecord mnemonic algorithm", func(k *route53ksk.KeySigningKey) {
			k.DNSKEYRecord = strings.Replace(k.DNSKEYRecord, " 3 13 ", " 3 ECDSAP256SHA256 ", 1)
		}, nil, ""},
		{"DNSKEYRecord truncated", func(k *route53ksk.KeySigningKey) { k.DNSKEYRecord = "257 3 13" }, []string{"DNSKEYRecord"}, "3 fields"},
		{"DNSKEYRecord missing", func(k *route53ksk.KeySigningKey) { k.DNSKEYRecord = "" }, []string{"DNSKEYRecord"}, "missing"},
		{"DSRecord key tag", func(k *route53ksk.KeySigningKey) { k.DSRecord = fmt.Sprint((tag+1)%65536) + " " + dsTail }, []string{"DSRecord"}, fmt.Sprintf("key tag %d, want %d", (tag+1)%65536, tag)},
		{"DSRecord algorithm", func(k *route53ksk.KeySigningKey) { k.DSRecord = strings.Replace(k.DSRecord, " 13 2 ", " 8 2 ", 1) }, []string{"DSRecord"}, "algorithm 8, want 13"},
		{"DSRecord digest type", func(k *route53ksk.KeySigningKey) {
			k.DSRecord = fmt.Sprintf("%d 13 4 %s%s", tag, k.DigestValue, k.DigestValue[:32])
		}, []string{"DSRecord"}, "digest type 4, want 2"},
		{"DSRecord digest", func(k *route53ksk.KeySigningKey) { k.DSRecord = flipHex(k.DSRecord[len(k.DSRecord)-64:]) }, []string{"DSRecord"}, "fields"},
		{"DSRecord digest one digit", func(k *route53ksk.KeySigningKey) {
			k.DSRecord = k.DSRecord[:len(k.DSRecord)-64] + flipHex(k.DigestValue)
		}, []string{"DSRecord"}, "a different digest"},
		{"DSRecord lower case", func(k *route53ksk.KeySigningKey) { k.DSRecord = strings.ToLower(k.DSRecord) }, nil, ""},
		{"DSRecord with owner", func(k *route53ksk.KeySigningKey) { k.DSRecord = "example.com. DS " + k.DSRecord }, []string{"DSRecord"}, "key tag"},
		{"DSRecord missing", func(k *route53ksk.KeySigningKey) { k.DSRecord = "" }, []string{"DSRecord"}, "missing"},
		{"Status ACTION_NEEDED", func(k *route53ksk.KeySigningKey) {
			k.Status, k.StatusMessage = "ACTION_NEEDED", "The KMS key is disabled."
		}, []string{"Status"}, "found ACTION_NEEDED (StatusMessage: The KMS key is disabled.)"},
		{"Status INTERNAL_FAILURE", func(k *route53ksk.KeySigningKey) { k.Status = "INTERNAL_FAILURE" }, []string{"Status"}, "no StatusMessage"},
		{"Status unknown", func(k *route53ksk.KeySigningKey) { k.Status = "BROKEN" }, []string{"Status"}, `found "BROKEN"`},
		{"StatusMessage with ACTION_NEEDED", func(k *route53ksk.KeySigningKey) {
			k.Status, k.StatusMessage = "ACTION_NEEDED", "something else"
		}, []string{"Status"}, "StatusMessage: something else"},
		{"LastModifiedDate before CreatedDate", func(k *route53ksk.KeySigningKey) {
			k.LastModifiedDate = k.CreatedDate.Add(-time.Hour)
		}, []string{"LastModifiedDate"}, "not before CreatedDate 2024-05-06T07:08:09.123Z"},
		{"CreatedDate after LastModifiedDate", func(k *route53ksk.KeySigningKey) {
			k.CreatedDate = k.LastModifiedDate.Add(time.Hour)
		}, []string{"LastModifiedDate"}, "found 2024-05-07T07:08:09.456Z"},
		{"whole output of another key", func(k *route53ksk.KeySigningKey) {
			*k = otherKSK
		}, nil, ""},
		{"key tag and DS tag both wrong", func(k *route53ksk.KeySigningKey) {
			k.KeyTag = (tag + 7) % 65536
			k.DSRecord = fmt.Sprint((tag+7)%65536) + " " + dsTail
		}, []string{"KeyTag", "DSRecord"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := good
			tc.mutate(&k)
			// Round trip through the CLI's JSON, so that the mutation
			// is checked as Route 53 output.
			out, err := route53ksk.Parse([]byte(getDNSSEC("SIGNING", k)))
			require.NoError(t, err)
			require.Equal(t, k, out.KeySigningKeys[0])
			// The zone's status is left out: TestCheckSet checks it.
			r, err := route53ksk.Check(out.KeySigningKeys, "example.com", route53ksk.Options{})
			require.NoError(t, err)
			require.ElementsMatch(t, tc.want, fields(r), "%v", r.Findings)
			requireWellFormed(t, r)
			for _, f := range r.Findings {
				require.Equal(t, 0, f.Key)
				require.Equal(t, k.Name, f.Name)
				require.True(t, strings.HasPrefix(f.String(), "KSK "+k.Name+": "+f.Field+": "), f.String())
			}
			if tc.says != "" {
				require.Contains(t, r.Findings[0].Message, tc.says)
			}
			// The key the output describes is still found when only one
			// field is wrong.
			if len(tc.want) == 1 && tc.want[0] != "PublicKey" && tc.want[0] != "DNSKEYRecord" {
				require.Equal(t, good.PublicKey, r.Keys[0].DNSKEY.PublicKey)
			}
		})
	}
}

func TestCheckVoteForTheKey(t *testing.T) {
	s := localKey(t, "example.com.")
	other := localKey(t, "example.com.")
	good := route53KSK(t, s, "example_ksk", testARN, "ACTIVE")
	bad := route53KSK(t, other, "example_ksk", testARN, "ACTIVE")

	// DNSKEYRecord and PublicKey disagree; the digests decide.
	k := good
	k.PublicKey = bad.PublicKey
	r, err := route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	require.Equal(t, "DNSKEYRecord", r.Keys[0].KeySource)
	require.Equal(t, good.PublicKey, r.Keys[0].DNSKEY.PublicKey)

	// Both are off the curve: only the syntax of the rest is checked.
	k = good
	k.PublicKey, k.DNSKEYRecord = "AAAA", "257 3 13 AAAA"
	k.DigestValue = "zz"
	r, err = route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	require.Nil(t, r.Keys[0].DNSKEY)
	require.ElementsMatch(t, []string{"PublicKey", "DNSKEYRecord", "DigestValue"}, fields(r))
	requireWellFormed(t, r)
	ds, skipped := r.ActiveDS()
	require.Empty(t, ds)
	require.Equal(t, []string{"example_ksk"}, skipped)
}

func TestCheckSet(t *testing.T) {
	a := route53KSK(t, localKey(t, "example.com."), "ksk_a", testARN, "ACTIVE")
	b := route53KSK(t, localKey(t, "example.com."), "ksk_b", otherARN, "INACTIVE")
	c := route53KSK(t, localKey(t, "example.com."), "ksk_c", strings.Replace(testARN, "1234abcd", "5678abcd", 1), "INACTIVE")
	sameName := b
	sameName.Name = "ksk_a"
	sameARN := b
	sameARN.KmsArn = testARN
	tests := []struct {
		name   string
		ksks   []route53ksk.KeySigningKey
		status *route53ksk.DNSSECStatus
		want   []string
		says   string
	}{
		{"three KSKs", []route53ksk.KeySigningKey{a, b, c}, nil, []string{"KeySigningKeys"}, "expected at most 2 KSKs, found 3 KSKs"},
		{"same name", []route53ksk.KeySigningKey{a, sameName}, nil, []string{"KeySigningKeys"}, `Name "ksk_a" for KSKs #1 and #2`},
		{"same KMS key", []route53ksk.KeySigningKey{a, sameARN}, nil, []string{"KeySigningKeys"}, "a unique KmsArn"},
		{"signing without an ACTIVE KSK", []route53ksk.KeySigningKey{b}, &route53ksk.DNSSECStatus{ServeSignature: "SIGNING"}, []string{"KeySigningKeys"}, "none of 1 KSKs ACTIVE"},
		{"not signing", []route53ksk.KeySigningKey{b}, &route53ksk.DNSSECStatus{ServeSignature: "NOT_SIGNING"}, nil, ""},
		{"zone ACTION_NEEDED", []route53ksk.KeySigningKey{a}, &route53ksk.DNSSECStatus{ServeSignature: "ACTION_NEEDED", StatusMessage: "KSK needs attention"}, []string{"ServeSignature"}, "found ACTION_NEEDED (StatusMessage: KSK needs attention)"},
		{"zone INTERNAL_FAILURE", []route53ksk.KeySigningKey{a}, &route53ksk.DNSSECStatus{ServeSignature: "INTERNAL_FAILURE"}, []string{"ServeSignature"}, "no StatusMessage"},
		{"zone status unknown", []route53ksk.KeySigningKey{a}, &route53ksk.DNSSECStatus{ServeSignature: "MAYBE"}, []string{"ServeSignature"}, `found "MAYBE"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := route53ksk.Check(tc.ksks, "example.com", route53ksk.Options{Status: tc.status})
			require.NoError(t, err)
			require.ElementsMatch(t, tc.want, fields(r), "%v", r.Findings)
			requireWellFormed(t, r)
			for _, f := range r.Findings {
				require.Equal(t, -1, f.Key)
				require.Equal(t, f.Message, f.String())
				require.Contains(t, f.Message, tc.says)
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	k := []route53ksk.KeySigningKey{route53KSK(t, localKey(t, "example.com."), "ksk", testARN, "ACTIVE")}
	for _, zone := range []string{"", "  ", "bad..name", strings.Repeat("a", 64) + ".com"} {
		_, err := route53ksk.Check(k, zone, route53ksk.Options{})
		require.Error(t, err, zone)
		require.Contains(t, err.Error(), "route53ksk: ")
	}
	for _, pk := range []crypto.PublicKey{nil, (*ecdsa.PublicKey)(nil), []byte{1, 2, 3}, "a string", (*dns.DNSKEY)(nil),
		&dns.DNSKEY{PublicKey: "!!"}} {
		_, err := route53ksk.Check(k, "example.com", route53ksk.Options{PublicKeys: map[string]crypto.PublicKey{testARN: pk}})
		require.Error(t, err, "%T", pk)
		require.Contains(t, err.Error(), "Options.PublicKeys")
	}
}

func TestCheckKMSPublicKeys(t *testing.T) {
	s, priv := cryptoKey(t, "example.com.")
	other, otherPriv := cryptoKey(t, "example.com.")
	good := route53KSK(t, s, "ksk", testARN, "ACTIVE")
	point, err := priv.PublicKey.Bytes()
	require.NoError(t, err)
	otherB64 := other.DNSKEY().PublicKey

	forms := map[string]crypto.PublicKey{
		"*ecdsa.PublicKey": &priv.PublicKey,
		"65-octet point":   point,
		"64-octet X‖Y":     point[1:],
		"*dns.DNSKEY":      s.DNSKEY(),
	}
	for name, pk := range forms {
		t.Run("matching "+name, func(t *testing.T) {
			r, err := route53ksk.Check([]route53ksk.KeySigningKey{good}, "example.com", route53ksk.Options{
				PublicKeys: map[string]crypto.PublicKey{testARN: pk},
			})
			require.NoError(t, err)
			require.Empty(t, r.Findings)
			require.True(t, r.Keys[0].KMSMatch)
		})
	}
	t.Run("KMS key differs from PublicKey", func(t *testing.T) {
		r, err := route53ksk.Check([]route53ksk.KeySigningKey{good}, "example.com", route53ksk.Options{
			PublicKeys: map[string]crypto.PublicKey{testARN: &otherPriv.PublicKey},
		})
		require.NoError(t, err)
		require.Equal(t, []string{"KmsArn"}, fields(r))
		requireWellFormed(t, r)
		require.Contains(t, r.Findings[0].Message, "whose public key is "+otherB64)
		require.Contains(t, r.Findings[0].Message, "a KMS key whose public key is "+good.PublicKey+" (as in PublicKey)")
		require.False(t, r.Keys[0].KMSMatch)
	})
	t.Run("KMS key decides between PublicKey and DNSKEYRecord", func(t *testing.T) {
		k := good
		k.DNSKEYRecord = "257 3 13 " + otherB64
		k.KeyTag, k.DigestValue, k.DSRecord = 0, "", "" // no votes for either
		r, err := route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.com", route53ksk.Options{
			PublicKeys: map[string]crypto.PublicKey{testARN: &otherPriv.PublicKey},
		})
		require.NoError(t, err)
		require.Equal(t, "DNSKEYRecord", r.Keys[0].KeySource)
		require.True(t, r.Keys[0].KMSMatch)
		require.Contains(t, fields(r), "PublicKey")
	})
	t.Run("only the KMS key is usable", func(t *testing.T) {
		k := good
		k.PublicKey, k.DNSKEYRecord = "", ""
		r, err := route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.com", route53ksk.Options{
			PublicKeys: map[string]crypto.PublicKey{testARN: &priv.PublicKey},
		})
		require.NoError(t, err)
		require.Equal(t, "KMS", r.Keys[0].KeySource)
		require.ElementsMatch(t, []string{"PublicKey", "DNSKEYRecord"}, fields(r))
		require.Contains(t, r.Findings[0].Message, `expected "`+good.PublicKey+`"`)
		requireWellFormed(t, r)
	})
	t.Run("KMS key off the curve", func(t *testing.T) {
		bad := append([]byte(nil), point[1:]...)
		bad[0] ^= 0xff
		r, err := route53ksk.Check([]route53ksk.KeySigningKey{good}, "example.com", route53ksk.Options{
			PublicKeys: map[string]crypto.PublicKey{testARN: bad},
		})
		require.NoError(t, err)
		require.Equal(t, []string{"KmsArn"}, fields(r))
		require.Contains(t, r.Findings[0].Message, "not a point on P-256")
	})
}

func TestCheckKeyLookup(t *testing.T) {
	s, priv := cryptoKey(t, "example.com.")
	_, otherPriv := cryptoKey(t, "example.com.")
	a := route53KSK(t, s, "ksk_a", testARN, "ACTIVE")
	b := route53KSK(t, s, "ksk_b", otherARN, "INACTIVE")
	noARN := a
	noARN.KmsArn = ""
	ctx := context.WithValue(context.Background(), ctxKey{}, "marker")

	var calls []string
	lookup := func(ctx context.Context, arn string) (route53ksk.KMSKey, error) {
		require.Equal(t, "marker", ctx.Value(ctxKey{}))
		calls = append(calls, arn)
		switch arn {
		case testARN:
			return route53ksk.KMSKey{PublicKey: &priv.PublicKey}, nil
		case otherARN:
			return route53ksk.KMSKey{PublicKey: &otherPriv.PublicKey, Problems: []string{"key-policy: Route 53 may not sign"}}, nil
		}
		return route53ksk.KMSKey{}, errors.New("access denied")
	}
	r, err := route53ksk.CheckContext(ctx, []route53ksk.KeySigningKey{a, b, noARN}, "example.com", route53ksk.Options{KeyLookup: lookup})
	require.NoError(t, err)
	require.Equal(t, []string{testARN, otherARN}, calls, "one call per KMS key, none without a KmsArn")
	require.True(t, r.Keys[0].KMSMatch)
	require.False(t, r.Keys[1].KMSMatch)
	// A problem and a mismatch for ksk_b; three KSKs; ksk_a twice.
	require.ElementsMatch(t, []string{"KmsArn", "KmsArn", "KeySigningKeys", "KeySigningKeys"}, fields(r), "%v", r.Findings)
	requireWellFormed(t, r)
	require.Contains(t, r.KeyFindings(1)[0].Message, "key-policy: Route 53 may not sign")

	// PublicKeys take precedence over KeyLookup.
	calls = nil
	_, err = route53ksk.CheckContext(ctx, []route53ksk.KeySigningKey{a}, "example.com", route53ksk.Options{
		KeyLookup: lookup, PublicKeys: map[string]crypto.PublicKey{testARN: &priv.PublicKey},
	})
	require.NoError(t, err)
	require.Empty(t, calls)

	// A failed lookup: the report is returned with the error.
	c := a
	c.KmsArn = strings.Replace(testARN, "1234abcd", "00000000", 1)
	r, err = route53ksk.CheckContext(ctx, []route53ksk.KeySigningKey{c}, "example.com", route53ksk.Options{KeyLookup: lookup})
	require.ErrorContains(t, err, "access denied")
	require.ErrorContains(t, err, "route53ksk: KMS key "+c.KmsArn)
	require.NotNil(t, r)
	require.Empty(t, r.Findings)
	require.False(t, r.Keys[0].KMSMatch)
}

type ctxKey struct{}

func TestParentDS(t *testing.T) {
	active := localKey(t, "example.com.")
	inactive := localKey(t, "example.com.")
	stranger := localKey(t, "example.com.")
	ka := route53KSK(t, active, "ksk_active", testARN, "ACTIVE")
	ki := route53KSK(t, inactive, "ksk_inactive", otherARN, "INACTIVE")
	ksks := []route53ksk.KeySigningKey{ka, ki}
	ds := func(s signer.Signer, dt uint8) *dns.DS {
		d, err := dsrecord.New(s.DNSKEY(), dsrecord.Options{DigestType: dt, AllowSHA1: true})
		require.NoError(t, err)
		return d
	}
	unknownDigest := ds(active, 2)
	unknownDigest.DigestType = 5
	tests := []struct {
		name    string
		parent  []*dns.DS
		matches [][]int
		want    []string
		says    string
	}{
		{"DS of the ACTIVE KSK", []*dns.DS{ds(active, 2)}, [][]int{{0}}, nil, ""},
		{"SHA-384 and SHA-1 DS of the ACTIVE KSK", []*dns.DS{ds(active, 4), ds(active, 1)}, [][]int{{0}, {0}}, nil, ""},
		{"both KSKs", []*dns.DS{ds(inactive, 2), ds(active, 2)}, [][]int{{1}, {0}}, nil, ""},
		{"only the INACTIVE KSK", []*dns.DS{ds(inactive, 2)}, [][]int{{1}}, []string{"ParentDS"}, "no DS matches an ACTIVE KSK"},
		{"a stranger's DS", []*dns.DS{ds(active, 2), ds(stranger, 2)}, [][]int{{0}, nil}, []string{"ParentDS"}, "it matches no KSK"},
		{"only a stranger's DS", []*dns.DS{ds(stranger, 2)}, [][]int{nil}, []string{"ParentDS", "ParentDS"}, ""},
		{"no DS at all", []*dns.DS{}, nil, []string{"ParentDS"}, "found no DS records"},
		{"unsupported digest type", []*dns.DS{ds(active, 2), unknownDigest}, [][]int{{0}, nil}, []string{"ParentDS"}, "unsupported digest type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := route53ksk.Check(ksks, "example.com", route53ksk.Options{ParentDS: tc.parent, CheckParentDS: true})
			require.NoError(t, err)
			require.ElementsMatch(t, tc.want, fields(r), "%v", r.Findings)
			requireWellFormed(t, r)
			require.Len(t, r.ParentDS, len(tc.parent))
			for i, m := range r.ParentDS {
				require.Equal(t, tc.matches[i], m.Keys, "DS %d", i)
			}
			if tc.says != "" {
				require.Contains(t, r.Findings[len(r.Findings)-1].Message, tc.says)
			}
			for _, f := range r.Findings {
				if strings.Contains(f.Message, "ACTIVE KSK") {
					// What the parent should have.
					require.Contains(t, f.Expected, ds(active, 2).Digest)
				}
			}
		})
	}
	// Without CheckParentDS an empty DS list is not checked.
	r, err := route53ksk.Check(ksks, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	require.Empty(t, r.Findings)
	require.Empty(t, r.ParentDS)

	// A DS for the zone's child is a stranger too.
	child := ds(active, 2)
	child.Hdr.Name = "sub.example.com."
	r, err = route53ksk.Check(ksks, "example.com", route53ksk.Options{ParentDS: []*dns.DS{child}})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"ParentDS", "ParentDS"}, fields(r))
}

func TestActiveDS(t *testing.T) {
	a := route53KSK(t, localKey(t, "example.com."), "ksk_a", testARN, "ACTIVE")
	b := route53KSK(t, localKey(t, "example.com."), "ksk_b", otherARN, "INACTIVE")
	broken := a
	broken.KeyTag++
	r, err := route53ksk.Check([]route53ksk.KeySigningKey{a, b}, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	ds, skipped := r.ActiveDS()
	require.Empty(t, skipped)
	require.Len(t, ds, 1)
	require.Equal(t, fmt.Sprintf("example.com.\t3600\tIN\tDS\t%s", a.DSRecord), ds[0].String())

	r, err = route53ksk.Check([]route53ksk.KeySigningKey{broken, b}, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	ds, skipped = r.ActiveDS()
	require.Empty(t, ds)
	require.Equal(t, []string{"ksk_a"}, skipped)
}

func TestFindingString(t *testing.T) {
	k := route53KSK(t, localKey(t, "example.com."), "", testARN, "ACTIVE")
	k.Flag = 385
	r, err := route53ksk.Check([]route53ksk.KeySigningKey{k}, "example.com", route53ksk.Options{})
	require.NoError(t, err)
	require.Len(t, r.Findings, 1)
	require.Equal(t, "KSK #1: Flag: expected 257, found 385 (a KSK has the Zone Key and Secure Entry Point flags)", r.Findings[0].String())
	require.Equal(t, r.Findings, r.KeyFindings(0))
	require.Empty(t, r.KeyFindings(1))
}
