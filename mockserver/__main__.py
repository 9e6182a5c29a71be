"""``python -m mockserver serve ...``"""

import sys

from .cli import main

sys.exit(main())
