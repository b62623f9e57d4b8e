"""macOS as a platform: pure parsers of the outputs of sw_vers, uname -m, sysctl, xcode-select and xcrun, and
the Go release -> minimum macOS table (data/go-macos-minimum.json, from the Go release notes)."""
