"""The Library screen: every simulation's latest result, run-all, history and diffs between runs."""
