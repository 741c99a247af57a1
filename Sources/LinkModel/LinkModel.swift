// The LinkModel module; see ../../README.md and DESIGN.md.
