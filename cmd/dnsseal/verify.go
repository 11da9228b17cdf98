package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dnsseal/dnsseal/validate"
	"github.com/miekg/dns"
)

func cmdVerify(e *env, args []string) error {
	fs := newFlagSet(e, "verify", "verify (-zone FILE [-origin ZONE] | -records FILE) [-anchor FILE] [-now T] [-json]",
		`  dnsseal verify -zone example.com.signed -origin example.com
  dig +dnssec +noall +answer example.net DNSKEY > keys.txt
  dig +dnssec +noall +answer www.example.net A >> keys.txt
  dnsseal verify -records keys.txt -now 20100826100439`)
	zone := fs.String("zone", "", "signed zone `file` to validate as a whole")
	records := fs.String("records", "", "`file` of records (e.g. dig +dnssec output; - for stdin) whose RRSIGs and DS records are checked")
	origin := fs.String("origin", "", "zone apex (default: the SOA owner of -zone)")
	anchor := fs.String("anchor", "", "`file` of trust anchors (DS or DNSKEY records); without one the DNSKEYs in the input are taken as given")
	var now timeFlag
	fs.Var(&now, "now", "validation `time`: YYYYMMDDHHMMSS, RFC 3339 or unix seconds (default: the current time)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if (*zone == "") == (*records == "") {
		return usagef("give exactly one of -zone and -records")
	}
	var anchors []dns.RR
	if *anchor != "" {
		var err error
		if anchors, _, err = readInput(e, []string{*anchor}); err != nil {
			return err
		}
		if len(anchors) == 0 {
			return fmt.Errorf("no trust anchors in %s", *anchor)
		}
	}
	t := now.t
	if !now.set {
		t = time.Now()
	}
	if *zone != "" {
		return verifyZone(e, *zone, *origin, anchors, t, *asJSON)
	}
	return verifyRecords(e, *records, anchors, t, *asJSON)
}

// jsonRecordResult is the -json form of one validate.RecordResult.
type jsonRecordResult struct {
	Owner     string `json:"owner"`
	Type      string `json:"type"`
	Record    string `json:"record"`
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
	Detail    string `json:"detail,omitempty"`
	Wildcard  bool   `json:"wildcard,omitempty"`
}

func verifyRecords(e *env, file string, anchors []dns.RR, now time.Time, asJSON bool) error {
	rrs, name, err := readInput(e, []string{file})
	if err != nil {
		return err
	}
	res := validate.Records(rrs, anchors, validate.RecordsOptions{Now: now})
	if len(res) == 0 {
		return fmt.Errorf("no RRSIG or DS records in %s", name)
	}
	counts := map[validate.Status]int{}
	for _, x := range res {
		counts[x.Status]++
	}
	if asJSON {
		out := make([]jsonRecordResult, 0, len(res))
		for _, x := range res {
			j := jsonRecordResult{Owner: x.Owner, Type: dns.Type(x.Type).String(), Record: x.Record.String(),
				KeyTag: x.KeyTag, Algorithm: x.Algorithm, Status: x.Status.String(), Detail: x.Detail, Wildcard: x.Wildcard}
			if x.Reason != validate.ReasonNone {
				j.Reason = x.Reason.String()
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"results": out, "valid": counts[validate.StatusValid],
			"bogus": counts[validate.StatusBogus], "indeterminate": counts[validate.StatusIndeterminate]}); err != nil {
			return err
		}
	} else {
		for _, x := range res {
			fmt.Fprintln(e.stdout, x.String())
		}
		fmt.Fprintf(e.stdout, "%d valid, %d bogus, %d indeterminate\n",
			counts[validate.StatusValid], counts[validate.StatusBogus], counts[validate.StatusIndeterminate])
	}
	if counts[validate.StatusValid] != len(res) {
		return &invalidError{}
	}
	return nil
}
