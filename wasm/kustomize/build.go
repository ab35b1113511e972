// Package main is Tagline's entry point into kustomize: the same generator, build and post-build
// substitution that Flux kustomize-controller runs, over files held in memory.
//
// Upstream: github.com/fluxcd/kustomize-controller internal/controller/kustomization_controller.go
// (build, generate), github.com/fluxcd/pkg/kustomize (Generator, Build, SubstituteVariables),
// sigs.k8s.io/kustomize/api/krusty.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unsafe"

	"github.com/fluxcd/pkg/kustomize"
	securefs "github.com/fluxcd/pkg/kustomize/filesys"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/yaml"
)

// Request is one call from the TypeScript side.
//
//   - op "files": Files maps absolute in-memory paths to their text; a null text removes the path.
//   - op "warm": parses the builtin OpenAPI schema ahead of the first build.
//   - op "build": Path is the directory to build (absolute, in memory); Kustomization is the Flux
//     Kustomization object (apiVersion/kind/metadata/spec) or null for a plain kustomization root;
//     Vars are the values resolved from spec.postBuild.substituteFrom, overridden by
//     spec.postBuild.substitute as LoadVariables/SubstituteVariables do.
type Request struct {
	Op            string             `json:"op"`
	Files         map[string]*string `json:"files,omitempty"`
	Path          string             `json:"path,omitempty"`
	Kustomization map[string]any     `json:"kustomization,omitempty"`
	Vars          map[string]string  `json:"vars,omitempty"`
}

// Response is the answer to a Request. Objects are the built objects as JSON, each with
// kustomize's config.kubernetes.io/origin and alpha.config.kubernetes.io/transformations
// annotations. Error is kustomize's (or the generator's, or envsubst's) own text.
type Response struct {
	Objects        []json.RawMessage `json:"objects"`
	Warnings       []string          `json:"warnings"`
	Read           []string          `json:"read"`
	Kustomizations []string          `json:"kustomizations"`
	Patches        []string          `json:"patches"`
	Unmatched      []UnmatchedPatch  `json:"unmatched"`
	Error          string            `json:"error,omitempty"`
}

var workspace = filesys.MakeFsInMemory()

// Handle runs one JSON Request and returns its JSON Response.
func Handle(input string) (output string) {
	var req Request
	var res Response
	defer func() {
		// kustomize and kyaml panic on some malformed input; Flux recovers the same way (Build).
		if r := recover(); r != nil {
			out, _ := json.Marshal(Response{Objects: []json.RawMessage{}, Warnings: []string{}, Error: fmt.Sprintf("recovered from kustomize build panic: %v", r)})
			output = string(out)
		}
	}()
	if err := json.Unmarshal([]byte(input), &req); err != nil {
		res.Error = err.Error()
	} else {
		switch req.Op {
		case "files":
			res.Error = errorText(setFiles(req.Files))
		case "build":
			res = build(req)
		case "warm":
			// Parses kyaml's builtin Kubernetes OpenAPI schema, which the first strategic-merge patch
			// would otherwise parse in the middle of a build.
			_ = openapi.Schema()
		default:
			res.Error = fmt.Sprintf("unknown op %q", req.Op)
		}
	}
	out, _ := json.Marshal(res)
	return string(out)
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func setFiles(files map[string]*string) error {
	for path, text := range files {
		if text == nil {
			if workspace.Exists(path) {
				if err := workspace.RemoveAll(path); err != nil {
					return err
				}
			}
			continue
		}
		if err := workspace.WriteFile(path, []byte(*text)); err != nil {
			return err
		}
	}
	return nil
}

// recordingFs is the workspace as the build sees it, remembering every file read, so that the
// caller knows which roots an edit touches.
type recordingFs struct {
	filesys.FileSystem
	read map[string]bool
}

func (fs recordingFs) ReadFile(path string) ([]byte, error) {
	if fs.FileSystem.Exists(path) {
		fs.read[path] = true
	}
	return fs.FileSystem.ReadFile(path)
}

func (fs recordingFs) Open(path string) (filesys.File, error) {
	if fs.FileSystem.Exists(path) {
		fs.read[path] = true
	}
	return fs.FileSystem.Open(path)
}

func build(req Request) (res Response) {
	res.Objects = []json.RawMessage{}
	res.Warnings = []string{}
	disk := recordingFs{FileSystem: workspace, read: map[string]bool{}}
	fs := securefs.MakeFsInMemory(disk)
	defer func() {
		res.Read = sortedKeys(disk.read)
	}()

	ks := unstructured.Unstructured{Object: req.Kustomization}
	if ks.Object == nil {
		ks.Object = map[string]any{}
	}
	manifest, kfile, err := generate(fs, req.Path, ks)
	if err != nil {
		res.Error = err.Error()
		return
	}
	// The generated kustomization stands in for the workspace's file during this build only, so that
	// the next build generates from the file as written (Flux restores it too: Generator.WriteFile's action).
	original, readErr := workspace.ReadFile(kfile)
	defer func() {
		if readErr == nil {
			_ = workspace.WriteFile(kfile, original)
		} else if workspace.Exists(kfile) {
			_ = workspace.RemoveAll(kfile)
		}
	}()
	if err := fs.WriteFile(kfile, manifest); err != nil {
		res.Error = err.Error()
		return
	}
	plan := &offlinePlan{fs: fs, visited: map[string]bool{}}
	plan.walk(req.Path)
	res.Warnings = append(res.Warnings, plan.warnings...)
	res.Kustomizations = plan.kustomizations
	res.Patches = sortedKeys(plan.patches)

	resMap, err := buildRoot(fs, req.Path, plan.openAPI)
	if err != nil {
		res.Error = err.Error()
		return
	}
	res.Unmatched = plan.unmatchedPatches(fs)

	if _, hasPostBuild := ks.Object["spec"].(map[string]any)["postBuild"]; hasPostBuild {
		if err := mergeSubstituteFrom(&ks, req.Vars); err != nil {
			res.Error = err.Error()
			return
		}
		for _, r := range resMap.Resources() {
			out, err := kustomize.SubstituteVariables(context.Background(), nil, ks, r, kustomize.SubstituteWithDryRun(true))
			if err != nil {
				res.Error = err.Error()
				return
			}
			if out != nil {
				if _, err := resMap.Replace(out); err != nil {
					res.Error = err.Error()
					return
				}
			}
		}
	}

	for _, r := range resMap.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			res.Error = err.Error()
			return
		}
		res.Objects = append(res.Objects, data)
	}
	return
}

