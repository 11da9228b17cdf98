package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFloor(t *testing.T) {
	tests := []struct {
		name   string
		signNs float64
		sigs   int64
		cores  int
		want   float64
	}{
		{"one core", 20000, 1000000, 1, 20},
		{"two cores", 20000, 1000000, 2, 10},
		{"no signatures", 20000, 0, 2, 0},
		{"zero cores counts as one", 1000, 1000, 0, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, floor(tt.signNs, tt.sigs, tt.cores), 1e-9)
		})
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // regexp on stdout
	}{
		{"machine", []string{"-duration", "20ms", "-signatures", "1000", "-cores", "2", "-machine"}, 0,
			`^sign_ns=[1-9][0-9]* verify_ns=[1-9][0-9]* cores=2 signatures=1000 floor_s=[0-9.]+\n$`},
		{"human", []string{"-duration", "20ms", "-signatures", "1000"}, 0,
			`sign [0-9.]+ µs .*\nfloor for 1000 signatures on [0-9]+ cores: [0-9.]+ s`},
		{"bad duration", []string{"-duration", "0s"}, 2, `^$`},
		{"argument", []string{"x"}, 2, `^$`},
		{"bad flag", []string{"-nope"}, 2, `^$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.Regexp(t, regexp.MustCompile(tt.out), stdout.String())
		})
	}
}

func TestMeasureCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := measure(ctx, time.Hour)
	require.ErrorIs(t, err, context.Canceled)
}

func TestMeasure(t *testing.T) {
	res, err := measure(context.Background(), 50*time.Millisecond)
	require.NoError(t, err)
	require.Positive(t, res.SignNs)
	require.Positive(t, res.VerifyNs)
}
