package kmstest

import (
	"encoding/asn1"
	"errors"
	"math/big"
)

func unmarshalSig(der []byte, v *ecdsaSig) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("kmstest: trailing data after signature")
	}
	if v.R == nil || v.S == nil || v.R.Sign() <= 0 || v.S.Sign() <= 0 {
		return errors.New("kmstest: r or s is not positive")
	}
	return nil
}

func marshalSig(r, s *big.Int) ([]byte, error) {
	return asn1.Marshal(ecdsaSig{R: r, S: s})
}
