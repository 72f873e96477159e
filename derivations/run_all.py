"""Run every derivation chapter and write a standalone LaTeX document of them all.

    python derivations/run_all.py [OUTDIR]
"""
import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(outdir=None) -> Path:
    outdir = Path(outdir or os.environ.get("SYMTI_LATEX_DIR") or HERE / "latex")
    os.environ["SYMTI_LATEX_DIR"] = str(outdir)
    slugs = []
    for path in sorted(HERE.glob("[0-9][0-9]_*.py")):
        ns = runpy.run_path(str(path), run_name="__main__")
        slugs.append(ns["doc"].slug)
    body = "\n".join(f"\\input{{{s}}}" for s in slugs)
    doc = outdir / "symti_derivations.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
        "\\title{symti: the derivations}\\maketitle\n" + body + "\n\\end{document}\n"
    )
    print("wrote", doc)
    return doc


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
