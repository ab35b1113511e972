//go:build js && wasm

package main

import "syscall/js"

// main exposes Handle to JavaScript as globalThis.taglineKustomize(requestJSON) → responseJSON
// and then waits for calls.
func main() {
	js.Global().Set("taglineKustomize", js.FuncOf(func(this js.Value, args []js.Value) any {
		return Handle(args[0].String())
	}))
	select {}
}
