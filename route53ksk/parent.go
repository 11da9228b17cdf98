package route53ksk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/dsrecord"
)

// checkParent matches the parent's DS records with the KSKs: a DS that
// matches no KSK is a finding, and so is a DS set that matches no ACTIVE
// KSK (validators would then find the zone bogus once it is signed by an
// ACTIVE KSK only).
func checkParent(r *Report, dss []*dns.DS) {
	add := func(expected, found, note string) {
		msg := fmt.Sprintf("%s: expected %s, found %s", FieldParentDS, expected, found)
		if note != "" {
			msg += " (" + note + ")"
		}
		r.Findings = append(r.Findings, Finding{Key: -1, Field: FieldParentDS, Expected: expected, Found: found, Message: msg})
	}
	// What the parent should hold: the DS of every ACTIVE KSK.
	var activeDS []string
	for _, k := range r.Keys {
		if k.Status == StatusActive && k.DS != nil {
			activeDS = append(activeDS, dsText(k.DS))
		}
	}
	expectActive := "a DS of an ACTIVE KSK"
	if len(activeDS) > 0 {
		expectActive += ": " + strings.Join(activeDS, " or ")
	}

	activeMatched := false
	var found []string
	for _, ds := range dss {
		m := DSMatch{DS: ds}
		if ds == nil {
			m.Err = errors.New("route53ksk: nil DS")
			r.ParentDS = append(r.ParentDS, m)
			continue
		}
		found = append(found, dsText(ds))
		for i, k := range r.Keys {
			if k.DNSKEY == nil {
				continue
			}
			ok, err := dsrecord.Match(ds, k.DNSKEY)
			if err != nil {
				m.Err = err
				continue
			}
			if ok {
				m.Keys = append(m.Keys, i)
				if k.Status == StatusActive {
					activeMatched = true
				}
			}
		}
		r.ParentDS = append(r.ParentDS, m)
		if len(m.Keys) == 0 {
			note := "it matches no KSK"
			if m.Err != nil {
				note += ": " + strings.TrimPrefix(m.Err.Error(), "dsrecord: ")
			}
			add("a DS of one of the "+strconv.Itoa(len(r.Keys))+" KSKs", dsText(ds), note)
		}
	}
	if !activeMatched {
		got := "no DS records"
		if len(found) > 0 {
			got = strings.Join(found, ", ")
		}
		note := "no DS matches an ACTIVE KSK, so validators cannot validate the zone's DNSKEY RRset"
		if len(activeDS) == 0 {
			note = "there is no ACTIVE KSK with a usable key"
		}
		add(expectActive, got, note)
	}
}

// dsText is a DS record in presentation format without TTL and class:
// "owner DS tag alg type DIGEST".
func dsText(ds *dns.DS) string {
	return fmt.Sprintf("%s DS %d %d %d %s", ds.Hdr.Name, ds.KeyTag, ds.Algorithm, ds.DigestType, strings.ToUpper(ds.Digest))
}

// ActiveDS returns the SHA-256 DS records of the ACTIVE KSKs that have no
// findings, for publication in the parent zone, and the names (or
// numbers) of the ACTIVE KSKs left out because of findings.
func (r *Report) ActiveDS() (ds []*dns.DS, skipped []string) {
	for i, k := range r.Keys {
		if k.Status != StatusActive {
			continue
		}
		if k.DS == nil || len(r.KeyFindings(i)) > 0 {
			name := k.Name
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			skipped = append(skipped, name)
			continue
		}
		c := *k.DS
		ds = append(ds, &c)
	}
	return ds, skipped
}
