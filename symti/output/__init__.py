"""What symti shows (the output layer): the report, LaTeX, the command line,
the derivation toolkit and the benchmarks.  Nothing below imports from here.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md``, the introduction to the derivations (§1-§5).
"""
