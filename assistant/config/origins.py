"""Web origins (`scheme://host[:port]`), as browsers send them in `Origin` and `Referer`."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The origin of an http(s) URL, lower-cased and without its scheme's default port; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" + ("" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}")


def parse_origins(text: str, setting: str) -> tuple[str, ...]:
    """Comma-separated origins, each checked: `https://portal.example.org` (no path, query or fragment)."""
    origins = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        origin = origin_of(item)
        if origin is None or urlsplit(item).path.strip("/") or urlsplit(item).query or urlsplit(item).fragment:
            raise ValueError(f"{setting} takes origins such as https://portal.example.org, got {item!r}")
        origins.append(origin)
    return tuple(origins)
