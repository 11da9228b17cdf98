package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsseal/dnsseal/bench/zonegen"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name      string
		args      []string
		code      int
		file      string // output file, when one is written
		wantOpts  *zonegen.Options
		stderrHas string
		stdoutHas string
	}{
		{name: "file", args: []string{"-names", "500", "-seed", "9", "-origin", "test.", "-o", filepath.Join(dir, "a.zone")},
			file: filepath.Join(dir, "a.zone"), wantOpts: &zonegen.Options{Names: 500, Seed: 9, Origin: "test.", TTL: 3600}},
		{name: "mixed case file", args: []string{"-names", "50", "-mixed-case", "-ttl", "60", "-o", filepath.Join(dir, "b.zone")},
			file: filepath.Join(dir, "b.zone"), wantOpts: &zonegen.Options{Names: 50, Seed: 1, Origin: "example.com.", TTL: 60, MixedCase: true}},
		{name: "stdout with stats", args: []string{"-names", "10", "-stats"}, stdoutHas: "$ORIGIN example.com.\n", stderrHas: "nsec3-owners="},
		{name: "help", args: []string{"-h"}, stderrHas: "usage: zonegen"},
		{name: "bad flag", args: []string{"-nope"}, code: 2},
		{name: "extra argument", args: []string{"zone"}, code: 2, stderrHas: "unexpected argument"},
		{name: "negative names", args: []string{"-names", "-3"}, code: 2, stderrHas: "negative"},
		{name: "bad origin", args: []string{"-origin", "a..b"}, code: 2, stderrHas: "invalid origin"},
		{name: "ttl range", args: []string{"-ttl", "4294967295"}, code: 2, stderrHas: "out of range"},
		{name: "missing directory", args: []string{"-o", filepath.Join(dir, "no", "such", "x.zone")}, code: 1, stderrHas: "zonegen: error: create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			require.Equal(t, tt.code, code, "stderr: %s", stderr.String())
			require.Contains(t, stderr.String(), tt.stderrHas)
			require.Contains(t, stdout.String(), tt.stdoutHas)
			if tt.file != "" {
				got, err := os.ReadFile(tt.file)
				require.NoError(t, err)
				var want bytes.Buffer
				_, err = zonegen.Write(&want, *tt.wantOpts)
				require.NoError(t, err)
				require.Equal(t, want.Bytes(), got)
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				for _, e := range entries {
					require.False(t, strings.Contains(e.Name(), ".tmp"), "temporary file left: %s", e.Name())
				}
			}
		})
	}
}
