package route53ksk_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/route53ksk"
)

func TestParseGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/get-dnssec.json")
	require.NoError(t, err)
	out, err := route53ksk.Parse(data)
	require.NoError(t, err)
	require.Equal(t, &route53ksk.DNSSECStatus{ServeSignature: "SIGNING"}, out.Status)
	require.Nil(t, out.ChangeInfo)
	require.Equal(t, []route53ksk.KeySigningKey{{
		Name:                     "example_net_ksk",
		KmsArn:                   testARN,
		Flag:                     257,
		SigningAlgorithmMnemonic: "ECDSAP256SHA256",
		SigningAlgorithmType:     13,
		DigestAlgorithmMnemonic:  "SHA-256",
		DigestAlgorithmType:      2,
		KeyTag:                   rfcTag,
		DigestValue:              strings.ToUpper(rfcDigest),
		PublicKey:                rfcKey,
		DSRecord:                 "55648 13 2 " + strings.ToUpper(rfcDigest),
		DNSKEYRecord:             "257 3 13 " + rfcKey,
		Status:                   "ACTIVE",
		CreatedDate:              time.Date(2021, 3, 1, 12, 0, 0, 123000000, time.UTC),
		LastModifiedDate:         time.Date(2021, 3, 1, 12, 5, 0, 456000000, time.UTC),
	}}, out.KeySigningKeys)

	data, err = os.ReadFile("testdata/create-key-signing-key.json")
	require.NoError(t, err)
	out, err = route53ksk.Parse(data)
	require.NoError(t, err)
	require.Nil(t, out.Status)
	require.Equal(t, &route53ksk.ChangeInfo{Id: "/change/C2682N5HXP0BZ4", Status: "PENDING",
		SubmittedAt: time.Date(2021, 3, 1, 12, 0, 0, 123000000, time.UTC)}, out.ChangeInfo)
	require.Equal(t, "https://route53.amazonaws.com/2013-04-01/keysigningkey/Z0123456789ABC/example_net_ksk", out.Location)
	require.Len(t, out.KeySigningKeys, 1)
	require.Equal(t, "INACTIVE", out.KeySigningKeys[0].Status)
}

