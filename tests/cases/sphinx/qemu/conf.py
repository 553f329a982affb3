# Like QEMU's docs/conf.py, as far as the QAPI references are concerned.
# The tests (and benchmarks/bench_sphinx.py) pass -D qapidoc_srctree=<corpus>.
import os

extensions = ["sphinx_ext"]
project = "QEMU"
default_role = "any"
qapidoc_srctree = os.environ.get("QAPIDOC_SRCTREE", "../../../../../shared/corpus/qemu")
qapi_namespaces = {"QGA", "QMP", "QSD"}
exclude_patterns = ["_build"]
