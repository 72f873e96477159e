"""What symti shows (the output layer): the report (``report``,
``threshold_report``), figures (``plot``), the derivation document
(``derive``), LaTeX and its read-back (``latex``, ``latex_parse``), the
command line (``cli``, ``cliargs``, ``commands/``), the derivation toolkit
(``derivation``) and the benchmarks (``bench``, ``benchmarks/``).  Nothing
below imports from here.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md``, the introduction to the derivations (§1-§5).
"""
