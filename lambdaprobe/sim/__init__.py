"""The simulator target: a discrete-event model of Lambda's documented semantics (SEMANTICS.md)."""
