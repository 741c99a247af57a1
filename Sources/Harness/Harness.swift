// The Harness module; see ../../README.md and DESIGN.md.
