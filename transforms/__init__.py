"""Stages of the voicescrub pipeline: one PTransform per module, plain logic beside it."""
