package localbackend

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// ParsePEM parses a PEM private key: a PKCS#8 "PRIVATE KEY" block (as
// openssl genpkey and MarshalPEM write) or a SEC 1 "EC PRIVATE KEY" block
// (as openssl ecparam -genkey writes; an "EC PARAMETERS" block before it is
// skipped). The key must be ECDSA P-256, P-384 or Ed25519; its DNSKEY is
// owned by owner with the given flags, as with New. Encrypted keys are not
// supported.
func ParsePEM(data []byte, owner string, flags uint16, opts Options) (*Signer, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("%w: no PEM private key block", ErrMalformed)
		}
		var key any
		var err error
		switch block.Type {
		case "EC PARAMETERS":
			continue
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			if _, enc := block.Headers["DEK-Info"]; enc {
				return nil, fmt.Errorf("%w: encrypted PEM keys are not supported", ErrMalformed)
			}
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("%w: encrypted PKCS#8 keys are not supported", ErrMalformed)
		default:
			return nil, fmt.Errorf("%w: PEM block %q is not a PKCS#8 or EC private key", ErrMalformed, clip(block.Type))
		}
		if err != nil {
			return nil, fmt.Errorf("%w: PEM %s: %v", ErrMalformed, block.Type, err)
		}
		cs, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%w: PEM key of type %T", ErrUnsupportedAlgorithm, key)
		}
		return New(cs, owner, flags, opts)
	}
}

// LoadPEM reads the file at path and parses it with ParsePEM.
func LoadPEM(path, owner string, flags uint16, opts Options) (*Signer, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParsePEM(b, owner, flags, opts)
	if err != nil {
		return nil, inFile(path, err)
	}
	return s, nil
}

// MarshalPEM returns the private key as a PKCS#8 "PRIVATE KEY" PEM block.
// The result is secret: store it with mode 0600.
func (s *Signer) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.CryptoSigner())
	if err != nil {
		return nil, fmt.Errorf("localbackend: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