// buildRoot is github.com/fluxcd/pkg/kustomize Build (krusty with LoadRestrictionsNone and only builtin
// plugins, panics recovered) except for one thing: Build resets kyaml's global OpenAPI schema before and
// after every build, so the embedded Kubernetes schema is parsed again each time (seconds in WebAssembly).
// Here the builtin schema stays loaded, and is reset as Build does only around a build whose
// kustomizations declare their own `openapi` schema, the only way one build could leak into the next.
func buildRoot(fs filesys.FileSystem, dirPath string, customOpenAPI bool) (res resmap.ResMap, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered from kustomize build panic: %v", r)
		}
	}()
	if customOpenAPI {
		openapi.ResetOpenAPI()
		_ = openapi.Schema()
		defer openapi.ResetOpenAPI()
	}
	k := krusty.MakeKustomizer(&krusty.Options{
		LoadRestrictions: kustypes.LoadRestrictionsNone,
		PluginConfig:     kustypes.DisabledPluginConfig(),
	})
	return k.Run(fs, dirPath)
}

// generate is kustomize-controller's generate step (generator.NewGenerator(workDir, obj).WriteFile)
// on the in-memory file system, plus the build metadata Tagline reads to map objects back to files.
func generate(fs filesys.FileSystem, dirPath string, ks unstructured.Unstructured) ([]byte, string, error) {
	if _, ok := ks.Object["spec"].(map[string]any); !ok {
		ks.Object["spec"] = map[string]any{}
	}
	g := kustomize.NewGenerator("", ks)
	useFileSystem(g, fs)
	manifest, kfile, _, err := g.GenerateManifest(dirPath)
	if err != nil {
		return nil, "", err
	}
	var kus kustypes.Kustomization
	if err := yaml.Unmarshal(manifest, &kus); err != nil {
		return nil, "", err
	}
	for _, option := range []string{kustypes.OriginAnnotations, kustypes.TransformerAnnotations} {
		if !contains(kus.BuildMetadata, option) {
			kus.BuildMetadata = append(kus.BuildMetadata, option)
		}
	}
	manifest, err = yaml.Marshal(kus)
	return manifest, kfile, err
}

// useFileSystem gives the Generator our file system. fluxcd/pkg/kustomize v1.44.0 reads and
// walks through Generator.fs (getFS) but offers no option to set it, and would otherwise open
// the real disk; the field is set by reflection, and a missing field fails every build loudly.
func useFileSystem(g *kustomize.Generator, fs filesys.FileSystem) {
	field := reflect.ValueOf(g).Elem().FieldByName("fs")
	if !field.IsValid() || field.Type() != reflect.TypeOf((*filesys.FileSystem)(nil)).Elem() {
		panic("github.com/fluxcd/pkg/kustomize Generator has no fs field of type filesys.FileSystem")
	}
	reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Set(reflect.ValueOf(&fs).Elem())
}

// mergeSubstituteFrom puts the values the caller resolved from substituteFrom under
// spec.postBuild.substitute, inline values winning, as LoadVariables then SubstituteVariables
// merge them (newlines removed from both).
func mergeSubstituteFrom(ks *unstructured.Unstructured, vars map[string]string) error {
	inline, _, err := unstructured.NestedStringMap(ks.Object, "spec", "postBuild", "substitute")
	if err != nil {
		return err
	}
	merged := map[string]any{}
	for k, v := range vars {
		merged[k] = strings.ReplaceAll(v, "\n", "")
	}
	for k, v := range inline {
		merged[k] = v
	}
	return unstructured.SetNestedField(ks.Object, merged, "spec", "postBuild", "substitute")
}

