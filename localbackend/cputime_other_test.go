//go:build !unix

package localbackend_test

import "time"

// processCPU reports that process CPU time is not measured on this system.
func processCPU() (time.Duration, bool) { return 0, false }
