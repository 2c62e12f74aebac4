"""Pure rules: no AWS, no I/O, fully unit-tested."""