// offlinePlan walks the kustomizations a build will load and takes out what would reach the
// network or run a program: remote resources and components (kustomize would clone or
// download them) and helmCharts (which run helm). It also collects the files used as patches.
type offlinePlan struct {
	fs             filesys.FileSystem
	visited        map[string]bool
	warnings       []string
	kustomizations []string
	patches        map[string]bool
	openAPI        bool
	// renames: a kustomization of the build sets namePrefix/nameSuffix; namespaces: one sets namespace.
	renames, namespaces bool
	targeted            []targetedKustomization
}

type targetedKustomization struct {
	dir, file string
	kus       kustypes.Kustomization
}

func (p *offlinePlan) walk(dir string) {
	if p.visited[dir] {
		return
	}
	p.visited[dir] = true
	if p.patches == nil {
		p.patches = map[string]bool{}
	}
	kfile := ""
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		candidate := filepath.Join(dir, name)
		if p.fs.Exists(candidate) && !p.fs.IsDir(candidate) {
			kfile = candidate
			break
		}
	}
	if kfile == "" {
		return
	}
	data, err := p.fs.ReadFile(kfile)
	if err != nil {
		return
	}
	var kus kustypes.Kustomization
	if yaml.Unmarshal(data, &kus) != nil {
		return
	}
	kus.FixKustomization()
	p.kustomizations = append(p.kustomizations, kfile)
	p.openAPI = p.openAPI || len(kus.OpenAPI) > 0
	p.renames = p.renames || kus.NamePrefix != "" || kus.NameSuffix != ""
	p.namespaces = p.namespaces || kus.Namespace != ""
	if hasTarget(kus.Patches) || hasTarget(kus.PatchesJson6902) {
		p.targeted = append(p.targeted, targetedKustomization{dir: dir, file: kfile, kus: kus})
	}
	changed := false
	kus.Resources, changed = p.local(dir, kus.Resources, changed)
	kus.Components, changed = p.local(dir, kus.Components, changed)
	if len(kus.HelmCharts) > 0 || len(kus.HelmChartInflationGenerator) > 0 {
		for _, chart := range kus.HelmCharts {
			p.warnings = append(p.warnings, fmt.Sprintf("built without Helm chart %s (helmCharts are not run)", chart.Name))
		}
		for _, chart := range kus.HelmChartInflationGenerator {
			p.warnings = append(p.warnings, fmt.Sprintf("built without Helm chart %s (helmCharts are not run)", chart.ChartName))
		}
		kus.HelmCharts, kus.HelmChartInflationGenerator, kus.HelmGlobals = nil, nil, nil
		changed = true
	}
	for _, patch := range kus.Patches {
		p.patch(dir, patch.Path)
	}
	for _, patch := range kus.PatchesJson6902 {
		p.patch(dir, patch.Path)
	}
	for _, patch := range kus.PatchesStrategicMerge {
		if !strings.Contains(string(patch), "\n") {
			p.patch(dir, string(patch))
		}
	}
	if changed {
		// Taking out its only (remote) resources leaves kustomize's "kustomization.yaml is empty" error, which
		// the folder with its remote base does not have (hmcts/sds-flux-config's cert-manager folder). A name
		// in its metadata, which no build reads, keeps it a kustomization that adds nothing.
		if isEmptyWritten(kus) {
			kus.MetaData = &kustypes.ObjectMeta{Name: "built-without-remote-bases"}
		}
		if out, err := yaml.Marshal(kus); err == nil {
			_ = p.fs.WriteFile(kfile, out)
		}
	}
}

// isEmptyWritten tells whether kus, written out and read back as kustomize reads it, is the empty
// kustomization that kusttarget.Load refuses (types.Kustomization.CheckEmpty; empty lists vanish on the way).
func isEmptyWritten(kus kustypes.Kustomization) bool {
	out, err := yaml.Marshal(kus)
	if err != nil {
		return false
	}
	var back kustypes.Kustomization
	if yaml.Unmarshal(out, &back) != nil {
		return false
	}
	back.FixKustomization()
	return back.CheckEmpty() != nil
}

func (p *offlinePlan) local(dir string, entries []string, changed bool) ([]string, bool) {
	kept := entries[:0:0]
	for _, entry := range entries {
		if !kustomize.IsLocalRelativePath(entry) {
			p.warnings = append(p.warnings, fmt.Sprintf("built without remote base %s", entry))
			changed = true
			continue
		}
		kept = append(kept, entry)
		path := filepath.Join(dir, entry)
		if p.fs.IsDir(path) {
			p.walk(path)
		}
	}
	return kept, changed
}

func (p *offlinePlan) patch(dir, path string) {
	if path == "" {
		return
	}
	full := filepath.Join(dir, path)
	if p.fs.Exists(full) && !p.fs.IsDir(full) {
		p.patches[full] = true
	}
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
