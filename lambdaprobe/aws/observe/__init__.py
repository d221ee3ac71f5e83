"""Reading a run back, without I/O: log lines, queue messages, what to expect and until when. Pure."""
