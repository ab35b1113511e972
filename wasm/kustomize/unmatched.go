package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// UnmatchedPatch is a `patches` (or `patchesJson6902`) entry with a target that selects no resource of
// its kustomization. kustomize applies such a patch to nothing without a word (api/internal/builtins
// PatchTransformer.go transformStrategicMerge and transformJson6902: m.Select(*p.Target) returns an empty
// list); Tagline reports it as a warning. A patch without a target that matches nothing is kustomize's
// own error ("no resource matches strategic merge patch"), reported as the build's error.
type UnmatchedPatch struct {
	// Kustomization is the kustomization file (absolute, in memory) holding the entry.
	Kustomization string `json:"kustomization"`
	// Field is "patches" or "patchesJson6902"; Index the entry's position in it.
	Field  string            `json:"field"`
	Index  int               `json:"index"`
	Target kustypes.Selector `json:"target"`
}

func hasTarget(patches []kustypes.Patch) bool {
	for _, patch := range patches {
		if patch.Target != nil {
			return true
		}
	}
	return false
}

// unmatchedCache keeps each kustomization's answer with the hashes of the files its selection read.
var unmatchedCache = map[string]unmatchedEntry{}

type unmatchedEntry struct {
	reads  map[string]string
	result []UnmatchedPatch
}

func fileHash(fs filesys.FileSystem, path string) string {
	data, err := fs.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// unmatchedPatches finds, for each kustomization of the build with targeted patches, the targets that
// select nothing. The resources a kustomization's patches see are its resources, components and generators
// before its own transformers run: that set is built here by kustomize itself (krusty) from a copy of the
// kustomization without its transformers, and each target is matched with kustomize's own selection
// (resmap.Select). kustomize also matches a target against a resource's name before a base renamed it;
// that history is gone from a finished build, so a target's name (namespace) is not judged when a
// kustomization of the build renames (sets a namespace).
func (p *offlinePlan) unmatchedPatches(fs filesys.FileSystem) []UnmatchedPatch {
	out := []UnmatchedPatch{}
	for _, t := range p.targeted {
		key := t.file + "\x00" + fmt.Sprint(p.renames, p.namespaces)
		if cached, ok := unmatchedCache[key]; ok && sameReads(fs, cached.reads) {
			out = append(out, cached.result...)
			continue
		}
		reads, result := p.unmatchedIn(fs, t)
		if reads != nil {
			unmatchedCache[key] = unmatchedEntry{reads: reads, result: result}
		}
		out = append(out, result...)
	}
	return out
}

func sameReads(fs filesys.FileSystem, reads map[string]string) bool {
	for path, hash := range reads {
		if fileHash(fs, path) != hash {
			return false
		}
	}
	return true
}

func (p *offlinePlan) unmatchedIn(fs filesys.FileSystem, t targetedKustomization) (map[string]string, []UnmatchedPatch) {
	bare := kustypes.Kustomization{
		TypeMeta:           t.kus.TypeMeta,
		Resources:          t.kus.Resources,
		Components:         t.kus.Components,
		ConfigMapGenerator: t.kus.ConfigMapGenerator,
		SecretGenerator:    t.kus.SecretGenerator,
		GeneratorOptions:   t.kus.GeneratorOptions,
		Generators:         t.kus.Generators,
		OpenAPI:            t.kus.OpenAPI,
		Crds:               t.kus.Crds,
	}
	text, err := yaml.Marshal(bare)
	if err != nil {
		return nil, nil
	}
	reading := recordingFs{FileSystem: overlayFs{FileSystem: fs, path: t.file, text: text}, read: map[string]bool{}}
	resMap, err := buildRoot(reading, t.dir, p.openAPI)
	if err != nil {
		// The real build already reported what fails here.
		return nil, nil
	}
	reads := map[string]string{t.file: fileHash(fs, t.file)}
	for path := range reading.read {
		reads[path] = fileHash(fs, path)
	}
	var result []UnmatchedPatch
	for _, list := range []struct {
		field   string
		patches []kustypes.Patch
	}{{"patches", t.kus.Patches}, {"patchesJson6902", t.kus.PatchesJson6902}} {
		for i, patch := range list.patches {
			if patch.Target == nil {
				continue
			}
			selector := *patch.Target
			if p.renames {
				selector.Name = ""
			}
			if p.namespaces {
				selector.Namespace = ""
			}
			selected, err := resMap.Select(selector)
			if err != nil || len(selected) > 0 {
				continue
			}
			result = append(result, UnmatchedPatch{Kustomization: t.file, Field: list.field, Index: i, Target: *patch.Target})
		}
	}
	return reads, result
}

// overlayFs is a file system where one file reads as other text.
type overlayFs struct {
	filesys.FileSystem
	path string
	text []byte
}

func (fs overlayFs) ReadFile(path string) ([]byte, error) {
	if path == fs.path {
		return fs.text, nil
	}
	return fs.FileSystem.ReadFile(path)
}
