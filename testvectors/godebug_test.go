//go:debug rsa1024min=0

// The RFC 5702 §6.1 and RFC 5155 keys are 512-bit RSA, which crypto/rsa
// refuses since Go 1.24 unless GODEBUG=rsa1024min=0. The directive above
// sets it for this package's whole test binary (Go accepts it once per
// binary, in any _test.go file of the package); packages that verify these
// vectors need the same line in one of their own _test.go files.

package testvectors_test
