package validate

import (
	"github.com/dnsseal/dnsseal/internal/p256"
)

// batchSize is the number of hinted signatures by one key verified
// together: at 256, a batch costs about a sixth of verifying its
// signatures one by one (internal/p256).
const batchSize = 256

// batcher collects, for an early worker, the ECDSA P-256 signatures that
// came with a hint (ZoneStream.Add), per key, and verifies them in
// batches. Until its batch is verified a signature counts as valid in its
// node's early results; when a batch fails, its signatures are verified
// one by one, and the node of each bad one is marked (znode.ebad) so that
// its RRsets are checked again, exactly, at the end.
type batcher struct {
	keys []*batchKey
	sc   p256.BatchScratch
}

type batchKey struct {
	pk    *p256.PublicKey
	items []p256.BatchItem
	nodes []*znode // the node of each item
}

// add queues a signature (the digest of its signed data, r‖s and hint)
// of node n by pk, and verifies the key's batch when it is full.
func (b *batcher) add(v *Verifier, pk *p256.PublicKey, n *znode, digest *[32]byte, sig, hint []byte) {
	var k *batchKey
	for _, x := range b.keys {
		if x.pk == pk {
			k = x
			break
		}
	}
	if k == nil {
		if len(b.keys) >= maxTables {
			b.flushAll(v)
			b.keys = b.keys[:0]
		}
		k = &batchKey{pk: pk}
		b.keys = append(b.keys, k)
	}
	it := p256.BatchItem{Digest: *digest}
	copy(it.Sig[:], sig)
	copy(it.R[:], hint)
	k.items = append(k.items, it)
	k.nodes = append(k.nodes, n)
	if len(k.items) >= batchSize {
		b.flush(v, k)
	}
}

// flush verifies the queued signatures of one key.
func (b *batcher) flush(v *Verifier, k *batchKey) {
	if len(k.items) > 0 && !k.pk.VerifyBatch(&b.sc, k.items) {
		for i := range k.items {
			it := &k.items[i]
			if !k.pk.Verify(&v.sc, it.Digest[:], it.Sig[:]) {
				k.nodes[i].ebad = true
			}
		}
	}
	clear(k.nodes)
	k.items, k.nodes = k.items[:0], k.nodes[:0]
}

// flushAll verifies every queued signature.
func (b *batcher) flushAll(v *Verifier) {
	for _, k := range b.keys {
		b.flush(v, k)
	}
}
