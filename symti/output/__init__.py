"""What symti shows (the output layer): the report, LaTeX, the command line,
the derivation toolkit and the benchmarks.  Nothing below imports from here."""
