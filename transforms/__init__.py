"""voicescrub's stages and the libraries they use.

``stages/`` holds the Beam PTransforms, one per module; every other folder is a
plain-Python library grouped by domain (``asr``, ``audio``, ``pii``, ``privacy``,
``language``, ``audit``, ``io``) or the shared ``runtime`` of the stages. See
``docs/architecture.md``.
"""
