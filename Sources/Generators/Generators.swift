// The Generators module; see ../../README.md and DESIGN.md.
