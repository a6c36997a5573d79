import sys
from pathlib import Path

# tests/notebook_code.py is a plain module the tests import, and tools/ holds the maintainer scripts the
# tests check: make both importable from any working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
