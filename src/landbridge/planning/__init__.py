"""Optimisation problems of the hub, their solvers and independent checkers.

Each problem lives in its own package (``berth``, ``cranes``, ``yard``, ``trains``, ``silos``) with
``problem.py`` (typed instance + reader), ``solve.py`` (the formulation) and ``check.py`` (a checker
that shares no code with the formulation). ``entry.py`` of each package registers the CLI kinds.
"""
