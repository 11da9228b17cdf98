package kmsbackend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// This file evaluates just enough of the IAM policy language to decide
// whether a key policy lets a service principal call a KMS action.

type policyDoc struct {
	Statements []statement
}

type statement struct {
	Sid          string
	Effect       string
	Principal    *principal // nil when absent
	NotPrincipal *principal
	Actions      []string
	NotActions   []string
	hasNotAction bool
	Resources    []string
	NotResources []string
	hasResource  bool
	hasNotRes    bool
	Conditional  bool
}

// principal is a parsed Principal element: "*" or a map of principal
// type (AWS, Service, Federated, CanonicalUser) to values.
type principal struct {
	everyone bool
	byType   map[string][]string
}

type requester struct {
	typ, id string
}

func servicePrincipal(name string) requester { return requester{"Service", name} }

func (p *principal) matches(r requester) bool {
	if p.everyone {
		return true
	}
	for _, v := range p.byType["AWS"] {
		if v == "*" {
			return true // {"AWS": "*"} is every principal, like "*"
		}
	}
	for _, v := range p.byType[r.typ] {
		if globMatch(strings.ToLower(v), strings.ToLower(r.id)) {
			return true
		}
	}
	return false
}

func parsePolicy(doc string) (*policyDoc, error) {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy is not a JSON object: %w", err)
	}
	var rawStmts []json.RawMessage
	switch t := bytes.TrimSpace(raw.Statement); {
	case len(t) == 0 || bytes.Equal(t, []byte("null")):
		return nil, errors.New("policy has no Statement")
	case t[0] == '[':
		if err := json.Unmarshal(t, &rawStmts); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
	default:
		rawStmts = []json.RawMessage{t}
	}
	p := &policyDoc{}
	for i, rs := range rawStmts {
		s, err := parseStatement(rs)
		if err != nil {
			return nil, fmt.Errorf("policy statement %d: %w", i+1, err)
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func parseStatement(b []byte) (statement, error) {
	var raw struct {
		Sid          string
		Effect       string
		Principal    json.RawMessage
		NotPrincipal json.RawMessage
		Action       json.RawMessage
		NotAction    json.RawMessage
		Resource     json.RawMessage
		NotResource  json.RawMessage
		Condition    json.RawMessage
	}
	var s statement
	if err := json.Unmarshal(b, &raw); err != nil {
		return s, err
	}
	s.Sid = raw.Sid
	s.Effect = raw.Effect
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return s, fmt.Errorf("effect %q is neither Allow nor Deny", raw.Effect)
	}
	var err error
	if s.Principal, err = parsePrincipal(raw.Principal); err != nil {
		return s, fmt.Errorf("Principal: %w", err)
	}
	if s.NotPrincipal, err = parsePrincipal(raw.NotPrincipal); err != nil {
		return s, fmt.Errorf("NotPrincipal: %w", err)
	}
	if s.Actions, _, err = stringOrList(raw.Action); err != nil {
		return s, fmt.Errorf("Action: %w", err)
	}
	if s.NotActions, s.hasNotAction, err = stringOrList(raw.NotAction); err != nil {
		return s, fmt.Errorf("NotAction: %w", err)
	}
	if s.Resources, s.hasResource, err = stringOrList(raw.Resource); err != nil {
		return s, fmt.Errorf("Resource: %w", err)
	}
	if s.NotResources, s.hasNotRes, err = stringOrList(raw.NotResource); err != nil {
		return s, fmt.Errorf("NotResource: %w", err)
	}
	c := bytes.TrimSpace(raw.Condition)
	s.Conditional = len(c) > 0 && !bytes.Equal(c, []byte("null")) && !bytes.Equal(c, []byte("{}"))
	return s, nil
}

// stringOrList parses a JSON string or array of strings; present reports
// whether the element was there at all.
func stringOrList(b json.RawMessage) (v []string, present bool, err error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, false, nil
	}
	if t[0] == '[' {
		err = json.Unmarshal(t, &v)
		return v, true, err
	}
	var s string
	if err := json.Unmarshal(t, &s); err != nil {
		return nil, true, err
	}
	return []string{s}, true, nil
}

func parsePrincipal(b json.RawMessage) (*principal, error) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	if t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf("string principal %q is not \"*\"", s)
		}
		return &principal{everyone: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, err
	}
	p := &principal{byType: map[string][]string{}}
	for k, v := range m {
		vals, _, err := stringOrList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		p.byType[k] = vals
	}
	return p, nil
}

// appliesTo reports whether the statement covers the request.
func (s *statement) appliesTo(r requester, action, resource string) bool {
	switch {
	case s.Principal != nil && !s.Principal.matches(r):
		return false
	case s.NotPrincipal != nil && s.NotPrincipal.matches(r):
		return false
	case s.Principal == nil && s.NotPrincipal == nil:
		return false // a key policy statement without a principal grants nothing
	}
	if s.hasNotAction {
		if anyGlob(s.NotActions, action, true) {
			return false
		}
	} else if !anyGlob(s.Actions, action, true) {
		return false
	}
	if s.hasResource && !anyGlob(s.Resources, resource, false) && !anyGlob(s.Resources, "*", false) {
		return false
	}
	if s.hasNotRes && anyGlob(s.NotResources, resource, false) {
		return false
	}
	return true
}

type decision uint8

const (
	decisionImplicitDeny decision = iota
	decisionAllow
	decisionDeny
)

// decide evaluates the policy: an applicable Deny wins (whatever its
// conditions), else an applicable Allow allows (its conditions are not
// evaluated), else the request is implicitly denied.
func (p *policyDoc) decide(r requester, action, resource string) decision {
	d := decisionImplicitDeny
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.appliesTo(r, action, resource) {
			continue
		}
		if s.Effect == "Deny" {
			return decisionDeny
		}
		d = decisionAllow
	}
	return d
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if globMatch(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if globMatch(p, s) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern, where * matches any run of
// characters and ? any one character (IAM wildcards).
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
