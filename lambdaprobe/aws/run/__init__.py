"""A run on AWS: apply the plan, drive the stimulus, collect what happened (the I/O)."""
