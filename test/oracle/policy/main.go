// Command tagline-policy-oracle answers which tag an ImagePolicy selects, with image-reflector-controller's own
// internal/policy package. Go lets only packages inside a module's tree import its internal/ packages, so
// scripts/go-build.mjs copies this file into a copy of the downloaded controller module (the release pinned in
// scripts/go/versions.json) and builds it there; it is not part of the test/oracle module.
//
// One JSON request per line on stdin, one JSON answer per line on stdout:
//
//	{"policy":{"semver":{"range":">=1.0"}},"filterTags":{"pattern":"^v(?P<v>.*)","extract":"$v"},"tags":["v1.0"]}
//
// The answer follows the controller's applyPolicy (internal/controller/imagepolicy_controller.go) step by step:
// policy.PolicerFromSpec first (`invalid policy: …`), an empty tag list is `no tags in database`, then
// policy.NewRegexFilter (`failed to filter tags: …`), filter.Apply, filter.Items, Latest and GetOriginalTag.
// RegexFilter.Items ranges over a Go map, so its order is random and, for values a policy ranks equal (or a
// numerical list with several unparsable values), so is the selection. The first outcome is Latest on the values
// in the order of their first appearance in the tag list (each tag's value found by the filter itself); further
// outcomes are what other orders (the map's own, sorted, reversed, shuffled) select.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"sort"

	imagev1 "github.com/fluxcd/image-reflector-controller/api/v1"
	"github.com/fluxcd/image-reflector-controller/internal/policy"
)

type request struct {
	Policy     imagev1.ImagePolicyChoice `json:"policy"`
	FilterTags *imagev1.TagFilter        `json:"filterTags"`
	Tags       []string                  `json:"tags"`
}

type outcome struct {
	OK            bool   `json:"ok"`
	Latest        string `json:"latest,omitempty"`
	Error         string `json:"error,omitempty"`
	InvalidPolicy bool   `json:"invalidPolicy,omitempty"`
	NoTags        bool   `json:"noTags,omitempty"`
}

type answer struct {
	// Outcomes[0] is the selection with the filtered values in the order of their first appearance in the tags;
	// any further ones are what other orders of the same values select.
	Outcomes []outcome `json:"outcomes"`
	// Items: with filterTags, each value the policy sees → the tag it came from (GetOriginalTag).
	Items map[string]string `json:"items"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	random := rand.New(rand.NewSource(1))
	for in.Scan() {
		var req request
		var a answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			a = answer{Outcomes: []outcome{{Error: "oracle: " + err.Error()}}}
		} else {
			a = applyPolicy(req, random)
		}
		if err := encoder.Encode(a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out.Flush()
	}
}

// applyPolicy is image-reflector-controller v1.2.0 ImagePolicyReconciler.applyPolicy with the tags given instead
// of read from its database.
func applyPolicy(req request, random *rand.Rand) answer {
	policer, err := policy.PolicerFromSpec(req.Policy)
	if err != nil {
		return single(outcome{Error: fmt.Errorf("invalid policy: %w", err).Error(), InvalidPolicy: true})
	}
	tags := req.Tags
	if len(tags) == 0 {
		return single(outcome{Error: "no tags in database", NoTags: true})
	}
	if req.FilterTags == nil {
		return single(latest(policer, tags, nil))
	}
	filter, err := policy.NewRegexFilter(req.FilterTags.Pattern, req.FilterTags.Extract)
	if err != nil {
		return single(outcome{Error: fmt.Errorf("failed to filter tags: %w", err).Error(), InvalidPolicy: true})
	}
	filter.Apply(tags)
	items := filter.Items()
	// The map's order, one of many: Tagline takes the values in the order of their first appearance in the
	// tag list, which the map may produce too. That order is asked first, so its outcome comes first; the
	// other orders show whether the controller's own choice varies.
	firstSeen := map[string]int{}
	for i, tag := range tags {
		filter.Apply([]string{tag})
		for _, value := range filter.Items() {
			if _, seen := firstSeen[value]; !seen {
				firstSeen[value] = i
			}
		}
	}
	filter.Apply(tags)
	byFirstSeen := append([]string(nil), items...)
	sort.SliceStable(byFirstSeen, func(a, b int) bool { return firstSeen[byFirstSeen[a]] < firstSeen[byFirstSeen[b]] })
	sorted := append([]string(nil), items...)
	sort.Strings(sorted)
	reversed := append([]string(nil), sorted...)
	sort.Sort(sort.Reverse(sort.StringSlice(reversed)))
	orders := [][]string{byFirstSeen, items, sorted, reversed}
	for i := 0; i < 3; i++ {
		shuffled := append([]string(nil), items...)
		random.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		orders = append(orders, shuffled)
	}
	a := answer{Items: map[string]string{}}
	for _, value := range items {
		a.Items[value] = filter.GetOriginalTag(value)
	}
	seen := map[outcome]bool{}
	for _, order := range orders {
		o := latest(policer, order, filter)
		if !seen[o] {
			seen[o] = true
			a.Outcomes = append(a.Outcomes, o)
		}
	}
	return a
}

func latest(policer policy.Policer, tags []string, filter *policy.RegexFilter) outcome {
	l, err := policer.Latest(tags)
	if err != nil {
		return outcome{Error: err.Error()}
	}
	if filter != nil {
		l = filter.GetOriginalTag(l)
	}
	return outcome{OK: true, Latest: l}
}

func single(o outcome) answer { return answer{Outcomes: []outcome{o}} }
