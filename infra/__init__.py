"""The e-tax platform as AWS CDK constructs: the platform, then one module per plan board.

The boards build their DynamoDB tables from the specifications the contexts own in the
shared layer (``etax/<context>/tables.py``, pure), so that folder is importable here too.
"""

import sys
from pathlib import Path

_SHARED = str(Path(__file__).resolve().parent.parent / "layers" / "shared" / "python")
if _SHARED not in sys.path:
    sys.path.append(_SHARED)
