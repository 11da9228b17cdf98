package kmstest

import (
	"encoding/json"
	"testing"
)

// FuzzDispatch feeds arbitrary operations and bodies to the server's
// handlers, which must answer with a result or a KMS error, never panic.
func FuzzDispatch(f *testing.F) {
	s := NewServer()
	defer s.Close()
	p256, err := s.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
	if err != nil {
		f.Fatal(err)
	}
	sym, err := s.NewKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct {
		op   string
		body any
	}{
		{"CreateKey", map[string]any{"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY", "Tags": []any{map[string]any{"TagKey": "a", "TagValue": "b"}}}},
		{"DescribeKey", map[string]any{"KeyId": p256.ARN}},
		{"GetPublicKey", map[string]any{"KeyId": sym.ID}},
		{"Sign", map[string]any{"KeyId": p256.ID, "Message": "AAAA", "MessageType": "RAW", "SigningAlgorithm": "ECDSA_SHA_256"}},
		{"Verify", map[string]any{"KeyId": p256.ID, "Message": "AAAA", "Signature": "MAYCAQECAQE=", "SigningAlgorithm": "ECDSA_SHA_256"}},
		{"Sign", map[string]any{"KeyId": sym.ID, "Message": "AAAA", "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"}},
		{"PutKeyPolicy", map[string]any{"KeyId": p256.ID, "Policy": "{\"Statement\":[]}"}},
		{"GetKeyPolicy", map[string]any{"KeyId": p256.ID, "PolicyName": "default"}},
		{"CreateAlias", map[string]any{"AliasName": "alias/x", "TargetKeyId": p256.ID}},
		{"ListAliases", map[string]any{"Limit": 1, "Marker": "alias/x"}},
		{"DisableKey", map[string]any{"KeyId": sym.ARN}},
		{"ScheduleKeyDeletion", map[string]any{"KeyId": sym.ID, "PendingWindowInDays": 7}},
	} {
		b, err := json.Marshal(seed.body)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed.op, b)
	}
	f.Add("Nope", []byte("{"))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		out, e := s.dispatch(op, body)
		if (out == nil) == (e == nil) {
			t.Fatalf("dispatch(%q) = %v, %v: want exactly one", op, out, e)
		}
		if e != nil && (e.code == "" || statusOf(e.code) < 400) {
			t.Fatalf("bad error %+v", e)
		}
		if out != nil {
			if _, err := json.Marshal(out); err != nil {
				t.Fatalf("response does not encode: %v", err)
			}
		}
	})
}
