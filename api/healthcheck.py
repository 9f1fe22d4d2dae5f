"""``python -m api.healthcheck``: the image's HEALTHCHECK, with nothing the slim image lacks.

Healthy means ready: the API answers and has an index open (``/ready``), since an API
without an index cannot serve anyone. Exit 0 when healthy, 1 otherwise, with one line.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from search.settings import Settings, SettingsError

TIMEOUT_SECONDS = 3


def main() -> int:
    try:
        port = Settings.from_env().port
    except SettingsError as exc:
        print(f"unhealthy: {exc}")
        return 1
    # No proxy: the check is for this container's own port.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/ready", timeout=TIMEOUT_SECONDS) as response:
            print(f"healthy: {response.status}")
            return 0
    except urllib.error.HTTPError as exc:
        print(f"unhealthy: /ready answered {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
