# TEMPORARY alias while the session's parallel work lands; removed before commit.
import sys

from enlinea.security import codes as _moved

sys.modules[__name__] = _moved
