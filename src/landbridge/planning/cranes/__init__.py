"""Quay crane scheduling (Meisel & Bierwirth unified model), QCSPgen instance format."""
