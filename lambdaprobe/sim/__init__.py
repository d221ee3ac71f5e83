"""The simulator target: a discrete-event model of Lambda's documented semantics (the rules in
`lambdaprobe.rules`; `lambdaprobe rules` lists them)."""
