//go:build !js

package main

import (
	"bufio"
	"fmt"
	"os"
)

// main answers one JSON request per stdin line with one JSON response per stdout line; the same
// Handle as the WebAssembly module, for Go tests and the benchmark.
func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	for in.Scan() {
		fmt.Println(Handle(in.Text()))
	}
}
