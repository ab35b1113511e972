package main

// setters runs the Setters strategy of image-automation-controller v1.2.0 on one file's text with the kyaml
// v0.21.1 it links: kio.ByteReader{PreserveSeqIndent: true} as internal/update/filereader.go
// ScreeningLocalReader reads a file, a field walk that sets every scalar whose marker names a setter (the
// schema and set step of internal/update/setters.go setterSchema and filter.go SetAllCallback.set:
// Value, then yaml.FormatNonStringStyle with a `type: string` schema), and kio.ByteWriter with the
// LocalPackageWriter's cleared annotations, which writes the file back.

import (
	"bytes"
	"encoding/json"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/kustomize/kyaml/fieldmeta"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	fieldmeta.SetShortHandRef("$imagepolicy")
	openapi.SuppressBuiltInSchemaUse()
}

func setterSchema(name, value string) spec.Schema {
	schema := spec.StringProperty()
	schema.Extensions = map[string]interface{}{}
	schema.Extensions.Add("x-k8s-cli", map[string]interface{}{
		"setter": map[string]string{"name": name, "value": value},
	})
	return *schema
}

type setterExt struct {
	Setter *struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"setter,omitempty"`
}

func visitSetters(object *yaml.RNode, schema *spec.Schema, changed *bool) error {
	switch object.YNode().Kind {
	case yaml.DocumentNode:
		return visitSetters(yaml.NewRNode(object.YNode()), schema, changed)
	case yaml.MappingNode:
		return object.VisitFields(func(node *yaml.MapNode) error { return visitSetters(node.Value, schema, changed) })
	case yaml.SequenceNode:
		return object.VisitElements(func(node *yaml.RNode) error { return visitSetters(node, schema, changed) })
	case yaml.ScalarNode:
		fm := fieldmeta.FieldMeta{SettersSchema: schema}
		if err := fm.Read(object); err != nil || fm.IsEmpty() {
			return nil
		}
		if fm.Schema.Ref.String() != "" {
			if s, err := openapi.Resolve(&fm.Schema.Ref, schema); err == nil && s != nil {
				fm.Schema = *s
			}
		}
		cep := fm.Schema.VendorExtensible.Extensions["x-k8s-cli"]
		if cep == nil {
			return nil
		}
		b, _ := json.Marshal(cep)
		var ext setterExt
		if err := json.Unmarshal(b, &ext); err != nil || ext.Setter == nil {
			return err
		}
		if object.YNode().Value != ext.Setter.Value {
			*changed = true
		}
		object.YNode().Value = ext.Setter.Value
		if len(fm.Schema.Type) > 0 {
			yaml.FormatNonStringStyle(object.YNode(), fm.Schema)
		}
	}
	return nil
}

// setters answers {"ok":true,"output":text,"changed":bool}, or {"ok":false,"error":…} for a file kio cannot read.
func setters(input string, values map[string]string) answer {
	defs := map[string]spec.Schema{}
	for name, value := range values {
		defs[fieldmeta.SetterDefinitionPrefix+name] = setterSchema(name, value)
	}
	schema := &spec.Schema{SchemaProps: spec.SchemaProps{Definitions: defs}}
	nodes, err := (&kio.ByteReader{
		Reader:            bytes.NewBufferString(input),
		SetAnnotations:    map[string]string{kioutil.PathAnnotation: "file.yaml"},
		PreserveSeqIndent: true,
	}).Read()
	if err != nil {
		return answer{"ok": false, "error": err.Error()}
	}
	changed := false
	for _, node := range nodes {
		if err := visitSetters(node, schema, &changed); err != nil {
			return answer{"ok": false, "error": err.Error()}
		}
	}
	var out bytes.Buffer
	err = kio.ByteWriter{
		Writer:           &out,
		ClearAnnotations: []string{kioutil.PathAnnotation, kioutil.LegacyPathAnnotation},
	}.Write(nodes)
	if err != nil {
		return answer{"ok": false, "error": err.Error()}
	}
	return answer{"ok": true, "output": out.String(), "changed": changed}
}
