// Command flux-oracle answers, one JSON line per JSON line read on stdin, what the libraries the Flux
// image-reflector-controller v1.2.0 links say about an input. Tagline's differential tests
// (test/flux/oracle.test.ts) compare its own ports with these answers.
//
// Requests (field "kind" selects the function):
//
//	{"kind":"reference","input":"ghcr.io/x","insecure":false}
//	    internal/registry.ParseImageReference (the controller's wrapper around go-containerregistry
//	    name.ParseReference), plus name.NewTag / name.NewDigest for the precise reason and the Context()'s
//	    Name, RegistryStr, RepositoryStr and Scheme.
//	{"kind":"regexp","pattern":"^v1","subjects":["v1.0"]}   regexp.Compile and MatchString on each subject.
//	{"kind":"duration","input":"1m30s"}                    time.ParseDuration, in nanoseconds.
//	{"kind":"float","input":"1e3"}                         strconv.ParseFloat(input, 64).
//	{"kind":"semver","constraint":">=1.0","versions":[…]}  Masterminds semver/v3 NewConstraint (String),
//	    NewVersion (String, Compare with the next version, Check, Validate), StrictNewVersion,
//	    fluxcd/pkg/version v0.16.0 ParseVersion.
//	{"kind":"setters","input":"<file>","setters":{"ns:p:tag":"1.2.0"}}
//	    image-automation-controller v1.2.0's Setters strategy on one file with kyaml v0.21.1 (setters.go):
//	    the file as the automation would write it back.
//
// Answers carry "ok" and either the results or "error" (Go's own error text).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/fluxcd/pkg/version"
	"github.com/google/go-containerregistry/pkg/name"
)

type request struct {
	Kind       string            `json:"kind"`
	Input      string            `json:"input"`
	Insecure   bool              `json:"insecure"`
	Pattern    string            `json:"pattern"`
	Subjects   []string          `json:"subjects"`
	Constraint string            `json:"constraint"`
	Versions   []string          `json:"versions"`
	Setters    map[string]string `json:"setters"`
}

type answer map[string]any

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for in.Scan() {
		var req request
		var a answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			a = answer{"ok": false, "error": "oracle: " + err.Error()}
		} else {
			a = handle(req)
		}
		if err := encoder.Encode(a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out.Flush()
	}
	out.Flush()
}

func handle(req request) answer {
	switch req.Kind {
	case "reference":
		return reference(req.Input, req.Insecure)
	case "regexp":
		re, err := regexp.Compile(req.Pattern)
		if err != nil {
			return answer{"ok": false, "error": err.Error()}
		}
		matches := make([]bool, len(req.Subjects))
		for i, s := range req.Subjects {
			matches[i] = re.MatchString(s)
		}
		return answer{"ok": true, "matches": matches}
	case "duration":
		d, err := time.ParseDuration(req.Input)
		if err != nil {
			return answer{"ok": false, "error": err.Error()}
		}
		return answer{"ok": true, "ns": strconv.FormatInt(int64(d), 10), "string": d.String()}
	case "float":
		f, err := strconv.ParseFloat(req.Input, 64)
		a := answer{"ok": err == nil, "value": strconv.FormatFloat(f, 'g', -1, 64)}
		if err != nil {
			a["error"] = err.Error()
		}
		return a
	case "semver":
		return semverCheck(req.Constraint, req.Versions)
	case "setters":
		return setters(req.Input, req.Setters)
	}
	return answer{"ok": false, "error": "oracle: unknown kind " + strconv.Quote(req.Kind)}
}

// reference is internal/registry.ParseImageReference of image-reflector-controller v1.2.0, line for line.
func reference(url string, insecure bool) answer {
	a := answer{"ok": false}
	if _, err := name.NewTag(url); err != nil {
		a["tagError"] = err.Error()
	}
	if _, err := name.NewDigest(url); err != nil {
		a["digestError"] = err.Error()
	}
	if s := strings.Split(url, "://"); len(s) > 1 {
		a["error"] = fmt.Sprintf("image '%s' should not include URL scheme; remove '%s://'", url, s[0])
		return a
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(url, opts...)
	if err != nil {
		a["error"] = err.Error()
		return a
	}
	imageName := strings.TrimPrefix(url, ref.Context().RegistryStr())
	if s := strings.Split(imageName, ":"); len(s) > 1 {
		a["error"] = fmt.Sprintf("image '%s' should not include a tag; remove ':%s'", url, s[1])
		return a
	}
	a["ok"] = true
	a["canonicalImageName"] = ref.Context().Name()
	a["registry"] = ref.Context().RegistryStr()
	a["repository"] = ref.Context().RepositoryStr()
	a["scheme"] = ref.Context().Scheme()
	return a
}

// semverCheck answers, for each version: NewVersion (coerced, the library default Flux keeps), its String(),
// Compare with the next version, Check and Validate's errors (when the constraint parses); StrictNewVersion; and
// fluxcd/pkg/version ParseVersion, which the controller's semver policy applies to every tag.
func semverCheck(constraint string, versions []string) answer {
	c, err := semver.NewConstraint(constraint)
	parsed := make([]*semver.Version, len(versions))
	for i, v := range versions {
		parsed[i], _ = semver.NewVersion(v)
	}
	results := make([]answer, len(versions))
	for i, v := range versions {
		r := answer{"ok": parsed[i] != nil}
		if strict, err := semver.StrictNewVersion(v); err != nil {
			r["strictError"] = err.Error()
		} else {
			r["strict"] = strict.String()
		}
		if flux, err := version.ParseVersion(v); err != nil {
			r["fluxError"] = err.Error()
		} else {
			r["flux"] = flux.String()
		}
		if parsed[i] == nil {
			_, err := semver.NewVersion(v)
			r["error"] = err.Error()
			results[i] = r
			continue
		}
		r["version"] = parsed[i].String()
		if c != nil {
			r["matches"] = c.Check(parsed[i])
			valid, errs := c.Validate(parsed[i])
			r["valid"] = valid
			reasons := make([]string, len(errs))
			for j, e := range errs {
				reasons[j] = e.Error()
			}
			r["reasons"] = reasons
		}
		if next := parsed[(i+1)%len(parsed)]; next != nil {
			r["compareNext"] = parsed[i].Compare(next)
		}
		results[i] = r
	}
	if err != nil {
		return answer{"ok": false, "error": err.Error(), "versions": results}
	}
	return answer{"ok": true, "constraints": c.String(), "versions": results}
}
