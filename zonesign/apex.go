package zonesign

import (
	"fmt"

	"github.com/miekg/dns"
)

// Apex returns the zone's origin: the one it was parsed or created with,
// or else the owner of its only SOA record. Callers use it to find the
// zone's keys before signing.
func (z *Zone) Apex() (string, error) {
	if z.origin != "" {
		return z.origin, nil
	}
	apex, node := "", int32(-1)
	for i := range z.recs {
		r := &z.recs[i]
		if r.typ != dns.TypeSOA || r.node == node {
			continue
		}
		if apex != "" {
			return "", fmt.Errorf("%w: SOA records at %s and %s; set the origin", ErrZone, apex, z.nodes[r.node].name)
		}
		apex, node = z.nodes[r.node].name, r.node
	}
	if apex == "" {
		return "", fmt.Errorf("%w: no SOA record", ErrZone)
	}
	return apex, nil
}
