package rawsig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type ecdsaSig struct{ R, S *big.Int }

// randInt returns a random positive integer of at most size bytes, often
// with leading zero bytes (so shorter than size) and often with the top
// bit of its first byte set (so DER needs a 00 pad).
func randInt(rng *mrand.Rand, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	switch rng.IntN(4) {
	case 0: // leading zero bytes
		z := 1 + rng.IntN(size)
		for i := 0; i < z && i < size; i++ {
			b[i] = 0
		}
	case 1: // high bit set
		b[0] |= 0x80
	case 2: // 0x00 then a byte with the high bit set: 31-byte magnitude needing a pad
		b[0] = 0
		b[1] |= 0x80
	}
	if new(big.Int).SetBytes(b).Sign() == 0 {
		b[size-1] = 1
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(6605, 4))
	n := 5000
	if testing.Short() {
		n = 500
	}
	// 32 and 48 for P-256 and P-384; 66 for P-521; 130 and 300 make DER
	// use long-form lengths (0x81, 0x82).
	for _, size := range []int{32, 48, 66, 130, 300} {
		count := n
		if size > 48 {
			count = n / 10
		}
		for i := range count {
			r, s := randInt(rng, size), randInt(rng, size)
			raw := append(append([]byte(nil), r...), s...)

			der, err := AppendDER([]byte("x"), raw)
			require.NoError(t, err)
			require.Equal(t, byte('x'), der[0])
			der = der[1:]

			// encoding/asn1 is an independent DER encoder.
			want, err := asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)})
			require.NoError(t, err)
			require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(der), "size %d case %d", size, i)

			back, err := AppendRaw([]byte("y"), der, size)
			require.NoError(t, err)
			require.Equal(t, append([]byte("y"), raw...), back, "size %d case %d", size, i)
		}
	}
}

// TestRealSignatures converts signatures from crypto/ecdsa, including
// ones whose r or s is shorter than the field, and checks them with
// ecdsa.VerifyASN1 after converting back.
func TestRealSignatures(t *testing.T) {
	for _, tc := range []struct {
		curve elliptic.Curve
		size  int
	}{{elliptic.P256(), 32}, {elliptic.P384(), 48}} {
		t.Run(tc.curve.Params().Name, func(t *testing.T) {
			key, err := ecdsa.GenerateKey(tc.curve, rand.Reader)
			require.NoError(t, err)
			short := 0
			for i := range 300 {
				h := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
				der, err := ecdsa.SignASN1(rand.Reader, key, h[:])
				require.NoError(t, err)
				raw, err := AppendRaw(nil, der, tc.size)
				require.NoError(t, err)
				require.Len(t, raw, 2*tc.size)
				var sig ecdsaSig
				_, err = asn1.Unmarshal(der, &sig)
				require.NoError(t, err)
				if len(sig.R.Bytes()) < tc.size || len(sig.S.Bytes()) < tc.size {
					short++
				}
				require.Equal(t, sig.R.FillBytes(make([]byte, tc.size)), raw[:tc.size])
				require.Equal(t, sig.S.FillBytes(make([]byte, tc.size)), raw[tc.size:])
				der2, err := AppendDER(nil, raw)
				require.NoError(t, err)
				require.Equal(t, der, der2)
				require.True(t, ecdsa.VerifyASN1(&key.PublicKey, h[:], der2))
			}
			// About 1 in 128 integers has a leading zero byte.
			t.Logf("%d of 300 signatures had a short r or s", short)
		})
	}
}

func TestAppendRawRejects(t *testing.T) {
	full := strings.Repeat("11", 32)
	tests := []struct {
		name string
		der  string // hex
		size int
	}{
		{"empty", "", 32},
		{"truncated", "300602010102", 32},
		{"not a SEQUENCE", "310602010102 0101", 32},
		{"non-minimal length", "30810602010102 0101", 32},
		{"indefinite length", "308002010102010100 00", 32},
		{"length beyond input", "300702010102010 1", 32},
		{"trailing garbage", "3006020101020101 00", 32},
		{"trailing data inside the SEQUENCE", "3009020101020101020101", 32},
		{"one INTEGER", "3003020101", 32},
		{"wrong INTEGER tag", "3006030101020101", 32},
		{"negative r", "3006020181020101", 32},
		{"negative s", "30060201010201ff", 32},
		{"unneeded leading 00 in r", "300702020001020101", 32},
		{"unneeded leading 00 in s", "300702010102020001", 32},
		{"double 00 pad", "30080203000080020101", 32},
		{"zero r", "3006020100020101", 32},
		{"zero s", "3006020101020100", 32},
		{"empty INTEGER", "30050200020101", 32},
		{"non-minimal INTEGER length", "3007028101 01020101", 32},
		{"r longer than size", "3026022101" + full + "020101", 32},
		{"s longer than size", "302602010102210 1" + full, 32},
		{"r longer than size 48", "3036023101" + strings.Repeat("11", 48) + "020101", 48},
		{"P-384 size signature for P-256", "3066023101" + strings.Repeat("11", 48) + "023101" + strings.Repeat("11", 48), 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := hex.DecodeString(strings.ReplaceAll(tt.der, " ", ""))
			require.NoError(t, err)
			out, err := AppendRaw([]byte("keep"), der, tt.size)
			require.ErrorIs(t, err, ErrMalformed)
			require.Equal(t, "keep", string(out))
		})
	}
}

