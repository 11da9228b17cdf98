// Package archtest holds tests that enforce the package map of DESIGN.md:
// which packages may import which. It has no code of its own.
package archtest
