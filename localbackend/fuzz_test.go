package localbackend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParsePrivate feeds arbitrary text to the .private file parser and to
// the key construction after it: neither may panic, and every error must
// carry the package prefix. The seed corpus is in
// testdata/fuzz/FuzzParsePrivate plus every .private file under testdata.
func FuzzParsePrivate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.private"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Private-key-format: v1.3\nAlgorithm: 13\nPrivateKey: AAAA\nCreated: 20260101000000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePrivate(b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "localbackend: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		if p.major != 1 || len(p.key) == 0 {
			t.Fatalf("parsed %+v", p)
		}
		k, err := privateKey(p.alg, p.key)
		if err != nil {
			return
		}
		s, err := newSigner(k, "example.", 257, 3600, false, p.timing)
		if err != nil {
			t.Fatalf("valid private key but no Signer: %v", err)
		}
		// What we write parses back to the same key.
		_, pf, err := s.MarshalBIND()
		if err != nil {
			t.Fatal(err)
		}
		q, err := parsePrivate(pf)
		if err != nil {
			t.Fatalf("reparse of\n%s\nfailed: %v", pf, err)
		}
		if q.alg != p.alg || q.timing != s.timing {
			t.Fatalf("round trip changed %+v to %+v", p, q)
		}
	})
}

// FuzzParseBIND feeds arbitrary .key and .private contents to ParseBIND.
func FuzzParseBIND(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.key"))
	for _, k := range files {
		kb, err1 := os.ReadFile(k)
		pb, err2 := os.ReadFile(strings.TrimSuffix(k, ".key") + ".private")
		if err1 == nil && err2 == nil {
			f.Add(kb, pb)
		}
	}
	f.Fuzz(func(t *testing.T, kb, pb []byte) {
		s, err := ParseBIND(kb, pb, Options{})
		if err != nil {
			if s != nil || !strings.HasPrefix(err.Error(), "localbackend: ") {
				t.Fatalf("bad error %v (signer %v)", err, s)
			}
			return
		}
		if s.DNSKEY() == nil {
			t.Fatal("Signer without DNSKEY")
		}
	})
}
