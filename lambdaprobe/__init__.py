"""lambdaprobe: answer the questions people argue about in AWS Lambda, by experiment."""

__version__ = "0.1.0"
