"""`wait="http://HOST/PATH [STATUS]"`: after a step, wait until a URL answers.

An Ingress or a LoadBalancer routes a moment after `kubectl apply` returns (the controller
has to see it), sooner than a student types the next `curl`, later than verify runs it.
Names under `.localhost` are loopback (RFC 6761), as curl resolves them, whatever the
machine's resolver says.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from diapo.errors import DemoError

POLL = 0.1  # seconds between two tries
TRY_TIMEOUT = 2.0  # seconds one try may take


def is_url(spec: str) -> bool:
    """Whether a `wait=` value names a URL rather than `KIND/NAME CONDITION`."""
    return spec.strip().lower().startswith(("http://", "https://"))


def wait_http(spec: str, *, timeout: float) -> int:
    """Poll `URL [STATUS]` until it answers STATUS (default: any 2xx or 3xx); returns it.

    Raises DemoError (French) naming the last answer or error once `timeout` has passed.
    """
    url, _, wanted_text = spec.strip().partition(" ")
    wanted = wanted_text.strip()
    if wanted and not (wanted.isdigit() and len(wanted) == 3):
        raise DemoError(f"wait='{spec}': attendu URL [CODE HTTP], par exemple "
                        f"wait=\"{url} 200\"")
    parts = urlsplit(url)
    if not parts.hostname:
        raise DemoError(f"wait='{spec}': URL sans hôte")
    host = parts.hostname
    address = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    deadline = time.monotonic() + timeout
    last = "aucune réponse"
    while True:
        conn = kind(address, port, timeout=TRY_TIMEOUT)
        try:
            conn.request("GET", path, headers={"Host": parts.netloc.rpartition("@")[2]})
            status = conn.getresponse().status
            if (str(status) == wanted) if wanted else 200 <= status < 400:
                return status
            last = f"dernière réponse : {status}"
        except (OSError, http.client.HTTPException) as exc:
            last = f"dernière erreur : {exc}"
        finally:
            conn.close()
        if time.monotonic() + POLL > deadline:
            raise DemoError(f"wait='{spec}': pas de réponse {wanted or '2xx/3xx'} "
                            f"en {timeout:g} s ({last})")
        time.sleep(POLL)
