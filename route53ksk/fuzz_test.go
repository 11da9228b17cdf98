package route53ksk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/route53ksk"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic; what it
// accepts must be checkable, and must survive json.Marshal and Parse
// unchanged. The seed corpus is the test data, CLI-shaped outputs and
// broken variants; crashers go to testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	k := route53KSK(f, localKey(f, "example.com."), "ksk_a", testARN, "ACTIVE")
	f.Add([]byte(getDNSSEC("SIGNING", k)))
	f.Add([]byte(createKSK(k)))
	b, err := json.Marshal([]route53ksk.KeySigningKey{k, k})
	require.NoError(f, err)
	f.Add(b)
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `[{}]`, `{"KeySigningKeys": null, "Status": {}}`,
		`{"KeyTag": "65535", "CreatedDate": 1.5e9, "LastModifiedDate": "2021-03-01 12:00:00"}`,
		`{"Status": "ACTION_NEEDED", "StatusMessage": "x", "DSRecord": "1 13 2 00", "DNSKEYRecord": "257 3 13 AAAA"}`,
		`{"ChangeInfo": {"SubmittedAt": 0}, "KeySigningKey": {"Flag": 257.0}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := route53ksk.Parse(data)
		if err != nil {
			require.ErrorIs(t, err, route53ksk.ErrSyntax)
			require.Nil(t, out)
			return
		}
		r, err := route53ksk.Check(out.KeySigningKeys, "example.com", route53ksk.Options{Status: out.Status, CheckParentDS: true})
		require.NoError(t, err)
		require.Len(t, r.Keys, len(out.KeySigningKeys))
		for _, f := range r.Findings {
			require.NotEmpty(t, f.Message)
		}
		b, err := json.Marshal(out)
		require.NoError(t, err)
		again, err := route53ksk.Parse(b)
		require.NoError(t, err, "%s", b)
		require.Equal(t, out, again)
	})
}
