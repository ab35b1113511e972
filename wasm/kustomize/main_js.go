//go:build js && wasm

package main

import (
	"runtime/debug"
	"syscall/js"
)

// gcPercent is GOGC for the module. Go's garbage collector on js/wasm has one thread and marks in the
// middle of a build; a build's live heap is small (~8 MB for a 64-file root) and garbage-heavy
// (kustomize re-encodes YAML for every transformer), so Go's default 100 collects every few MB. At 400
// the collector's share of a build falls from about 9% to about 2% for some 65 MB more WebAssembly memory
// per module (bench:kustomize: 170 MB instead of 106 MB).
const gcPercent = 400

// main exposes Handle to JavaScript as globalThis.taglineKustomize(requestJSON) → responseJSON
// and then waits for calls.
func main() {
	debug.SetGCPercent(gcPercent)
	js.Global().Set("taglineKustomize", js.FuncOf(func(this js.Value, args []js.Value) any {
		return Handle(args[0].String())
	}))
	select {}
}