func TestParseShapes(t *testing.T) {
	date := time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		keys   []route53ksk.KeySigningKey
		status *route53ksk.DNSSECStatus
	}{
		{"bare object", `{"Name": "ksk_a", "KeyTag": 1}`, []route53ksk.KeySigningKey{{Name: "ksk_a", KeyTag: 1}}, nil},
		{"array", ` [{"Name": "ksk_a"}, {"Name": "ksk_b", "Status": "ACTIVE"}]`,
			[]route53ksk.KeySigningKey{{Name: "ksk_a"}, {Name: "ksk_b", Status: "ACTIVE"}}, nil},
		{"empty array", `[]`, []route53ksk.KeySigningKey{}, nil},
		{"get-dnssec without keys", `{"Status": {"ServeSignature": "NOT_SIGNING"}, "KeySigningKeys": []}`,
			[]route53ksk.KeySigningKey{}, &route53ksk.DNSSECStatus{ServeSignature: "NOT_SIGNING"}},
		{"get-dnssec with null keys", `{"Status": {"ServeSignature": "NOT_SIGNING", "StatusMessage": "m"}, "KeySigningKeys": null}`,
			nil, &route53ksk.DNSSECStatus{ServeSignature: "NOT_SIGNING", StatusMessage: "m"}},
		{"unknown fields ignored", `{"ResultMetadata": {}, "KeySigningKeys": [{"Name": "k", "Extra": [1, {"x": null}]}], "Other": true}`,
			[]route53ksk.KeySigningKey{{Name: "k"}}, nil},
		{"field names in any case", `{"keysigningkeys": [{"name": "k", "keytag": 7, "flag": 257}]}`,
			[]route53ksk.KeySigningKey{{Name: "k", KeyTag: 7, Flag: 257}}, nil},
		{"numbers as strings", `{"Flag": "257", "KeyTag": " 12345 ", "SigningAlgorithmType": "13", "DigestAlgorithmType": 2.0}`,
			[]route53ksk.KeySigningKey{{Flag: 257, KeyTag: 12345, SigningAlgorithmType: 13, DigestAlgorithmType: 2}}, nil},
		{"null fields", `{"Name": null, "Flag": null, "CreatedDate": null, "KmsArn": "a"}`, []route53ksk.KeySigningKey{{KmsArn: "a"}}, nil},
		{"dates as epoch seconds", `{"Name": "k", "CreatedDate": 1614600000, "LastModifiedDate": 1614600000.25}`,
			[]route53ksk.KeySigningKey{{Name: "k", CreatedDate: date, LastModifiedDate: date.Add(250 * time.Millisecond)}}, nil},
		{"dates as epoch strings", `{"Name": "k", "CreatedDate": "1614600000", "LastModifiedDate": "1.6146e9"}`,
			[]route53ksk.KeySigningKey{{Name: "k", CreatedDate: date, LastModifiedDate: date}}, nil},
		{"dates in other formats", `{"Name": "k", "CreatedDate": "2021-03-01 13:00:00+01:00", "LastModifiedDate": "2021-03-01T12:00:00"}`,
			[]route53ksk.KeySigningKey{{Name: "k", CreatedDate: date, LastModifiedDate: date}}, nil},
		{"Z date", `{"Name": "k", "CreatedDate": "2021-03-01T12:00:00Z", "LastModifiedDate": ""}`,
			[]route53ksk.KeySigningKey{{Name: "k", CreatedDate: date}}, nil},
		{"byte order mark", "\xef\xbb\xbf{\"Name\": \"k\"}", []route53ksk.KeySigningKey{{Name: "k"}}, nil},
		{"KeySigningKey and KeySigningKeys together", `{"KeySigningKeys": [{"Name": "a"}], "KeySigningKey": {"Name": "b"}}`,
			[]route53ksk.KeySigningKey{{Name: "a"}, {Name: "b"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := route53ksk.Parse([]byte(tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.keys, out.KeySigningKeys)
			require.Equal(t, tc.status, out.Status)
			out2, err := route53ksk.ParseReader(iotest.OneByteReader(strings.NewReader(tc.in)))
			require.NoError(t, err)
			require.Equal(t, out, out2)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		says string
	}{
		{"empty", "", "empty input"},
		{"white space", " \n\t", "empty input"},
		{"truncated", "{\n  \"KeySigningKeys\": [\n    {\"Name\": \"k\"", "malformed JSON at line 3"},
		{"bad token", "{\n  \"Name\": \"k\",\n  \"Flag\": 2x57\n}", "malformed JSON at line 3, column 12 (byte offset 28)"},
		{"trailing data", `{"Name": "k"} {"Name": "l"}`, "malformed JSON at line 1, column 15 (byte offset 14)"},
		{"trailing comma", "[{\"Name\": \"k\"},]", "malformed JSON"},
		{"number at top", "42", "want a JSON object or array, found a number"},
		{"string at top", `"hello"`, "found a string"},
		{"null at top", `null`, "found null"},
		{"empty object", `{}`, "no KeySigningKeys, KeySigningKey or key-signing-key fields"},
		{"unrelated object", `{"HostedZone": {"Id": "Z1"}}`, "no KeySigningKeys"},
		{"KeySigningKeys not an array", `{"KeySigningKeys": {"Name": "k"}}`, "KeySigningKeys: want an array of key-signing keys, found an object"},
		{"element not an object", `{"KeySigningKeys": [{"Name": "k"}, 7]}`, "KeySigningKeys[1]: want a KeySigningKey object, found a number"},
		{"array of strings", `["a"]`, "[0]: want a KeySigningKey object, found a string"},
		{"Status a string in get-dnssec", `{"KeySigningKeys": [], "Status": "SIGNING"}`, "Status: want an object with ServeSignature, found a string"},
		{"Name a number", `{"KeySigningKeys": [{"Name": 5}]}`, "KeySigningKeys[0]"},
		{"Flag a word", `{"KeySigningKey": {"Flag": "KSK"}}`, "KeySigningKey.Flag: want an integer"},
		{"KeyTag a fraction", `[{"KeyTag": 1.5}]`, "[0].KeyTag: want an integer"},
		{"KeyTag huge", `[{"KeyTag": 99999999999}]`, "out of range"},
		{"KeyTag an object", `[{"KeyTag": {}}]`, "want a number or a string, found an object"},
		{"bad date", `{"Name": "k", "CreatedDate": "yesterday"}`, `CreatedDate: want an RFC 3339 date or seconds since the epoch, found "yesterday"`},
		{"date out of range", `{"Name": "k", "LastModifiedDate": 1e300}`, "LastModifiedDate"},
		{"date a boolean", `{"Name": "k", "CreatedDate": true}`, "found a boolean"},
		{"ChangeInfo not an object", `{"ChangeInfo": [], "KeySigningKey": {}}`, "ChangeInfo: want an object"},
		{"ChangeInfo bad date", `{"ChangeInfo": {"SubmittedAt": "soon"}, "KeySigningKey": {}}`, "ChangeInfo.SubmittedAt"},
		{"Location a number", `{"KeySigningKey": {}, "Location": 5}`, "Location"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := route53ksk.Parse([]byte(tc.in))
			require.Nil(t, out)
			require.ErrorIs(t, err, route53ksk.ErrSyntax)
			require.ErrorContains(t, err, tc.says)
			require.True(t, strings.HasPrefix(err.Error(), "route53ksk: "), err.Error())
		})
	}
}

func TestParseReaderLimits(t *testing.T) {
	big := `{"Name": "k", "Pad": "` + strings.Repeat("x", route53ksk.MaxInputSize) + `"}`
	_, err := route53ksk.ParseReader(strings.NewReader(big))
	require.ErrorIs(t, err, route53ksk.ErrSyntax)
	require.ErrorContains(t, err, "larger than")

	boom := errors.New("boom")
	_, err = route53ksk.ParseReader(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "route53ksk: read")
}

// TestJSONRoundTrip checks that json.Marshal writes what Parse reads, in
// Route 53's field order, and that json.Unmarshal is as lenient as Parse.
func TestJSONRoundTrip(t *testing.T) {
	k := route53KSK(t, localKey(t, "example.com."), "ksk_a", testARN, "ACTIVE")
	b, err := json.Marshal(k)
	require.NoError(t, err)
	order := []string{"Name", "KmsArn", "Flag", "SigningAlgorithmMnemonic", "SigningAlgorithmType", "DigestAlgorithmMnemonic",
		"DigestAlgorithmType", "KeyTag", "DigestValue", "PublicKey", "DSRecord", "DNSKEYRecord", "Status", "CreatedDate", "LastModifiedDate"}
	last := -1
	for _, f := range order {
		i := strings.Index(string(b), `"`+f+`":`)
		require.Greater(t, i, last, f)
		last = i
	}
	require.NotContains(t, string(b), "StatusMessage")
	out, err := route53ksk.Parse(b)
	require.NoError(t, err)
	require.Equal(t, []route53ksk.KeySigningKey{k}, out.KeySigningKeys)

	var got route53ksk.KeySigningKey
	require.NoError(t, json.Unmarshal([]byte(`{"KeyTag": "42", "CreatedDate": 0}`), &got))
	require.Equal(t, 42, got.KeyTag)
	require.Equal(t, time.Unix(0, 0).UTC(), got.CreatedDate)
	require.Error(t, json.Unmarshal([]byte(`{"KeyTag": "x"}`), &got))

	// An empty KeySigningKey marshals without dates or strings.
	b, err = json.Marshal(route53ksk.KeySigningKey{})
	require.NoError(t, err)
	require.JSONEq(t, `{"Flag": 0, "SigningAlgorithmType": 0, "DigestAlgorithmType": 0, "KeyTag": 0}`, string(b))
}
