"""Dispatch of work instructions to machines: a pure function of the state, with its own checker."""