func TestAppendRawAccepts(t *testing.T) {
	full := strings.Repeat("11", 32)
	high := "80" + strings.Repeat("00", 31)
	tests := []struct {
		name string
		der  string
		want string
	}{
		{"small integers padded", "3006020101020102", strings.Repeat("00", 31) + "01" + strings.Repeat("00", 31) + "02"},
		{"full width", "3044022011" + full[2:] + "022011" + full[2:], full + full},
		{"high bit with 00 pad", "3046022100" + high + "022100" + high, high + high},
		{"127 is not padded", "300602017f02017f", strings.Repeat("00", 31) + "7f" + strings.Repeat("00", 31) + "7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := hex.DecodeString(tt.der)
			require.NoError(t, err)
			raw, err := AppendRaw(nil, der, 32)
			require.NoError(t, err)
			require.Equal(t, tt.want, hex.EncodeToString(raw))
		})
	}
}

func TestAppendDERRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"odd length", make([]byte, 63)},
		{"r zero", append(make([]byte, 32), bytes.Repeat([]byte{1}, 32)...)},
		{"s zero", append(bytes.Repeat([]byte{1}, 32), make([]byte, 32)...)},
		{"both zero", make([]byte, 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendDER([]byte("keep"), tt.raw)
			require.Error(t, err)
			require.Equal(t, "keep", string(out))
		})
	}
}

func TestAllocs(t *testing.T) {
	raw := bytes.Repeat([]byte{0x81}, 64)
	der, err := AppendDER(nil, raw)
	require.NoError(t, err)
	buf := make([]byte, 0, 64)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		buf, _ = AppendRaw(buf[:0], der, 32)
	}))
	dbuf := make([]byte, 0, 80)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		dbuf, _ = AppendDER(dbuf[:0], raw)
	}))
}

// FuzzRawsigRoundTrip checks both directions on arbitrary input:
//   - a DER signature that AppendRaw accepts is strict DER, so
//     AppendDER of the result gives back exactly the same bytes;
//   - a raw signature that AppendDER accepts converts back unchanged.
func FuzzRawsigRoundTrip(f *testing.F) {
	seeds := []string{
		"3006020101020102",
		"3046022100" + "80" + strings.Repeat("00", 31) + "022100" + "ff" + strings.Repeat("00", 31),
		"3044022011" + strings.Repeat("11", 31) + "022011" + strings.Repeat("11", 31),
		"300702020001020101",
		"30810602010102 0101",
		"3006020181020101",
		strings.Repeat("00", 31) + "01" + strings.Repeat("00", 32),
	}
	for _, s := range seeds {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(32))
		f.Add(b, uint8(48))
	}
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		sz := int(size%66) + 1
		if raw, err := AppendRaw(nil, in, sz); err == nil {
			if len(raw) != 2*sz {
				t.Fatalf("raw length %d, want %d", len(raw), 2*sz)
			}
			der, err := AppendDER(nil, raw)
			if err != nil {
				t.Fatalf("AppendDER(%x): %v", raw, err)
			}
			if !bytes.Equal(der, in) {
				t.Fatalf("accepted non-canonical DER %x (canonical %x)", in, der)
			}
			var sig ecdsaSig
			if rest, err := asn1.Unmarshal(in, &sig); err != nil || len(rest) != 0 || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
				t.Fatalf("accepted %x that encoding/asn1 rejects: %v", in, err)
			}
		}
		if len(in) > 0 && len(in)%2 == 0 {
			der, err := AppendDER(nil, in)
			if err != nil {
				return
			}
			back, err := AppendRaw(nil, der, len(in)/2)
			if err != nil {
				t.Fatalf("AppendRaw(AppendDER(%x)): %v", in, err)
			}
			if !bytes.Equal(back, in) {
				t.Fatalf("round trip %x -> %x", in, back)
			}
		}
	})
}

func BenchmarkAppendRaw(b *testing.B) {
	raw := bytes.Repeat([]byte{0x81}, 64)
	der, err := AppendDER(nil, raw)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = AppendRaw(buf[:0], der, 32); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendDER(b *testing.B) {
	raw := bytes.Repeat([]byte{0x81}, 64)
	buf := make([]byte, 0, 80)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendDER(buf[:0], raw); err != nil {
			b.Fatal(err)
		}
	}
}
