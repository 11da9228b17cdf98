package zonesign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// limitsSOA starts the zones of the limit tests: 3 records.
const limitsSOA = "$ORIGIN example.\n$TTL 300\n@ SOA ns1 host 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n"

// generateBomb returns zone text of about 8 KiB (the size FuzzZoneSign
// takes) made of $GENERATE lines of 65536 records each: 16 million
// records if nothing bounded them.
func generateBomb() string {
	var b strings.Builder
	b.WriteString(limitsSOA)
	for i := 0; b.Len() < 8<<10-40; i++ {
		fmt.Fprintf(&b, "$GENERATE 0-65535 g%d-$ A 192.0.2.1\n", i)
	}
	return b.String()
}

// txtBomb returns zone text of 2 KiB whose $GENERATE line makes 65536 TXT
// records of 62,500 octets each: 4 GiB if nothing bounded them.
func txtBomb() string {
	return limitsSOA + "$GENERATE 0-65535 t$ TXT \"" + strings.Repeat("${0,250}", 250) + "\"\n"
}

// wireSize is the uncompressed wire size of the record in text.
func wireSize(t *testing.T, text string) int64 {
	t.Helper()
	rr, err := dns.NewRR(text)
	require.NoError(t, err)
	return int64(dns.Len(rr))
}

func TestParseWithOptions(t *testing.T) {
	// the records g2 and g3 of "$GENERATE 1-3 g$ A 192.0.2.1"; g1 is free
	gen3 := 2 * wireSize(t, "g2.example. 300 IN A 192.0.2.1")
	var literal strings.Builder
	literal.WriteString(limitsSOA)
	for i := range 100 {
		fmt.Fprintf(&literal, "l%d A 192.0.2.1\n", i)
	}
	var fourRanges string
	for i := range 4 {
		fourRanges += fmt.Sprintf("$GENERATE 0-65535 r$.%d PTR host-$-%d.example.net.\n", i, i)
	}
	tests := []struct {
		name    string
		text    string
		opts    ParseOptions
		records int // records of the zone, if parsed
		tooBig  bool
	}{
		{name: "four full ranges under the default", text: limitsSOA + fourRanges, records: 3 + 4*65536},
		{name: "8 KiB of full ranges refused by the default", text: generateBomb(), tooBig: true},
		{name: "huge generated TXT refused by the default", text: txtBomb(), tooBig: true},
		{name: "huge generated TXT, MaxRecords", text: txtBomb(), opts: ParseOptions{MaxRecords: 100}, tooBig: true},
		{name: "generated size at the bound", text: limitsSOA + "$GENERATE 1-3 g$ A 192.0.2.1\n",
			opts: ParseOptions{MaxGeneratedSize: gen3}, records: 6},
		{name: "generated size over the bound", text: limitsSOA + "$GENERATE 1-3 g$ A 192.0.2.1\n",
			opts: ParseOptions{MaxGeneratedSize: gen3 - 1}, tooBig: true},
		{name: "literal records after $GENERATE not counted", text: limitsSOA + "$GENERATE 1-3 g$ A 192.0.2.1\n" + literal.String()[len(limitsSOA):],
			opts: ParseOptions{MaxGeneratedSize: gen3}, records: 106},
		{name: "one record per directive free", text: limitsSOA + strings.Repeat("$GENERATE 7-7 g$ A 192.0.2.1\n", 10),
			opts: ParseOptions{MaxGeneratedSize: 1}, records: 13},
		{name: "literal records not counted", text: literal.String(), opts: ParseOptions{MaxGeneratedSize: 1}, records: 103},
		{name: "no generated bound", text: limitsSOA + "$GENERATE 1-3 g$ A 192.0.2.1\n",
			opts: ParseOptions{MaxGeneratedSize: -1}, records: 6},
		{name: "MaxRecords reached", text: literal.String(), opts: ParseOptions{MaxRecords: 103}, records: 103},
		{name: "MaxRecords exceeded", text: literal.String(), opts: ParseOptions{MaxRecords: 102}, tooBig: true},
		{name: "MaxRecords counts dropped records", text: limitsSOA + "@ NSEC ns1.example. SOA\n",
			opts: ParseOptions{MaxRecords: 3}, tooBig: true},
		{name: "MaxRecords counts generated records", text: limitsSOA + "$GENERATE 1-100 g$ A 192.0.2.1\n",
			opts: ParseOptions{MaxRecords: 102}, tooBig: true},
		{name: "negative MaxRecords", text: literal.String(), opts: ParseOptions{MaxRecords: -1}, records: 103},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			z, err := ParseWithOptions(context.Background(), strings.NewReader(tt.text), "limits.zone", "", tt.opts)
			// unbounded, the bombs took minutes and gigabytes
			require.Less(t, time.Since(start), 30*time.Second)
			if tt.tooBig {
				require.ErrorIs(t, err, ErrTooLarge)
				require.True(t, strings.HasPrefix(err.Error(), "zonesign: zone too large: limits.zone: "), err.Error())
				require.Nil(t, z)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.records, z.Len())
		})
	}
}

