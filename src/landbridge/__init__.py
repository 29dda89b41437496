"""landbridge: the open system for a sea–rail intermodal hub."""

__version__ = "0.1.0"
