"""Sample kinds: `basic` and `cot` (qa.py), `agent` (agent/): each builds one record per slot."""
