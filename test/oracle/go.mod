module tagline.invalid/flux-oracle

go 1.26.0

require (
	github.com/Masterminds/semver/v3 v3.5.0
	github.com/fluxcd/pkg/version v0.16.0
	github.com/google/go-containerregistry v0.21.6
)

require github.com/opencontainers/go-digest v1.0.0 // indirect
