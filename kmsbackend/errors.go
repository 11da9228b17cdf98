package kmsbackend

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// Errors callers may branch on. KMS exceptions are wrapped as they are:
// use errors.As with the types of package
// github.com/aws/aws-sdk-go-v2/service/kms/types (or smithy.APIError) to
// tell them apart.
var (
	// ErrUnsuitableKey is returned by New for a key that cannot make
	// DNSSEC algorithm 13 signatures: not ECC_NIST_P256, not
	// SIGN_VERIFY, not enabled or without ECDSA_SHA_256.
	ErrUnsuitableKey = errors.New("kmsbackend: key cannot sign DNSSEC algorithm 13 (ECDSAP256SHA256)")

	// ErrInvalidSignature is returned by Sign when KMS returned a
	// signature that does not verify under the key's public key.
	ErrInvalidSignature = errors.New("kmsbackend: KMS returned a signature that does not verify")
)

// explain wraps err, returned by the KMS operation op on key, in an error
// that says what happened and what to do about it.
func explain(op, key string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("kmsbackend: %s %s: %w", op, key, err)
	}
	var (
		notFound    *types.NotFoundException
		disabled    *types.DisabledException
		state       *types.KMSInvalidStateException
		usage       *types.InvalidKeyUsageException
		unavailable *types.KeyUnavailableException
		depTimeout  *types.DependencyTimeoutException
		internal    *types.KMSInternalException
		limit       *types.LimitExceededException
		invalidArn  *types.InvalidArnException
		api         smithy.APIError
	)
	var what string
	switch {
	case errors.As(err, &notFound):
		what = "key not found (NotFoundException); check the key ID, ARN or alias, and that the client uses the key's region and account"
	case errors.As(err, &disabled):
		what = "key is disabled (DisabledException); enable it with `aws kms enable-key --key-id " + key + "`"
	case errors.As(err, &state):
		what = "key is not in a usable state, for example pending deletion (KMSInvalidStateException); cancel the deletion with `aws kms cancel-key-deletion` and enable the key"
	case errors.As(err, &usage):
		what = "key cannot be used for this operation (InvalidKeyUsageException); use an ECC_NIST_P256 key with key usage SIGN_VERIFY"
	case errors.As(err, &unavailable):
		what = "key is temporarily unavailable (KeyUnavailableException); retry later"
	case errors.As(err, &depTimeout):
		what = "KMS timed out calling a dependency, even after retries (DependencyTimeoutException); retry later"
	case errors.As(err, &internal):
		what = "KMS had an internal error, even after retries (KMSInternalException); retry later"
	case errors.As(err, &limit):
		what = "request rate or resource limit exceeded, even after retries (LimitExceededException); lower Options.RateLimit or MaxInFlight, or ask for a higher KMS quota"
	case errors.As(err, &invalidArn):
		what = "the key ARN is malformed (InvalidArnException); use a key ID, key ARN or alias/NAME"
	case errors.As(err, &api):
		switch api.ErrorCode() {
		case "AccessDeniedException":
			what = "access denied (AccessDeniedException); allow the caller kms:" + op + " on the key in its key policy or an IAM policy"
		case "ThrottlingException":
			what = "KMS throttled the requests, even after retries (ThrottlingException); lower Options.RateLimit or MaxInFlight, give the client's retryer more attempts and no retry quota (WithBulkRetryer), or ask for a higher KMS quota"
		case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException", "ExpiredTokenException", "MissingAuthenticationTokenException":
			what = "KMS rejected the credentials (" + api.ErrorCode() + "); check the AWS credentials and region"
		}
	}
	if what == "" {
		return fmt.Errorf("kmsbackend: %s %s: %w", op, key, err)
	}
	return fmt.Errorf("kmsbackend: %s %s: %s: %w", op, key, what, err)
}
