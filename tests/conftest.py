import sys
from pathlib import Path

# tests/notebook_code.py is a plain module the tests import; make it importable from any working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))
