"""Beam stages: one PTransform (and its DoFn) per module, thin over the libraries beside them.

A stage imports libraries and :mod:`voicescrub.transforms.runtime`, never another stage;
``pipeline/build.py`` chains them."""
