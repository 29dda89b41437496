"""Berth allocation: discrete dynamic (DBAP, Lalla-Ruiz instances) and continuous quay with tides."""