// TestParseDefaultBound checks that Parse applies the zero ParseOptions.
func TestParseDefaultBound(t *testing.T) {
	_, err := Parse(strings.NewReader(txtBomb()), "bomb.zone", "")
	require.ErrorIs(t, err, ErrTooLarge)
	require.ErrorContains(t, err, "ParseOptions.MaxGeneratedSize")
}

// TestParseFileUnbounded checks that ParseFile, for the operator's own
// files, does not bound $GENERATE: its records here take more than
// DefaultMaxGeneratedSize.
func TestParseFileUnbounded(t *testing.T) {
	text := limitsSOA + "$GENERATE 0-65535 t$ TXT \"" + strings.Repeat("${0,250}", 1) + "\"\n"
	size := 65535 * wireSize(t, "t65535.example. 300 IN TXT \""+strings.Repeat("0", 250)+"\"")
	require.Greater(t, size, int64(DefaultMaxGeneratedSize))
	_, err := Parse(strings.NewReader(text), "big.zone", "")
	require.ErrorIs(t, err, ErrTooLarge)

	path := filepath.Join(t.TempDir(), "big.zone")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	z, err := ParseFile(path, "")
	require.NoError(t, err)
	require.Equal(t, 3+65536, z.Len())
}

func TestParseWithOptionsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ParseWithOptions(ctx, strings.NewReader(generateBomb()), "bomb.zone", "", ParseOptions{})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.Is(err, ErrTooLarge))
}

// TestSignGeneratedZone signs a zone made by $GENERATE within the default
// bound: what Parse lets through, Sign handles.
func TestSignGeneratedZone(t *testing.T) {
	z, err := Parse(strings.NewReader(limitsSOA+"$GENERATE 0-2047 h$ AAAA 2001:db8::${0,4,x}\n"), "gen.zone", "")
	require.NoError(t, err)
	keys := testKeys(t, "example.")
	var out strings.Builder
	st, err := Sign(context.Background(), z, Options{Keys: keys, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, &out)
	require.NoError(t, err)
	require.Equal(t, 2048+2, st.Names)
	// miekg/dns gives records made by $GENERATE its default TTL, 3600,
	// not the $TTL of the file
	require.True(t, strings.Contains(out.String(), "h2047.example.\t3600\tIN\tAAAA\t2001:db8::7ff\n"), "h2047 missing")
}

// stuckReader returns no data and no error.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

// badCountReader returns a count larger than its buffer.
type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// TestParseReaders checks that the bounds hold, and read errors come
// through, however r hands out its bytes.
func TestParseReaders(t *testing.T) {
	text := limitsSOA + "$GENERATE 1-3 g$ A 192.0.2.1\nx A 192.0.2.1\n"
	gen3 := 2 * wireSize(t, "g2.example. 300 IN A 192.0.2.1")
	readErr := errors.New("disk on fire")
	tests := []struct {
		name    string
		r       io.Reader
		maxGen  int64
		records int
		wantErr error  // wrapped by the error
		errText string // or contained in it
	}{
		{name: "one byte at a time", r: iotest.OneByteReader(strings.NewReader(text)), maxGen: gen3, records: 7},
		{name: "one byte at a time, over", r: iotest.OneByteReader(strings.NewReader(text)), maxGen: gen3 - 1, wantErr: ErrTooLarge},
		{name: "data with EOF", r: iotest.DataErrReader(strings.NewReader(text)), maxGen: gen3, records: 7},
		{name: "half then error", r: io.MultiReader(strings.NewReader(limitsSOA), iotest.ErrReader(readErr)), wantErr: readErr},
		{name: "no progress", r: stuckReader{}, wantErr: io.ErrNoProgress},
		{name: "bad count", r: badCountReader{}, errText: "zonesign: invalid count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := ParseWithOptions(context.Background(), tt.r, "readers.zone", "", ParseOptions{MaxGeneratedSize: tt.maxGen})
			switch {
			case tt.errText != "":
				require.ErrorContains(t, err, tt.errText)
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			default:
				require.NoError(t, err)
				require.Equal(t, tt.records, z.Len())
			}
		})
	}
}
