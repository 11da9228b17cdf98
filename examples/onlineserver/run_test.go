package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no zone", nil, 2},
		{"unknown flag", []string{"-nope"}, 2},
		{"extra argument", []string{"-zone", testZone, "x"}, 2},
		{"missing file", []string{"-zone", "testdata/none.zone"}, 1},
		{"empty key dir", []string{"-zone", testZone, "-keydir", t.TempDir(), "-listen", "127.0.0.1:0"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			require.Equal(t, tc.code, code, errb.String())
			require.Contains(t, errb.String(), "onlineserver")
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-zone", testZone, "-listen", "127.0.0.1:0", "-compact"}, &out, &errb)
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return")
	}
	// The KSK's DNSKEY and DS are printed for a trust anchor.
	require.Contains(t, out.String(), "; KSK key")
	require.Contains(t, out.String(), "\tDS\t")
	require.Contains(t, errb.String(), "serving example.com.")
}

func TestKeyDir(t *testing.T) {
	dir := t.TempDir()
	var tags []uint16
	for _, flags := range []uint16{signer.FlagsKSK, signer.FlagsZSK} {
		s, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.com.", flags, localbackend.Options{})
		require.NoError(t, err)
		_, _, err = s.SaveBIND(dir, localbackend.SaveOptions{})
		require.NoError(t, err)
		tags = append(tags, s.DNSKEY().KeyTag())
	}
	// A key of another zone in the directory is ignored.
	other, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.org.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	_, _, err = other.SaveBIND(dir, localbackend.SaveOptions{})
	require.NoError(t, err)

	srv, err := start(config{zoneFile: testZone, listen: "127.0.0.1:0", keyDir: dir})
	require.NoError(t, err)
	t.Cleanup(srv.shutdown)
	require.Len(t, srv.keys, 2)
	keys := dnskeys(t, srv)
	for _, k := range keys {
		require.Contains(t, tags, k.KeyTag())
	}
	r := query(t, srv.addr, "www.example.com.", dns.TypeA, queryOpts{})
	sigs := verifySection(t, r.Answer, keys)
	require.NotEmpty(t, sigs)
	for _, s := range sigs {
		require.True(t, strings.EqualFold(s.SignerName, "example.com."))
	}
}
