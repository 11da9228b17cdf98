// The RFC 5155 test vector keys are 512-bit RSA keys, which crypto/rsa
// refuses by default; FuzzRecords replays zones signed with them.

//go:debug rsa1024min=0
package fuzz
