# Starts Flint's Python runtime (flint_runtime.py, whose bytecode Flint compiles once at start).
import flint_runtime

flint_runtime.main()
